import * as pulumi from "@pulumi/pulumi";
import { EPostCommonArgs, nextOrder, thinProvider, TYPE_MODULE, withSecretOutputs } from "./common";

/** The provider of {@link EPostHostsEntry}. */
export const epostHostsEntryProvider: pulumi.dynamic.ResourceProvider = thinProvider("hosts");

/** Inputs of {@link EPostHostsEntry}. */
export interface EPostHostsEntryArgs extends EPostCommonArgs {
  /** IPv4 or IPv6 address the names resolve to, usually the E-Post server's own. */
  ip: pulumi.Input<string>;
  /** Host names on the line; the first is the line's key, compared case-insensitively. */
  hostnames: pulumi.Input<pulumi.Input<string>[]>;
}

/**
 * One line of the Windows hosts file (`layout.hostsFile`). E-Post resolves each of its domains,
 * subdomains included, through this file. New lines are appended.
 */
export class EPostHostsEntry extends pulumi.dynamic.Resource {
  declare readonly ip: pulumi.Output<string>;
  declare readonly hostnames: pulumi.Output<string[]>;
  /** `user@host:port` of the E-Post host. */
  declare readonly target: pulumi.Output<string>;
  /** The file's path on the host. */
  declare readonly file: pulumi.Output<string>;
  /** The line as written. */
  declare readonly line: pulumi.Output<string>;
  /** SHA-256 of the line's bytes; delete removes the line only while it still matches. */
  declare readonly fingerprint: pulumi.Output<string>;
  /** True when create took over a line that was already there. */
  declare readonly adopted: pulumi.Output<boolean>;

  constructor(name: string, args: EPostHostsEntryArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      epostHostsEntryProvider,
      name,
      {
        ...args,
        connection: pulumi.secret(args.connection),
        order: args.order ?? nextOrder(),
        target: undefined,
        file: undefined,
        line: undefined,
        fingerprint: undefined,
        adopted: undefined,
      },
      withSecretOutputs(opts, ["connection"]),
      TYPE_MODULE,
      "HostsEntry",
    );
  }
}
