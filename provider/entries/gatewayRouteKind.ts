import { FieldFailure } from "../errors";
import {
  GatewayRule,
  gatewayKey,
  isGatewayCatchAll,
  parseGatewayLine,
  renderGatewayLine,
} from "../formats/gatewayDat";
import { gatewayTrailer } from "../formats/gatewayDat";
import { LineDocument } from "../formats/lineDocument";
import {
  checkAddress,
  checkDomain,
  checkHostname,
  checkIPv4,
  checkPort,
  checkToken,
  isUnknown,
  parseIPv4,
} from "../validation/fields";
import { EntryKind } from "./entryKind";

const MAX_AUTH_DATA = 4096;

/** What stands in a backup in place of authentication data. */
export const REDACTED = "[removed-from-backup]";
const SCHEME = /^[0-9]*[A-Za-z][A-Za-z0-9_-]{0,31}$/;

function checkAuth(auth: unknown, failures: FieldFailure[]): boolean {
  if (auth === undefined || auth === null) return true;
  if (isUnknown(auth)) return false;
  if (typeof auth !== "object" || Array.isArray(auth)) {
    failures.push({
      property: "auth",
      reason: "expected { scheme, data } (the value is secret and not shown)",
    });
    return true;
  }
  const a = auth as Record<string, unknown>;
  let known = true;
  if (isUnknown(a.scheme)) known = false;
  else if (typeof a.scheme !== "string" || !SCHEME.test(a.scheme)) {
    failures.push({
      property: "auth.scheme",
      // Not shown: auth is secret as a whole, and a swapped scheme and data would leak the data.
      reason: `expected a method token such as "1XOAUTH2" (optional digits, then letters, digits, "_" or "-")`,
    });
  }
  if (isUnknown(a.data)) known = false;
  else {
    const reason = checkToken(a.data, "auth.data", MAX_AUTH_DATA);
    if (reason)
      failures.push({
        property: "auth.data",
        reason: `${reason} (the value is secret and not shown)`,
      });
  }
  for (const k of Object.keys(a)) {
    if (k !== "scheme" && k !== "data") {
      failures.push({ property: `auth.${k}`, reason: "unknown field; allowed are scheme, data" });
    }
  }
  return known;
}

/**
 * A gateway.dat line routing mail, optionally only that of one envelope sender, to a smart host,
 * optionally with an authentication option.
 */
export const gatewayRouteKind: EntryKind<GatewayRule> = {
  name: "gateway",
  label: "gateway route",
  role: "gatewayFile",
  fields: ["recipientDomain", "sender", "smartHost", "port", "auth"],
  keyFields: ["recipientDomain", "sender"],
  check(news) {
    const failures: FieldFailure[] = [];
    let known = true;
    const recipientDomain = news.recipientDomain ?? "*";
    const port = news.port ?? 25;
    if (isUnknown(recipientDomain)) known = false;
    else if (recipientDomain !== "*") {
      const reason = checkDomain(recipientDomain);
      if (reason)
        failures.push({ property: "recipientDomain", reason: `${reason}, or "*" for any domain` });
    }
    if (isUnknown(news.sender)) known = false;
    else if (news.sender !== undefined && news.sender !== null) {
      const reason = checkAddress(news.sender);
      if (reason) {
        failures.push({
          property: "sender",
          reason: `${reason}; gateway.dat takes one line per sender address, with no wildcard`,
        });
      }
    }
    if (isUnknown(news.smartHost)) known = false;
    else {
      const h = news.smartHost;
      const isIp = typeof h === "string" && parseIPv4(h) !== undefined;
      const reason = isIp ? checkIPv4(h) : checkHostname(h);
      if (reason)
        failures.push({
          property: "smartHost",
          reason: `${reason}; use a host name or IPv4 address`,
        });
    }
    if (isUnknown(port)) known = false;
    else {
      const reason = checkPort(port);
      if (reason) failures.push({ property: "port", reason });
    }
    if (!checkAuth(news.auth, failures)) known = false;
    const props: Record<string, unknown> = {
      recipientDomain,
      sender: news.sender ?? undefined,
      smartHost: news.smartHost,
      port,
      auth: news.auth ?? undefined,
    };
    const entry = known && failures.length === 0 ? this.fromProps(props) : undefined;
    return { props, entry, failures };
  },
  fromProps(p) {
    const rule: GatewayRule = {
      recipientDomain: p.recipientDomain as string,
      smartHost: p.smartHost as string,
      port: p.port as number,
    };
    if (typeof p.sender === "string") rule.sender = p.sender;
    const auth = p.auth as { scheme: string; data: string } | undefined | null;
    if (auth) rule.auth = { scheme: auth.scheme, data: auth.data };
    return rule;
  },
  toProps: (e) => ({
    recipientDomain: e.recipientDomain,
    sender: e.sender,
    smartHost: e.smartHost,
    port: e.port,
    auth: e.auth ? { scheme: e.auth.scheme, data: e.auth.data } : undefined,
  }),
  key: gatewayKey,
  render: renderGatewayLine,
  display: (e) =>
    renderGatewayLine(e.auth ? { ...e, auth: { scheme: e.auth.scheme, data: "[secret]" } } : e),
  parse: parseGatewayLine,
  same: (a, b) =>
    gatewayKey(a) === gatewayKey(b) &&
    a.smartHost.toLowerCase() === b.smartHost.toLowerCase() &&
    a.port === b.port &&
    a.auth?.scheme === b.auth?.scheme &&
    a.auth?.data === b.auth?.data,
  trailer: gatewayTrailer,
  redact(text) {
    const rule = parseGatewayLine(text);
    if (!rule?.auth) return undefined;
    return (
      renderGatewayLine({ ...rule, auth: { scheme: rule.auth.scheme, data: REDACTED } }) +
      gatewayTrailer(text)
    );
  },
  insertAt(doc: LineDocument) {
    // First match wins: a new route must come before the catch-all line or it would never apply.
    for (let i = 0; i < doc.length; i++) {
      const rule = parseGatewayLine(doc.line(i).text);
      if (rule && isGatewayCatchAll(rule)) return i;
    }
    return doc.length;
  },
};
