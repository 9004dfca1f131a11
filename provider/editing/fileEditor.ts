import { randomBytes } from "node:crypto";
import { hostname } from "node:os";
import { EPostError } from "../errors";
import { LineDocument } from "../formats/lineDocument";
import { debug, warn } from "../log";
import { RemoteFs } from "../transport/remoteFs";

/** A file on a host, as the editing layer sees it. */
export interface FileTarget {
  fs: RemoteFs;
  /** The file's path as the transport expects it. */
  path: string;
  encoding: string;
  /** Folder for backups of this file. */
  backupDir: string;
  /** How many backups of this file to keep. */
  keepBackups: number;
}

/**
 * A change to a document. It may throw to refuse (a conflict, say); whatever it did to the
 * document is then rolled back and the other edits of the batch still land. Edits must depend
 * only on the document, because one may be applied again to a fresher copy of the file.
 */
export type Edit<T> = (doc: LineDocument) => T;

/** Timing of the lock and batching; tests shorten these. */
export interface EditorTuning {
  /** How long to wait for edits from other resources before reading the file. */
  batchWindowMs: number;
  /** A lock file untouched this long is taken to be left over from a crashed run. */
  staleLockMs: number;
  /** How long to wait for another process's lock before giving up. */
  lockWaitMs: number;
  /** How often the file may change under us before we give up. */
  maxRebases: number;
}

export const DEFAULT_EDITOR_TUNING: EditorTuning = {
  batchWindowMs: 15,
  staleLockMs: 120_000,
  lockWaitMs: 300_000,
  maxRebases: 5,
};

let tuning: EditorTuning = { ...DEFAULT_EDITOR_TUNING };

/** Changes the editor's timing for this process. */
export function setEditorTuning(t: Partial<EditorTuning>): void {
  tuning = { ...tuning, ...t };
}

/** Figures about the work done, for tests and benchmarks. */
export interface EditorStats {
  /** Reads of a managed file. */
  reads: number;
  /** Files replaced. */
  writes: number;
  /** Times the file changed between our read and our write, so edits were applied again. */
  rebases: number;
  /** Lock files found stale and removed. */
  staleLocks: number;
  /** Backups written. */
  backups: number;
}

const stats: EditorStats = { reads: 0, writes: 0, rebases: 0, staleLocks: 0, backups: 0 };

/** A copy of the counters since the process started or since {@link resetEditorStats}. */
export function editorStats(): EditorStats {
  return { ...stats };
}

/** Sets every counter back to zero. */
export function resetEditorStats(): void {
  for (const k of Object.keys(stats) as (keyof EditorStats)[]) stats[k] = 0;
}

interface Pending {
  edit: Edit<unknown>;
  readOnly: boolean;
  resolve: (v: unknown) => void;
  reject: (e: unknown) => void;
}

interface Queue {
  target: FileTarget;
  pending: Pending[];
  running: boolean;
  timer: NodeJS.Timeout | undefined;
}

const queues = new Map<string, Queue>();
const backedUp = new Set<string>();

/**
 * Applies an edit to a remote file.
 *
 * Edits to one file from every resource in this process are queued, and those that arrive
 * together are applied in one read-modify-write: the file is read once, every edit applied in
 * turn, and the result written once. Only one such cycle runs per file at a time; a lock file on
 * the host keeps other processes (another stack's deploy) out for its duration. The first write
 * of a run backs the file up; the new content goes to a temporary file that is renamed over the
 * original and read back to verify. If the file changed since it was read (an admin saved it in
 * Mail Control), the edits are applied again to the new content instead of overwriting it.
 */
export function editFile<T>(target: FileTarget, edit: Edit<T>): Promise<T> {
  return enqueue(target, edit, false);
}

/** Runs a read-only look at a file through the same queue, so many reads share one download. */
export function inspectFile<T>(target: FileTarget, look: Edit<T>): Promise<T> {
  return enqueue(target, look, true);
}

