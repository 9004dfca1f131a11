import { isIP } from "node:net";
import { FieldFailure } from "../errors";
import { checkHostname, checkPort, isUnknown, show } from "../validation/fields";

/** How to reach the E-Post host over SSH. */
export interface SshConnection {
  /** Host name or IP address of the Windows server running OpenSSH. */
  host: string;
  /** SSH port. Default 22. */
  port?: number;
  /** Windows account to log in as; it needs write access to E-Post's install folder. */
  username: string;
  /** Private key in OpenSSH or PEM form; secret. One of privateKey and password is required. */
  privateKey?: string;
  /** Passphrase of an encrypted private key; secret. */
  passphrase?: string;
  /** Password; secret. */
  password?: string;
  /**
   * The server's host key fingerprint as OpenSSH prints it, `SHA256:<base64>`
   * (`ssh-keygen -lf <key>.pub`). Required: a server presenting another key is refused.
   */
  hostKey: string;
}

export const DEFAULT_SSH_PORT = 22;

const FINGERPRINT = /^SHA256:[A-Za-z0-9+/]{43}=?$/;

/** Checks a connection; every problem is reported with its field name. Secrets are never shown. */
export function checkConnection(conn: unknown, prefix = "connection"): FieldFailure[] {
  if (isUnknown(conn)) return [];
  if (conn === undefined || conn === null || typeof conn !== "object" || Array.isArray(conn)) {
    return [
      {
        property: prefix,
        reason: "required: { host, username, hostKey, privateKey or password } of the E-Post host",
      },
    ];
  }
  const c = conn as Record<string, unknown>;
  const failures: FieldFailure[] = [];
  const add = (field: string, reason: string | undefined) => {
    if (reason) failures.push({ property: `${prefix}.${field}`, reason });
  };
  if (!isUnknown(c.host)) {
    const host = c.host;
    if (typeof host === "string" && isIP(host) !== 0) {
      // an IP literal is fine as it is
    } else {
      add("host", checkHostname(host) && `expected a host name or IP address, got ${show(host)}`);
    }
  }
  if (c.port !== undefined && !isUnknown(c.port)) add("port", checkPort(c.port));
  if (!isUnknown(c.username)) {
    const u = c.username;
    // eslint-disable-next-line no-control-regex
    if (typeof u !== "string" || u === "" || /[\x00-\x1f\x7f]/.test(u) || u.length > 256) {
      add("username", `expected the Windows account name to log in as, got ${show(u)}`);
    }
  }
  if (!isUnknown(c.hostKey)) {
    if (typeof c.hostKey !== "string" || !FINGERPRINT.test(c.hostKey)) {
      add(
        "hostKey",
        `expected the host key fingerprint as "SHA256:" and 43 base64 characters (from ` +
          `"ssh-keygen -lf <host key>.pub"), got ${show(c.hostKey)}`,
      );
    }
  }
  const has = (v: unknown) => v !== undefined && v !== null && v !== "";
  if (!has(c.privateKey) && !has(c.password)) {
    add("privateKey", "one of privateKey and password is required");
  }
  for (const secret of ["privateKey", "password", "passphrase"]) {
    const v = c[secret];
    if (v !== undefined && v !== null && !isUnknown(v) && typeof v !== "string") {
      add(secret, "expected a string (the value is secret and not shown)");
    }
  }
  const known = new Set([
    "host",
    "port",
    "username",
    "privateKey",
    "passphrase",
    "password",
    "hostKey",
  ]);
  for (const key of Object.keys(c)) {
    if (!known.has(key)) add(key, `unknown field; allowed are ${[...known].join(", ")}`);
  }
  return failures;
}

/** `user@host:port`, for ids, messages and the preview. Holds no secret. */
export function describeTarget(conn: SshConnection): string {
  const host = isIP(conn.host) === 6 ? `[${conn.host}]` : conn.host;
  return `${conn.username}@${host}:${conn.port ?? DEFAULT_SSH_PORT}`;
}
