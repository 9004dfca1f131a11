import * as pulumi from "@pulumi/pulumi";
import { EPostConnectionArgs, EPostLayoutArgs, EPostSshConnectionArgs } from "../resources/common";
import { EPostAlias } from "../resources/epostAlias";
import { EPostGatewayRoute } from "../resources/epostGatewayRoute";
import { EPostHostsEntry } from "../resources/epostHostsEntry";
import { EPostRelayTrust } from "../resources/epostRelayTrust";
import { EPostServiceRestart } from "../resources/epostServiceRestart";
import { ExoConnectionArgs } from "../resources/exoCommon";
import {
  ExoCasMailboxSmtpAuth,
  ExoInboundConnector,
  ExoMailboxForwarding,
  ExoMailboxPermission,
  ExoOutboundConnector,
  ExoOutboundSpamPolicy,
  ExoOutboundSpamRule,
  ExoRemoteDomain,
  ExoServicePrincipal,
} from "../resources/exoResources";

/** The Entra app E-Post logs in with for XOAUTH2, when it exists already. */
export interface Xoauth2AppRef {
  /** Its application (client) id. */
  appId: pulumi.Input<string>;
  /** The object id of its enterprise application (service principal), not of the app registration. */
  servicePrincipalObjectId: pulumi.Input<string>;
}

/** One tenant's hybrid mail link. */
export interface HybridMailLinkArgs {
  /** Public mail domain, e.g. `example.jp`. */
  domain: string;
  /** Intranet subdomain on E-Post. Default `intra.<domain>`. */
  intranetDomain?: string;
  /** Local parts of the accounts kept on E-Post. */
  accounts: string[];
  /** How E-Post hands the kept accounts' mail to Exchange Online. */
  mode: "relay" | "xoauth2";
  epost: {
    connection: pulumi.Input<EPostConnectionArgs>;
    layout?: pulumi.Input<EPostLayoutArgs>;
    /** The E-Post server's own address, for the intranet subdomain's hosts entry. */
    ip: string;
    /** E-Post's public egress addresses as EXO sees them; relay mode's inbound connector needs them. */
    egressIps?: string[];
    /**
     * Restart a service over SSH (EPSTRS by default) after effect.dat lines change, once per
     * update. Opt-in; needs an SSH connection whose account may control services.
     */
    restartService?: { service?: string; method?: "powershell" | "sc" };
  };
  /** Relay mode: the tenant's `<name>.mail.protection.outlook.com`. */
  relaySmartHost?: string;
  xoauth2?: {
    /** Method token. Default `1XOAUTH2`. */
    scheme?: string;
    /** The authentication data E-Post expects after the method (its format is not published). */
    data?: pulumi.Input<string>;
    /** The Entra app E-Post uses; EXO needs its service principal registered. */
    app?: Xoauth2AppRef;
  };
  /** Exchange Online's sending ranges, trusted in effect.dat for mail EXO forwards to E-Post. */
  exoSourceRanges?: string[];
  /** The Exchange Online half; without it only the E-Post half is declared. */
  exo?: {
    connection: pulumi.Input<ExoConnectionArgs>;
    /** Keep a copy of forwarded mail in the EXO mailbox. Default false (data stays on E-Post). */
    keepCopyInExo?: boolean;
    /** Route the intranet subdomain to E-Post through an outbound connector to these hosts. */
    outboundSmartHosts?: string[];
  };
  /** Accounts already forwarded elsewhere in EXO (address → target), to catch conflicts. */
  forwardedElsewhere?: Record<string, string>;
}

/**
 * Why a link would not work or would be unsafe, one line per gap; empty when it is complete.
 * Checked at preview, before anything is declared.
 */
export function linkGaps(a: HybridMailLinkArgs): string[] {
  const gaps: string[] = [];
  const seen = new Set<string>();
  if (a.accounts.length === 0) gaps.push("accounts: list at least one account kept on E-Post");
  for (const acct of a.accounts) {
    const k = acct.toLowerCase();
    if (seen.has(k)) gaps.push(`accounts: "${acct}" is listed twice`);
    seen.add(k);
    const other = Object.entries(a.forwardedElsewhere ?? {}).find(
      ([addr]) => addr.toLowerCase() === `${k}@${a.domain.toLowerCase()}`,
    );
    if (other) {
      gaps.push(
        `${acct}@${a.domain} is kept on E-Post but already forwarded to ${other[1]} in EXO; remove one of the two`,
      );
    }
  }
  if (a.mode === "relay" && !a.relaySmartHost) {
    gaps.push(
      "relay mode: relaySmartHost (<tenant>.mail.protection.outlook.com) is missing, so no gateway route can be written",
    );
  }
  if (a.mode === "xoauth2" && a.xoauth2?.data === undefined) {
    gaps.push("xoauth2 mode: the XOAUTH2 authentication data for the gateway routes is missing");
  }
  if (a.exo) {
    if (a.mode === "relay" && !a.epost.egressIps?.length) {
      gaps.push(
        "relay mode: epost.egressIps is missing, so EXO would have no inbound connector matching E-Post and would refuse the relay (550 5.7.64)",
      );
    }
    if (a.mode === "xoauth2" && !a.xoauth2?.app) {
      gaps.push(
        "xoauth2 mode: the Entra app (appId and service principal object id) is missing, so EXO cannot register it, grant FullAccess or accept its logins (535 5.7.3)",
      );
    }
    if (!a.exoSourceRanges?.length) {
      gaps.push(
        "exoSourceRanges is empty: mail EXO forwards to E-Post comes from EXO's addresses, which E-Post must trust",
      );
    }
  }
  return gaps;
}

