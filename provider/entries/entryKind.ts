import { FieldFailure } from "../errors";
import { FileRole } from "../layout";
import { LineDocument } from "../formats/lineDocument";

/** What a kind's `check` makes of a resource's inputs. */
export interface KindCheck<E> {
  /** The kind's own inputs, normalized and with defaults filled in. */
  props: Record<string, unknown>;
  /** The entry, when every field is known and valid. */
  entry?: E;
  failures: FieldFailure[];
}

/**
 * One kind of line in one of E-Post's tables: what file it lives in, how it is validated, parsed,
 * rendered and ordered, and what identifies it. The create/read/update/delete logic is shared
 * by all kinds (see tableEntry.ts).
 */
export interface EntryKind<E> {
  /** Short name used in ids and provider lookup. */
  readonly name: string;
  /** What an admin calls the line, for messages ("gateway route"). */
  readonly label: string;
  /** Which file of the layout holds these lines. */
  readonly role: FileRole;
  /** Inputs stored in state and compared by diff. */
  readonly fields: readonly string[];
  /** Inputs whose change moves the entry to another key, so the resource is replaced. */
  readonly keyFields: readonly string[];
  /** Validates the kind's own inputs; reports every problem by field name. */
  check(news: Record<string, unknown>): KindCheck<E>;
  /** The entry described by stored state, which passed check when it was written. */
  fromProps(props: Record<string, unknown>): E;
  /** The kind's fields of an entry, for state. */
  toProps(entry: E): Record<string, unknown>;
  /** The entry's identity within its file. */
  key(entry: E): string;
  /** The exact line text. */
  render(entry: E): string;
  /** The line text for previews and messages, with any secret masked. */
  display(entry: E): string;
  /** Parses a line of the file; undefined when the line is not such an entry. */
  parse(text: string): E | undefined;
  /** True when two entries mean the same thing, so an existing line can be adopted as is. */
  same(a: E, b: E): boolean;
  /** Where a new line goes. */
  insertAt(doc: LineDocument): number;
  /** The admin's note after the rule on a line (with its leading space), kept on rewrite. */
  trailer?(text: string): string;
  /** The line as it may be kept in a backup, when it holds a secret; undefined otherwise. */
  redact?(text: string): string | undefined;
}
