import { createHash } from "node:crypto";
import { isDeepStrictEqual } from "node:util";
import { EPostError, FieldFailure, validationError } from "../errors";
import { editFile, FileTarget, inspectFile } from "../editing/fileEditor";
import { Line, LineDocument } from "../formats/lineDocument";
import { checkLayout, Layout, resolveLayout } from "../layout";
import { debug, warn } from "../log";
import { checkConnection, describeTarget, EPostConnection } from "../transport/connection";
import { openRemote, unreachable } from "../transport/remote";
import { hasUnknownValue, isUnknown, show } from "../validation/fields";
import { EntryKind } from "./entryKind";

type Props = Record<string, unknown>;

/** Inputs every E-Post resource takes besides its own fields. */
const COMMON_INPUTS = ["connection", "layout", "adopt", "order"] as const;
/** Inputs check derives for the preview: which host, which file, which line. */
const DERIVED_INPUTS = ["target", "file", "line"] as const;

/** What writing an entry found or did. */
interface Put<E> {
  fingerprint: string;
  adopted: boolean;
  /** The entry as it now stands in the file. */
  entry: E;
  /** False when the file already held the entry and nothing was written. */
  wrote: boolean;
}

/** The methods of a dynamic provider, implemented once for every kind of table line. */
export interface EntryProvider {
  check(olds: Props, news: Props): Promise<{ inputs: Props; failures: FieldFailure[] }>;
  diff(
    id: string,
    olds: Props,
    news: Props,
  ): Promise<{ changes: boolean; replaces: string[]; deleteBeforeReplace: boolean }>;
  create(inputs: Props): Promise<{ id: string; outs: Props }>;
  read(id: string, props: Props): Promise<{ id: string; props: Props; inputs?: Props }>;
  update(id: string, olds: Props, news: Props): Promise<{ outs: Props }>;
  delete(id: string, props: Props): Promise<void>;
}

interface Found<E> {
  index: number;
  entry: E;
  line: Line;
}

/** Drops undefined values, which the engine's wire format cannot carry. */
export function defined(props: Props): Props {
  const out: Props = {};
  for (const [k, v] of Object.entries(props)) {
    if (v === undefined) continue;
    out[k] = v !== null && typeof v === "object" && !Array.isArray(v) ? defined(v as Props) : v;
  }
  return out;
}

/** The SHA-256 of a line's bytes: proof on delete that the line is still the one we wrote. */
export function fingerprintLine(line: Line): string {
  return createHash("sha256").update(line.bytes).digest("hex");
}

// Parsing every line for every edit would make a batch of n edits on a file of n lines cost n²
// parses; lines are immutable and shared between document copies, so each is parsed once.
const parseCache = new Map<string, WeakMap<Line, { entry: unknown; key: string } | null>>();

function parsed<E>(kind: EntryKind<E>, line: Line): { entry: E; key: string } | null {
  let cache = parseCache.get(kind.name);
  if (!cache) {
    cache = new WeakMap();
    parseCache.set(kind.name, cache);
  }
  let hit = cache.get(line);
  if (hit === undefined) {
    const entry = kind.parse(line.text);
    hit = entry === undefined ? null : { entry, key: kind.key(entry) };
    cache.set(line, hit);
  }
  return hit as { entry: E; key: string } | null;
}

/** The first line of the document holding the entry with this key (first match wins). */
export function findEntry<E>(
  kind: EntryKind<E>,
  doc: LineDocument,
  key: string,
): Found<E> | undefined {
  const lines = doc.all();
  for (let i = 0; i < lines.length; i++) {
    const p = parsed(kind, lines[i]);
    if (p !== null && p.key === key) return { index: i, entry: p.entry, line: lines[i] };
  }
  return undefined;
}

function fileKeyOf(target: FileTarget): string {
  return `${target.fs.target}|${target.path}`;
}

// Keys of the lines this process inserted, per file, with their declaration order.
const insertedThisRun = new Map<string, Map<string, number>>();