/**
 * Both halves of one tenant's hybrid mail link: on E-Post the intranet subdomain's hosts entry,
 * an alias, gateway route and sender trust per kept account and trust for EXO's sending ranges;
 * in Exchange Online the inbound connector (relay) or the app's service principal, FullAccess and
 * SMTP AUTH (XOAUTH2), the policy and remote domain that allow forwarding, and each kept
 * mailbox's forwarding to its intranet address, switched on only after its E-Post entries exist.
 */
export class HybridMailLink extends pulumi.ComponentResource {
  /** Public address → intranet address, per kept account. */
  readonly aliases: Record<string, string>;
  /** Every line the link owns on the E-Post host, as written (secrets masked). */
  readonly epostLines: pulumi.Output<string[]>;
  /** The names of the EXO objects the link owns. */
  readonly exoObjects: string[];

  constructor(name: string, args: HybridMailLinkArgs, opts?: pulumi.ComponentResourceOptions) {
    super("epost-hybrid:index:HybridMailLink", name, {}, opts);
    const gaps = linkGaps(args);
    if (gaps.length > 0) {
      throw new pulumi.ResourceError(
        `the hybrid mail link "${name}" is incomplete or unsafe:\n  - ${gaps.join("\n  - ")}`,
        this,
      );
    }
    const parent = { parent: this };
    const intranet = args.intranetDomain ?? `intra.${args.domain}`;
    const common = { connection: args.epost.connection, layout: args.epost.layout };
    const hosts = new EPostHostsEntry(
      intranet,
      { ...common, ip: args.epost.ip, hostnames: [intranet] },
      parent,
    );
    const lines: pulumi.Output<string>[] = [hosts.line];
    const restart = args.epost.restartService;
    const restartConnection = args.epost.connection as pulumi.Input<EPostSshConnectionArgs>;
    const trustName = (acct: string) => `trust-${acct}`;
    const rangeName = (range: string) => `trust-exo-${range.replace(/[./]/g, "-")}`;
    // The engine deletes removed resources last, after any restart that follows the remaining
    // ones; this second restart, which every trust depends on, is deleted (and so restarts the
    // service) only after the removed trusts' lines have left effect.dat.
    const afterRemoval = restart
      ? new EPostServiceRestart(
          `${name}-restart-after-removal`,
          {
            connection: restartConnection,
            ...restart,
            when: "afterRemoval",
            triggers: Object.fromEntries(
              [...args.accounts.map(trustName), ...(args.exoSourceRanges ?? []).map(rangeName)].map(
                (n) => [n, true],
              ),
            ),
          },
          parent,
        )
      : undefined;
    const trustOpts = { ...parent, ...(afterRemoval ? { dependsOn: [afterRemoval] } : {}) };
    const trusts: [string, EPostRelayTrust][] = [];
    const perAccount: Record<string, pulumi.Resource[]> = {};
    this.aliases = {};
    for (const acct of args.accounts) {
      const pub = `${acct}@${args.domain}`;
      const intra = `${acct}@${intranet}`;
      this.aliases[pub] = intra;
      const alias = new EPostAlias(
        `alias-${acct}`,
        { ...common, alias: pub, address: intra },
        { ...parent, dependsOn: [hosts] },
      );
      const route = new EPostGatewayRoute(
        `route-${acct}`,
        {
          ...common,
          sender: pub,
          ...(args.mode === "relay"
            ? { smartHost: args.relaySmartHost!, port: 25 }
            : {
                smartHost: "smtp.office365.com",
                port: 587,
                auth: { scheme: args.xoauth2?.scheme ?? "1XOAUTH2", data: args.xoauth2!.data! },
              }),
        },
        parent,
      );
      const trust = new EPostRelayTrust(
        trustName(acct),
        { ...common, source: pub, action: "true" },
        trustOpts,
      );
      lines.push(alias.line, route.line, trust.line);
      trusts.push([trustName(acct), trust]);
      perAccount[acct] = [hosts, alias, route, trust];
    }
    const rangeTrust: pulumi.Resource[] = [];
    for (const range of args.exoSourceRanges ?? []) {
      const t = new EPostRelayTrust(
        rangeName(range),
        { ...common, source: range, action: "true", allowBroadRange: true },
        trustOpts,
      );
      lines.push(t.line);
      rangeTrust.push(t);
      trusts.push([rangeName(range), t]);
    }
    if (restart) {
      // Named by resource, so reordering accounts restarts nothing; the revision follows a line
      // put back after a hand edit, whose text is the same as before.
      const reload = new EPostServiceRestart(
        `${name}-restart-after-trust`,
        {
          connection: restartConnection,
          ...restart,
          triggers: Object.fromEntries(trusts.map(([n, t]) => [n, [t.line, t.revision]])),
        },
        { ...parent, dependsOn: trusts.map(([, t]) => t) },
      );
      // Forwarding in EXO waits until E-Post has loaded the trust for the forwarded mail.
      for (const acct of args.accounts) perAccount[acct].push(reload);
    }
    this.epostLines = pulumi.all(lines);
    this.exoObjects = [];
    if (args.exo) this.declareExo(name, args, intranet, perAccount, rangeTrust);
    this.registerOutputs({ aliases: this.aliases, epostLines: this.epostLines });
  }

