import { ChildProcess, execFileSync, spawn, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";

/** The E-Post install tree the tests serve: a copy of the shared example host. */
export const FIXTURE_TREE = path.resolve(__dirname, "../../../test/fixtures/epost-tree");

/** A running OpenSSH server on 127.0.0.1 that serves a fresh copy of the fixture tree. */
export interface SshHost {
  readonly port: number;
  /** The server's host key fingerprint, `SHA256:...`. */
  readonly hostKey: string;
  /** The client key that may log in. */
  readonly privateKey: string;
  readonly username: string;
  /** OpenSSH's version line. */
  readonly version: string;
  /** True when the tree is served chrooted at `/C:/...`, the way Windows OpenSSH shows paths. */
  readonly windowsPaths: boolean;
  /** The layout a resource needs for this host (undefined = the Windows defaults). */
  readonly layout: Record<string, string> | undefined;
  /** The folder holding the served tree (its `C:` drive). */
  readonly driveDir: string;
  /** The local path of a file given as the SFTP server shows it. */
  local(sftpPath: string): string;
  /** The local path of a file given relative to the drive, e.g. `Program Files/EPOST/MS/gateway.dat`. */
  file(relative: string): string;
  /** The connection input for resources. */
  connection(): {
    host: string;
    port: number;
    username: string;
    privateKey: string;
    hostKey: string;
  };
  stop(): Promise<void>;
}

const SSHD = "/usr/sbin/sshd";

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

function waitForBanner(port: number, child: ChildProcess, deadlineMs: number): Promise<void> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const attempt = () => {
      if (child.exitCode !== null) {
        reject(new Error(`sshd exited with code ${child.exitCode}`));
        return;
      }
      const sock = net.connect(port, "127.0.0.1");
      sock.once("data", (d) => {
        sock.destroy();
        if (d.toString().startsWith("SSH-")) resolve();
        else reject(new Error(`unexpected banner ${JSON.stringify(d.toString())}`));
      });
      sock.once("error", () => {
        sock.destroy();
        if (Date.now() - started > deadlineMs) reject(new Error(`sshd did not listen on ${port}`));
        else setTimeout(attempt, 50);
      });
    };
    attempt();
  });
}

export function copyTree(src: string, dst: string): void {
  fs.cpSync(src, dst, { recursive: true });
  // The shared tree is read-only; the served copy must be writable like a real install.
  const walk = (p: string) => {
    const st = fs.statSync(p);
    fs.chmodSync(p, st.isDirectory() ? 0o755 : 0o644);
    if (st.isDirectory()) for (const n of fs.readdirSync(p)) walk(path.join(p, n));
  };
  walk(dst);
}

/**
 * Starts sshd with fresh host and user keys in a temporary folder. As root the tree is served
 * chrooted so that paths look exactly as Windows OpenSSH shows them (`/C:/Program Files/...`);
 * otherwise it is served at its local path and `layout` points there.
 */
