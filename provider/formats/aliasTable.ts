/**
 * The alias table, in the shape of E-Post's alias import file: `<alias><TAB><real address>` per
 * line. Where E-Post itself keeps its aliases is not published, so the file path is configurable
 * (`layout.aliasFile`).
 */

/** One alias: a public address delivered to one real address. */
export interface AliasRecord {
  alias: string;
  address: string;
}

/** Parses a line, or returns undefined for a line that is not `alias<TAB>address`. */
export function parseAliasLine(text: string): AliasRecord | undefined {
  const tab = text.indexOf("\t");
  if (tab <= 0) return undefined;
  const alias = text.slice(0, tab).trim();
  const address = text.slice(tab + 1).trim();
  if (alias === "" || address === "" || address.includes("\t")) return undefined;
  return { alias, address };
}

/** Renders `alias<TAB>address`. */
export function renderAliasLine(record: AliasRecord): string {
  return `${record.alias}\t${record.address}`;
}

/** An alias's identity; E-Post account names are case-insensitive. */
export function aliasKey(alias: string): string {
  return alias.toLowerCase();
}
