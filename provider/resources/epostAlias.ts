import * as pulumi from "@pulumi/pulumi";
import { EPostCommonArgs, EPostEntryResource, thinProvider } from "./common";

/** The provider of {@link EPostAlias}, for driving check/diff/create/read/update/delete directly. */
export const epostAliasProvider: pulumi.dynamic.ResourceProvider = thinProvider("alias");

/** Inputs of {@link EPostAlias}. */
export interface EPostAliasArgs extends EPostCommonArgs {
  /** The public address, e.g. `vip1@example.jp`. The key of the line, compared case-insensitively. */
  alias: pulumi.Input<string>;
  /** The one real address it delivers to, e.g. `vip1@intra.example.jp`. */
  address: pulumi.Input<string>;
}

/**
 * One line `alias<TAB>address` of E-Post's alias table (Mail Control → エイリアス設定), in the
 * file `layout.aliasFile`. Changing `alias` replaces the line; changing `address` rewrites it.
 */
export class EPostAlias extends EPostEntryResource {
  declare readonly alias: pulumi.Output<string>;
  declare readonly address: pulumi.Output<string>;

  constructor(name: string, args: EPostAliasArgs, opts?: pulumi.CustomResourceOptions) {
    super(epostAliasProvider, "Alias", name, { ...args }, opts);
  }
}