export async function startSshd(
  options: {
    tree?: string;
    keys?: { host: string; login: string };
    /**
     * Allow commands, with this environment (e.g. a PATH holding stand-ins for Windows tools).
     * The tree is then served at its local path, not chrooted: the chroot has no shell.
     */
    commands?: Record<string, string>;
  } = {},
): Promise<SshHost> {
  if (!fs.existsSync(SSHD)) {
    throw new Error(`${SSHD} is missing: install openssh-server (apt-get install openssh-server)`);
  }
  const isRoot = process.getuid?.() === 0;
  const chroot = isRoot && !options.commands;
  // sshd refuses a chroot whose path has a component writable by others, such as /tmp.
  const base = isRoot ? "/run/epost-hybrid-sshd" : os.tmpdir();
  fs.mkdirSync(base, { recursive: true, mode: 0o755 });
  const dir = fs.mkdtempSync(path.join(base, "host-"));
  const keys = path.join(dir, "keys");
  fs.mkdirSync(keys, { mode: 0o700 });
  const root = path.join(dir, "root");
  fs.mkdirSync(root, { mode: 0o755 });
  const driveDir = path.join(root, "C:");
  copyTree(options.tree ?? FIXTURE_TREE, driveDir);
  if (isRoot) fs.mkdirSync("/run/sshd", { recursive: true, mode: 0o755 });

  const keygen = (file: string) =>
    execFileSync("ssh-keygen", [
      "-q",
      "-t",
      "ed25519",
      "-N",
      "",
      "-f",
      file,
      "-C",
      "epost-hybrid-test",
    ]);
  if (options.keys) {
    // Fixed keys, such as the example host's, so that a stack file can pin them.
    fs.copyFileSync(options.keys.host, path.join(keys, "host_ed25519"));
    fs.copyFileSync(`${options.keys.host}.pub`, path.join(keys, "host_ed25519.pub"));
    fs.copyFileSync(options.keys.login, path.join(keys, "user_ed25519"));
    fs.copyFileSync(`${options.keys.login}.pub`, path.join(keys, "user_ed25519.pub"));
    fs.chmodSync(path.join(keys, "host_ed25519"), 0o600);
  } else {
    keygen(path.join(keys, "host_ed25519"));
    keygen(path.join(keys, "user_ed25519"));
  }
  fs.copyFileSync(path.join(keys, "user_ed25519.pub"), path.join(keys, "authorized_keys"));
  const fpLine = execFileSync("ssh-keygen", [
    "-lf",
    path.join(keys, "host_ed25519.pub"),
  ]).toString();
  const hostKey = fpLine.split(" ")[1];
  // ssh -V prints its version on stderr.
  const version = spawnSync("ssh", ["-V"]).stderr.toString();
  const username = os.userInfo().username;

  let child: ChildProcess | undefined;
  let port = 0;
  let lastErr: unknown;
  for (let attempt = 0; attempt < 5 && !child; attempt++) {
    port = await freePort();
    const config = [
      `Port ${port}`,
      "ListenAddress 127.0.0.1",
      `HostKey ${path.join(keys, "host_ed25519")}`,
      `PidFile ${path.join(dir, "sshd.pid")}`,
      `AuthorizedKeysFile ${path.join(keys, "authorized_keys")}`,
      "PubkeyAuthentication yes",
      "PasswordAuthentication no",
      "KbdInteractiveAuthentication no",
      "PermitRootLogin yes",
      "StrictModes no",
      "UsePAM no",
      "Subsystem sftp internal-sftp",
      options.commands ? "" : "ForceCommand internal-sftp",
      chroot ? `ChrootDirectory ${root}` : "",
      // sshd takes the first SetEnv line only: every variable goes on it.
      options.commands
        ? `SetEnv ${Object.entries(options.commands)
            .map(([k, v]) => `${k}=${v}`)
            .join(" ")}`
        : "",
      "LogLevel ERROR",
    ].join("\n");
    const configFile = path.join(dir, "sshd_config");
    fs.writeFileSync(configFile, config + "\n");
    const c = spawn(SSHD, ["-D", "-e", "-f", configFile], { stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    c.stderr?.on("data", (d) => (stderr += d.toString()));
    try {
      await waitForBanner(port, c, 10_000);
      child = c;
    } catch (err) {
      c.kill("SIGKILL");
      lastErr = new Error(`${(err as Error).message}: ${stderr.trim()}`);
    }
  }
  if (!child) throw lastErr;
  const running = child;

  const windowsPaths = chroot;
  const layout = windowsPaths
    ? undefined
    : {
        installDir: path.join(driveDir, "Program Files/EPOST/MS"),
        hostsFile: path.join(driveDir, "Windows/System32/drivers/etc/hosts"),
      };
  const privateKey = fs.readFileSync(path.join(keys, "user_ed25519"), "utf8");
  return {
    port,
    hostKey,
    privateKey,
    username,
    version: version.trim(),
    windowsPaths,
    layout,
    driveDir,
    local: (p) => (windowsPaths ? path.join(root, p) : p),
    file: (rel) => path.join(driveDir, rel),
    connection: () => ({ host: "127.0.0.1", port, username, privateKey, hostKey }),
    stop: async () => {
      if (running.exitCode === null) {
        const exited = new Promise((r) => running.once("exit", r));
        running.kill("SIGTERM");
        await exited;
      }
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
