/**
 * The Windows hosts file. E-Post resolves every one of its domains, subdomains included, through
 * it, so each intranet subdomain needs a line here.
 */

/** One hosts-file mapping. */
export interface HostsRecord {
  ip: string;
  hostnames: string[];
}

/** Parses a line, or returns undefined for a comment, a blank line or anything else. */
export function parseHostsLine(text: string): HostsRecord | undefined {
  const hash = text.indexOf("#");
  const body = (hash >= 0 ? text.slice(0, hash) : text).trim();
  if (body === "") return undefined;
  const parts = body.split(/[ \t]+/);
  if (parts.length < 2) return undefined;
  return { ip: parts[0], hostnames: parts.slice(1) };
}

/** The `# comment` after a mapping, with the space before it, or "" when there is none. */
export function hostsTrailer(text: string): string {
  const hash = text.indexOf("#");
  if (hash < 0) return "";
  const body = text.slice(0, hash);
  return text.slice(body.trimEnd().length);
}

/** The column at which Windows' own hosts file starts host names. */
const NAME_COLUMN = 16;

/** Renders `ip` padded to the usual column, then the host names separated by one space. */
export function renderHostsLine(record: HostsRecord): string {
  const pad = Math.max(1, NAME_COLUMN - record.ip.length);
  return `${record.ip}${" ".repeat(pad)}${record.hostnames.join(" ")}`;
}

/** A line's identity: its first host name, case-insensitive. */
export function hostsKey(hostnames: readonly string[]): string {
  return (hostnames[0] ?? "").toLowerCase();
}
