import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { crlf, FILES, original } from "../harness/bytes";
import { REPO_ROOT } from "../harness/dynamicHost";
import { EXAMPLE_DEPLOYED, EXAMPLE_LINES } from "../harness/exampleFiles";
import { PulumiCli } from "../harness/pulumiCli";
import { SmbHost, startSmbd } from "../harness/smbd";

/**
 * The example stack switched to the SMB transport, as tenant C's stack is, through the real
 * Pulumi engine against a real smbd that requires signing: the same lines land in the same
 * bytes as over SSH.
 */
describe("the example stack over SMB, through the Pulumi engine", function () {
  this.timeout(300_000);
  let smb: SmbHost;
  let cli: PulumiCli;
  const read = (rel: string) => fs.readFileSync(smb.file(rel));
  const files = () =>
    Object.fromEntries(Object.values(FILES).map((rel) => [rel, read(rel).toString("latin1")]));

  before(async function () {
    smb = await startSmbd();
    // The stack keeps the example's name: `stack init` of a new name would write a stack file
    // into stacks/. Its state lives in the test's own backend all the same.
    cli = new PulumiCli("example", path.join(REPO_ROOT, "stacks/Pulumi.example.yaml"), "example");
    console.log(
      `      peers: Pulumi CLI ${cli.version}; smbd ${smb.version} on 127.0.0.1:${smb.port}`,
    );
    await cli.ok(["stack", "init"], { configFile: false });
    await cli.ok(["config", "rm", "--path", "epost.hostKey"]);
    await cli.ok(["config", "rm", "sshPrivateKey"]);
    for (const [key, value] of Object.entries({
      transport: "smb",
      port: String(smb.port),
      share: smb.share,
      shareRoot: "C:/",
      username: smb.username,
    })) {
      await cli.ok(["config", "set", "--path", `epost.${key}`, value]);
    }
    // The password holds quotes and a percent sign: give it on stdin, not as an argument.
    await cli.ok(["config", "set", "--secret", "smbPassword"], { stdin: smb.password });
  });

  after(async function () {
    if (cli) await cli.run(["destroy", "--yes", "--skip-preview"]).catch(() => undefined);
    cli?.cleanup();
    await smb?.stop();
  });

  it("previews every line with its SMB target, and writes nothing", async function () {
    const r = await cli.ok(["preview", "--diff"]);
    assert.match(r.stdout, /\+ 13 to create/);
    assert.ok(
      r.stdout.includes(`target    : "smb://${smb.username}@127.0.0.1:${smb.port}/${smb.share}"`),
      "preview lacks the SMB target",
    );
    assert.ok(r.stdout.includes('file      : "/C:/Program Files/EPOST/MS/alias.dat"'));
    for (const rel of Object.values(FILES)) assert.deepEqual(read(rel), original(rel), rel);
  });

  it("deploys the same bytes as over SSH, and a second preview is empty", async function () {
    await cli.ok(["up", "--yes", "--skip-preview"]);
    assert.deepEqual(files(), EXAMPLE_DEPLOYED);
    await cli.ok(["preview", "--expect-no-changes"]);
  });

  it("finds a line removed by hand at refresh, and up writes it again", async function () {
    const { partner, notice, relay, gwCatchAll } = EXAMPLE_LINES;
    fs.writeFileSync(smb.file(FILES.gateway), crlf(partner, notice, relay("vip1"), gwCatchAll));
    const r = await cli.ok(["refresh", "--yes", "--skip-preview"]);
    assert.match(r.stdout, /- 1 deleted/);
    await cli.ok(["up", "--yes", "--skip-preview"]);
    assert.deepEqual(files(), EXAMPLE_DEPLOYED);
  });

  it("destroys every line, leaving each file as it was", async function () {
    await cli.ok(["destroy", "--yes", "--skip-preview"]);
    for (const rel of Object.values(FILES)) assert.deepEqual(read(rel), original(rel), rel);
  });

  it("keeps the share password out of the state and the CLI's output", function () {
    const hits = cli
      .stateFiles()
      .filter(({ text }) => text.includes(smb.password))
      .map((f) => f.file);
    assert.deepEqual(hits, []);
    assert.equal(cli.transcript.join("\n").includes(smb.password), false);
  });
});
