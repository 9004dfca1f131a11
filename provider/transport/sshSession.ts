import { createHash, timingSafeEqual } from "node:crypto";
import type { Client, ConnectConfig, SFTPWrapper } from "ssh2";
import { EPostError } from "../errors";
import { debug, warn } from "../log";
import { DEFAULT_SSH_PORT, SshConnection, describeTarget } from "./connection";
import { RemoteFs } from "./remoteFs";
import { SessionPool } from "./sessionPool";

/** Limits of our own: the engine gives dynamic resources no timeouts or retries. */
export interface SshTuning {
  /** Time allowed for TCP connect plus SSH handshake and login, per attempt. */
  readyTimeoutMs: number;
  /** Connection attempts before giving up on network errors. */
  attempts: number;
  /** Delay before the second attempt; doubled for each further one. */
  retryDelayMs: number;
  /** A session unused this long is closed. */
  idleMs: number;
  /** Time allowed for any one SFTP operation before the connection is taken for dead. */
  opTimeoutMs: number;
}

export const DEFAULT_TUNING: SshTuning = {
  readyTimeoutMs: 20_000,
  attempts: 3,
  retryDelayMs: 1_000,
  idleMs: 30_000,
  opTimeoutMs: 60_000,
};

const SFTP_NO_SUCH_FILE = 2;
const CHUNK = 32 * 1024;

/** The OpenSSH form of a host key fingerprint: `SHA256:` and unpadded base64. */
export function fingerprintOf(key: Buffer): string {
  return "SHA256:" + createHash("sha256").update(key).digest("base64").replace(/=+$/, "");
}

function sameFingerprint(a: string, b: string): boolean {
  const x = Buffer.from(a.replace(/=+$/, ""));
  const y = Buffer.from(b.replace(/=+$/, ""));
  return x.length === y.length && timingSafeEqual(x, y);
}

/**
 * One SSH connection with its SFTP channel, shared by every resource on the same host in this
 * provider process.
 */
export class SshSession implements RemoteFs {
  readonly target: string;
  private readonly client: Client;
  private readonly sftp: SFTPWrapper;
  private idleTimer: NodeJS.Timeout | undefined;
  private busy = 0;
  private closed = false;
  /** Why the connection ended, for operations attempted after that. */
  private closedWhy = "";
  private warnedRename = false;
  private readonly onClose: () => void;
  private readonly idleMs: number;
  private readonly opTimeoutMs: number;
  /** Operations waiting for an answer, failed at once when the connection ends. */
  private readonly waiting = new Set<(err: Error) => void>();

  constructor(
    target: string,
    client: Client,
    sftp: SFTPWrapper,
    tuning: Pick<SshTuning, "idleMs" | "opTimeoutMs">,
    onClose: () => void,
  ) {
    this.target = target;
    this.client = client;
    this.sftp = sftp;
    this.idleMs = tuning.idleMs;
    this.opTimeoutMs = tuning.opTimeoutMs;
    this.onClose = onClose;
    client.on("close", () => this.markClosed());
    client.on("error", (err) => {
      debug("ssh", `${target}: connection error: ${err.message}`);
      this.markClosed();
    });
    this.armIdle();
  }

  /** True once the connection has ended; the pool then opens a new one. */
  get isClosed(): boolean {
    return this.closed;
  }

  /** Drops the connection at once, as a network failure would; pending operations fail. */
  abort(why = "the connection was dropped"): void {
    const sock = (this.client as unknown as { _sock?: { destroy(): void } })._sock;
    if (sock) sock.destroy();
    this.markClosed(why);
  }

  /** Ends the connection. */
  close(): void {
    if (!this.closed) {
      this.client.end();
      this.markClosed("the connection was closed");
    }
  }

  private markClosed(why = "the connection was lost"): void {
    if (this.closed) return;
    this.closed = true;
    this.closedWhy = why;
    if (this.idleTimer) clearTimeout(this.idleTimer);
    // ssh2 may never call back a request that was in flight when the socket went away.
    for (const fail of this.waiting) fail(new Error(why));
    this.waiting.clear();
    this.onClose();
  }

  private armIdle(): void {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    if (this.busy > 0 || this.closed) return;
    this.idleTimer = setTimeout(() => {
      debug("ssh", `${this.target}: closing idle connection`);
      this.close();
    }, this.idleMs);
    this.idleTimer.unref();
  }

