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
  /** What to tell the admin when the file does not exist, e.g. which layout field names it. */
  missingHint?: string;
  /**
   * Masks secrets in the copy kept as a backup (gateway.dat's authentication data), so that
   * backups never multiply them; a redeploy writes them again.
   */
  redactBackup?: (content: Buffer) => Buffer;
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
  let outcomes: Outcome[] | undefined;
  for (let attempt = 1; outcomes === undefined; attempt++) {
    const lock = writes ? await acquireLock(fs, path) : undefined;
    try {
      if (lock) await recoverLeftovers(fs, path);
      outcomes = await readModifyWrite(target, batch, writes, lock);
    } catch (err) {
      // A write that failed part-way may have left a temporary file or a copy moved aside,
      // whether or not the connection is still up: the next attempt looks again.
      recovered.delete(`${fs.target}|${path}`);
      // Another run broke our lock as stale before we could commit; nothing was written, so the
      // whole batch can start over.
      if (!(err instanceof LockLost) || attempt >= 3) throw err;
      warn("file", `${fs.target}: ${err.message}; starting the edit of ${path} again`);
    } finally {
      if (lock && !(await releaseLock(fs, lock))) {
        // The connection is gone with our lock still on the host; the next attempt from this
        // process may take it over at once instead of waiting for it to go stale.
        abandoned.add(lock.token);
      }
    }
  }
  const done = outcomes;
  batch.forEach((p, i) => {
    const o = done[i];
    if (o.ok) p.resolve(o.value);
    else p.reject(o.error);
  });
}

class LockLost extends Error {}

/** Tokens of locks this process could not remove because its connection was lost. */
const abandoned = new Set<string>();

