import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { REPO_ROOT } from "../harness/dynamicHost";
import { PulumiCli } from "../harness/pulumiCli";
import { SshHost, startSshd } from "../harness/sshd";

const EFFECT = "Program Files/EPOST/MS/effect.dat";

/**
 * The example stack with `restartService`, through the real engine, against an sshd whose
 * powershell.exe is the stand-in of test/fakes/windowsServices: it records each restart and
 * what effect.dat held at that moment, which is what EPSTRS would load.
 */
describe("the EPSTRS restart through the Pulumi engine", function () {
  this.timeout(300_000);
  let host: SshHost;
  let cli: PulumiCli;
  let scm: string;

  /** effect.dat as each restart of the last command saw it, one string per restart. */
  const restarts = () => {
    const log = path.join(scm, "snapshots.log");
    const text = fs.existsSync(log) ? fs.readFileSync(log, "utf8") : "";
    fs.rmSync(log, { force: true });
    return text.split("--- restart\n").slice(1);
  };
  const effect = () => fs.readFileSync(host.file(EFFECT), "latin1");

  before(async function () {
    scm = fs.mkdtempSync(path.join(os.tmpdir(), "fake-scm-"));
    const keys = path.join(REPO_ROOT, "test/fixtures/example-host-keys");
    host = await startSshd({
      keys: {
        host: path.join(keys, "ssh_host_ed25519_key"),
        login: path.join(keys, "login_ed25519"),
      },
      commands: {
        PATH: `${path.join(REPO_ROOT, "test/fakes/windowsServices")}:/usr/bin:/bin`,
        FAKE_SCM_DIR: scm,
      },
    });
    fs.writeFileSync(path.join(scm, "EPSTRS.state"), "RUNNING\n");
    fs.writeFileSync(path.join(scm, "snapshot_path"), host.file(EFFECT));
    cli = new PulumiCli("example", path.join(REPO_ROOT, "stacks/Pulumi.example.yaml"), "example");
    console.log(
      `      peers: Pulumi CLI ${cli.version}; ${host.version} on 127.0.0.1:${host.port}`,
    );
    await cli.ok(["stack", "init"], { configFile: false });
    // A server that runs commands cannot be chrooted, so the files sit at their local paths.
    for (const [key, value] of Object.entries({
      port: String(host.port),
      username: host.username,
      "layout.installDir": host.layout!.installDir,
      "layout.hostsFile": host.layout!.hostsFile,
      "restartService.method": "powershell",
    })) {
      await cli.ok(["config", "set", "--path", `epost.${key}`, value]);
    }
  });

  after(async function () {
    if (cli) await cli.run(["destroy", "--yes", "--skip-preview"]).catch(() => undefined);
    cli?.cleanup();
    await host?.stop();
    fs.rmSync(scm, { recursive: true, force: true });
  });

  it("shows both restarts and their command in the preview, and restarts once on the first up", async function () {
    const plan = await cli.ok(["preview", "--diff"]);
    assert.match(plan.stdout, /\+ pulumi-nodejs:dynamic\/epost:ServiceRestart: \(create\)/);
    assert.match(plan.stdout, /example-restart-after-trust/);
    assert.match(plan.stdout, /example-restart-after-removal/);
    assert.match(plan.stdout, /command\s*: "powershell\.exe -NoProfile -NonInteractive/);
    assert.deepEqual(restarts(), []);
    await cli.ok(["up", "--yes", "--skip-preview"]);
    const seen = restarts();
    assert.equal(seen.length, 1);
    assert.match(seen[0], /^vip1@example\.jp true$/m);
    assert.match(seen[0], /^legacy@example\.jp true$/m);
    assert.match(seen[0], /^104\.47\.0\.0\/17 true$/m);
  });

  it("restarts after a removed account's trust line has left effect.dat", async function () {
    await cli.ok(["config", "rm", "--path", "accounts[1]"]);
    await cli.ok(["up", "--yes", "--skip-preview"]);
    assert.doesNotMatch(effect(), /legacy@example\.jp/);
    const seen = restarts();
    assert.equal(seen.length, 1);
    assert.doesNotMatch(seen[0], /legacy@example\.jp/);
    assert.match(seen[0], /^vip1@example\.jp true$/m);
  });

  it("restarts nothing when only the order of the accounts changes", async function () {
    await cli.ok(["config", "set", "--path", "accounts[1]", "legacy"]);
    await cli.ok(["up", "--yes", "--skip-preview"]);
    assert.equal(restarts().length, 1, "adding the account back restarts once");
    const before = effect();
    await cli.ok(["config", "set", "--path", "accounts[0]", "legacy"]);
    await cli.ok(["config", "set", "--path", "accounts[1]", "vip1"]);
    await cli.ok(["up", "--yes", "--skip-preview"]);
    assert.equal(effect(), before);
    assert.deepEqual(restarts(), []);
  });

  it("restarts after putting back a trust line changed by hand", async function () {
    fs.writeFileSync(
      host.file(EFFECT),
      effect().replace("vip1@example.jp true", "vip1@example.jp false"),
      "latin1",
    );
    await cli.ok(["refresh", "--yes", "--skip-preview"]);
    assert.deepEqual(restarts(), [], "refresh restarts nothing");
    await cli.ok(["up", "--yes", "--skip-preview"]);
    const seen = restarts();
    assert.equal(seen.length, 1);
    assert.match(seen[0], /^vip1@example\.jp true$/m);
    await cli.ok(["preview", "--expect-no-changes"]);
  });

  it("restarts once more on destroy, after every trust line is gone", async function () {
    await cli.ok(["destroy", "--yes", "--skip-preview"]);
    const seen = restarts();
    assert.equal(seen.length, 1);
    assert.equal(
      seen[0],
      fs
        .readFileSync(path.join(REPO_ROOT, "test/fixtures/epost-tree", EFFECT), "latin1")
        .replace(/\r/g, ""),
    );
  });
});