  private async op<T>(
    name: string,
    path: string,
    fn: (cb: (err: any, v?: T) => void) => void,
  ): Promise<T> {
    if (this.closed) {
      throw new EPostError(
        "EPOST_TRANSPORT",
        `sftp ${name} ${path} on ${this.target}: the connection is closed` +
          (this.closedWhy ? ` (${this.closedWhy})` : ""),
      );
    }
    this.busy++;
    if (this.idleTimer) clearTimeout(this.idleTimer);
    let timer: NodeJS.Timeout | undefined;
    let fail: ((err: Error) => void) | undefined;
    try {
      return await new Promise<T>((resolve, reject) => {
        fail = reject;
        this.waiting.add(reject);
        // A connection that stops answering without closing (a black-holed network) would
        // otherwise hold the deploy forever.
        timer = setTimeout(() => {
          const why = `no answer within ${Math.round(this.opTimeoutMs / 1000)} s`;
          reject(new Error(why));
          this.abort(why);
        }, this.opTimeoutMs);
        fn((err, v) =>
          err ? reject(err instanceof Error ? err : new Error(String(err))) : resolve(v as T),
        );
      });
    } finally {
      clearTimeout(timer);
      if (fail) this.waiting.delete(fail);
      this.busy--;
      this.armIdle();
    }
  }

  private fail(name: string, path: string, err: unknown): EPostError {
    const msg = err instanceof Error ? err.message : String(err);
    return new EPostError(
      "EPOST_TRANSPORT",
      `sftp ${name} ${path} on ${this.target} failed: ${msg}`,
      {
        cause: err,
      },
    );
  }

  /**
   * Runs a command in the account's shell (cmd.exe on Windows OpenSSH) and collects its output,
   * decoded as CP932, the console code page of Japanese Windows. Gives up after `timeoutMs`.
   */
  async exec(
    command: string,
    timeoutMs: number,
  ): Promise<{ code: number | null; stdout: string; stderr: string }> {
    const { decode } = require("iconv-lite") as typeof import("iconv-lite");
    return this.op("exec", command, (cb) => {
      this.client.exec(command, (err, stream) => {
        if (err) {
          cb(err);
          return;
        }
        const out: Buffer[] = [];
        const errOut: Buffer[] = [];
        const timer = setTimeout(() => {
          stream.close();
          cb(new Error(`no answer within ${Math.round(timeoutMs / 1000)} s`));
        }, timeoutMs);
        stream.on("data", (d: Buffer) => out.push(d));
        stream.stderr.on("data", (d: Buffer) => errOut.push(d));
        stream.on("close", (code: number | null) => {
          clearTimeout(timer);
          cb(undefined, {
            code,
            stdout: decode(Buffer.concat(out), "cp932"),
            stderr: decode(Buffer.concat(errOut), "cp932"),
          });
        });
      });
    });
  }

  async readFile(path: string): Promise<Buffer | undefined> {
    try {
      return await this.op<Buffer>("read", path, (cb) => this.sftp.readFile(path, cb));
    } catch (err: any) {
      if (err?.code === SFTP_NO_SUCH_FILE) return undefined;
      throw this.fail("read", path, err);
    }
  }

  async stat(path: string): Promise<{ mtimeMs: number; mode?: number } | undefined> {
    try {
      const st = await this.op<any>("stat", path, (cb) => this.sftp.stat(path, cb));
      return {
        mtimeMs: st.mtime * 1000,
        mode: typeof st.mode === "number" ? st.mode & 0o7777 : undefined,
      };
    } catch (err: any) {
      if (err?.code === SFTP_NO_SUCH_FILE) return undefined;
      throw this.fail("stat", path, err);
    }
  }

  async createExclusive(path: string, data: Buffer): Promise<boolean> {
    let handle: Buffer | undefined;
    for (let attempt = 0; handle === undefined; attempt++) {
      try {
        handle = await this.op<Buffer>("open", path, (cb) => this.sftp.open(path, "wx", cb));
      } catch (err) {
        // Servers answer an O_EXCL clash with a generic failure, so look before deciding. A file
        // that is gone by then was removed in between: try again rather than fail.
        if ((await this.stat(path)) !== undefined) return false;
        if (attempt >= 2) throw this.fail("create", path, err);
      }
    }
    await this.writeAndClose(path, handle, data);
    return true;
  }