async function readModifyWrite(
  target: FileTarget,
  batch: Pending[],
  writes: boolean,
  lock: HeldLock | undefined,
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
    if (original === undefined) {
      // A mistyped path must not quietly create a new file beside E-Post's real one.
      throw new EPostError(
        "EPOST_TRANSPORT",
        `${path} does not exist on ${fs.target}${target.missingHint ? `; ${target.missingHint}` : ""}`,
      );
    }
    await backupOnce(target, original);
    const mode = (await fs.stat(path))?.mode;
    const tmp = `${path}.epost-hybrid-tmp-${process.pid}-${randomBytes(4).toString("hex")}`;
    try {
      await fs.writeFile(tmp, next, mode);
    } catch (err) {
      // A connection that survives the failure (SMB logs on again by itself) can clear up at
      // once; otherwise the next attempt finds the file (see recoverLeftovers).
      await fs.remove(tmp).catch(() => undefined);
      throw err;
    }
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
    if (lock && !(await stillHeld(fs, lock))) {
      await fs.remove(tmp);
      throw new LockLost(`the lock on ${path} was taken over before the write`);
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

const recovered = new Set<string>();

/**
 * Cleans up after a run that died mid-write, once per file and process, while holding the lock:
 * temporary files are removed, and if the file itself is missing because the run died between
 * the two renames of the fallback replace, the copy moved aside is put back.
 */
async function recoverLeftovers(fs: RemoteFs, path: string): Promise<void> {
  const key = `${fs.target}|${path}`;
  if (recovered.has(key)) return;
  const slash = path.lastIndexOf("/");
  const dir = slash > 0 ? path.slice(0, slash) : "/";
  const name = path.slice(slash + 1);
  const names = await fs.list(dir);
  const tmps = names.filter((n) => n.startsWith(`${name}.epost-hybrid-tmp-`));
  const asides = names.filter((n) => n.startsWith(`${name}.epost-hybrid-old-`)).sort();
  if (asides.length > 0 && !names.includes(name)) {
    const newest = asides.pop()!;
    warn(
      "file",
      `${fs.target}: ${path} was missing after an interrupted write; restoring ${newest}`,
    );
    await fs.replace(`${dir}/${newest}`, path);
  }
  for (const n of [...tmps, ...asides]) {
    debug("file", `${fs.target}: removing leftover ${dir}/${n}`);
    await fs.remove(`${dir}/${n}`);
  }
  recovered.add(key);
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
  await fs.writeFile(file, target.redactBackup ? target.redactBackup(content) : content);
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

/**
 * Forgets what this process did once per run (backups taken, leftovers cleaned up), so the next
 * write behaves as the first of a new run.
 */
export function resetBackupMemory(): void {
  backedUp.clear();
  recovered.clear();
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
    if (seen === undefined || seen.content !== content) seen = { content, since: Date.now() };
    const holder = content.split("\r\n")[0];
    // Ours already: a transport that repeats a request after a lost reply created it the first time.
    if (holder === token) return { path: file, token };
    const why = await staleness(fs, file, holder, Date.now() - seen.since);
    if (why) {
      // Remove the lock only if it is still the one judged stale: another waiter may have
      // replaced it with a live lock of its own in the meantime.
      const again = (await fs.readFile(file))?.toString("utf8");
      if (again === content) {
        warn("file", `${fs.target}: removing stale lock ${file} (${holder}; ${why})`);
        stats.staleLocks++;
        await fs.remove(file);
      }
      seen = undefined;
      continue;
    }
    if (Date.now() - started > tuning.lockWaitMs) {
      throw new EPostError(
        "EPOST_CONFLICT",
        `${path} on ${fs.target} is locked by another run (${holder}); ` +
          `if no other deploy is running, delete ${file} and run again`,
      );
    }
    await new Promise((r) => setTimeout(r, delay));
    delay = Math.min(delay * 2, 1000);
  }
}

/**
 * Why a lock held by `holder` counts as stale, or undefined while it may be live: its process
 * is gone from this machine, it is older than the stale timeout by the server's own clock, or
 * we have watched it unchanged for that long (so that no clock can keep it forever).
 */
async function staleness(
  fs: RemoteFs,
  file: string,
  holder: string,
  watchedMs: number,
): Promise<string | undefined> {
  if (abandoned.has(holder)) return "this process left it when its connection was lost";
  const m = /^(\S+) pid (\d+) /.exec(holder);
  if (m && m[1] === hostname() && !processAlive(Number(m[2]))) return "its process has ended";
  if (watchedMs > tuning.staleLockMs) return `unchanged for ${Math.round(watchedMs / 1000)} s`;
  const lockTime = (await fs.stat(file))?.mtimeMs;
  if (lockTime === undefined) return undefined;
  // The server's "now" is the time stamp of a file we create; comparing the lock's time stamp
  // with our own clock would misjudge every lock on a server whose clock is off.
  const probe = `${file}.probe-${randomBytes(4).toString("hex")}`;
  if (!(await fs.createExclusive(probe, Buffer.alloc(0)))) return undefined;
  const serverNow = (await fs.stat(probe))?.mtimeMs;
  await fs.remove(probe);
  if (serverNow === undefined) return undefined;
  const age = serverNow - lockTime;
  return age > tuning.staleLockMs ? `${Math.round(age / 1000)} s old` : undefined;
}

function processAlive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

async function stillHeld(fs: RemoteFs, lock: HeldLock): Promise<boolean> {
  const content = (await fs.readFile(lock.path))?.toString("utf8");
  return content !== undefined && content.startsWith(lock.token);
}

/** Removes our lock; false when it could not be removed (the connection is gone). */
async function releaseLock(fs: RemoteFs, lock: HeldLock): Promise<boolean> {
  try {
    const content = (await fs.readFile(lock.path))?.toString("utf8");
    if (content !== undefined && content.startsWith(lock.token)) {
      await fs.remove(lock.path);
    } else {
      warn("file", `${fs.target}: lock ${lock.path} was taken over by another run; left alone`);
    }
    return true;
  } catch (err) {
    warn("file", `${fs.target}: could not remove lock ${lock.path}: ${(err as Error).message}`);
    return false;
  }
}
