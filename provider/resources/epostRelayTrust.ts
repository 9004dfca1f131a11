import * as pulumi from "@pulumi/pulumi";
import { EPostCommonArgs, nextOrder, thinProvider, TYPE_MODULE, withSecretOutputs } from "./common";

/** The provider of {@link EPostRelayTrust}. */
export const epostRelayTrustProvider: pulumi.dynamic.ResourceProvider = thinProvider("effect");

/** Inputs of {@link EPostRelayTrust}. */
export interface EPostRelayTrustArgs extends EPostCommonArgs {
  /**
   * Envelope-sender address, IPv4 address, octet wildcard (`192.0.2.*`) or CIDR block. The key of
   * the line, compared case-insensitively.
   */
  source: pulumi.Input<string>;
  /**
   * `default`, `true`, `false`, `norelay`, `norelay,0` or `norelay,2`. Default `true`. `true` is
   * refused for a whole domain, `*@domain`, `*`, `*.*.*.*` and `0.0.0.0/0` (an open relay).
   */
  action?: pulumi.Input<string>;
  /** Allow `true` for a range wider than /24, e.g. Exchange Online's sending ranges. Default false. */
  allowBroadRange?: pulumi.Input<boolean>;
}

/**
 * One effect.dat line `<source> <action>` (Mail Control → 中継の制限 → マシン毎の中継). A new line
 * goes before the first catch-all (`*.*.*.*`, `*`, `0.0.0.0/0`) and below `#<>` / `#blank`.
 */
export class EPostRelayTrust extends pulumi.dynamic.Resource {
  declare readonly source: pulumi.Output<string>;
  declare readonly action: pulumi.Output<string>;
  declare readonly allowBroadRange: pulumi.Output<boolean>;
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

  constructor(name: string, args: EPostRelayTrustArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      epostRelayTrustProvider,
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
      "RelayTrust",
    );
  }
}
