import { execFileSync, spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { REPO_ROOT } from "./dynamicHost";
import { SshHost, startSshd } from "./sshd";

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * The real Pulumi CLI (built by scripts/install-pulumi.sh) running this repository's program with
 * a local file backend in a temporary folder and a stack config file of the test's own.
 */
export class PulumiCli {
  readonly dir: string;
  readonly stateDir: string;
  readonly configFile: string;
  readonly version: string;
  /** Everything the CLI printed in this test run (not the commands), to search for leaked secrets. */
  readonly transcript: string[] = [];
  private readonly env: NodeJS.ProcessEnv;

  constructor(
    readonly stack: string,
    configSource: string,
    passphrase: string,
  ) {
    let binDir: string;
    try {
      binDir = execFileSync("bash", [path.join(REPO_ROOT, "scripts/install-pulumi.sh")], {
        stdio: ["ignore", "pipe", "pipe"],
      })
        .toString()
        .trim()
        .split("\n")
        .at(-1)!;
    } catch (err) {
      throw new Error(
        `the Pulumi CLI is not available: scripts/install-pulumi.sh failed: ${(err as Error).message}`,
        { cause: err },
      );
    }
    this.dir = fs.mkdtempSync(path.join(os.tmpdir(), "epost-e2e-"));
    this.stateDir = path.join(this.dir, "state");
    fs.mkdirSync(this.stateDir);
    this.configFile = path.join(this.dir, `Pulumi.${stack}.yaml`);
    fs.copyFileSync(configSource, this.configFile);
    this.env = {
      ...process.env,
      PATH: `${binDir}:${process.env.PATH}`,
      PULUMI_BACKEND_URL: `file://${this.stateDir}`,
      PULUMI_HOME: path.join(this.dir, "home"),
      PULUMI_CONFIG_PASSPHRASE: passphrase,
      PULUMI_SKIP_UPDATE_CHECK: "true",
      PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
    };
    this.version = execFileSync("pulumi", ["version"], { env: this.env }).toString().trim();
  }

  /** Runs `pulumi <args> --stack <stack>`, with the test's config file where the command takes one. */
  run(
    args: string[],
    opts: { configFile?: string | false; stdin?: string } = {},
  ): Promise<CliResult> {
    const full = [...args, "--stack", this.stack, "--non-interactive", "--color", "never"];
    if (opts.configFile !== false) full.push("--config-file", opts.configFile ?? this.configFile);
    return new Promise((resolve, reject) => {
      const child = spawn("pulumi", full, {
        cwd: REPO_ROOT,
        env: this.env,
        stdio: [opts.stdin === undefined ? "ignore" : "pipe", "pipe", "pipe"],
      });
      if (opts.stdin !== undefined) child.stdin!.end(opts.stdin);
      let stdout = "";
      let stderr = "";
      child.stdout!.on("data", (d) => (stdout += d.toString()));
      child.stderr!.on("data", (d) => (stderr += d.toString()));
      child.on("error", reject);
      child.on("close", (code) => {
        this.transcript.push(`${stdout}\n${stderr}`);
        resolve({ code: code ?? -1, stdout, stderr });
      });
    });
  }

  /** Like {@link run}, but fails with the CLI's output unless it exits 0. */
  async ok(
    args: string[],
    opts: { configFile?: string | false; stdin?: string } = {},
  ): Promise<CliResult> {
    const r = await this.run(args, opts);
    if (r.code !== 0) {
      throw new Error(`pulumi ${args.join(" ")} exited ${r.code}:\n${r.stdout}\n${r.stderr}`);
    }
    return r;
  }

  /** Every file of the backend's state folder (stacks, history, backups), as text. */
  stateFiles(): { file: string; text: string }[] {
    const out: { file: string; text: string }[] = [];
    const walk = (p: string) => {
      for (const n of fs.readdirSync(p)) {
        const f = path.join(p, n);
        if (fs.statSync(f).isDirectory()) walk(f);
        else out.push({ file: f, text: fs.readFileSync(f, "utf8") });
      }
    };
    walk(this.stateDir);
    return out;
  }

  cleanup(): void {
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}

/**
 * The example stack's file in a temporary backend, pointed at a chrooted sshd that uses the
 * example host's keys, as the engine tests need it.
 */
export async function startExampleStack(): Promise<{ host: SshHost; cli: PulumiCli }> {
  const keys = path.join(REPO_ROOT, "test/fixtures/example-host-keys");
  const host = await startSshd({
    keys: {
      host: path.join(keys, "ssh_host_ed25519_key"),
      login: path.join(keys, "login_ed25519"),
    },
  });
  if (!host.windowsPaths) {
    await host.stop();
    throw new Error(
      "these tests need root: the example stack uses the Windows default paths, served by a chrooted sshd",
    );
  }
  const cli = new PulumiCli(
    "example",
    path.join(REPO_ROOT, "stacks/Pulumi.example.yaml"),
    "example",
  );
  await cli.ok(["stack", "init"], { configFile: false });
  await cli.ok(["config", "set", "--path", "epost.port", String(host.port)]);
  return { host, cli };
}
