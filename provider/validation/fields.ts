/**
 * Validators for the values that end up in E-Post's files.
 *
 * Each returns undefined for a good value, or a reason that shows the value received and what is
 * allowed. None of them accept CR, LF, TAB, `|` or `,` anywhere: those are the separators of
 * gateway.dat, effect.dat and the alias table, and a value containing one would write a second
 * rule into the file.
 */

/** The placeholder the engine sends for a value not known until apply. */
export const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

/** True for the engine's unknown-value placeholder; such values are checked at apply time. */
export function isUnknown(value: unknown): boolean {
  return value === UNKNOWN;
}

/** True when the value, or anything inside it, is unknown at preview. */
export function hasUnknownValue(v: unknown): boolean {
  if (isUnknown(v)) return true;
  if (Array.isArray(v)) return v.some(hasUnknownValue);
  if (v !== null && typeof v === "object") return Object.values(v).some(hasUnknownValue);
  return false;
}

const MAX_ADDRESS = 254;
const MAX_LOCAL = 64;
const MAX_HOSTNAME = 253;

/** Shows a value in a message without letting control characters break the line. */
export function show(value: unknown): string {
  if (typeof value === "string") {
    return JSON.stringify(value.length > 80 ? value.slice(0, 77) + "..." : value);
  }
  if (value === undefined) return "nothing";
  return JSON.stringify(value) ?? typeof value;
}

function separatorProblem(value: string): string | undefined {
  if (/[\r\n]/.test(value)) return "contains a line break (CR or LF)";
  if (value.includes("\t")) return "contains a TAB";
  if (value.includes("\0")) return "contains a NUL character";
  if (value.includes("|")) return 'contains "|", the field separator of gateway.dat';
  if (value.includes(",")) return 'contains ",", the field separator of gateway.dat';
  // eslint-disable-next-line no-control-regex
  if (/[\x00-\x1f\x7f]/.test(value)) return "contains a control character";
  return undefined;
}

/** A DNS host name: letters, digits and hyphens in dot-separated labels. */
export function checkHostname(
  value: unknown,
  opts: { requireDot?: boolean } = {},
): string | undefined {
  if (typeof value !== "string" || value === "") {
    return `expected a host name such as "mail.example.jp", got ${show(value)}`;
  }
  const sep = separatorProblem(value);
  if (sep) return `${show(value)} ${sep}`;
  if (value.length > MAX_HOSTNAME) {
    return `${show(value)} is ${value.length} characters long; a host name has at most ${MAX_HOSTNAME}`;
  }
  const labels = value.split(".");
  for (const label of labels) {
    if (!/^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/.test(label)) {
      return (
        `${show(value)} is not a valid host name: each dot-separated part must be 1-63 letters, ` +
        `digits or hyphens, not starting or ending with a hyphen`
      );
    }
  }
  if (opts.requireDot && labels.length < 2) {
    return `${show(value)} is not a domain: expected at least two labels, such as "example.jp"`;
  }
  if (/^[0-9.]+$/.test(value)) {
    return `${show(value)} looks like an IP address, not a host name`;
  }
  return undefined;
}

/** A mail domain such as `example.jp`. */
export function checkDomain(value: unknown): string | undefined {
  return checkHostname(value, { requireDot: true });
}

/**
 * A mail address `local@domain`. The local part allows RFC 5321 atom characters except the
 * separators of E-Post's files; `allowWildcard` permits `*` as the whole local part.
 */
