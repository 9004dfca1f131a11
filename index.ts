// The Pulumi program of every stack in stacks/: the E-Post side of one tenant's hybrid mail link.
import * as pulumi from "@pulumi/pulumi";
import { formatProblems, readTenantConfig, SECRET_KEYS } from "./provider/program/tenantConfig";
import { declareTenant, TenantSecrets } from "./provider/program/tenantStack";

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
  throw new pulumi.RunError(formatProblems(problems));
}

const cfg = new pulumi.Config();
const secrets: TenantSecrets = {};
for (const key of SECRET_KEYS) {
  const value = cfg.getSecret(key);
  if (value !== undefined) secrets[key] = value;
}

const tenant = declareTenant(config, secrets);

export const epostHost = tenant.epostHost;
export const aliases = tenant.aliases;
export const ownedLines = tenant.lines;
