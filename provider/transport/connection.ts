import { isIP } from "node:net";
import { FieldFailure } from "../errors";
import { toSftpPath } from "../layout";
import { checkHostname, checkPort, isUnknown, show } from "../validation/fields";

/** How to reach the E-Post host over SSH. */
export interface SshConnection {
  /** `"ssh"`, the default. */
  transport?: "ssh";
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

/** How to reach the E-Post host over SMB: a share holding E-Post's files. */
export interface SmbConnection {
  transport: "smb";
  /** Host name or IP address of the Windows server. */
  host: string;
  /** SMB port. Default 445. */
  port?: number;
  /** The share, e.g. `EPOST` for a share of the install folder or `C$` for the admin share. */
  share: string;
  /**
   * The Windows folder the share exposes, so that layout paths such as
   * `C:/Program Files/EPOST/MS/gateway.dat` can be found inside it. Default: `X:/` for an
   * admin share `X$`, otherwise `layout.installDir`.
   */
  shareRoot?: string;
  /** Windows or Active Directory domain of the account. */
  domain?: string;
  /** Account to log in as; it needs write access to the share. */
  username: string;
  /** Password; secret. */
  password: string;
  /** Refuse a server that does not sign every message. Default true. */
  requireSigning?: boolean;
  /** Ask for SMB 3 encryption. Default false. */
  encrypt?: boolean;
}

/** Either way of reaching the host. */
export type EPostConnection = SshConnection | SmbConnection;

export const DEFAULT_SSH_PORT = 22;
export const DEFAULT_SMB_PORT = 445;

export function isSmb(conn: EPostConnection): conn is SmbConnection {
  return conn.transport === "smb";
}

const FINGERPRINT = /^SHA256:[A-Za-z0-9+/]{43}=?$/;

/** Checks a connection; every problem is reported with its field name. Secrets are never shown. */
export function checkConnection(conn: unknown, prefix = "connection"): FieldFailure[] {
  if (isUnknown(conn)) return [];
  if (conn === undefined || conn === null || typeof conn !== "object" || Array.isArray(conn)) {
    return [
      {
        property: prefix,
        reason:
          "required: { host, username, hostKey, privateKey or password } of the E-Post host, " +
          'or { transport: "smb", host, share, username, password }',
      },
    ];
  }
  const c = conn as Record<string, unknown>;
  const failures: FieldFailure[] = [];
  const add = (field: string, reason: string | undefined) => {
    if (reason) failures.push({ property: `${prefix}.${field}`, reason });
  };
  const transport = c.transport;
  if (
    transport !== undefined &&
    !isUnknown(transport) &&
    transport !== "ssh" &&
    transport !== "smb"
  ) {
    add("transport", `expected "ssh" or "smb", got ${show(transport)}`);
    return failures;
  }
  const smb = transport === "smb";
  if (!isUnknown(c.host)) {
    const host = c.host;
    if (typeof host === "string" && isIP(host) !== 0) {
      // an IP literal is fine as it is
    } else {
      add("host", checkHostname(host) && `expected a host name or IP address, got ${show(host)}`);
    }
  }
  if (c.port !== undefined && !isUnknown(c.port)) add("port", checkPort(c.port));
  if (!isUnknown(c.username)) add("username", checkAccount(c.username, "the Windows account"));
  const has = (v: unknown) => v !== undefined && v !== null && v !== "";
  let secrets: string[];
  let known: string[];
  if (smb) {
    if (!isUnknown(c.share)) add("share", checkShare(c.share));
    if (c.shareRoot !== undefined && !isUnknown(c.shareRoot)) {
      const v = c.shareRoot;
      // eslint-disable-next-line no-control-regex
      if (typeof v !== "string" || !/^[A-Za-z]:[\\/]/.test(v) || /[\x00-\x1f]/.test(v)) {
        add(
          "shareRoot",
          `expected the Windows folder the share exposes, such as "C:/", got ${show(v)}`,
        );
      } else if (v.split(/[\\/]/).includes("..")) {
        add("shareRoot", `${show(v)} contains a ".." segment; name the folder directly`);
      }
    }
    if (c.domain !== undefined && !isUnknown(c.domain))
      add("domain", checkAccount(c.domain, "the domain"));
    for (const flag of ["requireSigning", "encrypt"]) {
      const v = c[flag];
      if (v !== undefined && !isUnknown(v) && typeof v !== "boolean") {
        add(flag, `expected true or false, got ${show(v)}`);
      }
    }
    if (!has(c.password)) add("password", "required for SMB");
    secrets = ["password"];
    known = [
      "transport",
      "host",
      "port",
      "share",
      "shareRoot",
      "domain",
      "username",
      "password",
      "requireSigning",
      "encrypt",
    ];
  } else {
    if (!isUnknown(c.hostKey)) {
      if (typeof c.hostKey !== "string" || !FINGERPRINT.test(c.hostKey)) {
        add(
          "hostKey",
          `expected the host key fingerprint as "SHA256:" and 43 base64 characters (from ` +
            `"ssh-keygen -lf <host key>.pub"), got ${show(c.hostKey)}`,
        );
      }
    }
    if (!has(c.privateKey) && !has(c.password)) {
      add("privateKey", "one of privateKey and password is required");
    }
    secrets = ["privateKey", "password", "passphrase"];
    known = [
      "transport",
      "host",
      "port",
      "username",
      "privateKey",
      "passphrase",
      "password",
      "hostKey",
    ];
  }
  for (const secret of secrets) {
    const v = c[secret];
    if (v !== undefined && v !== null && !isUnknown(v) && typeof v !== "string") {
      add(secret, "expected a string (the value is secret and not shown)");
    }
  }
  for (const key of Object.keys(c)) {
    if (!known.includes(key)) {
      add(key, `unknown field for ${smb ? "SMB" : "SSH"}; allowed are ${known.join(", ")}`);
    }
  }
  return failures;
}

function checkAccount(v: unknown, what: string): string | undefined {
  // eslint-disable-next-line no-control-regex
  if (typeof v !== "string" || v === "" || /[\x00-\x1f\x7f]/.test(v) || v.length > 256) {
    return `expected ${what} to log in as, got ${show(v)}`;
  }
  return undefined;
}

/** A share name as Windows allows it: no path, no reserved characters, at most 80 characters. */
function checkShare(v: unknown): string | undefined {
  // eslint-disable-next-line no-control-regex
  if (typeof v !== "string" || !/^[^\x00-\x1f"/\\[\]:|<>+=;,*?]{1,80}$/.test(v)) {
    return `expected a share name such as "EPOST" or "C$" (no slashes), got ${show(v)}`;
  }
  return undefined;
}

/**
 * The Windows folder an SMB share exposes, in SFTP form (`/C:/...`, no trailing slash), or the
 * empty string when the share exposes the POSIX root (tests).
 */
export function shareRootOf(conn: SmbConnection, installDir: string): string {
  const admin = /^([A-Za-z])\$$/.exec(conn.share);
  const root = conn.shareRoot ?? (admin ? `${admin[1]}:/` : installDir);
  return toSftpPath(root).replace(/[\\/]+$/, "");
}

/** `user@host:port`, for ids, messages and the preview. Holds no secret. */
export function describeTarget(conn: EPostConnection): string {
  const host = isIP(conn.host) === 6 ? `[${conn.host}]` : conn.host;
  if (isSmb(conn)) {
    const user = conn.domain ? `${conn.domain}\\${conn.username}` : conn.username;
    return `smb://${user}@${host}:${conn.port ?? DEFAULT_SMB_PORT}/${conn.share}`;
  }
  return `${conn.username}@${host}:${conn.port ?? DEFAULT_SSH_PORT}`;
}
