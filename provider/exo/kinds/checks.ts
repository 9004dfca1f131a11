import { FieldFailure } from "../../errors";
import { normalizeList } from "../normalize";
import {
  checkAddress,
  checkDomain,
  checkHostname,
  isUnknown,
  parseIPv4,
  show,
} from "../../validation/fields";

type Props = Record<string, unknown>;

/**
 * Collects per-field failures for an EXO kind. Unknown (preview) values are skipped; defaults are
 * filled into `props`.
 */
export class Checker {
  readonly failures: FieldFailure[] = [];
  readonly props: Props = {};
  constructor(private readonly news: Props) {}

  private take(field: string, dflt?: unknown): unknown {
    const v = this.news[field] ?? dflt;
    if (v !== undefined) this.props[field] = v;
    return v;
  }

  private fail(field: string, reason: string): void {
    this.failures.push({ property: field, reason });
  }

  /** An object name: 1 to `max` characters, no control characters or outer spaces. */
  name(field: string, max = 64): string | undefined {
    const v = this.take(field);
    if (isUnknown(v)) return undefined;

    if (
      typeof v !== "string" ||
      v === "" ||
      v.length > max ||
      // eslint-disable-next-line no-control-regex
      /[\x00-\x1f\x7f]/.test(v) ||
      v.trim() !== v
    ) {
      this.fail(
        field,
        `expected a name of 1 to ${max} characters without control characters or outer spaces, got ${show(v)}`,
      );
      return undefined;
    }
    return v;
  }

  /** One of exact values: EXO would silently accept a prefix of the wrong one. */
  oneOf<T extends string>(field: string, values: readonly T[], dflt?: T): T | undefined {
    const v = this.take(field, dflt);
    if (v === undefined || isUnknown(v)) return undefined;
    if (typeof v !== "string" || !(values as readonly string[]).includes(v)) {
      this.fail(
        field,
        `expected exactly one of ${values.map((x) => `"${x}"`).join(", ")}, got ${show(v)}`,
      );
      return undefined;
    }
    return v as T;
  }

  bool(field: string, dflt?: boolean): boolean | undefined {
    const v = this.take(field, dflt);
    if (v === undefined || isUnknown(v)) return undefined;
    if (typeof v !== "boolean") {
      this.fail(field, `expected true or false, got ${show(v)}`);
      return undefined;
    }
    return v;
  }

  int(field: string, min: number, max: number, dflt?: number): number | undefined {
    const v = this.take(field, dflt);
    if (v === undefined || isUnknown(v)) return undefined;
    if (typeof v !== "number" || !Number.isInteger(v) || v < min || v > max) {
      this.fail(field, `expected a whole number from ${min} to ${max}, got ${show(v)}`);
      return undefined;
    }
    return v;
  }

  text(field: string, max: number): string | undefined {
    const v = this.take(field);
    if (v === undefined || isUnknown(v)) return undefined;
    // eslint-disable-next-line no-control-regex
    if (typeof v !== "string" || v.length > max || /[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]/.test(v)) {
      this.fail(field, `expected text of at most ${max} characters, got ${show(v)}`);
      return undefined;
    }
    return v;
  }

  guid(field: string): string | undefined {
    const v = this.take(field);
    if (isUnknown(v)) return undefined;
    if (
      typeof v !== "string" ||
      !/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(v)
    ) {
      this.fail(field, `expected a GUID, got ${show(v)}`);
      return undefined;
    }
    return v;
  }

  address(field: string): string | undefined {
    const v = this.take(field);
    if (isUnknown(v)) return undefined;
    const reason = checkAddress(v);
    if (reason) this.fail(field, reason);
    return reason ? undefined : (v as string);
  }

  /** A list checked item by item; `min` and `max` bound its length. */
  list(
    field: string,
    item: (v: unknown) => string | undefined,
    opts: { min?: number; max?: number; dflt?: string[] } = {},
  ): string[] | undefined {
    const v = this.take(field, opts.dflt);
    if (v === undefined || isUnknown(v)) return undefined;
    if (!Array.isArray(v) || v.length < (opts.min ?? 0) || v.length > (opts.max ?? 10_000)) {
      this.fail(
        field,
        `expected a list of ${opts.min ?? 0} to ${opts.max ?? 10_000} items, got ${show(v)}`,
      );
      return undefined;
    }
    let ok = true;
    v.forEach((x, i) => {
      if (isUnknown(x)) return;
      const reason = item(x);
      if (reason) {
        this.fail(`${field}[${i}]`, reason);
        ok = false;
      }
    });
    if (!ok) return undefined;
    // EXO keeps neither order nor case of these lists; compare and store them as it returns them.
    const normalized = normalizeList(v);
    this.props[field] = normalized;
    return normalized;
  }

  /** A case-insensitive pattern such as a certificate domain, stored lower-cased. */
  pattern(field: string, check: (v: unknown) => string | undefined): string | undefined {
    const v = this.news[field];
    if (v === undefined || isUnknown(v)) return undefined;
    const reason = check(v);
    if (reason) {
      this.fail(field, reason);
      return undefined;
    }
    // The check passed, so the value is a string.
    const lower = (v as string).toLowerCase();
    this.props[field] = lower;
    return lower;
  }

  problem(field: string, reason: string): void {
    this.fail(field, reason);
  }
}

/** A domain, or one with a leading `*.` wildcard; `*` alone when `star` allows it. */
export function domainPattern(star: boolean) {
  return (v: unknown): string | undefined => {
    if (star && v === "*") return undefined;
    if (typeof v === "string" && v.startsWith("*.")) return checkDomain(v.slice(2));
    return checkDomain(v);
  };
}

/** A smart host: a host name or an IPv4 address. */
export function smartHost(v: unknown): string | undefined {
  if (typeof v === "string" && parseIPv4(v)) return undefined;
  return checkHostname(v);
}

/**
 * A sending IP as EXO accepts it: a public IPv4 address or CIDR block from /24 to /32. Private,
 * loopback and link-local ranges are refused here since EXO only ever sees public addresses.
 */
export function senderIp(v: unknown): string | undefined {
  if (typeof v !== "string") return `expected an IPv4 address or CIDR block, got ${show(v)}`;
  const [ip, mask] = v.split("/");
  const o = parseIPv4(ip);
  if (!o) return `${show(v)} is not an IPv4 address (EXO does not take IPv6 here)`;
  if (mask !== undefined && !/^(2[4-9]|3[0-2])$/.test(mask))
    return `${show(v)}: EXO accepts masks from /24 to /32 only`;
  const priv =
    o[0] === 10 ||
    o[0] === 127 ||
    (o[0] === 172 && o[1] >= 16 && o[1] <= 31) ||
    (o[0] === 192 && o[1] === 168) ||
    (o[0] === 169 && o[1] === 254);
  if (priv) return `${show(v)} is a private address; EXO sees E-Post's public (NAT) address`;
  return undefined;
}
