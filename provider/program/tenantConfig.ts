import { z } from "zod";

/**
 * One tenant's stack configuration, as written in `stacks/Pulumi.<stack>.yaml` under the
 * project's namespace (`epost-hybrid:`). Secrets are separate keys set with
 * `pulumi config set --secret`, never plain values in this object.
 */
export interface TenantConfig {
  /** The public mail domain, e.g. `example.jp`. */
  domain: string;
  /** The intranet subdomain on E-Post. Default `intra.<domain>`. */
  intranetDomain: string;
  /** Local parts of the accounts kept on E-Post, e.g. `["vip1", "legacy"]`. */
  accounts: string[];
  /** How E-Post hands those accounts' mail to Exchange Online. */
  mode: "relay" | "xoauth2";
  /** The E-Post host. */
  epost: {
    /** `ssh` (default) or `smb`. */
    transport: "ssh" | "smb";
    host: string;
    port: number;
    username: string;
    /** SSH: the pinned host key fingerprint. */
    hostKey?: string;
    /** SMB: the share holding E-Post's files, the folder it exposes, the account's domain. */
    share?: string;
    shareRoot?: string;
    domain?: string;
    requireSigning?: boolean;
    /** SMB: ask for SMB 3 encryption. */
    encrypt?: boolean;
    /** Restart a service (EPSTRS by default) over SSH after effect.dat lines change. */
    restartService?: { service?: string; method?: "powershell" | "sc" };
    /** The E-Post server's own IP, mapped to the intranet subdomain in its hosts file. */
    ip: string;
    /** E-Post's public egress addresses as Exchange Online sees them (relay mode). */
    egressIps?: string[];
    layout?: Record<string, unknown>;
  };
  /** SMTP relay: the tenant's `<name>.mail.protection.outlook.com` host. */
  relaySmartHost: string;
  /** XOAUTH2: the method token written before the auth data. Default `1XOAUTH2`. */
  xoauth2Scheme: string;
  /** Exchange Online's sending ranges (CIDR), trusted in effect.dat for forwarded mail. */
  exoSourceRanges: string[];
  /** The Exchange Online tenant and automation app; without it only the E-Post half is deployed. */
  exo?: {
    tenantId: string;
    clientId: string;
    authorityHost?: string;
    adminHost?: string;
    caCertificate?: string;
    keepCopyInExo?: boolean;
    outboundSmartHosts?: string[];
  };
  /** XOAUTH2: the existing Entra app E-Post logs in with. */
  xoauth2App?: { appId: string; servicePrincipalObjectId: string };
  /** Accounts already forwarded elsewhere in EXO (address → target). */
  forwardedElsewhere?: Record<string, string>;
}

/** A problem in the stack configuration, with the key and a way to fix it. */
export interface ConfigProblem {
  key: string;
  message: string;
  fix: string;
}

