/**
 * effect.dat, E-Post's per-machine relay table (中継の制限 → マシン毎の中継), read by EPSTRS.
 *
 * One rule per line, `<source> <action>`, first match wins. A source with no action means
 * `true`. Lines starting with `#` are not comments: `#<>` (null reverse-path) and `#blank` (empty
 * MAIL FROM) are match tokens that the vendor places first.
 */

/** The actions E-Post understands for a source. */
export const RELAY_ACTIONS = [
  "default",
  "true",
  "false",
  "norelay",
  "norelay,0",
  "norelay,2",
] as const;

/** One of {@link RELAY_ACTIONS}. */
export type RelayAction = (typeof RELAY_ACTIONS)[number];

/** One effect.dat rule as written in the file. */
export interface RelayRule {
  /** IPv4 address, octet wildcard, CIDR block, domain, sender address or special token. */
  source: string;
  /** The action text; a bare source reads as `true`. */
  action: string;
  /** True when the line had no action and so means `true`. */
  bare: boolean;
}

/** Parses a line, or returns undefined for a blank line. */
export function parseEffectLine(text: string): RelayRule | undefined {
  const m = /^\s*(\S+)(?:[ \t]+(\S+))?\s*$/.exec(text);
  if (!m) return undefined;
  const action = m[2];
  return { source: m[1], action: action ?? "true", bare: action === undefined };
}

/** Renders `<source> <action>` with the single half-width space the vendor prescribes. */
export function renderEffectLine(rule: { source: string; action: string }): string {
  return `${rule.source} ${rule.action}`;
}

/** The rule's identity; sources compare case-insensitively, as addresses and domains do. */
export function effectKey(source: string): string {
  return source.toLowerCase();
}

/** True for the vendor's special tokens that must stay at the top of the file. */
export function isEffectSpecial(source: string): boolean {
  return source === "#<>" || source.toLowerCase() === "#blank";
}

/** True for a source that matches every client: `*`, `*.*.*.*` or `0.0.0.0/0`. */
export function isEffectCatchAll(source: string): boolean {
  return source === "*" || source === "*.*.*.*" || source === "0.0.0.0/0";
}