function enqueue<T>(target: FileTarget, edit: Edit<T>, readOnly: boolean): Promise<T> {
  const key = `${target.fs.target}|${target.path}`;
  let q = queues.get(key);
  if (!q) {
    q = { target, pending: [], running: false, timer: undefined };
    queues.set(key, q);
  }
  // A reconnect gives a new transport object; the newest one is the live one.
  q.target = target;
  const queue = q;
  return new Promise<T>((resolve, reject) => {
    queue.pending.push({
      edit: edit,
      readOnly,
      resolve: resolve as (v: unknown) => void,
      reject,
    });
    schedule(key, queue);
  });
}

function schedule(key: string, q: Queue): void {
  if (q.running || q.timer || q.pending.length === 0) return;
  q.timer = setTimeout(() => {
    q.timer = undefined;
    q.running = true;
    const batch = q.pending.splice(0);
    runBatch(q.target, batch)
      .catch((err) => {
        for (const p of batch) p.reject(err);
      })
      .finally(() => {
        q.running = false;
        if (q.pending.length === 0) queues.delete(key);
        else schedule(key, q);
      });
  }, tuning.batchWindowMs);
}

type Outcome = { ok: true; value: unknown } | { ok: false; error: unknown };

function applyAll(doc: LineDocument, batch: Pending[]): { doc: LineDocument; outcomes: Outcome[] } {
  const outcomes: Outcome[] = [];
  let current = doc;
  for (const p of batch) {
    const before = current.clone();
    try {
      outcomes.push({ ok: true, value: p.edit(current) });
    } catch (error) {
      current = before;
      outcomes.push({ ok: false, error });
    }
  }
  return { doc: current, outcomes };
}

async function runBatch(target: FileTarget, batch: Pending[]): Promise<void> {
  const { fs, path } = target;
  const writes = batch.some((p) => !p.readOnly);
  const lock = writes ? await acquireLock(fs, path) : undefined;
  let outcomes: Outcome[];
  try {
    outcomes = await readModifyWrite(target, batch, writes);
  } finally {
    if (lock) await releaseLock(fs, lock);
  }
  batch.forEach((p, i) => {
    const o = outcomes[i];
    if (o.ok) p.resolve(o.value);
    else p.reject(o.error);
  });
}

async function readModifyWrite(
  target: FileTarget,
  batch: Pending[],
  writes: boolean,
): Promise<Outcome[]> {
  const { fs, path } = target;
  let original = await fs.readFile(path);
  stats.reads++;
  for (let round = 0; ; round++) {
    const base = original ?? Buffer.alloc(0);
    const { doc, outcomes } = applyAll(LineDocument.parse(base, target.encoding), batch);
    const next = doc.toBuffer();
    if (!writes || next.equals(base)) {
      return outcomes;
    }
    if (original !== undefined) await backupOnce(target, original);
    const tmp = `${path}.epost-hybrid-tmp-${process.pid}-${randomBytes(4).toString("hex")}`;
    await fs.writeFile(tmp, next);
    const now = await fs.readFile(path);
    stats.reads++;
    if (!sameContent(now, original)) {
      await fs.remove(tmp);
      if (round + 1 >= tuning.maxRebases) {
        throw new EPostError(
          "EPOST_CONFLICT",
          `${path} on ${fs.target} kept changing while we edited it (${round + 1} times); ` +
            `close E-Post Mail Control or wait for the other writer, then run again`,
        );
      }
      stats.rebases++;
      debug("file", `${fs.target}:${path} changed since it was read; applying the edits again`);
      original = now;
      continue;
    }
    await fs.replace(tmp, path);
    stats.writes++;
    const written = await fs.readFile(path);
    stats.reads++;
    if (written === undefined || !written.equals(next)) {
      throw new EPostError(
        "EPOST_TRANSPORT",
        `${path} on ${fs.target} does not hold what was written (read back ` +
          `${written?.length ?? 0} bytes, expected ${next.length}); the previous content is in ` +
          `${target.backupDir}`,
      );
    }
    debug("file", `${fs.target}:${path} written (${next.length} bytes, ${batch.length} edits)`);
    return outcomes;
  }
}

