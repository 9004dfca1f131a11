import { encodingExists } from "./formats/lineDocument";
import { FieldFailure } from "./errors";
import { isUnknown, show } from "./validation/fields";

/** Where E-Post's files are on the host, and how they are encoded. */
export interface Layout {
  /** E-Post's install folder. Default `C:/Program Files/EPOST/MS`. */
  installDir?: string;
  /** gateway.dat. Default `<installDir>/gateway.dat`. */
  gatewayFile?: string;
  /** effect.dat. Default `<installDir>/effect.dat`. */
  effectFile?: string;
  /**
   * The alias table, one `alias<TAB>address` per line. Default `<installDir>/alias.dat`; where
   * E-Post keeps its aliases is not published, so check this on your host.
   */
  aliasFile?: string;
  /** The Windows hosts file. Default `C:/Windows/System32/drivers/etc/hosts`. */
  hostsFile?: string;
  /** Text encoding of all these files. Default `cp932`, as Notepad on Japanese Windows saves. */
  encoding?: string;
  /** Folder for timestamped backups. Default `<installDir>/epost-hybrid-backup`. */
  backupDir?: string;
  /** How many backups of each file to keep. Default 10. */
  keepBackups?: number;
}

/** A layout with every default filled in and every path in the form the SFTP server expects. */
export interface ResolvedLayout {
  installDir: string;
  gatewayFile: string;
  effectFile: string;
  aliasFile: string;
  hostsFile: string;
  encoding: string;
  backupDir: string;
  keepBackups: number;
}

/** The files a resource can own. */
export type FileRole = "gatewayFile" | "effectFile" | "aliasFile" | "hostsFile";

export const DEFAULT_INSTALL_DIR = "C:/Program Files/EPOST/MS";
export const DEFAULT_HOSTS_FILE = "C:/Windows/System32/drivers/etc/hosts";
export const DEFAULT_ENCODING = "cp932";
export const DEFAULT_KEEP_BACKUPS = 10;

/**
 * Encodings in which CR and LF are single bytes that never occur inside a character, so lines
 * can be found in the raw bytes. UTF-16 and friends are not among them.
 */
export const SUPPORTED_ENCODINGS = ["cp932", "shift_jis", "utf8", "utf-8"];

const PATH_FIELDS = [
  "installDir",
  "gatewayFile",
  "effectFile",
  "aliasFile",
  "hostsFile",
  "backupDir",
] as const;

/**
 * Maps a path to what Windows OpenSSH's SFTP server expects: `C:\x` and `C:/x` become `/C:/x`.
 * A POSIX path is used as given. Spaces are kept as they are: SFTP paths are never shell-quoted.
 */
export function toSftpPath(path: string): string {
  const win = /^([A-Za-z]):[\\/](.*)$/.exec(path);
  if (win) {
    return `/${win[1].toUpperCase()}:/${win[2].replace(/\\/g, "/")}`;
  }
  return path;
}

function join(dir: string, name: string): string {
  return dir.endsWith("/") || dir.endsWith("\\") ? `${dir}${name}` : `${dir}/${name}`;
}

/** Checks a layout; every problem is reported with its field name. */
export function checkLayout(layout: unknown, prefix = "layout"): FieldFailure[] {
  if (layout === undefined || layout === null || isUnknown(layout)) return [];
  if (typeof layout !== "object" || Array.isArray(layout)) {
    return [{ property: prefix, reason: `expected an object, got ${show(layout)}` }];
  }
  const l = layout as Record<string, unknown>;
  const failures: FieldFailure[] = [];
  for (const field of PATH_FIELDS) {
    const v = l[field];
    if (v === undefined || isUnknown(v)) continue;
    const reason = checkPath(v);
    if (reason) failures.push({ property: `${prefix}.${field}`, reason });
  }
  if (l.encoding !== undefined && !isUnknown(l.encoding)) {
    if (
      typeof l.encoding !== "string" ||
      !SUPPORTED_ENCODINGS.includes(l.encoding.toLowerCase()) ||
      !encodingExists(l.encoding)
    ) {
      failures.push({
        property: `${prefix}.encoding`,
        reason: `unsupported encoding ${show(l.encoding)}; use ${SUPPORTED_ENCODINGS.map((e) => `"${e}"`).join(", ")}`,
      });
    }
  }
  if (l.keepBackups !== undefined && !isUnknown(l.keepBackups)) {
    const k = l.keepBackups;
    if (typeof k !== "number" || !Number.isInteger(k) || k < 1 || k > 1000) {
      failures.push({
        property: `${prefix}.keepBackups`,
        reason: `expected a whole number from 1 to 1000, got ${show(k)}`,
      });
    }
  }
  const known = new Set<string>([...PATH_FIELDS, "encoding", "keepBackups"]);
  for (const key of Object.keys(l)) {
    if (!known.has(key)) {
      failures.push({
        property: `${prefix}.${key}`,
        reason: `unknown field; allowed are ${[...known].join(", ")}`,
      });
    }
  }
  return failures;
}

/** An absolute Windows (`C:/...`) or POSIX (`/...`) path with no `..` segment. */
export function checkPath(value: unknown): string | undefined {
  if (typeof value !== "string" || value === "") {
    return `expected an absolute path such as "C:/Program Files/EPOST/MS", got ${show(value)}`;
  }
  // eslint-disable-next-line no-control-regex
  if (/[\x00-\x1f\x7f]/.test(value)) return `${show(value)} contains a control character`;
  if (!/^[A-Za-z]:[\\/]/.test(value) && !value.startsWith("/")) {
    return `${show(value)} is not absolute; write it as "C:/..." (Windows) or "/..."`;
  }
  if (value.split(/[\\/]/).some((seg) => seg === "..")) {
    return `${show(value)} contains a ".." segment; name the folder directly`;
  }
  return undefined;
}

/** Fills in defaults and maps paths for SFTP. The layout must have passed {@link checkLayout}. */
export function resolveLayout(layout: Layout | undefined): ResolvedLayout {
  const l = layout ?? {};
  const installDir = l.installDir ?? DEFAULT_INSTALL_DIR;
  return {
    installDir: toSftpPath(installDir),
    gatewayFile: toSftpPath(l.gatewayFile ?? join(installDir, "gateway.dat")),
    effectFile: toSftpPath(l.effectFile ?? join(installDir, "effect.dat")),
    aliasFile: toSftpPath(l.aliasFile ?? join(installDir, "alias.dat")),
    hostsFile: toSftpPath(l.hostsFile ?? DEFAULT_HOSTS_FILE),
    encoding: l.encoding ?? DEFAULT_ENCODING,
    backupDir: toSftpPath(l.backupDir ?? join(installDir, "epost-hybrid-backup")),
    keepBackups: l.keepBackups ?? DEFAULT_KEEP_BACKUPS,
  };
}