  async writeFile(path: string, data: Buffer, mode?: number): Promise<void> {
    let handle: Buffer;
    try {
      handle = await this.op<Buffer>("open", path, (cb) => this.sftp.open(path, "w", cb));
    } catch (err) {
      throw this.fail("open", path, err);
    }
    await this.writeAndClose(path, handle, data);
    if (mode !== undefined) {
      try {
        await this.op<void>("chmod", path, (cb) => this.sftp.chmod(path, mode, cb));
      } catch (err) {
        throw this.fail("chmod", path, err);
      }
    }
  }

  private async writeAndClose(path: string, handle: Buffer, data: Buffer): Promise<void> {
    try {
      for (let pos = 0; pos < data.length; pos += CHUNK) {
        const len = Math.min(CHUNK, data.length - pos);
        await this.op<void>("write", path, (cb) =>
          this.sftp.write(handle, data, pos, len, pos, cb),
        );
      }
      if ((this.sftp as any)._extensions?.["fsync@openssh.com"] === "1") {
        await this.op<void>("fsync", path, (cb) => this.sftp.ext_openssh_fsync(handle, cb));
      }
    } catch (err) {
      throw this.fail("write", path, err);
    } finally {
      await this.op<void>("close", path, (cb) => this.sftp.close(handle, cb)).catch(
        () => undefined,
      );
    }
  }

  async replace(from: string, to: string): Promise<void> {
    if ((this.sftp as any)._extensions?.["posix-rename@openssh.com"] === "1") {
      try {
        await this.op<void>("rename", to, (cb) => this.sftp.ext_openssh_rename(from, to, cb));
        return;
      } catch (err) {
        throw this.fail("posix-rename", `${from} -> ${to}`, err);
      }
    }
    // Without posix-rename a plain SFTP rename refuses an existing target. Move the original
    // aside first so that at every moment one complete version of the file exists on disk.
    if (!this.warnedRename) {
      warn("sftp", `${this.target} has no posix-rename; replacing files in two renames`);
      this.warnedRename = true;
    }
    const aside = `${to}.epost-hybrid-old-${process.pid}-${Date.now()}`;
    const existed = (await this.stat(to)) !== undefined;
    try {
      if (existed) await this.op<void>("rename", to, (cb) => this.sftp.rename(to, aside, cb));
      await this.op<void>("rename", to, (cb) => this.sftp.rename(from, to, cb));
    } catch (err) {
      if (existed && (await this.stat(to)) === undefined) {
        await this.op<void>("rename", to, (cb) => this.sftp.rename(aside, to, cb)).catch(
          () => undefined,
        );
      }
      throw this.fail("rename", `${from} -> ${to}`, err);
    }
    if (existed) await this.remove(aside);
  }

  async remove(path: string): Promise<void> {
    try {
      await this.op<void>("unlink", path, (cb) => this.sftp.unlink(path, cb));
    } catch (err: any) {
      if (err?.code === SFTP_NO_SUCH_FILE) return;
      throw this.fail("unlink", path, err);
    }
  }

  async ensureDir(path: string): Promise<void> {
    if ((await this.stat(path)) !== undefined) return;
    try {
      await this.op<void>("mkdir", path, (cb) => this.sftp.mkdir(path, cb));
    } catch (err) {
      if ((await this.stat(path)) !== undefined) return;
      throw this.fail("mkdir", path, err);
    }
  }

  async list(dir: string): Promise<string[]> {
    try {
      const entries = await this.op<any[]>("readdir", dir, (cb) => this.sftp.readdir(dir, cb));
      return entries.map((e) => e.filename as string);
    } catch (err: any) {
      if (err?.code === SFTP_NO_SUCH_FILE) return [];
      throw this.fail("readdir", dir, err);
    }
  }
}

const pool = new SessionPool<SshSession>();

function poolKey(conn: SshConnection): string {
  // Credentials are part of the key so that two stacks with different accounts never share a
  // login; they are hashed so the key can appear in no log.
  const secret = createHash("sha256")
    .update(conn.privateKey ?? "")
    .update("\0")
    .update(conn.password ?? "")
    .digest("hex");
  return `${describeTarget(conn)}|${conn.hostKey}|${secret}`;
}

