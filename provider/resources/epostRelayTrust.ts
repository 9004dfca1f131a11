import * as pulumi from "@pulumi/pulumi";
import { EPostCommonArgs, EPostEntryResource, thinProvider } from "./common";

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
export class EPostRelayTrust extends EPostEntryResource {
  declare readonly source: pulumi.Output<string>;
  declare readonly action: pulumi.Output<string>;
  declare readonly allowBroadRange: pulumi.Output<boolean>;

  constructor(name: string, args: EPostRelayTrustArgs, opts?: pulumi.CustomResourceOptions) {
    super(epostRelayTrustProvider, "RelayTrust", name, { ...args }, opts);
  }
}
