import { FieldFailure } from "../errors";
import { AliasRecord, aliasKey, parseAliasLine, renderAliasLine } from "../formats/aliasTable";
import { aliasTrailer } from "../formats/aliasTable";
import { checkAddress, isUnknown } from "../validation/fields";
import { EntryKind } from "./entryKind";

/** An alias-table line: `alias<TAB>address`. */
export const aliasKind: EntryKind<AliasRecord> = {
  name: "alias",
  label: "alias",
  role: "aliasFile",
  fields: ["alias", "address"],
  keyFields: ["alias"],
  check(news) {
    const failures: FieldFailure[] = [];
    let known = true;
    for (const field of ["alias", "address"] as const) {
      const v = news[field];
      if (isUnknown(v)) {
        known = false;
        continue;
      }
      const reason = checkAddress(v);
      if (reason) failures.push({ property: field, reason });
    }
    const props = { alias: news.alias, address: news.address };
    const entry = known && failures.length === 0 ? this.fromProps(props) : undefined;
    return { props, entry, failures };
  },
  fromProps: (p) => ({ alias: p.alias as string, address: p.address as string }),
  toProps: (e) => ({ alias: e.alias, address: e.address }),
  key: (e) => aliasKey(e.alias),
  render: renderAliasLine,
  display: renderAliasLine,
  parse: parseAliasLine,
  same: (a, b) =>
    a.alias.toLowerCase() === b.alias.toLowerCase() &&
    a.address.toLowerCase() === b.address.toLowerCase(),
  trailer: aliasTrailer,
  insertAt: (doc) => doc.length,
};
