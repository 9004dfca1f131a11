/**
 * Read-back normalization: EXO returns values in other forms than it was given them, and a diff
 * that compared the raw forms would report drift on every refresh.
 */

/** `smtp:example.jp;1` → `example.jp`; `smtp:vip1@x` → `vip1@x`; other values unchanged. */
export function stripSmtp(v: unknown): string | null {
  if (v === null || v === undefined) return null;
  const s = typeof v === "string" ? v : JSON.stringify(v);
  const m = /^smtp:(.*?)(;\d+)?$/i.exec(s);
  return m ? m[1] : s;
}

/** A multi-valued property as a sorted, lower-cased list: EXO keeps neither order nor case. */
export function normalizeList(v: unknown): string[] {
  if (v === null || v === undefined) return [];
  const list = Array.isArray(v) ? v : [v];
  return [
    ...new Set(list.map((x) => String(stripSmtp(x)).trim().toLowerCase()).filter((x) => x !== "")),
  ].sort();
}

/** Whether a multi-valued property holds anything: EXO reads an unset one as null or as []. */
export function isSet(v: unknown): boolean {
  return normalizeList(v).length > 0;
}

/** A case-insensitive single value, lower-cased; null stays null. */
export function normalizeText(v: unknown): string | null {
  if (v === null || v === undefined || v === "") return null;
  return (typeof v === "string" ? v : JSON.stringify(v)).toLowerCase();
}