/** Builds the provider for one kind. */
export function entryProvider<E>(kind: EntryKind<E>): EntryProvider {
  function checkAll(news: Props) {
    const failures: FieldFailure[] = [
      ...checkConnection(news.connection),
      ...checkLayout(news.layout),
    ];
    const k = kind.check(news);
    failures.push(...k.failures);
    const adopt = news.adopt ?? false;
    if (!isUnknown(adopt) && typeof adopt !== "boolean") {
      failures.push({ property: "adopt", reason: `expected true or false, got ${show(adopt)}` });
    }
    const order = news.order;
    if (
      order !== undefined &&
      !isUnknown(order) &&
      (typeof order !== "number" || !Number.isInteger(order) || order < 0)
    ) {
      failures.push({
        property: "order",
        reason: `expected a whole number from 0, got ${show(order)}`,
      });
    }
    const allowed = new Set<string>([
      ...COMMON_INPUTS,
      ...DERIVED_INPUTS,
      ...kind.fields,
      "__provider",
    ]);
    for (const key of Object.keys(news)) {
      if (!allowed.has(key)) {
        failures.push({
          property: key,
          reason: `unknown input; ${kind.label} takes ${[...kind.fields].join(", ")}`,
        });
      }
    }
    const inputs: Props = {
      connection: news.connection,
      layout: news.layout,
      ...k.props,
      adopt,
      order,
    };
    if (
      failures.length === 0 &&
      !hasUnknownValue(news.connection) &&
      !hasUnknownValue(news.layout) &&
      k.entry
    ) {
      const layout = resolveLayout(news.layout as Layout | undefined);
      const conn = news.connection as EPostConnection;
      for (const role of [kind.role, "backupDir"] as const) {
        const why = unreachable(conn, layout.installDir, layout[role]);
        if (why) failures.push({ property: `layout.${role}`, reason: why });
      }
      inputs.target = describeTarget(conn);
      inputs.file = layout[kind.role];
      inputs.line = kind.display(k.entry);
    }
    return { inputs: defined(inputs), failures, entry: k.entry };
  }

  function redactDocument(content: Buffer, encoding: string): Buffer {
    const doc = LineDocument.parse(content, encoding);
    for (let i = 0; i < doc.length; i++) {
      const masked = kind.redact!(doc.line(i).text);
      if (masked !== undefined) doc.replace(i, masked);
    }
    return doc.toBuffer();
  }

  /** The entry and its file, for an operation that will touch the host. */
  async function open(props: Props): Promise<{ target: FileTarget; where: string }> {
    const conn = props.connection as EPostConnection;
    const layout = resolveLayout(props.layout as Layout | undefined);
    const fs = await openRemote(conn, layout.installDir);
    const path = layout[kind.role];
    return {
      target: {
        fs,
        path,
        encoding: layout.encoding,
        backupDir: layout.backupDir,
        keepBackups: layout.keepBackups,
        missingHint: `check layout.${kind.role} (or layout.installDir) for this host`,
        ...(kind.redact
          ? { redactBackup: (content: Buffer) => redactDocument(content, layout.encoding) }
          : {}),
      },
      where: `${path} on ${describeTarget(conn)}`,
    };
  }

  function valid(props: Props): E {
    const { failures, entry } = checkAll(props);
    if (failures.length > 0 || !entry) throw validationError(failures);
    return entry;
  }

  function idOf(props: Props, entry: E): string {
    const layout = resolveLayout(props.layout as Layout | undefined);
    return `${describeTarget(props.connection as EPostConnection)}:${layout[kind.role]}#${kind.key(entry)}`;
  }

  /** State after an operation: the inputs, the entry as it now stands in the file, and extras. */
  function outsOf(inputs: Props, entry: E, extra: Props): Props {
    const layout = resolveLayout(inputs.layout as Layout | undefined);
    const own: Props = {};
    for (const f of kind.fields) own[f] = inputs[f];
    return defined({
      connection: inputs.connection,
      layout: inputs.layout,
      adopt: inputs.adopt ?? false,
      order: inputs.order,
      ...own,
      ...kind.toProps(entry),
      target: describeTarget(inputs.connection as EPostConnection),
      file: layout[kind.role],
      line: kind.display(entry),
      ...extra,
    });
  }

  /**
   * Where a new line goes: the kind's insertion point, moved up past lines this process inserted
   * there earlier in this run that come later in declaration order. Creates arrive in whatever
   * order the engine runs them; this makes the lines of one update land in the order the program
   * declares them, so the same configuration always gives the same bytes.
   */
  function placeNew(doc: LineDocument, fileKey: string, order: number | undefined): number {
    let at = kind.insertAt(doc);
    const ours = insertedThisRun.get(fileKey);
    if (order === undefined || !ours) return at;
    while (at > 0) {
      const p = parsed(kind, doc.line(at - 1));
      const theirs = p === null ? undefined : ours.get(p.key);
      if (theirs === undefined || theirs <= order) break;
      at--;
    }
    return at;
  }

  /** Writes the entry: adopts an identical line, rewrites a same-key line if allowed, or inserts. */
  function put(
    entry: E,
    where: string,
    fileKey: string,
    opts: { adopt: boolean; order?: number; previousKey?: string },
  ) {
    const { adopt, order, previousKey } = opts;
    return (doc: LineDocument): Put<E> => {
      const found = findEntry(kind, doc, previousKey ?? kind.key(entry));
      if (found) {
        if (kind.same(found.entry, entry)) {
          return {
            fingerprint: fingerprintLine(found.line),
            adopted: true,
            entry: found.entry,
            wrote: false,
          };
        }
        if (!adopt) {
          throw new EPostError(
            "EPOST_CONFLICT",
            `${where}: line ${found.index + 1} already holds the ${kind.label} ` +
              `${JSON.stringify(kind.display(found.entry))}, which differs from the wanted ` +
              `${JSON.stringify(kind.display(entry))}` +
              (kind.display(found.entry) === kind.display(entry)
                ? " (they differ in the masked authentication data)"
                : "") +
              `. Set adopt: true to take that line over and ` +
              `rewrite it, or change the line by hand first.`,
          );
        }
        // A note or comment after the rule (gateway.dat's " // ...", the hosts file's "# ...")
        // belongs to the admin and stays.
        doc.replace(found.index, kind.render(entry) + (kind.trailer?.(found.line.text) ?? ""));
        return {
          fingerprint: fingerprintLine(doc.line(found.index)),
          adopted: true,
          entry,
          wrote: true,
        };
      }
      const at = placeNew(doc, fileKey, order);
      doc.insert(at, kind.render(entry));
      let ours = insertedThisRun.get(fileKey);
      if (!ours) insertedThisRun.set(fileKey, (ours = new Map()));
      ours.set(kind.key(entry), order ?? Number.MAX_SAFE_INTEGER);
      return { fingerprint: fingerprintLine(doc.line(at)), adopted: false, entry, wrote: true };
    };
  }

  return {
    async check(_olds, news) {
      const { inputs, failures } = checkAll(news);
      return { inputs, failures };
    },

    async diff(_id, olds, news) {
      const changed: string[] = [];
      for (const f of [...kind.fields, "adopt"]) {
        if (!isDeepStrictEqual(olds[f], news[f])) changed.push(f);
      }
      // Fields E-Post compares case-insensitively are compared the same way here; otherwise a
      // line written as VIP1@example.jp would show as drift against vip1@example.jp forever.
      if (
        changed.length > 0 &&
        kind.keyFields.concat(kind.fields).every((f) => !hasUnknownValue(news[f]))
      ) {
        const before = kind.fromProps(olds);
        const after = kind.fromProps({ ...olds, ...news });
        if (kind.same(before, after)) {
          const lineFields = new Set(Object.keys(kind.toProps(after)));
          for (let i = changed.length - 1; i >= 0; i--) {
            if (lineFields.has(changed[i])) changed.splice(i, 1);
          }
        }
      }
      const replaces: string[] = [];
      const oc = (olds.connection ?? {}) as Props;
      const nc = (news.connection ?? {}) as Props;
      if (hasUnknownValue(nc)) {
        replaces.push("connection");
      } else {
        // Another host or port is another file: replace. A new user name, key or host key on the
        // same host is an update that only changes how we log in, so a rotated host key does not
        // make the old state unusable.
        for (const f of ["host", "port"]) {
          if (
            !isDeepStrictEqual(
              oc[f] ?? (f === "port" ? 22 : undefined),
              nc[f] ?? (f === "port" ? 22 : undefined),
            )
          ) {
            replaces.push("connection");
            break;
          }
        }
        if (!replaces.includes("connection") && !isDeepStrictEqual(oc, nc))
          changed.push("connection");
      }
      if (hasUnknownValue(news.layout) || (news.file !== undefined && olds.file !== news.file)) {
        replaces.push("layout");
      } else if (!isDeepStrictEqual(olds.layout, news.layout)) {
        changed.push("layout");
      }
      const newKnown = kind.keyFields.every((f) => !hasUnknownValue(news[f]));
      if (!newKnown) {
        replaces.push(...kind.keyFields);
      } else {
        const oldKey = kind.key(kind.fromProps(olds));
        const newKey = kind.key(kind.fromProps({ ...olds, ...news }));
        if (oldKey !== newKey)
          replaces.push(...kind.keyFields.filter((f) => !isDeepStrictEqual(olds[f], news[f])));
      }
      const all = [...new Set([...changed, ...replaces])];
      return { changes: all.length > 0, replaces, deleteBeforeReplace: replaces.length > 0 };
    },

    async create(inputs) {
      const entry = valid(inputs);
      const { target, where } = await open(inputs);
      const result = await editFile(
        target,
        put(entry, where, fileKeyOf(target), {
          adopt: inputs.adopt === true,
          order: inputs.order as number | undefined,
        }),
      );
      debug(
        "entry",
        `${kind.label} ${kind.key(entry)} ${result.adopted ? "adopted" : "added"} in ${where}`,
      );
      const { entry: written, fingerprint, adopted } = result;
      return {
        id: idOf(inputs, entry),
        outs: outsOf(inputs, written, { fingerprint, adopted, revision: 1 }),
      };
    },

    async read(id, props) {
      const stored = kind.fromProps(props);
      const { target } = await open(props);
      const found = await inspectFile(target, (doc) => findEntry(kind, doc, kind.key(stored)));
      if (!found) {
        return { id: "", props: {} };
      }
      const outs = outsOf(props, found.entry, {
        fingerprint: fingerprintLine(found.line),
        adopted: props.adopted ?? false,
        revision: props.revision ?? 1,
      });
      const inputs: Props = {};
      for (const k of [...COMMON_INPUTS, ...DERIVED_INPUTS, ...kind.fields]) {
        if (outs[k] !== undefined) inputs[k] = outs[k];
      }
      return { id, props: outs, inputs };
    },

    async update(_id, olds, news) {
      const entry = valid(news);
      const { target, where } = await open(news);
      const oldKey = kind.key(kind.fromProps(olds));
      const result = await editFile(
        target,
        put(entry, where, fileKeyOf(target), {
          adopt: true,
          order: news.order as number | undefined,
          previousKey: oldKey,
        }),
      );
      const { entry: written, fingerprint, adopted, wrote } = result;
      // Counts the rewrites, so a restart triggered by it also follows a line put back after a
      // hand edit, whose content is the same as before the edit.
      const revision = Number(olds.revision ?? 1) + (wrote ? 1 : 0);
      return {
        outs: outsOf(news, written, {
          fingerprint,
          adopted: olds.adopted ?? adopted,
          revision,
        }),
      };
    },

    async delete(_id, props) {
      const entry = kind.fromProps(props);
      const { target, where } = await open(props);
      const outcome = await editFile(target, (doc) => {
        const found = findEntry(kind, doc, kind.key(entry));
        if (!found) return "gone";
        if (fingerprintLine(found.line) !== props.fingerprint) return `changed:${found.index + 1}`;
        doc.remove(found.index);
        return "removed";
      });
      if (outcome === "gone") {
        debug("entry", `${kind.label} ${kind.key(entry)} was already gone from ${where}`);
      } else if (outcome.startsWith("changed:")) {
        warn(
          "entry",
          `${where}: line ${outcome.slice(8)} (${kind.label} ${kind.key(entry)}) was changed by hand ` +
            `since it was last deployed or refreshed, so it was left in place; run "pulumi refresh" ` +
            `to see it, and remove it by hand if it should go`,
        );
      }
    },
  };
}
