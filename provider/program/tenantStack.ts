import * as pulumi from "@pulumi/pulumi";
import { EPostAlias } from "../resources/epostAlias";
import { EPostGatewayRoute } from "../resources/epostGatewayRoute";
import { EPostHostsEntry } from "../resources/epostHostsEntry";
import { EPostRelayTrust } from "../resources/epostRelayTrust";
import { EPostConnectionArgs } from "../resources/common";
import { TenantConfig } from "./tenantConfig";

/** The secret configuration values, as Pulumi secrets. */
export interface TenantSecrets {
  sshPrivateKey?: pulumi.Output<string>;
  sshPassword?: pulumi.Output<string>;
  xoauth2Data?: pulumi.Output<string>;
}

/** What a tenant's stack exports. */
export interface TenantOutputs {
  /** The E-Post host, `user@host:port`. */
  epostHost: pulumi.Output<string>;
  /** Public address → intranet address, per kept account. */
  aliases: Record<string, string>;
  /** Every line the stack owns on the E-Post host, as written (secrets masked). */
  lines: pulumi.Output<string[]>;
}

/**
 * The E-Post half of the hybrid link for one tenant: the intranet subdomain in the hosts file,
 * an alias per kept account from the public to the intranet address, a gateway route sending
 * each kept account's mail to Exchange Online (SMTP relay or XOAUTH2), and effect.dat trust for
 * those single senders and for Exchange Online's sending ranges.
 */
export function declareTenant(config: TenantConfig, secrets: TenantSecrets): TenantOutputs {
  const connection: EPostConnectionArgs = {
    host: config.epost.host,
    port: config.epost.port,
    username: config.epost.username,
    hostKey: config.epost.hostKey,
    ...(secrets.sshPrivateKey !== undefined ? { privateKey: secrets.sshPrivateKey } : {}),
    ...(secrets.sshPassword !== undefined ? { password: secrets.sshPassword } : {}),
  };
  const common = { connection, layout: config.epost.layout };

  const hosts = new EPostHostsEntry(config.intranetDomain, {
    ...common,
    ip: config.epost.ip,
    hostnames: [config.intranetDomain],
  });

  const aliases: Record<string, string> = {};
  const owned: pulumi.Output<string>[] = [hosts.line];
  for (const account of config.accounts) {
    const publicAddress = `${account}@${config.domain}`;
    const intranetAddress = `${account}@${config.intranetDomain}`;
    aliases[publicAddress] = intranetAddress;
    const alias = new EPostAlias(
      `alias-${account}`,
      { ...common, alias: publicAddress, address: intranetAddress },
      { dependsOn: [hosts] },
    );
    const route = new EPostGatewayRoute(`route-${account}`, {
      ...common,
      sender: publicAddress,
      ...(config.mode === "relay"
        ? { smartHost: config.relaySmartHost, port: 25 }
        : {
            smartHost: "smtp.office365.com",
            port: 587,
            auth: { scheme: config.xoauth2Scheme, data: secrets.xoauth2Data ?? pulumi.secret("") },
          }),
    });
    const trust = new EPostRelayTrust(`trust-${account}`, {
      ...common,
      source: publicAddress,
      action: "true",
    });
    owned.push(alias.line, route.line, trust.line);
  }
  for (const range of config.exoSourceRanges) {
    const trust = new EPostRelayTrust(`trust-exo-${range.replace(/[./]/g, "-")}`, {
      ...common,
      source: range,
      action: "true",
      allowBroadRange: true,
    });
    owned.push(trust.line);
  }

  return {
    epostHost: pulumi.output(hosts.target),
    aliases,
    lines: pulumi.all(owned),
  };
}
