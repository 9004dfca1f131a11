/**
 * The implementation the resources' serialized providers load at run time.
 *
 * A provider object stored in stack state holds nothing but a `require` of this module and a
 * kind name, so refresh and destroy of old state run the code installed today, and no client,
 * secret or path is frozen into state. Everything stored in state by an earlier version must
 * stay readable by this one.
 */
import { aliasKind } from "./entries/aliasKind";
import { gatewayRouteKind } from "./entries/gatewayRouteKind";
import { hostsKind } from "./entries/hostsKind";
import { relayTrustKind } from "./entries/relayTrustKind";
import { EntryProvider, entryProvider } from "./entries/tableEntry";
import { exoProvider } from "./exo/exoProvider";
import { serviceRestartProvider } from "./service/serviceRestart";
import { ExoKind } from "./exo/exoKind";
import { inboundConnectorKind } from "./exo/kinds/inboundConnector";
import { mailboxForwardingKind } from "./exo/kinds/mailboxForwarding";
import { outboundConnectorKind } from "./exo/kinds/outboundConnector";
import { outboundSpamPolicyKind, outboundSpamRuleKind } from "./exo/kinds/outboundSpam";
import { remoteDomainKind } from "./exo/kinds/remoteDomain";
import {
  casMailboxSmtpAuthKind,
  mailboxPermissionKind,
  servicePrincipalKind,
} from "./exo/kinds/xoauth2Access";

const exoKinds: ExoKind[] = [
  inboundConnectorKind,
  outboundConnectorKind,
  mailboxForwardingKind,
  outboundSpamPolicyKind,
  outboundSpamRuleKind,
  remoteDomainKind,
  servicePrincipalKind,
  mailboxPermissionKind,
  casMailboxSmtpAuthKind,
];

/** Providers by kind name; the names are stored in state and never change. */
export const providers: Record<string, EntryProvider> = {
  alias: entryProvider(aliasKind),
  gateway: entryProvider(gatewayRouteKind),
  effect: entryProvider(relayTrustKind),
  hosts: entryProvider(hostsKind),
  "service-restart": serviceRestartProvider,
  ...Object.fromEntries(exoKinds.map((k) => [k.name, exoProvider(k)])),
};
