import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { crlf, FILES, original, sha256 } from "../harness/bytes";
import { REPO_ROOT } from "../harness/dynamicHost";
import { EXAMPLE_DEPLOYED, EXAMPLE_LINES } from "../harness/exampleFiles";
import { PulumiCli, startExampleStack } from "../harness/pulumiCli";
import { SshHost } from "../harness/sshd";

const KEYS = path.join(REPO_ROOT, "test/fixtures/example-host-keys");
const XOAUTH2_DATA = "e2e-xoauth2-data-7f3a9c";

/**
 * The example stack, deployed by the real Pulumi CLI against a real sshd serving a copy of the
 * example E-Post tree. `--parallel 1` makes the order of new lines follow the program's order,
 * so that every file's exact bytes can be asserted.
 */
describe("the example stack through the Pulumi engine", function () {
  this.timeout(300_000);
  let host: SshHost;
  let cli: PulumiCli;
  const snapshots: Record<string, Record<string, string>> = {};

  const read = (rel: string) => fs.readFileSync(host.file(rel));
  // Files as latin1 text: one character per byte, so the comparison stays byte-exact and a
  // failure shows a readable diff.
  const files = () =>
    Object.fromEntries(Object.values(FILES).map((rel) => [rel, read(rel).toString("latin1")]));
  const hashes = () => Object.values(FILES).map((rel) => sha256(read(rel)));

  before(async function () {
    ({ host, cli } = await startExampleStack());
    console.log(
      `      peers: Pulumi CLI ${cli.version}; ${host.version} on 127.0.0.1:${host.port}`,
    );
  });

  after(async function () {
    if (cli && host) await cli.run(["destroy", "--yes"]).catch(() => undefined);
    cli?.cleanup();
    await host?.stop();
  });

  const { info, sales, partner, notice, gwCatchAll, effect, ranges, relay } = EXAMPLE_LINES;
  const oauth = (a: string) => `*|${a}@example.jp,smtp.office365.com|1XOAUTH2|${XOAUTH2_DATA},587`;
  const text = (b: Buffer) => b.toString("latin1");
  const deployed = EXAMPLE_DEPLOYED;

  it("1. previews every resource and its line, and writes nothing", async function () {
    const before = hashes();
    const r = await cli.ok(["preview", "--diff"]);
    // 12 E-Post lines and the HybridMailLink component that holds them.
    assert.match(r.stdout, /\+ 13 to create/);
    for (const line of [
      'line      : "192.168.1.10    intra.example.jp"',
      'line      : "vip1@example.jp\\tvip1@intra.example.jp"',
      `line           : "${relay("legacy")}"`,
      'line           : "40.92.0.0/15 true"',
      'file           : "/C:/Program Files/EPOST/MS/effect.dat"',
      'target    : "root@127.0.0.1:',
    ]) {
      assert.ok(r.stdout.includes(line), `preview lacks ${line}`);
    }
    assert.deepEqual(hashes(), before);
  });

  it("2. up applies exactly the planned lines, and a second preview is empty", async function () {
    await cli.ok(["up", "--yes", "--skip-preview"]);
    assert.deepEqual(files(), deployed);
    await cli.ok(["preview", "--expect-no-changes"]);
    snapshots.deployed = files();
  });

  it("3. refresh reports a hand edit and a deleted line, and up restores both", async function () {
    fs.writeFileSync(
      host.file(FILES.alias),
      crlf(
        info,
        sales,
        "vip1@example.jp\thand@intra.example.jp",
        "legacy@example.jp\tlegacy@intra.example.jp",
      ),
    );
    fs.writeFileSync(host.file(FILES.gateway), crlf(partner, notice, relay("vip1"), gwCatchAll));
    const refreshed = await cli.ok(["refresh", "--yes", "--skip-preview"]);
    assert.match(refreshed.stdout, /~ 1 updated/);
    assert.match(refreshed.stdout, /- 1 deleted/);
    const plan = await cli.ok(["preview", "--diff"]);
    assert.match(
      plan.stdout,
      /~ pulumi-nodejs:dynamic\/epost:Alias: \(update\)[\s\S]*alias-vip1\]\n\s*~ address\s*: "hand@intra\.example\.jp" => "vip1@intra\.example\.jp"/,
    );
    assert.match(
      plan.stdout,
      /~ line\s*: "vip1@example\.jp\\thand@intra\.example\.jp" => "vip1@example\.jp\\tvip1@intra\.example\.jp"/,
    );
    assert.match(
      plan.stdout,
      /\+ pulumi-nodejs:dynamic\/epost:GatewayRoute: \(create\)[\s\S]*route-legacy/,
    );
    await cli.ok(["up", "--yes", "--skip-preview"]);
    assert.deepEqual(files(), deployed);
  });

  it("4. a config change (new account, relay to XOAUTH2) changes only those lines", async function () {
    fs.copyFileSync(cli.configFile, path.join(cli.dir, "before-change.yaml"));
    await cli.ok(["config", "set", "--path", "accounts[2]", "ceo"]);
    await cli.ok(["config", "set", "mode", "xoauth2"]);
    await cli.ok(["config", "set", "--secret", "xoauth2Data", XOAUTH2_DATA]);
    await cli.ok(["up", "--yes", "--skip-preview"]);
    assert.deepEqual(files(), {
      [FILES.hosts]: deployed[FILES.hosts],
      [FILES.alias]: text(
        crlf(
          info,
          sales,
          "vip1@example.jp\tvip1@intra.example.jp",
          "legacy@example.jp\tlegacy@intra.example.jp",
          "ceo@example.jp\tceo@intra.example.jp",
        ),
      ),
      [FILES.gateway]: text(
        crlf(partner, notice, oauth("vip1"), oauth("legacy"), oauth("ceo"), gwCatchAll),
      ),
      [FILES.effect]: text(
        crlf(
          ...effect.slice(0, 5),
          "vip1@example.jp true",
          "legacy@example.jp true",
          ...ranges,
          "ceo@example.jp true",
          effect[5],
        ),
      ),
    });
    snapshots.changed = files();
  });

  it("5. rollback to the previous update's config from stack history restores every byte", async function () {
    const env = {
      ...process.env,
      ...cliEnv(cli),
      ROLLBACK_CONFIG_FILE: path.join(cli.dir, "rollback.yaml"),
    };
    const r = await runScript(
      "scripts/rollback.sh",
      ["example", "1", "--yes", "--skip-preview"],
      env,
    );
    assert.equal(r.code, 0, r.output);
    cli.transcript.push(r.output);
    assert.deepEqual(files(), snapshots.deployed);
    const restored = fs.readFileSync(path.join(cli.dir, "rollback.yaml"), "utf8");
    assert.match(restored, /epost-hybrid:mode: relay/);
    assert.equal(
      restored.includes(XOAUTH2_DATA),
      false,
      "the restored file must hold secrets encrypted",
    );
    // Forward again with the newer config: the same bytes as after step 4.
    await cli.ok(["up", "--yes", "--skip-preview"]);
    assert.deepEqual(files(), snapshots.changed);
    // And back with the earlier stack file itself, as from an earlier commit of stacks/.
    await cli.ok(["up", "--yes", "--skip-preview"], {
      configFile: path.join(cli.dir, "before-change.yaml"),
    });
    assert.deepEqual(files(), snapshots.deployed);
  });

  it("6. destroy leaves each file byte-identical to the original fixture", async function () {
    await cli.ok(["destroy", "--yes", "--skip-preview"]);
    for (const rel of Object.values(FILES)) assert.deepEqual(read(rel), original(rel), rel);
  });

  it("7. keeps every secret out of the state, its history and backups, and the CLI output", async function () {
    const loginKey = fs.readFileSync(path.join(KEYS, "login_ed25519"), "utf8");
    const keyBody = loginKey.split("\n").filter((l) => l && !l.startsWith("-----"));
    const secrets = [XOAUTH2_DATA, ...keyBody];
    const state = cli.stateFiles();
    assert.ok(state.length > 5, `${state.length} state files`);
    const hits = state.flatMap(({ file, text: body }) =>
      secrets.filter((s) => body.includes(s)).map((s) => `${file}: ${s.slice(0, 12)}`),
    );
    assert.deepEqual(hits, []);
    const printed = cli.transcript.join("\n");
    assert.deepEqual(
      secrets.filter((s) => printed.includes(s)),
      [],
    );
  });

  it("8. refuses a bad stack config at preview, naming the key, and writes nothing", async function () {
    await cli.ok(["config", "set", "--path", "accounts[0]", "vip 1"]);
    await cli.ok(["config", "set", "--path", "epost.hostKey", "md5:abc"]);
    const before = hashes();
    const r = await cli.run(["preview"]);
    assert.notEqual(r.code, 0);
    const out = r.stdout + r.stderr;
    assert.match(out, /epost-hybrid:accounts\[0\]: expected the part before @, such as vip1/);
    assert.match(out, /epost-hybrid:epost\.hostKey: expected SHA256:<base64>/);
    assert.match(
      out,
      /fix: pulumi config set --path --stack example 'epost-hybrid:accounts\[0\]' <value>/,
    );
    assert.deepEqual(hashes(), before);
  });
});

function cliEnv(cli: PulumiCli): NodeJS.ProcessEnv {
  return (cli as unknown as { env: NodeJS.ProcessEnv }).env;
}

function runScript(
  script: string,
  args: string[],
  env: NodeJS.ProcessEnv,
): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    const child = spawn("bash", [path.join(REPO_ROOT, script), ...args], { cwd: REPO_ROOT, env });
    let output = "";
    child.stdout.on("data", (d) => (output += d.toString()));
    child.stderr.on("data", (d) => (output += d.toString()));
    child.on("close", (code) => resolve({ code: code ?? -1, output }));
  });
}
