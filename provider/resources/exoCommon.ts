import * as pulumi from "@pulumi/pulumi";
import { thinProvider } from "./common";

/** How the provider reaches Exchange Online. Stored as a secret. */
export interface ExoConnectionArgs {
  /** The tenant's GUID. */
  tenantId: pulumi.Input<string>;
  /** The automation app's client id; it needs Exchange.ManageAsApp and an Exchange admin role. */
  clientId: pulumi.Input<string>;
  /** The automation app's client secret; secret. One of clientSecret and certificate is required. */
  clientSecret?: pulumi.Input<string>;
  /** The app's certificate: hex thumbprint and PEM private key; secret. */
  certificate?: pulumi.Input<{
    thumbprint: pulumi.Input<string>;
    privateKey: pulumi.Input<string>;
  }>;
  /** Token authority host. Default `https://login.microsoftonline.com`. */
  authorityHost?: pulumi.Input<string>;
  /** Admin endpoint host. Default `https://outlook.office365.com`. */
  adminHost?: pulumi.Input<string>;
  /** Extra CA certificate (PEM) to trust for both hosts. */
  caCertificate?: pulumi.Input<string>;
}

/** Inputs shared by every Exchange Online resource. */
export interface ExoCommonArgs {
  /** The tenant and the automation app. */
  exo: pulumi.Input<ExoConnectionArgs>;
}

/** The module part of the EXO resources' type tokens: `pulumi-nodejs:dynamic/exo:<Type>`. */
export const EXO_MODULE = "exo";

/** Base of the Exchange Online resources: the connection is stored as a secret. */
export abstract class ExoResource extends pulumi.dynamic.Resource {
  protected constructor(
    kind: string,
    type: string,
    name: string,
    args: ExoCommonArgs & Record<string, unknown>,
    outputs: string[],
    opts?: pulumi.CustomResourceOptions,
  ) {
    const seeded: Record<string, unknown> = { ...args, exo: pulumi.secret(args.exo) };
    for (const o of outputs) if (!(o in seeded)) seeded[o] = undefined;
    super(
      providerFor(kind),
      name,
      seeded,
      { ...opts, additionalSecretOutputs: [...(opts?.additionalSecretOutputs ?? []), "exo"] },
      EXO_MODULE,
      type,
    );
  }
}

const cache = new Map<string, pulumi.dynamic.ResourceProvider>();

/** One provider object per kind, so each serializes once. */
export function providerFor(kind: string): pulumi.dynamic.ResourceProvider {
  let p = cache.get(kind);
  if (!p) {
    p = thinProvider(kind);
    cache.set(kind, p);
  }
  return p;
}
