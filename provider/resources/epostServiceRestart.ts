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
   * Values whose change restarts the service, typically the `line` outputs of the entries it
   * depends on: `triggers: [trust.line, exoRange.line]`. The restart runs after them, once per
   * update however many of them changed.
   */
  triggers: pulumi.Input<pulumi.Input<unknown>[]>;
}

/**
 * Restarts an E-Post service over SSH after the entries it depends on changed. Opt-in: the
 * vendor says effect.dat needs no restart in one place and asks for an EPSTRS restart in
 * another. The preview shows the command it will run in `command`.
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