function sameContent(a: Buffer | undefined, b: Buffer | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  return a.equals(b);
}

function timestamp(d: Date): string {
  return d.toISOString().replace(/[-:]/g, "").replace(".", "");
}

function baseName(path: string): string {
  const i = Math.max(path.lastIndexOf("/"), path.lastIndexOf("\\"));
  return path.slice(i + 1);
}

async function backupOnce(target: FileTarget, content: Buffer): Promise<void> {
  const { fs, path, backupDir } = target;
  const key = `${fs.target}|${path}`;
  if (backedUp.has(key)) return;
  const name = baseName(path);
  await fs.ensureDir(backupDir);
  const file = `${backupDir}/${name}.${timestamp(new Date())}.bak`;
  await fs.writeFile(file, content);
  backedUp.add(key);
  stats.backups++;
  debug("file", `${fs.target}:${path} backed up to ${file}`);
  const ours = (await fs.list(backupDir))
    .filter(
      (n) =>
        n.startsWith(`${name}.`) &&
        n.endsWith(".bak") &&
        /^\d{8}T\d{9}Z$/.test(n.slice(name.length + 1, -4)),
    )
    .sort();
  for (const old of ours.slice(0, Math.max(0, ours.length - target.keepBackups))) {
    await fs.remove(`${backupDir}/${old}`);
  }
}

/** Forgets which files were backed up, so the next write backs up again (a new run). */
export function resetBackupMemory(): void {
  backedUp.clear();
}

interface HeldLock {
  path: string;
  token: string;
}

function lockPath(path: string): string {
  return `${path}.epost-hybrid.lock`;
}

async function acquireLock(fs: RemoteFs, path: string): Promise<HeldLock> {
  const file = lockPath(path);
  const token = `${hostname()} pid ${process.pid} ${randomBytes(6).toString("hex")}`;
  const body = Buffer.from(`${token}\r\nsince ${new Date().toISOString()}\r\n`, "utf8");
  const started = Date.now();
  let seen: { content: string; since: number } | undefined;
  let delay = 50;
  for (;;) {
    if (await fs.createExclusive(file, body)) {
      return { path: file, token };
    }
    const content = (await fs.readFile(file))?.toString("utf8");
    if (content === undefined) continue;
    const mtime = await fs.mtimeMs(file);
    if (seen === undefined || seen.content !== content) seen = { content, since: Date.now() };
    // A lock counts as stale when its file is old by the server's clock, or when we have watched
    // the same lock for that long ourselves (so a skewed clock cannot keep it forever).
    const ageByServer = mtime === undefined ? 0 : Date.now() - mtime;
    const watched = Date.now() - seen.since;
    if (ageByServer > tuning.staleLockMs || watched > tuning.staleLockMs) {
      warn("file", `${fs.target}: removing stale lock ${file} (${content.split("\r\n")[0]})`);
      stats.staleLocks++;
      await fs.remove(file);
      seen = undefined;
      continue;
    }
    if (Date.now() - started > tuning.lockWaitMs) {
      throw new EPostError(
        "EPOST_CONFLICT",
        `${path} on ${fs.target} is locked by another run (${content.split("\r\n")[0]}); ` +
          `if no other deploy is running, delete ${file} and run again`,
      );
    }
    await new Promise((r) => setTimeout(r, delay));
    delay = Math.min(delay * 2, 1000);
  }
}

async function releaseLock(fs: RemoteFs, lock: HeldLock): Promise<void> {
  try {
    const content = (await fs.readFile(lock.path))?.toString("utf8");
    if (content !== undefined && content.startsWith(lock.token)) {
      await fs.remove(lock.path);
    } else {
      warn("file", `${fs.target}: lock ${lock.path} was taken over by another run; left alone`);
    }
  } catch (err) {
    warn("file", `${fs.target}: could not remove lock ${lock.path}: ${(err as Error).message}`);
  }
}
