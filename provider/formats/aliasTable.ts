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

/**
 * Parses a line, or returns undefined for a line that is not `alias<TAB>address`. Columns after
 * the second (an admin's note) are not part of the alias and are kept on rewrite.
 */
export function parseAliasLine(text: string): AliasRecord | undefined {
  const [aliasCol, addressCol] = text.split("\t");
  if (addressCol === undefined) return undefined;
  const alias = aliasCol.trim();
  const address = addressCol.trim();
  if (alias === "" || address === "") return undefined;
  return { alias, address };
}

/** The third and later columns with their leading tab, or "" when there are none. */
export function aliasTrailer(text: string): string {
  const parts = text.split("\t");
  return parts.length > 2 ? "\t" + parts.slice(2).join("\t") : "";
}

/** Renders `alias<TAB>address`. */
export function renderAliasLine(record: AliasRecord): string {
  return `${record.alias}\t${record.address}`;
}

/** An alias's identity; E-Post account names are case-insensitive. */
export function aliasKey(alias: string): string {
  return alias.toLowerCase();
}