  private declareExo(
    name: string,
    args: HybridMailLinkArgs,
    intranet: string,
    perAccount: Record<string, pulumi.Resource[]>,
    rangeTrust: pulumi.Resource[],
  ): void {
    const exo = args.exo!;
    const parent = { parent: this };
    const c = { exo: exo.connection };
    const objects: pulumi.Resource[] = [];
    const label = `epost-hybrid ${name}`;
    if (args.mode === "relay") {
      objects.push(
        new ExoInboundConnector(
          `${name}-inbound`,
          {
            ...c,
            name: `From E-Post (${label})`,
            connectorType: "OnPremises",
            senderIpAddresses: args.epost.egressIps!,
          },
          parent,
        ),
      );
      this.exoObjects.push(`inbound connector "From E-Post (${label})"`);
    } else {
      const app = args.xoauth2!.app!;
      const sp = new ExoServicePrincipal(
        `${name}-xoauth2-sp`,
        {
          ...c,
          appId: app.appId,
          objectId: app.servicePrincipalObjectId,
          displayName: `E-Post XOAUTH2 (${label})`,
        },
        parent,
      );
      objects.push(sp);
      this.exoObjects.push("XOAUTH2 service principal");
      for (const acct of args.accounts) {
        const mailbox = `${acct}@${args.domain}`;
        objects.push(
          new ExoMailboxPermission(
            `${name}-fullaccess-${acct}`,
            { ...c, identity: mailbox, user: app.servicePrincipalObjectId },
            { ...parent, dependsOn: [sp] },
          ),
        );
        objects.push(
          new ExoCasMailboxSmtpAuth(
            `${name}-smtpauth-${acct}`,
            { ...c, identity: mailbox, smtpClientAuthenticationDisabled: false },
            parent,
          ),
        );
        this.exoObjects.push(`FullAccess and SMTP AUTH for ${mailbox}`);
      }
    }
    const policyName = `${label} allow forward`;
    const policy = new ExoOutboundSpamPolicy(
      `${name}-forward-policy`,
      { ...c, name: policyName, autoForwardingMode: "On" },
      parent,
    );
    const rule = new ExoOutboundSpamRule(
      `${name}-forward-rule`,
      {
        ...c,
        name: policyName,
        policy: policyName,
        from: args.accounts.map((a) => `${a}@${args.domain}`),
      },
      { ...parent, dependsOn: [policy] },
    );
    const remote = new ExoRemoteDomain(
      `${name}-remote-domain`,
      { ...c, name: `E-Post ${intranet}`, domainName: intranet, autoForwardEnabled: true },
      parent,
    );
    this.exoObjects.push(
      `outbound spam policy and rule "${policyName}"`,
      `remote domain ${intranet}`,
    );
    const routing: pulumi.Resource[] = [policy, rule, remote];
    if (exo.outboundSmartHosts?.length) {
      routing.push(
        new ExoOutboundConnector(
          `${name}-outbound`,
          {
            ...c,
            name: `To E-Post ${intranet}`.slice(0, 64),
            recipientDomains: [intranet],
            smartHosts: exo.outboundSmartHosts,
          },
          parent,
        ),
      );
      this.exoObjects.push(`outbound connector to ${intranet}`);
    }
    for (const acct of args.accounts) {
      // Forwarding is switched on last: E-Post must already accept the intranet address and trust
      // EXO's addresses, or forwarded mail would bounce.
      new ExoMailboxForwarding(
        `${name}-forward-${acct}`,
        {
          ...c,
          identity: `${acct}@${args.domain}`,
          forwardingSmtpAddress: `${acct}@${intranet}`,
          deliverToMailboxAndForward: exo.keepCopyInExo ?? false,
        },
        { ...parent, dependsOn: [...perAccount[acct], ...rangeTrust, ...routing, ...objects] },
      );
      this.exoObjects.push(`forwarding of ${acct}@${args.domain} to ${acct}@${intranet}`);
    }
  }
}
