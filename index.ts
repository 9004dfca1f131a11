// The Pulumi program of every stack in stacks/: one tenant's hybrid mail link, E-Post side and,
// when the stack configures it, the Exchange Online side.
import * as pulumi from "@pulumi/pulumi";
import { HybridMailLink } from "./provider/program/hybridMailLink";
import { formatProblems, readTenantConfig, SECRET_KEYS } from "./provider/program/tenantConfig";

// isConfigSecret is not in the SDK's typings, but it is how the SDK itself tells secret values.
const runtimeConfig = require("@pulumi/pulumi/runtime/config") as {
  getConfig(key: string): string | undefined;
  isConfigSecret(key: string): boolean;
};

const project = pulumi.getProject();
const { config, problems } = readTenantConfig({
  get: (key) => runtimeConfig.getConfig(`${project}:${key}`),
  isSecret: (key) => runtimeConfig.isConfigSecret(`${project}:${key}`),
});
if (!config) {
  throw new pulumi.RunError(formatProblems(problems, pulumi.getStack()));
}

const cfg = new pulumi.Config();
const secret: Partial<Record<(typeof SECRET_KEYS)[number], pulumi.Output<string>>> = {};
for (const key of SECRET_KEYS) {
  const value = cfg.getSecret(key);
  if (value !== undefined) secret[key] = value;
}

const { exo: exoConfig, epost } = config;
const link = new HybridMailLink(pulumi.getStack(), {
  domain: config.domain,
  intranetDomain: config.intranetDomain,
  accounts: config.accounts,
  mode: config.mode,
  epost: {
    connection:
      epost.transport === "smb"
        ? {
            transport: "smb",
            host: epost.host,
            port: epost.port,
            share: epost.share!,
            username: epost.username,
            password: secret.smbPassword!,
            ...(epost.shareRoot ? { shareRoot: epost.shareRoot } : {}),
            ...(epost.domain ? { domain: epost.domain } : {}),
            ...(epost.requireSigning !== undefined ? { requireSigning: epost.requireSigning } : {}),
            ...(epost.encrypt !== undefined ? { encrypt: epost.encrypt } : {}),
          }
        : {
            host: epost.host,
            port: epost.port,
            username: epost.username,
            hostKey: epost.hostKey!,
            ...(secret.sshPrivateKey ? { privateKey: secret.sshPrivateKey } : {}),
            ...(secret.sshPassword ? { password: secret.sshPassword } : {}),
          },
    layout: epost.layout,
    ip: epost.ip,
    egressIps: epost.egressIps,
    ...(epost.restartService ? { restartService: epost.restartService } : {}),
  },
  relaySmartHost: config.relaySmartHost || undefined,
  xoauth2: {
    scheme: config.xoauth2Scheme,
    data: secret.xoauth2Data,
    app: config.xoauth2App,
  },
  exoSourceRanges: config.exoSourceRanges,
  forwardedElsewhere: config.forwardedElsewhere,
  ...(exoConfig
    ? {
        exo: {
          connection: {
            tenantId: exoConfig.tenantId,
            clientId: exoConfig.clientId,
            clientSecret: secret.exoClientSecret,
            authorityHost: exoConfig.authorityHost,
            adminHost: exoConfig.adminHost,
            caCertificate: exoConfig.caCertificate,
          },
          keepCopyInExo: exoConfig.keepCopyInExo,
          outboundSmartHosts: exoConfig.outboundSmartHosts,
        },
      }
    : {}),
});

export const aliases = link.aliases;
export const ownedLines = link.epostLines;
export const exoObjects = link.exoObjects;
