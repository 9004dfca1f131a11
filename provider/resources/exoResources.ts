import * as pulumi from "@pulumi/pulumi";
import { ExoCommonArgs, ExoResource, providerFor } from "./exoCommon";

type In<T> = pulumi.Input<T>;

/** Providers of the EXO resources, for driving them directly. */
export const exoInboundConnectorProvider = providerFor("exo-inbound");
export const exoOutboundConnectorProvider = providerFor("exo-outbound");
export const exoMailboxForwardingProvider = providerFor("exo-forwarding");
export const exoOutboundSpamPolicyProvider = providerFor("exo-spam-policy");
export const exoOutboundSpamRuleProvider = providerFor("exo-spam-rule");
export const exoRemoteDomainProvider = providerFor("exo-remote-domain");
export const exoServicePrincipalProvider = providerFor("exo-service-principal");
export const exoMailboxPermissionProvider = providerFor("exo-mailbox-permission");
export const exoCasMailboxSmtpAuthProvider = providerFor("exo-cas-smtp-auth");

/** Inputs of {@link ExoInboundConnector}. */
export interface ExoInboundConnectorArgs extends ExoCommonArgs {
  /** Connector name; the key. */
  name: In<string>;
  /** `OnPremises` (default; allows relay to the internet) or `Partner`. */
  connectorType?: In<"OnPremises" | "Partner">;
  /** Sender domains; default `["*"]`. */
  senderDomains?: In<In<string>[]>;
  /** E-Post's public IPv4 addresses or /24–/32 blocks. */
  senderIpAddresses?: In<In<string>[]>;
  /** Or the certificate domain E-Post presents, e.g. `*.example.jp`. */
  tlsSenderCertificateName?: In<string>;
  /** Partner connectors only. */
  requireTls?: In<boolean>;
  /** Partner connectors only. */
  restrictDomainsToIPAddresses?: In<boolean>;
  /** Partner connectors only. */
  restrictDomainsToCertificate?: In<boolean>;
  /** OnPremises only; bypasses antispam, use with care. */
  treatMessagesAsInternal?: In<boolean>;
  /** Default true. */
  enabled?: In<boolean>;
  comment?: In<string>;
}

/** An inbound connector: how EXO recognises mail relayed by E-Post (New-InboundConnector). */
export class ExoInboundConnector extends ExoResource {
  constructor(name: string, args: ExoInboundConnectorArgs, opts?: pulumi.CustomResourceOptions) {
    super("exo-inbound", "InboundConnector", name, { ...args }, [], opts);
  }
}

/** Inputs of {@link ExoOutboundConnector}. */
export interface ExoOutboundConnectorArgs extends ExoCommonArgs {
  /** Connector name (at most 64 characters); the key. */
  name: In<string>;
  /** Default `OnPremises`. */
  connectorType?: In<"OnPremises" | "Partner">;
  /** Domains routed to E-Post, e.g. `["intra.example.jp"]`. */
  recipientDomains: In<In<string>[]>;
  /** Default false: use `smartHosts`. */
  useMxRecord?: In<boolean>;
  /** E-Post's host names or IPs; required unless useMxRecord. */
  smartHosts?: In<In<string>[]>;
  /** `EncryptionOnly`, `CertificateValidation` or `DomainValidation`. */
  tlsSettings?: In<"EncryptionOnly" | "CertificateValidation" | "DomainValidation">;
  /** With DomainValidation only. */
  tlsDomain?: In<string>;
  enabled?: In<boolean>;
  comment?: In<string>;
}

/** An outbound connector routing the intranet subdomain to E-Post (New-OutboundConnector). */
export class ExoOutboundConnector extends ExoResource {
  constructor(name: string, args: ExoOutboundConnectorArgs, opts?: pulumi.CustomResourceOptions) {
    super("exo-outbound", "OutboundConnector", name, { ...args }, [], opts);
  }
}

/** Inputs of {@link ExoMailboxForwarding}. */
export interface ExoMailboxForwardingArgs extends ExoCommonArgs {
  /** The EXO mailbox, e.g. `vip1@example.jp`; the key. */
  identity: In<string>;
  /** Where its mail goes, e.g. `vip1@intra.example.jp`. */
  forwardingSmtpAddress: In<string>;
  /** Keep a copy in the EXO mailbox. Default false. */
  deliverToMailboxAndForward?: In<boolean>;
}

/** Forwarding of one EXO mailbox to its intranet address; delete restores the earlier setting. */
export class ExoMailboxForwarding extends ExoResource {
  declare readonly previousForwardingSmtpAddress: pulumi.Output<string>;
  constructor(name: string, args: ExoMailboxForwardingArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      "exo-forwarding",
      "MailboxForwarding",
      name,
      { ...args },
      ["previousForwardingSmtpAddress", "previousDeliverToMailboxAndForward"],
      opts,
    );
  }
}

