import { ChildProcessWithoutNullStreams, spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { EPostError } from "../errors";
import { debug } from "../log";
import { DEFAULT_SMB_PORT, SmbConnection, describeTarget } from "./connection";
import { RemoteFs } from "./remoteFs";
import { SessionPool } from "./sessionPool";

/** Limits of our own, as for SSH: the engine gives dynamic resources no timeouts. */
export interface SmbTuning {
  /** Time allowed for TCP connect, negotiation and login. */
  connectTimeoutMs: number;
  /** Time allowed for any one file operation. */
  opTimeoutMs: number;
  /** A session unused this long is closed. */
  idleMs: number;
}

export const DEFAULT_SMB_TUNING: SmbTuning = {
  connectTimeoutMs: 20_000,
  opTimeoutMs: 60_000,
  idleMs: 30_000,
};

/**
 * The Python that runs the SMB client: `EPOST_HYBRID_PYTHON`, else the environment
 * `npm run setup` makes, else `python3` from PATH (it must have smbprotocol installed).
 */
export function smbPython(): string {
  const chosen = process.env.EPOST_HYBRID_PYTHON;
  if (chosen) return chosen;
  const cache = process.env.XDG_CACHE_HOME ?? join(homedir(), ".cache");
  const made =
    process.platform === "win32"
      ? join(cache, "epost-hybrid", "smb-python", "Scripts", "python.exe")
      : join(cache, "epost-hybrid", "smb-python", "bin", "python");
  if (existsSync(made)) return made;
  return process.platform === "win32" ? "python" : "python3";
}

type Reply = { id: number; result?: any; error?: { code: string; message: string } };

/**
 * One SMB session to one share, held by a child process running smbprotocol, the SMB 2/3
 * client Ansible and others rely on. It signs every message, so servers that require signing
 * (the default of current Windows releases) accept it, and a server that does not sign is
 * refused. Paths are relative to the share, with `/` between folders.
 */
export class SmbSession {
  readonly target: string;
  private readonly child: ChildProcessWithoutNullStreams;
  private readonly pending = new Map<number, { resolve(r: any): void; reject(e: Error): void }>();
  private nextId = 1;
  private closed = false;
  private stderr = "";
  private idleTimer: NodeJS.Timeout | undefined;
  private readonly onClose: () => void;

  constructor(
    target: string,
    private readonly tuning: SmbTuning,
    onClose: () => void,
  ) {
    this.target = target;
    this.onClose = onClose;
    const script = join(__dirname, "smbBridge.py");
    // UTF-8 stdio whatever the machine's code page (cp932 on Japanese Windows): requests carry
    // non-ASCII paths and passwords as UTF-8 JSON.
    this.child = spawn(smbPython(), ["-X", "utf8", "-u", script], {
      stdio: ["pipe", "pipe", "pipe"],
      windowsHide: true,
    });
    this.child.on("error", (err) => this.end(`cannot start ${smbPython()}: ${err.message}`));
    // A request written after the client died fails with EPIPE; unhandled, it would end the
    // whole provider process and every resource in flight with it.
    this.child.stdin.on("error", (err) =>
      this.end(`the SMB client stopped reading: ${err.message}`),
    );
    this.child.on("exit", (code, signal) =>
      this.end(`the SMB client exited (${signal ?? `code ${code}`})`),
    );
    this.child.stderr.on("data", (chunk: Buffer) => {
      this.stderr = (this.stderr + chunk.toString("utf8")).slice(-2000);
    });
    createInterface({ input: this.child.stdout }).on("line", (line) => this.onLine(line));
    this.setRef(false);
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** The client process, for tests that look at what it shows other users of the machine. */
  get pid(): number | undefined {
    return this.child.pid;
  }

  private setRef(on: boolean): void {
    for (const h of [this.child, this.child.stdout, this.child.stderr, this.child.stdin] as any[]) {
      if (on) h.ref?.();
      else h.unref?.();
    }
  }

  private onLine(line: string): void {
    let reply: Reply;
    try {
      reply = JSON.parse(line) as Reply;
    } catch {
      debug("smb", `${this.target}: unexpected output from the SMB client`);
      return;
    }
    const p = this.pending.get(reply.id);
    if (!p) return;
    this.pending.delete(reply.id);
    if (reply.error) {
      const err = new Error(reply.error.message) as Error & { smbCode: string };
      err.smbCode = reply.error.code;
      p.reject(err);
    } else {
      p.resolve(reply.result ?? {});
    }
  }

  private end(why: string): void {
    if (this.closed) return;
    this.closed = true;
    if (this.idleTimer) clearTimeout(this.idleTimer);
    const detail = this.stderr.trim().split("\n").slice(-1)[0];
    for (const p of this.pending.values()) {
      p.reject(Object.assign(new Error(detail ? `${why}: ${detail}` : why), { smbCode: "CLOSED" }));
    }
    this.pending.clear();
    this.onClose();
  }

  /** Sends one request and waits for its reply. */
  request(op: string, args: Record<string, unknown>, timeoutMs?: number): Promise<any> {
    if (this.closed) {
      return Promise.reject(
        Object.assign(new Error("the connection is closed"), { smbCode: "CLOSED" }),
      );
    }
    const id = this.nextId++;
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.setRef(true);
    return new Promise<any>((resolve, reject) => {
      const timer = setTimeout(() => {
        // Say why first: dropping the connection fails whatever is still pending.
        this.pending
          .get(id)
          ?.reject(Object.assign(new Error(`${op} timed out`), { smbCode: "TIMEOUT" }));
        this.pending.delete(id);
        this.abort();
      }, timeoutMs ?? this.tuning.opTimeoutMs);
      const done = () => {
        clearTimeout(timer);
        if (this.pending.size === 0) this.idle();
      };
      this.pending.set(id, {
        resolve: (r) => {
          done();
          resolve(r);
        },
        reject: (e) => {
          done();
          reject(e);
        },
      });
      this.child.stdin.write(JSON.stringify({ id, op, ...args }) + "\n");
    });
  }

  private idle(): void {
    this.setRef(false);
    if (this.closed) return;
    this.idleTimer = setTimeout(() => {
      debug("smb", `${this.target}: closing idle connection`);
      this.close();
    }, this.tuning.idleMs);
    this.idleTimer.unref();
  }

  /** Drops the connection at once, as a network failure would; pending operations fail. */
  abort(): void {
    this.child.kill("SIGKILL");
    this.end("the connection was dropped");
  }

  /** Logs off and ends the client. */
  close(): void {
    if (this.closed) return;
    this.child.stdin.end();
    this.end("the connection was closed");
  }
}

function fail(target: string, what: string, err: any): EPostError {
  return new EPostError("EPOST_TRANSPORT", `smb ${what} on ${target} failed: ${err.message}`, {
    cause: err,
  });
}

/**
 * The files of one share as the editing layer sees them. Layout paths arrive in the form
 * `/C:/Program Files/EPOST/MS/gateway.dat`; the part below the share's root is used inside the
 * share.
 */
export class SmbShare implements RemoteFs {
  readonly target: string;

  constructor(
    readonly session: SmbSession,
    private readonly root: string,
  ) {
    this.target = session.target;
  }

  /** The path inside the share, or undefined when `path` lies outside it. */
  static inside(root: string, path: string): string | undefined {
    const norm = path.replace(/\\/g, "/");
    if (root === "") return norm.replace(/^\/+/, "");
    const prefix = root.toLowerCase() + "/";
    if (norm.toLowerCase() === root.toLowerCase()) return "";
    if (!norm.toLowerCase().startsWith(prefix)) return undefined;
    return norm.slice(prefix.length);
  }

  private rel(path: string): string {
    const r = SmbShare.inside(this.root, path);
    if (r === undefined) {
      throw new EPostError(
        "EPOST_VALIDATION",
        `${path} is outside the share ${this.target} (its root is ${this.root || "/"}); ` +
          `set connection.shareRoot or use a share that holds this file`,
      );
    }
    return r;
  }

  private async call(op: string, what: string, args: Record<string, unknown>): Promise<any> {
    try {
      return await this.session.request(op, args);
    } catch (err) {
      throw fail(this.target, what, err);
    }
  }

  async readFile(path: string): Promise<Buffer | undefined> {
    const r = await this.call("read", `read ${path}`, { path: this.rel(path) });
    return r.missing ? undefined : Buffer.from(r.data as string, "base64");
  }

  async stat(path: string): Promise<{ mtimeMs: number; mode?: number } | undefined> {
    const r = await this.call("stat", `stat ${path}`, { path: this.rel(path) });
    // SMB has no POSIX permission bits; Windows ACLs stay with the folder.
    return r.missing ? undefined : { mtimeMs: r.mtimeMs as number };
  }

  async createExclusive(path: string, data: Buffer): Promise<boolean> {
    const r = await this.call("createExclusive", `create ${path}`, {
      path: this.rel(path),
      data: data.toString("base64"),
    });
    return r.created === true;
  }

  async writeFile(path: string, data: Buffer): Promise<void> {
    await this.call("write", `write ${path}`, {
      path: this.rel(path),
      data: data.toString("base64"),
    });
  }

  async replace(from: string, to: string): Promise<void> {
    await this.call("replace", `rename ${from} -> ${to}`, {
      from: this.rel(from),
      to: this.rel(to),
    });
  }

  async remove(path: string): Promise<void> {
    await this.call("remove", `delete ${path}`, { path: this.rel(path) });
  }

  async ensureDir(path: string): Promise<void> {
    await this.call("ensureDir", `mkdir ${path}`, { path: this.rel(path) });
  }

  async list(dir: string): Promise<string[]> {
    const r = await this.call("list", `list ${dir}`, { path: this.rel(dir) });
    return r.names as string[];
  }
}

const pool = new SessionPool<SmbSession>();
let logins = 0;

function poolKey(conn: SmbConnection): string {
  const secret = createHash("sha256")
    .update(conn.password ?? "")
    .digest("hex");
  return `${describeTarget(conn)}|${conn.requireSigning ?? true}|${conn.encrypt ?? false}|${secret}`;
}

/** The shared session for a share, logging on at first use: one per share and account. */
export function getSmbSession(
  conn: SmbConnection,
  tuning: SmbTuning = DEFAULT_SMB_TUNING,
): Promise<SmbSession> {
  return pool.get(poolKey(conn), (onClose) => connect(conn, tuning, onClose));
}

async function connect(
  conn: SmbConnection,
  tuning: SmbTuning,
  onClose: () => void,
): Promise<SmbSession> {
  const target = describeTarget(conn);
  const session = new SmbSession(target, tuning, onClose);
  try {
    await session.request(
      "open",
      {
        server: conn.host,
        port: conn.port ?? DEFAULT_SMB_PORT,
        share: conn.share,
        domain: conn.domain ?? "",
        username: conn.username,
        password: conn.password,
        requireSigning: conn.requireSigning ?? true,
        encrypt: conn.encrypt ?? false,
        timeoutSeconds: Math.ceil(tuning.connectTimeoutMs / 1000),
      },
      tuning.connectTimeoutMs + 5_000,
    );
  } catch (err: any) {
    session.close();
    throw openError(conn, target, err);
  }
  logins++;
  debug("smb", `${target}: connected`);
  return session;
}

function openError(conn: SmbConnection, target: string, err: any): EPostError {
  const code = err?.smbCode as string | undefined;
  const msg = String(err?.message ?? err);
  if (code === "AUTH" || /LOGON_FAILURE|ACCOUNT_|WRONG_PASSWORD/i.test(msg)) {
    return new EPostError(
      "EPOST_TRANSPORT",
      `${target}: login refused for "${conn.username}"; check the username, domain and password`,
    );
  }
  if (code === "SIGNING") {
    return new EPostError(
      "EPOST_TRANSPORT",
      `${target}: the server does not sign its messages and connection.requireSigning is on; ` +
        `enable SMB signing on the server (or, on a network you trust, set requireSigning: false)`,
    );
  }
  if (/BAD_NETWORK_NAME|0xc00000cc|0xc0000225/i.test(msg)) {
    return new EPostError("EPOST_TRANSPORT", `${target}: no share named "${conn.share}"`);
  }
  if (code === "NO_LIBRARY" || /cannot start/.test(msg)) {
    return new EPostError(
      "EPOST_TRANSPORT",
      `${target}: ${msg}. Run "npm run setup" (or pip install smbprotocol) and set ` +
        `EPOST_HYBRID_PYTHON to that Python if it is not on PATH`,
    );
  }
  return new EPostError("EPOST_TRANSPORT", `${target}: cannot connect: ${msg}`, { cause: err });
}

/** Ends every pooled SMB session, e.g. at the end of a test. */
export function closeAllSmbSessions(): Promise<void> {
  return pool.closeAll();
}

/** SMB logins made by this process; tests use it to check session reuse. */
export function smbLoginCount(): number {
  return logins;
}
