import * as pulumi from "@pulumi/pulumi";
import { EPostCommonArgs, EPostEntryResource, thinProvider } from "./common";

/** The provider of {@link EPostGatewayRoute}. */
export const epostGatewayRouteProvider: pulumi.dynamic.ResourceProvider = thinProvider("gateway");

/** Authentication option of a gateway route. */
export interface EPostGatewayAuthArgs {
  /** Method token written before the data, e.g. `1XOAUTH2` (the digit's meaning is not published). */
  scheme: pulumi.Input<string>;
  /** The authentication data E-Post expects after the method; secret. */
  data: pulumi.Input<string>;
}

/** Inputs of {@link EPostGatewayRoute}. */
export interface EPostGatewayRouteArgs extends EPostCommonArgs {
  /** Recipient domain the route applies to. Default `*` (any). Part of the key. */
  recipientDomain?: pulumi.Input<string>;
  /** Envelope sender the route applies to; one address per line, no wildcard. Part of the key. */
  sender?: pulumi.Input<string>;
  /** Host to hand the mail to, e.g. `example-jp.mail.protection.outlook.com`. */
  smartHost: pulumi.Input<string>;
  /** Port on the smart host. Default 25 (SMTP relay); XOAUTH2 submission uses 587. */
  port?: pulumi.Input<number>;
  /** Authentication option; stored as a secret. */
  auth?: pulumi.Input<EPostGatewayAuthArgs>;
}

/**
 * One gateway.dat line (Mail Control → サーバー設定 → テーブル編集):
 * `<recipientDomain>[|<sender>],<smartHost>[|<scheme>|<data>],<port>`. A new line goes before
 * the first catch-all `*,...` line, since the first matching line wins.
 */
export class EPostGatewayRoute extends EPostEntryResource {
  declare readonly recipientDomain: pulumi.Output<string>;
  declare readonly sender: pulumi.Output<string | undefined>;
  declare readonly smartHost: pulumi.Output<string>;
  declare readonly port: pulumi.Output<number>;
  declare readonly auth: pulumi.Output<{ scheme: string; data: string } | undefined>;

  constructor(name: string, args: EPostGatewayRouteArgs, opts?: pulumi.CustomResourceOptions) {
    const auth = args.auth === undefined ? undefined : pulumi.secret(args.auth);
    super(epostGatewayRouteProvider, "GatewayRoute", name, { ...args, auth }, opts, [
      "auth",
      "fingerprint",
    ]);
  }
}