/** Inputs of {@link ExoOutboundSpamPolicy}. */
export interface ExoOutboundSpamPolicyArgs extends ExoCommonArgs {
  name: In<string>;
  /** Default `On`: allow automatic external forwarding for the senders its rule names. */
  autoForwardingMode?: In<"On" | "Off" | "Automatic">;
}

/** An outbound spam filter policy that allows auto-forwarding (New-HostedOutboundSpamFilterPolicy). */
export class ExoOutboundSpamPolicy extends ExoResource {
  constructor(name: string, args: ExoOutboundSpamPolicyArgs, opts?: pulumi.CustomResourceOptions) {
    super("exo-spam-policy", "OutboundSpamPolicy", name, { ...args }, [], opts);
  }
}

/** Inputs of {@link ExoOutboundSpamRule}. */
export interface ExoOutboundSpamRuleArgs extends ExoCommonArgs {
  name: In<string>;
  /** The policy's name. */
  policy: In<string>;
  /** The kept senders. */
  from: In<In<string>[]>;
  /** Default 0. */
  priority?: In<number>;
}

/** The rule scoping an outbound spam policy to the kept senders (New-HostedOutboundSpamFilterRule). */
export class ExoOutboundSpamRule extends ExoResource {
  constructor(name: string, args: ExoOutboundSpamRuleArgs, opts?: pulumi.CustomResourceOptions) {
    super("exo-spam-rule", "OutboundSpamRule", name, { ...args }, [], opts);
  }
}

/** Inputs of {@link ExoRemoteDomain}. */
export interface ExoRemoteDomainArgs extends ExoCommonArgs {
  name: In<string>;
  /** E.g. `intra.example.jp`. */
  domainName: In<string>;
  /** Default true. */
  autoForwardEnabled?: In<boolean>;
}

/** A remote domain for the intranet subdomain with auto-forwarding allowed (New-RemoteDomain). */
export class ExoRemoteDomain extends ExoResource {
  constructor(name: string, args: ExoRemoteDomainArgs, opts?: pulumi.CustomResourceOptions) {
    super("exo-remote-domain", "RemoteDomain", name, { ...args }, [], opts);
  }
}

/** Inputs of {@link ExoServicePrincipal}. */
export interface ExoServicePrincipalArgs extends ExoCommonArgs {
  /** The XOAUTH2 app's application (client) id. */
  appId: In<string>;
  /** The object id of its *enterprise application* (service principal), not of the app registration. */
  objectId: In<string>;
  displayName?: In<string>;
}

/** EXO's service principal for the XOAUTH2 app (New-ServicePrincipal). */
export class ExoServicePrincipal extends ExoResource {
  constructor(name: string, args: ExoServicePrincipalArgs, opts?: pulumi.CustomResourceOptions) {
    super("exo-service-principal", "ServicePrincipal", name, { ...args }, [], opts);
  }
}

/** Inputs of {@link ExoMailboxPermission}. */
export interface ExoMailboxPermissionArgs extends ExoCommonArgs {
  /** The sending mailbox. */
  identity: In<string>;
  /** The service principal (its object id or app id). */
  user: In<string>;
  /** Default `FullAccess`. */
  accessRights?: In<"FullAccess" | "ReadPermission">;
}

/** FullAccess for the XOAUTH2 app on a sending mailbox (Add-MailboxPermission). */
export class ExoMailboxPermission extends ExoResource {
  constructor(name: string, args: ExoMailboxPermissionArgs, opts?: pulumi.CustomResourceOptions) {
    super("exo-mailbox-permission", "MailboxPermission", name, { ...args }, [], opts);
  }
}

/** Inputs of {@link ExoCasMailboxSmtpAuth}. */
export interface ExoCasMailboxSmtpAuthArgs extends ExoCommonArgs {
  /** The sending mailbox. */
  identity: In<string>;
  /** Default false: SMTP AUTH enabled for this mailbox. */
  smtpClientAuthenticationDisabled?: In<boolean>;
}

/** SMTP AUTH for one mailbox (Set-CASMailbox); delete restores the earlier value. */
export class ExoCasMailboxSmtpAuth extends ExoResource {
  constructor(name: string, args: ExoCasMailboxSmtpAuthArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      "exo-cas-smtp-auth",
      "CasMailboxSmtpAuth",
      name,
      { ...args },
      ["previousSmtpClientAuthenticationDisabled"],
      opts,
    );
  }
}
