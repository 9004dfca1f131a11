import * as pulumi from "@pulumi/pulumi";
import { EPostSshConnectionArgs, thinProvider, TYPE_MODULE } from "./common";

/** The provider of {@link EPostServiceRestart}, for driving its methods directly. */
export const epostServiceRestartProvider: pulumi.dynamic.ResourceProvider =
  thinProvider("service-restart");

/** Inputs of {@link EPostServiceRestart}. */
export interface EPostServiceRestartArgs {
  /** The E-Post host, over SSH: the account must be an administrator. Stored as a secret. */
  connection: pulumi.Input<EPostSshConnectionArgs>;
  /** The Windows service. Default `EPSTRS`, E-Post's SMTP receive service, which reads effect.dat. */
  service?: pulumi.Input<string>;
  /**
   * `powershell` (default): `Restart-Service`, which waits for the service. `sc`: `sc.exe stop`
   * and `start`, waiting on `sc.exe query`, for hosts where PowerShell is locked down.
   */
  method?: pulumi.Input<"powershell" | "sc">;
  /** How long the restart may take. Default 120 seconds. */
  timeoutSeconds?: pulumi.Input<number>;
  /**
   * The values the restart follows, best named so that their order does not matter:
   * `triggers: { vip1: [trust.line, trust.revision] }` (`revision` also changes when a line is put
   * back after a hand edit). A list is taken by position. With `when: "afterChange"` the restart
   * runs after them (give them in `dependsOn` too), once per update however many changed.
   */
  triggers:
    pulumi.Input<Record<string, pulumi.Input<unknown>>> | pulumi.Input<pulumi.Input<unknown>[]>;
  /**
   * `afterChange` (default): restart on create, and when a trigger is added or changes value.
   * `afterRemoval`: restart when this resource is deleted, and when a trigger is removed (the
   * resource is then replaced, and the old one deleted). The engine deletes it only after the
   * resources that depend on it, so declare the entries with `dependsOn: [thisRestart]` and
   * their names as its triggers: the service then reloads after their lines have left the file.
   */
  when?: pulumi.Input<"afterChange" | "afterRemoval">;
}

/**
 * Restarts an E-Post service over SSH after the entries it follows changed, or after some of
 * them were removed. Opt-in: the vendor says effect.dat needs no restart in one place and asks
 * for an EPSTRS restart in another. The preview shows the command it will run in `command`.
 */
export class EPostServiceRestart extends pulumi.dynamic.Resource {
  /** The command line, or for `sc` the sequence of commands, that the restart runs. */
  declare readonly command: pulumi.Output<string>;
  /** `user@host:port` of the host. */
  declare readonly target: pulumi.Output<string>;
  /** The service's status after the restart (`Running`). */
  declare readonly status: pulumi.Output<string>;
  /** When the last restart finished (ISO 8601, the machine running Pulumi). */
  declare readonly restartedAt: pulumi.Output<string>;
  declare readonly service: pulumi.Output<string>;

  constructor(name: string, args: EPostServiceRestartArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      epostServiceRestartProvider,
      name,
      {
        ...args,
        connection: pulumi.secret(args.connection),
        command: undefined,
        target: undefined,
        status: undefined,
        restartedAt: undefined,
      },
      {
        ...opts,
        additionalSecretOutputs: [...(opts?.additionalSecretOutputs ?? []), "connection"],
      },
      TYPE_MODULE,
      "ServiceRestart",
    );
  }
}
