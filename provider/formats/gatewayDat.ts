/**
 * gateway.dat, E-Post's delivery routing table (サーバー設定 → テーブル編集), read by EPSTDS.
 *
 * One rule per line, first match wins:
 *
 *     <recipientDomain>[|<sender>],<smartHost>[|<scheme>|<data>],<port>
 *
 * e.g. `*|vip1@example.jp,example-jp.mail.protection.outlook.com,25` (SMTP relay to Exchange
 * Online) or `*|vip1@example.jp,smtp.office365.com|1XOAUTH2|<data>,587` (XOAUTH2). The vendor's
 * examples end some lines with ` // text`; whether EPSTDS reads that as a comment is not known, so
 * it is kept when found and never written.
 */

/** Authentication for a route, copied into the line verbatim. */
export interface GatewayAuth {
  /** The method token, such as `1XOAUTH2`; the leading digit's meaning is not published. */
  scheme: string;
  /** Opaque authentication data; secret. */
  data: string;
}

/** One gateway.dat rule. */
export interface GatewayRule {
  /** Recipient (RCPT TO) domain the rule matches, or `*` for any. */
  recipientDomain: string;
  /** Envelope sender (MAIL FROM) condition, if the rule has one. */
  sender?: string;
  /** Host the mail is handed to. */
  smartHost: string;
  /** Port on the smart host. */
  port: number;
  /** Authentication option, if any. */
  auth?: GatewayAuth;
}

const TRAILING_NOTE = /\s+\/\/.*$/;

/** The ` // note` after a rule, or "" when there is none. */
export function gatewayTrailer(text: string): string {
  return TRAILING_NOTE.exec(text)?.[0] ?? "";
}

/**
 * Parses one line, or returns undefined for a line that is not a rule (blank, a comment, or
 * something this parser does not understand, which is then left alone).
 */
export function parseGatewayLine(text: string): GatewayRule | undefined {
  const body = text.replace(TRAILING_NOTE, "").trim();
  if (body === "" || body.startsWith("#") || body.startsWith("//") || body.startsWith(";")) {
    return undefined;
  }
  const first = body.indexOf(",");
  if (first <= 0) return undefined;
  const target = body.slice(0, first);
  const rest = body.slice(first + 1);
  const last = rest.lastIndexOf(",");
  let hostPart = rest;
  let port = 25;
  if (last >= 0) {
    // A note may follow the port without a space ("25// note"); "//" cannot start earlier on
    // the line without a space, since authentication data may contain it.
    const portText = rest
      .slice(last + 1)
      .trim()
      .replace(/\/\/.*$/, "")
      .trim();
    if (!/^[0-9]{1,5}$/.test(portText)) return undefined;
    port = Number(portText);
    hostPart = rest.slice(0, last);
  }
  const bar = target.indexOf("|");
  const recipientDomain = (bar >= 0 ? target.slice(0, bar) : target).trim();
  const sender = bar >= 0 ? target.slice(bar + 1).trim() : undefined;
  const hostBar = hostPart.indexOf("|");
  const smartHost = (hostBar >= 0 ? hostPart.slice(0, hostBar) : hostPart).trim();
  if (recipientDomain === "" || smartHost === "" || sender === "") return undefined;
  const rule: GatewayRule = { recipientDomain, smartHost, port };
  if (sender !== undefined) rule.sender = sender;
  if (hostBar >= 0) {
    const authText = hostPart.slice(hostBar + 1);
    const sep = authText.indexOf("|");
    if (sep <= 0) return undefined;
    rule.auth = { scheme: authText.slice(0, sep), data: authText.slice(sep + 1) };
  }
  return rule;
}

/** Renders a rule as one line, without a line ending. */
export function renderGatewayLine(rule: GatewayRule): string {
  const target = rule.sender ? `${rule.recipientDomain}|${rule.sender}` : rule.recipientDomain;
  const host = rule.auth
    ? `${rule.smartHost}|${rule.auth.scheme}|${rule.auth.data}`
    : rule.smartHost;
  return `${target},${host},${rule.port}`;
}

/** The rule's identity: which mail it matches. Case-insensitive, as mail domains are. */
export function gatewayKey(rule: Pick<GatewayRule, "recipientDomain" | "sender">): string {
  return `${rule.recipientDomain.toLowerCase()}|${(rule.sender ?? "").toLowerCase()}`;
}

/** True for a line that matches all mail (`*,...` with no sender condition). */
export function isGatewayCatchAll(rule: GatewayRule): boolean {
  return rule.recipientDomain === "*" && rule.sender === undefined;
}
