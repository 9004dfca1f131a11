import { ChildProcess, execFileSync, spawn } from "node:child_process";
import * as fs from "node:fs";
import * as net from "node:net";
import * as path from "node:path";
import { copyTree, FIXTURE_TREE, freePort } from "./sshd";

/** A running Samba server on 127.0.0.1 sharing a fresh copy of the fixture tree as its `C:`. */
export interface SmbHost {
  readonly port: number;
  readonly share: string;
  readonly username: string;
  readonly password: string;
  /** smbd's version line. */
  readonly version: string;
  /** The folder the share exposes (its `C:` drive). */
  readonly driveDir: string;
  /** The local path of a file given relative to the drive, e.g. `Program Files/EPOST/MS/alias.dat`. */
  file(relative: string): string;
  /** The connection input for resources: the share is `C:/`, so default layouts work. */
  connection(): {
    transport: "smb";
    host: string;
    port: number;
    share: string;
    shareRoot: string;
    username: string;
    password: string;
  };
  stop(): Promise<void>;
}

const SMBD = "/usr/sbin/smbd";

function waitForListen(port: number, child: ChildProcess, deadlineMs: number): Promise<void> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const attempt = () => {
      if (child.exitCode !== null) {
        reject(new Error(`smbd exited with code ${child.exitCode}`));
        return;
      }
      const sock = net.connect(port, "127.0.0.1");
      sock.once("connect", () => {
        sock.destroy();
        resolve();
      });
      sock.once("error", () => {
        sock.destroy();
        if (Date.now() - started > deadlineMs) reject(new Error(`smbd did not listen on ${port}`));
        else setTimeout(attempt, 50);
      });
    };
    attempt();
  });
}

/**
 * Starts smbd with a private configuration, password database and state in a temporary folder,
 * serving one share over a copy of the tree. The account `epostadmin` is mapped to the user
 * running the tests, which must be root: smbd switches to the logged-on user for file access.
 * `signing` sets the server's signing policy, so tests can meet a server that never signs.
 */
export async function startSmbd(
  options: { tree?: string; signing?: "default" | "mandatory" | "disabled" } = {},
): Promise<SmbHost> {
  if (!fs.existsSync(SMBD)) {
    throw new Error(`${SMBD} is missing: install Samba (apt-get install samba)`);
  }
  if (process.getuid?.() !== 0) {
    throw new Error("smbd needs root to switch to the logged-on user; run the SMB tests as root");
  }
  fs.mkdirSync("/run/epost-hybrid-smbd", { recursive: true, mode: 0o755 });
  const dir = fs.mkdtempSync("/run/epost-hybrid-smbd/host-");
  const driveDir = path.join(dir, "C");
  copyTree(options.tree ?? FIXTURE_TREE, driveDir);
  for (const sub of ["state", "private", "lock", "cache", "pid", "log"]) {
    fs.mkdirSync(path.join(dir, sub), { mode: 0o755 });
  }
  const share = "EPOST";
  const username = "epostadmin";
  // A password with characters that break naive quoting, as real ones do.
  const password = `Sm8-${Math.random().toString(36).slice(2, 10)}"%;'`;
  fs.writeFileSync(path.join(dir, "users.map"), `root = ${username}\n`);
  const version = execFileSync(SMBD, ["--version"]).toString().trim();

  let child: ChildProcess | undefined;
  let port = 0;
  let lastErr: unknown;
  for (let attempt = 0; attempt < 5 && !child; attempt++) {
    port = await freePort();
    const conf = path.join(dir, "smb.conf");
    fs.writeFileSync(
      conf,
      [
        "[global]",
        "server role = standalone server",
        "interfaces = 127.0.0.1",
        "bind interfaces only = yes",
        `smb ports = ${port}`,
        "disable netbios = yes",
        `state directory = ${dir}/state`,
        `private dir = ${dir}/private`,
        `lock directory = ${dir}/lock`,
        `cache directory = ${dir}/cache`,
        `pid directory = ${dir}/pid`,
        `log file = ${dir}/log/smbd.log`,
        "log level = 1",
        `passdb backend = tdbsam:${dir}/private/passdb.tdb`,
        `username map = ${dir}/users.map`,
        "map to guest = never",
        "load printers = no",
        "printing = bsd",
        "printcap name = /dev/null",
        "disable spoolss = yes",
        `server signing = ${options.signing ?? "mandatory"}`,
        "server min protocol = SMB2_10",
        "",
        `[${share}]`,
        `path = ${driveDir}`,
        "read only = no",
        // Windows grants administrators execute on these files; POSIX 0644 would not, and the
        // client opens a rename's target with execute access.
        "acl allow execute always = yes",
        "",
      ].join("\n"),
    );
    execFileSync("smbpasswd", ["-c", conf, "-a", "-s", "root"], {
      input: `${password}\n${password}\n`,
      stdio: ["pipe", "ignore", "pipe"],
    });
    // smbd signals its whole process group when it stops, so it gets a group of its own.
    const c = spawn(SMBD, ["--foreground", "--no-process-group", "--debug-stdout", "-s", conf], {
      stdio: ["ignore", "pipe", "pipe"],
      detached: true,
    });
    let out = "";
    c.stdout?.on("data", (d) => (out = (out + d.toString()).slice(-4000)));
    c.stderr?.on("data", (d) => (out = (out + d.toString()).slice(-4000)));
    try {
      await waitForListen(port, c, 15_000);
      child = c;
    } catch (err) {
      try {
        process.kill(-c.pid!, "SIGKILL");
      } catch {
        // already gone
      }
      lastErr = new Error(`${(err as Error).message}: ${out.trim().slice(-800)}`);
    }
  }
  if (!child) throw lastErr;
  const running = child;
  running.unref();
  (running.stdout as any)?.unref?.();
  (running.stderr as any)?.unref?.();

  return {
    port,
    share,
    username,
    password,
    version,
    driveDir,
    file: (rel) => path.join(driveDir, rel),
    connection: () => ({
      transport: "smb",
      host: "127.0.0.1",
      port,
      share,
      shareRoot: "C:/",
      username,
      password,
    }),
    stop: async () => {
      if (running.exitCode === null) {
        const exited = new Promise((r) => running.once("exit", r));
        try {
          process.kill(-running.pid!, "SIGTERM");
        } catch {
          // already gone
        }
        await Promise.race([exited, new Promise((r) => setTimeout(r, 3000))]);
        try {
          process.kill(-running.pid!, "SIGKILL");
        } catch {
          // stopped cleanly
        }
      }
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
