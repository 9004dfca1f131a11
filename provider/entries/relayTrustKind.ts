import { FieldFailure } from "../errors";
import {
  RELAY_ACTIONS,
  RelayRule,
  effectKey,
  isEffectCatchAll,
  isEffectSpecial,
  parseEffectLine,
  renderEffectLine,
} from "../formats/effectDat";
import { LineDocument } from "../formats/lineDocument";
import {
  checkAddress,
  checkCidr,
  checkDomain,
  checkOctetWildcard,
  isUnknown,
  parseIPv4,
  show,
} from "../validation/fields";
import { EntryKind } from "./entryKind";

/** What kind of source an effect.dat pattern is. */
export type SourceKind = "address" | "ip" | "wildcard" | "cidr" | "domain" | "catchAll";

/** Classifies a source, or explains why it is not one. */
export function classifySource(source: unknown): {
  kind?: SourceKind;
  reason?: string;
  width?: number;
} {
  if (typeof source !== "string" || source === "") {
    return {
      reason: `expected a sender address, IPv4 address, octet wildcard or CIDR block, got ${show(source)}`,
    };
  }
  if (isEffectCatchAll(source)) return { kind: "catchAll", width: 0 };
  if (isEffectSpecial(source) || source.startsWith("#")) {
    return {
      reason: `${show(source)} is one of effect.dat's special tokens (#<>, #blank); they stay at the top of the file and are edited by hand`,
    };
  }
  if (source.includes("@")) {
    const reason = checkAddress(source, { allowWildcard: true });
    return reason ? { reason } : { kind: "address" };
  }
  if (source.includes("/")) {
    const r = checkCidr(source);
    if (r.reason) return { reason: r.reason };
    return r.prefix === 0 ? { kind: "catchAll", width: 0 } : { kind: "cidr", width: r.prefix };
  }
  if (source.includes("*")) {
    const r = checkOctetWildcard(source);
    if (r.reason) return { reason: r.reason };
    return r.fixed === 0
      ? { kind: "catchAll", width: 0 }
      : { kind: "wildcard", width: (r.fixed ?? 0) * 8 };
  }
  if (/^[0-9.]+$/.test(source)) {
    return parseIPv4(source)
      ? { kind: "ip", width: 32 }
      : { reason: `${show(source)} is not an IPv4 address (four numbers 0-255, no leading zeros)` };
  }
  const reason = checkDomain(source);
  return reason
    ? {
        reason: `${show(source)} is not a sender address, IPv4 address, octet wildcard, CIDR block or domain`,
      }
    : { kind: "domain" };
}

/** The widest `true` range allowed without `allowBroadRange`. */
export const NARROWEST_SAFE_PREFIX = 24;

/**
 * The widest `true` range allowed at all. Mail providers publish their sending ranges as /12 or
 * narrower (Exchange Online's are /14 to /17); anything wider is a mistake, not a provider.
 */
export const BROADEST_ALLOWED_PREFIX = 12;

/** An effect.dat line `<source> <action>` that allows or limits relaying for one source. */
export const relayTrustKind: EntryKind<RelayRule> = {
  name: "effect",
  label: "relay trust entry",
  role: "effectFile",
  fields: ["source", "action", "allowBroadRange"],
  keyFields: ["source"],
  check(news) {
    const failures: FieldFailure[] = [];
    let known = true;
    const action = news.action ?? "true";
    const allowBroad = news.allowBroadRange ?? false;
    if (isUnknown(action)) known = false;
    else if (typeof action !== "string" || !(RELAY_ACTIONS as readonly string[]).includes(action)) {
      failures.push({
        property: "action",
        reason: `unknown action ${show(action)}; allowed are ${RELAY_ACTIONS.map((a) => `"${a}"`).join(", ")}`,
      });
    }
    if (isUnknown(allowBroad)) known = false;
    else if (typeof allowBroad !== "boolean") {
      failures.push({
        property: "allowBroadRange",
        reason: `expected true or false, got ${show(allowBroad)}`,
      });
    }
    if (isUnknown(news.source)) known = false;
    else {
      const c = classifySource(news.source);
      const source = news.source as string;
      if (c.reason) failures.push({ property: "source", reason: c.reason });
      else if (action === "true") {
        // The vendor's rule: an unconditional allow for a whole domain or every client lets anyone
        // relay by forging the envelope sender.
        const openRelay =
          c.kind === "domain" ||
          c.kind === "catchAll" ||
          (c.kind === "address" && source.startsWith("*@"));
        if (openRelay) {
          failures.push({
            property: "source",
            reason:
              `"true" for ${show(source)} would let anyone relay by forging the envelope sender ` +
              `(an open relay); trust single sender addresses or the sending server's IP addresses instead`,
          });
        } else if (
          (c.kind === "cidr" || c.kind === "wildcard") &&
          (c.width ?? 32) < BROADEST_ALLOWED_PREFIX
        ) {
          failures.push({
            property: "source",
            reason:
              `"true" for ${show(source)} (/${c.width}) trusts more than any mail provider's ` +
              `published range (at most /${BROADEST_ALLOWED_PREFIX}); list the provider's ranges instead`,
          });
        } else if (
          (c.kind === "cidr" || c.kind === "wildcard") &&
          (c.width ?? 32) < NARROWEST_SAFE_PREFIX &&
          allowBroad !== true
        ) {
          failures.push({
            property: "source",
            reason:
              `"true" for ${show(source)} (/${c.width}) trusts more than a /${NARROWEST_SAFE_PREFIX}; ` +
              `if this is a provider's published sending range (Exchange Online's are /14 to /17), ` +
              `set allowBroadRange: true`,
          });
        }
      }
    }
    const props = { source: news.source, action, allowBroadRange: allowBroad };
    const entry = known && failures.length === 0 ? this.fromProps(props) : undefined;
    return { props, entry, failures };
  },
  fromProps: (p) => ({ source: p.source as string, action: p.action as string, bare: false }),
  toProps: (e) => ({ source: e.source, action: e.action }),
  key: (e) => effectKey(e.source),
  render: renderEffectLine,
  display: renderEffectLine,
  parse: (text) => {
    const rule = parseEffectLine(text);
    return rule && !isEffectSpecial(rule.source) ? rule : undefined;
  },
  same: (a, b) => effectKey(a.source) === effectKey(b.source) && a.action === b.action,
  insertAt(doc: LineDocument) {
    // First match wins: new lines go before the first catch-all, but never above the #<> and
    // #blank lines the vendor keeps at the top of the file.
    let top = 0;
    let leading = true;
    let catchAll = -1;
    for (let i = 0; i < doc.length; i++) {
      const rule = parseEffectLine(doc.line(i).text);
      if (!rule) continue;
      if (isEffectSpecial(rule.source)) {
        if (leading) top = i + 1;
        continue;
      }
      leading = false;
      if (classifySource(rule.source).kind === "catchAll") {
        catchAll = i;
        break;
      }
    }
    return Math.max(catchAll < 0 ? doc.length : catchAll, top);
  },
};