/**
 * The shared session for a host, connecting on first use. One connection per host and account
 * per provider process, however many resources use it.
 */
export function getSession(
  conn: SshConnection,
  tuning: SshTuning = DEFAULT_TUNING,
): Promise<SshSession> {
  return pool.get(poolKey(conn), (onClose) => connectWithRetry(conn, tuning, onClose));
}

/** Closes every pooled session, e.g. at the end of a test. */
export function closeAllSessions(): Promise<void> {
  return pool.closeAll();
}

/** How many sessions are open or opening; tests use it to check connection reuse. */
export function openSessionCount(): number {
  return pool.size;
}

let logins = 0;

/** How many SSH logins this process has made; tests use it to check connection reuse. */
export function loginCount(): number {
  return logins;
}

async function connectWithRetry(
  conn: SshConnection,
  tuning: SshTuning,
  onClose: () => void,
): Promise<SshSession> {
  const target = describeTarget(conn);
  let delay = tuning.retryDelayMs;
  for (let attempt = 1; ; attempt++) {
    try {
      return await connectOnce(conn, tuning, onClose);
    } catch (err) {
      const e = err as EPostError;
      const retryable = e.code === "EPOST_TRANSPORT" && (e as any).retryable === true;
      if (!retryable || attempt >= tuning.attempts) throw err;
      debug(
        "ssh",
        `${target}: attempt ${attempt}/${tuning.attempts} failed (${e.message}); retrying`,
      );
      await new Promise((r) => setTimeout(r, delay));
      delay *= 2;
    }
  }
}

function connectOnce(
  conn: SshConnection,
  tuning: SshTuning,
  onClose: () => void,
): Promise<SshSession> {
  const { Client: SshClient } = require("ssh2") as typeof import("ssh2");
  const target = describeTarget(conn);
  return new Promise<SshSession>((resolve, reject) => {
    const client = new SshClient();
    let received: string | undefined;
    let settled = false;
    const settle = (err: EPostError | undefined, session?: SshSession) => {
      if (settled) return;
      settled = true;
      if (err) {
        client.end();
        reject(err);
      } else {
        resolve(session!);
      }
    };
    const config: ConnectConfig = {
      host: conn.host,
      port: conn.port ?? DEFAULT_SSH_PORT,
      username: conn.username,
      readyTimeout: tuning.readyTimeoutMs,
      hostVerifier: (key: Buffer) => {
        received = fingerprintOf(key);
        return sameFingerprint(received, conn.hostKey);
      },
    };
    if (conn.privateKey) config.privateKey = conn.privateKey;
    if (conn.passphrase) config.passphrase = conn.passphrase;
    if (conn.password) config.password = conn.password;
    client.on("ready", () => {
      logins++;
      debug("ssh", `${target}: connected`);
      client.sftp((err, sftp) => {
        if (err) {
          settle(new EPostError("EPOST_TRANSPORT", `${target}: cannot open SFTP: ${err.message}`));
          return;
        }
        settle(undefined, new SshSession(target, client, sftp, tuning, onClose));
      });
    });
    client.on("error", (err: Error & { level?: string; code?: string }) => {
      if (received !== undefined && !sameFingerprint(received, conn.hostKey)) {
        settle(
          new EPostError(
            "EPOST_HOST_KEY",
            `${target}: host key mismatch; expected ${conn.hostKey}, received ${received}. ` +
              `If the server's key really changed, check it on the server ("ssh-keygen -lf" of ` +
              `its host key) and update connection.hostKey.`,
          ),
        );
        return;
      }
      if (err.level === "client-authentication") {
        settle(
          new EPostError(
            "EPOST_TRANSPORT",
            `${target}: login refused for "${conn.username}"; check the private key or password`,
          ),
        );
        return;
      }
      const e = new EPostError("EPOST_TRANSPORT", `${target}: cannot connect: ${err.message}`, {
        cause: err,
      });
      (e as any).retryable = true;
      settle(e);
    });
    client.connect(config);
    // Without ssh2's optional native crypto, each packet leaves in three writes (length, body,
    // MAC); with Nagle's algorithm on, every SFTP request then waits for a delayed ACK (~40 ms).
    client.setNoDelay(true);
  });
}
