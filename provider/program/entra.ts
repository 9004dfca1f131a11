import * as pulumi from "@pulumi/pulumi";
import type { Xoauth2AppRef } from "./hybridMailLink";

/** The Office 365 Exchange Online first-party app, which publishes SMTP.SendAsApp. */
export const EXCHANGE_ONLINE_APP_ID = "00000002-0000-0ff1-ce00-000000000000";

/** What {@link createXoauth2App} declares. */
export interface Xoauth2App extends Xoauth2AppRef {
  /** The tenant's id, from the provider's client configuration. */
  tenantId: pulumi.Output<string>;
  /** The app's client secret; a secret output. */
  clientSecret: pulumi.Output<string>;
}

/**
 * The Entra side of XOAUTH2 through the ecosystem's own provider (@pulumi/azuread): an app with
 * the SMTP.SendAsApp application permission, its service principal, admin consent as an app role
 * assignment on Exchange Online's service principal, and a client secret. The result feeds
 * {@link HybridMailLink}'s `xoauth2.app`: note that EXO needs the *service principal's* object id.
 */
export function createXoauth2App(
  name: string,
  opts: { displayName?: string; secretEndDate?: string; parent?: pulumi.Resource } = {},
): Xoauth2App {
  // Loaded here so stacks without XOAUTH2 never need the azuread plugin.
  const azuread = require("@pulumi/azuread") as typeof import("@pulumi/azuread");
  const o = opts.parent ? { parent: opts.parent } : {};
  const exo = new azuread.ServicePrincipal(
    `${name}-exchange-online`,
    { clientId: EXCHANGE_ONLINE_APP_ID, useExisting: true },
    o,
  );
  const sendAsApp = exo.appRoleIds.apply((ids) => {
    const id = ids["SMTP.SendAsApp"];
    if (!id)
      throw new Error("Exchange Online's service principal publishes no SMTP.SendAsApp role");
    return id;
  });
  const app = new azuread.Application(
    name,
    {
      displayName: opts.displayName ?? `E-Post XOAUTH2 (${name})`,
      requiredResourceAccesses: [
        {
          resourceAppId: EXCHANGE_ONLINE_APP_ID,
          resourceAccesses: [{ id: sendAsApp, type: "Role" }],
        },
      ],
    },
    o,
  );
  const sp = new azuread.ServicePrincipal(name, { clientId: app.clientId }, o);
  new azuread.AppRoleAssignment(
    `${name}-smtp-consent`,
    { appRoleId: sendAsApp, principalObjectId: sp.objectId, resourceObjectId: exo.objectId },
    o,
  );
  const password = new azuread.ApplicationPassword(
    name,
    {
      applicationId: app.id,
      displayName: "E-Post XOAUTH2",
      ...(opts.secretEndDate ? { endDate: opts.secretEndDate } : {}),
    },
    { ...o, additionalSecretOutputs: ["value"] },
  );
  const config = azuread.getClientConfigOutput(opts.parent ? { parent: opts.parent } : undefined);
  return {
    appId: app.clientId,
    servicePrincipalObjectId: sp.objectId,
    tenantId: config.tenantId,
    clientSecret: pulumi.secret(password.value),
  };
}

/**
 * The SPF record of the public domain in Azure DNS (@pulumi/azure-native), including E-Post's
 * egress addresses when E-Post sends some mail directly.
 */
export function spfRecord(
  name: string,
  args: {
    resourceGroupName: pulumi.Input<string>;
    zoneName: pulumi.Input<string>;
    egressIps?: string[];
    ttl?: number;
  },
  opts: pulumi.CustomResourceOptions = {},
): pulumi.CustomResource {
  const dns = require("@pulumi/azure-native/dns") as typeof import("@pulumi/azure-native/dns");
  const ips = (args.egressIps ?? []).map((ip) => ` ip4:${ip}`).join("");
  return new dns.RecordSet(
    name,
    {
      resourceGroupName: args.resourceGroupName,
      zoneName: args.zoneName,
      relativeRecordSetName: "@",
      recordType: "TXT",
      ttl: args.ttl ?? 3600,
      txtRecords: [{ value: [`v=spf1 include:spf.protection.outlook.com${ips} -all`] }],
    },
    opts,
  );
}