export function checkAddress(
  value: unknown,
  opts: { allowWildcard?: boolean } = {},
): string | undefined {
  if (typeof value !== "string" || value === "") {
    return `expected a mail address such as "vip1@example.jp", got ${show(value)}`;
  }
  const sep = separatorProblem(value);
  if (sep) return `${show(value)} ${sep}`;
  if (value.length > MAX_ADDRESS) {
    return `${show(value)} is ${value.length} characters long; an address has at most ${MAX_ADDRESS}`;
  }
  const at = value.lastIndexOf("@");
  if (at <= 0 || at === value.length - 1) {
    return `${show(value)} is not a mail address: expected local-part@domain, such as "vip1@example.jp"`;
  }
  const local = value.slice(0, at);
  const domain = value.slice(at + 1);
  if (local.length > MAX_LOCAL) {
    return `${show(value)} has a local part of ${local.length} characters; at most ${MAX_LOCAL} are allowed`;
  }
  const wildcard = opts.allowWildcard === true && local === "*";
  // "*" is legal in RFC 5321 but means "any" to E-Post, so it is only accepted as a wildcard.
  if (
    !wildcard &&
    !/^[A-Za-z0-9!#$%&'+/=?^_`{}~-]+(?:\.[A-Za-z0-9!#$%&'+/=?^_`{}~-]+)*$/.test(local)
  ) {
    return (
      `${show(value)} has an invalid local part ${show(local)}: use letters, digits and ` +
      `!#$%&'+/=?^_\`{}~- separated by single dots, with no spaces`
    );
  }
  const domainProblem = checkDomain(domain);
  if (domainProblem) return `${show(value)} has an invalid domain: ${domainProblem}`;
  return undefined;
}

/** Parses a dotted-quad IPv4 address, or returns undefined. Leading zeros are refused. */
export function parseIPv4(value: string): number[] | undefined {
  const parts = value.split(".");
  if (parts.length !== 4) return undefined;
  const octets: number[] = [];
  for (const p of parts) {
    if (!/^(0|[1-9][0-9]{0,2})$/.test(p)) return undefined;
    const n = Number(p);
    if (n > 255) return undefined;
    octets.push(n);
  }
  return octets;
}

/** A single IPv4 address such as `192.0.2.10`. */
export function checkIPv4(value: unknown): string | undefined {
  if (typeof value !== "string" || parseIPv4(value) === undefined) {
    return `expected an IPv4 address such as "192.0.2.10" (four numbers 0-255, no leading zeros), got ${show(value)}`;
  }
  return undefined;
}

/** An IPv4 CIDR block `a.b.c.d/n` whose host bits are zero; returns its prefix length. */
export function checkCidr(value: unknown): { reason?: string; prefix?: number } {
  if (typeof value !== "string") return { reason: `expected a CIDR block, got ${show(value)}` };
  const m = /^([^/]+)\/(0|[1-9][0-9]?)$/.exec(value);
  const octets = m ? parseIPv4(m[1]) : undefined;
  const prefix = m ? Number(m[2]) : NaN;
  if (!m || !octets || prefix > 32) {
    return {
      reason: `${show(value)} is not an IPv4 CIDR block: expected a.b.c.d/n with n from 0 to 32, such as "40.92.0.0/15"`,
    };
  }
  const addr = ((octets[0] << 24) | (octets[1] << 16) | (octets[2] << 8) | octets[3]) >>> 0;
  const mask = prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
  if ((addr & ~mask) >>> 0 !== 0) {
    const net = (addr & mask) >>> 0;
    const fixed = [net >>> 24, (net >>> 16) & 255, (net >>> 8) & 255, net & 255].join(".");
    return {
      reason: `${show(value)} has host bits set below /${prefix}; the network is "${fixed}/${prefix}"`,
    };
  }
  return { prefix };
}

/**
 * An E-Post octet wildcard such as `192.168.1.*`: four parts, each a number or `*`, with every
 * `*` after the last number. Returns how many octets are fixed.
 */
export function checkOctetWildcard(value: unknown): { reason?: string; fixed?: number } {
  if (typeof value !== "string")
    return { reason: `expected an octet wildcard, got ${show(value)}` };
  const parts = value.split(".");
  const bad = () => ({
    reason: `${show(value)} is not an octet wildcard: expected four parts, numbers then "*", such as "192.168.1.*"`,
  });
  if (parts.length !== 4 || !parts.includes("*")) return bad();
  let fixed = 0;
  let seenStar = false;
  for (const p of parts) {
    if (p === "*") {
      seenStar = true;
      continue;
    }
    if (seenStar || !/^(0|[1-9][0-9]{0,2})$/.test(p) || Number(p) > 255) return bad();
    fixed++;
  }
  return { fixed };
}

/** A TCP port 1-65535, as a whole number. */
export function checkPort(value: unknown): string | undefined {
  if (typeof value !== "number" || !Number.isInteger(value) || value < 1 || value > 65535) {
    return `expected a port number from 1 to 65535, got ${show(value)}`;
  }
  return undefined;
}

/**
 * Opaque text such as authentication data: printable ASCII without spaces or E-Post's separators,
 * at most `max` characters. The value is never shown, since callers pass secrets.
 */
export function checkToken(value: unknown, what: string, max: number): string | undefined {
  if (typeof value !== "string" || value === "") {
    return `expected ${what} as a non-empty string`;
  }
  const sep = separatorProblem(value);
  if (sep) return `${what} ${sep}`;
  if (!/^[\x21-\x7e]+$/.test(value)) {
    return `${what} must be printable ASCII without spaces (character codes 0x21 to 0x7E)`;
  }
  if (value.length > max) {
    return `${what} is ${value.length} characters long; at most ${max} are allowed`;
  }
  return undefined;
}