const localPart = /^[A-Za-z0-9!#$%&'+/=?^_`{}~-]+(?:\.[A-Za-z0-9!#$%&'+/=?^_`{}~-]+)*$/;
const domain = /^(?=.{1,253}$)(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}$/;

const guid = z.guid({ error: "expected a GUID" });

// Nested objects are strict: zod would drop an unknown or misspelt key without a word, and a
// typo such as `restartservice` or `encrpyt` would silently turn a setting off.
const schema = z.object({
  exo: z
    .strictObject({
      tenantId: guid,
      clientId: guid,
      authorityHost: z
        .string()
        .regex(/^https:\/\/[A-Za-z0-9.-]+(:\d+)?$/, "expected https://host[:port]")
        .optional(),
      adminHost: z
        .string()
        .regex(/^https:\/\/[A-Za-z0-9.-]+(:\d+)?$/, "expected https://host[:port]")
        .optional(),
      caCertificate: z
        .string()
        .includes("BEGIN CERTIFICATE", { error: "expected a PEM certificate" })
        .optional(),
      keepCopyInExo: z.boolean().optional(),
      outboundSmartHosts: z
        .array(z.string().regex(domain, "expected E-Post's host name"))
        .optional(),
    })
    .optional(),
  xoauth2App: z.strictObject({ appId: guid, servicePrincipalObjectId: guid }).optional(),
  forwardedElsewhere: z.record(z.string(), z.string()).optional(),
  domain: z.string().regex(domain, "expected a mail domain such as example.jp"),
  intranetDomain: z
    .string()
    .regex(domain, "expected a subdomain such as intra.example.jp")
    .optional(),
  accounts: z
    .array(z.string().regex(localPart, "expected the part before @, such as vip1"))
    .min(1, "list at least one account kept on E-Post"),
  mode: z.enum(["relay", "xoauth2"]),
  epost: z.strictObject({
    transport: z.enum(["ssh", "smb"]).optional(),
    share: z
      .string()
      // eslint-disable-next-line no-control-regex
      .regex(/^[^\x00-\x1f"/\\[\]:|<>+=;,*?]{1,80}$/, "expected a share name such as EPOST or C$")
      .optional(),
    shareRoot: z
      .string()
      .regex(/^[A-Za-z]:[\\/]/, "expected the Windows folder the share exposes, such as C:/")
      .optional(),
    domain: z.string().min(1).optional(),
    requireSigning: z.boolean().optional(),
    encrypt: z.boolean().optional(),
    restartService: z
      .strictObject({
        service: z
          .string()
          .regex(/^[A-Za-z0-9_.-]{1,80}$/, "expected a Windows service name such as EPSTRS")
          .optional(),
        method: z.enum(["powershell", "sc"]).optional(),
      })
      .optional(),
    host: z.string().min(1, "expected the E-Post server's host name or IP"),
    port: z.number().int().min(1).max(65535).optional(),
    username: z.string().min(1, "expected the Windows account to log in as"),
    hostKey: z
      .string()
      .regex(
        /^SHA256:[A-Za-z0-9+/]{43}=?$/,
        "expected SHA256:<base64>, as ssh-keygen -lf prints it",
      )
      .optional(),
    ip: z.union([z.ipv4(), z.ipv6()], { error: "expected the E-Post server's IP address" }),
    egressIps: z
      .array(z.ipv4({ error: "expected E-Post's public IPv4 egress address" }))
      .optional(),
    layout: z.record(z.string(), z.unknown()).optional(),
  }),
  relaySmartHost: z
    .string()
    .regex(domain, "expected <tenant>.mail.protection.outlook.com")
    .optional(),
  xoauth2Scheme: z
    .string()
    .regex(/^[0-9]*[A-Za-z][A-Za-z0-9_-]*$/)
    .optional(),
  exoSourceRanges: z
    .array(
      z
        .cidrv4({ error: "expected an IPv4 CIDR block such as 40.92.0.0/15" })
        .refine((c) => !c.includes("/") || Number(c.split("/")[1]) >= 12, {
          error:
            "wider than /12: no mail provider publishes such a range; list the provider's ranges",
        }),
    )
    .optional(),
});

/** Raw values as read from Pulumi config; each may be missing. */
export interface RawConfig {
  /** The value of `epost-hybrid:<key>`, secret or not. */
  get(key: string): string | undefined;
  /** True when the value is stored encrypted (`pulumi config set --secret`). */
  isSecret(key: string): boolean;
}

/** The secret keys the program reads. */
export const SECRET_KEYS = [
  "sshPrivateKey",
  "sshPassword",
  "smbPassword",
  "xoauth2Data",
  "exoClientSecret",
] as const;

/** Which secrets the stack has. */
export type SecretPresence = Record<(typeof SECRET_KEYS)[number], boolean>;

const KEYS = [
  "exo",
  "xoauth2App",
  "forwardedElsewhere",
  "domain",
  "intranetDomain",
  "accounts",
  "mode",
  "epost",
  "relaySmartHost",
  "xoauth2Scheme",
  "exoSourceRanges",
] as const;

const PROJECT = "epost-hybrid";

function parseValue(raw: string): unknown {
  // Structured values (lists, objects) arrive as JSON text; plain strings do not parse.
  try {
    return JSON.parse(raw);
  } catch {
    return raw;
  }
}

/**
 * Reads and checks the whole configuration at once, returning every problem with its key and the
 * command that fixes it, rather than stopping at the first.
 */
export function readTenantConfig(raw: RawConfig): {
  config?: TenantConfig;
  secrets?: SecretPresence;
  problems: ConfigProblem[];
} {
  const values: Record<string, unknown> = {};
  for (const key of KEYS) {
    const v = raw.get(key);
    if (v !== undefined) values[key] = parseValue(v);
  }
  const problems: ConfigProblem[] = [];
  // The schema holds no secret key, so the values it refuses can be shown.
  const parsed = schema.safeParse(values, { reportInput: true });
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const top = String(issue.path[0] ?? "");
      if (issue.code === "unrecognized_keys") {
        // One problem per unknown key, named where it stands, with the keys that are allowed.
        for (const unknown of issue.keys) {
          const key = `${PROJECT}:${configPath([...issue.path, unknown])}`;
          problems.push({
            key,
            message: `unknown key; ${allowedKeys(issue.path)}`,
            fix: `pulumi config rm --path '${key}', or correct its spelling`,
          });
        }
        continue;
      }
      const key = `${PROJECT}:${configPath(issue.path)}`;
      problems.push({ key, message: withValue(issue.message, issue.input), fix: fixFor(top, key) });
    }
  }
  const secrets = {} as SecretPresence;
  for (const secret of SECRET_KEYS) {
    const present = raw.get(secret) !== undefined;
    secrets[secret] = present;
    if (present && !raw.isSecret(secret)) {
      problems.push({
        key: `${PROJECT}:${secret}`,
        message: "is stored as plain text; it must be a secret",
        fix: secretFix(secret),
      });
    }
  }
  const smb = parsed.success && parsed.data.epost.transport === "smb";
  if (smb) {
    const e = parsed.data.epost;
    if (!secrets.smbPassword) {
      problems.push({
        key: `${PROJECT}:smbPassword`,
        message: "the password of the SMB account on the E-Post host is missing",
        fix: secretFix("smbPassword"),
      });
    }
    if (!e.share) {
      problems.push({
        key: `${PROJECT}:epost.share`,
        message: "SMB needs the share that holds E-Post's files",
        fix: `pulumi config set --path '${PROJECT}:epost.share' EPOST`,
      });
    }
    if (e.restartService) {
      problems.push({
        key: `${PROJECT}:epost.restartService`,
        message: "restarting a service needs SSH; over SMB restart it in Mail Control",
        fix: `pulumi config rm --path '${PROJECT}:epost.restartService'`,
      });
    }
  } else {
    if (!secrets.sshPrivateKey && !secrets.sshPassword) {
      problems.push({
        key: `${PROJECT}:sshPrivateKey`,
        message: "the SSH private key (or sshPassword) for the E-Post host is missing",
        fix: secretFix("sshPrivateKey"),
      });
    }
    if (parsed.success && !parsed.data.epost.hostKey) {
      problems.push({
        key: `${PROJECT}:epost.hostKey`,
        message: "the E-Post host's SSH key fingerprint is missing",
        fix: `pulumi config set --path '${PROJECT}:epost.hostKey' "$(ssh-keygen -lf <host key>.pub | cut -d' ' -f2)"`,
      });
    }
  }
  if (parsed.success && parsed.data.mode === "relay" && parsed.data.relaySmartHost === undefined) {
    problems.push({
      key: `${PROJECT}:relaySmartHost`,
      message: "relay mode needs the tenant's smart host",
      fix: `pulumi config set ${PROJECT}:relaySmartHost <tenant>.mail.protection.outlook.com`,
    });
  }
  if (parsed.success && parsed.data.mode === "xoauth2" && !secrets.xoauth2Data) {
    problems.push({
      key: `${PROJECT}:xoauth2Data`,
      message: "xoauth2 mode needs the authentication data E-Post writes after the method",
      fix: secretFix("xoauth2Data"),
    });
  }
  if (parsed.success && parsed.data.exo && !secrets.exoClientSecret) {
    problems.push({
      key: `${PROJECT}:exoClientSecret`,
      message: "the Exchange Online automation app's client secret is missing",
      fix: secretFix("exoClientSecret"),
    });
  }
  if (!parsed.success || problems.length > 0) return { problems };
  const d = parsed.data;
  const config: TenantConfig = {
    domain: d.domain,
    intranetDomain: d.intranetDomain ?? `intra.${d.domain}`,
    accounts: d.accounts,
    mode: d.mode,
    epost: {
      ...d.epost,
      transport: d.epost.transport ?? "ssh",
      port: d.epost.port ?? (d.epost.transport === "smb" ? 445 : 22),
    },
    relaySmartHost: d.relaySmartHost ?? "",
    xoauth2Scheme: d.xoauth2Scheme ?? "1XOAUTH2",
    exoSourceRanges: d.exoSourceRanges ?? [],
    ...(d.exo ? { exo: d.exo } : {}),
    ...(d.xoauth2App ? { xoauth2App: d.xoauth2App } : {}),
    ...(d.forwardedElsewhere ? { forwardedElsewhere: d.forwardedElsewhere } : {}),
  };
  return { config, secrets, problems };
}

/** A config path as `pulumi config set --path` writes it: `epost.port`, `accounts[0]`. */
function configPath(path: readonly PropertyKey[]): string {
  return path
    .map((p, i) => (typeof p === "number" ? `[${p}]` : i === 0 ? String(p) : `.${String(p)}`))
    .join("");
}

/** The refused value after the message, when it is a short plain value worth showing. */
function withValue(message: string, input: unknown): string {
  if (typeof input === "string" || typeof input === "number" || typeof input === "boolean") {
    const shown = JSON.stringify(input);
    if (shown.length <= 80) return `${message} (got ${shown})`;
  }
  return message;
}

/** The keys the schema allows in the object at `path`, for an unknown key's message. */
function allowedKeys(path: PropertyKey[]): string {
  let shape: z.ZodType = schema;
  for (const p of path) {
    let inner: z.ZodType = shape;
    while (inner instanceof z.ZodOptional) inner = inner.unwrap() as z.ZodType;
    if (!(inner instanceof z.ZodObject)) return "see the README for the allowed keys";
    shape = inner.shape[String(p)] as z.ZodType;
  }
  while (shape instanceof z.ZodOptional) shape = shape.unwrap() as z.ZodType;
  return shape instanceof z.ZodObject
    ? `allowed are ${Object.keys(shape.shape).join(", ")}`
    : "see the README for the allowed keys";
}

function secretFix(key: string): string {
  return key === "sshPrivateKey"
    ? `pulumi config set --secret ${PROJECT}:sshPrivateKey < ~/.ssh/epost_ed25519`
    : `pulumi config set --secret ${PROJECT}:${key} <value>`;
}

function fixFor(top: string, key: string): string {
  switch (top) {
    case "accounts":
    case "exoSourceRanges":
      return `pulumi config set --path '${key}' <value>, or edit the list in stacks/Pulumi.<stack>.yaml`;
    case "epost":
      return `pulumi config set --path '${key}' <value>`;
    default:
      return `pulumi config set ${key} <value>`;
  }
}

/**
 * All problems as one message for the admin. With the stack's name, each fix names it too, so
 * the command can be pasted as it stands.
 */
export function formatProblems(problems: ConfigProblem[], stack?: string): string {
  const withStack = (fix: string) =>
    stack
      ? fix
          .replace(/^pulumi config (set|rm)( --secret| --path)*/, `$& --stack ${stack}`)
          .replace("Pulumi.<stack>.yaml", `Pulumi.${stack}.yaml`)
      : fix;
  const lines = problems.map((p) => `  ${p.key}: ${p.message}\n      fix: ${withStack(p.fix)}`);
  return `the stack configuration has ${problems.length} problem(s):\n${lines.join("\n")}`;
}
