import * as pulumi from "@pulumi/pulumi";
import { EPostCommonArgs, nextOrder, thinProvider, TYPE_MODULE, withSecretOutputs } from "./common";

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
export class EPostAlias extends pulumi.dynamic.Resource {
  declare readonly alias: pulumi.Output<string>;
  declare readonly address: pulumi.Output<string>;
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

  constructor(name: string, args: EPostAliasArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      epostAliasProvider,
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
      "Alias",
    );
  }
}
