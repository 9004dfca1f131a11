import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { FILES, original, sha256 } from "../harness/bytes";
import { REPO_ROOT } from "../harness/dynamicHost";
import { PulumiCli, startExampleStack } from "../harness/pulumiCli";
import { SshHost } from "../harness/sshd";

const POLICY_DIR = path.join(REPO_ROOT, "policy");
const PACK = "epost-hybrid-mail-relay";

/**
 * The mail-relay policy pack run by the real engine (`pulumi preview --policy-pack policy`) on the
 * example stack, against a real sshd serving a copy of the example E-Post tree. The engine starts
 * the pack through the language host's RunPlugin call, which scripts/install-pulumi.sh provides
 * with its shim in front of the old Node.js language host.
 */
describe("the policy pack through the Pulumi engine", function () {
  this.timeout(300_000);
  let host: SshHost;
  let cli: PulumiCli;

  // Preview must leave every E-Post file as the fixture has it, pass or fail.
  const hashes = () => Object.values(FILES).map((rel) => sha256(fs.readFileSync(host.file(rel))));
  const pristine = Object.values(FILES).map((rel) => sha256(original(rel)));
  const previewWithPack = () => cli.run(["preview", "--policy-pack", POLICY_DIR]);

  before(async function () {
    // The pack has its own package.json; without its dependencies the engine cannot start it,
    // and these tests must say so rather than pass or skip.
    if (!fs.existsSync(path.join(POLICY_DIR, "node_modules/@pulumi/policy/package.json"))) {
      throw new Error(
        "policy/node_modules is missing @pulumi/policy: run `cd policy && npm ci` before these tests",
      );
    }
    ({ host, cli } = await startExampleStack());
    console.log(
      `      peers: Pulumi CLI ${cli.version}; ${host.version} on 127.0.0.1:${host.port}`,
    );
  });

  after(async function () {
    cli?.cleanup();
    await host?.stop();
  });

  it("runs the pack on the example stack's preview, which passes it and writes nothing", async function () {
    assert.deepEqual(hashes(), pristine);
    const r = await previewWithPack();
    const out = r.stdout + r.stderr;
    assert.equal(r.code, 0, out);
    // The engine lists each pack it ran with its verdict; one it never started is not listed.
    assert.ok(out.includes(`Policies:\n    ✅ ${PACK}@v0.1.0 (local: ${POLICY_DIR})`), out);
    assert.doesNotMatch(out, /\[mandatory\]/);
    assert.deepEqual(hashes(), pristine);
  });

  it("fails a preview whose relay smart host is smtp.office365.com, naming the rule, and writes nothing", async function () {
    // The program's own checks accept any host name here, but the pack only allows port 587
    // with XOAUTH2 for the submission host, and relay mode writes port 25 routes.
    await cli.ok(["config", "set", "relaySmartHost", "smtp.office365.com"]);
    assert.deepEqual(hashes(), pristine);
    const r = await previewWithPack();
    const out = r.stdout + r.stderr;
    assert.notEqual(r.code, 0, out);
    assert.ok(out.includes(`❌ ${PACK}@v0.1.0 (local: ${POLICY_DIR})`), out);
    for (const route of ["route-vip1", "route-legacy"]) {
      assert.ok(
        out.includes(
          `[mandatory]  epost-exo-route-ports  (pulumi-nodejs:dynamic/epost:GatewayRoute: ${route})`,
        ),
        `no violation reported for ${route}:\n${out}`,
      );
    }
    assert.match(out, /the XOAUTH2 route to smtp\.office365\.com must use port 587, not 25/);
    assert.deepEqual(hashes(), pristine);
  });
});
