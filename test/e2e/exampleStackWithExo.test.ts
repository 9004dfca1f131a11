import assert from "node:assert/strict";
import * as fs from "node:fs";
import { FILES, original } from "../harness/bytes";
import { EXAMPLE_DEPLOYED } from "../harness/exampleFiles";
import { PulumiCli, startExampleStack } from "../harness/pulumiCli";
import { SshHost } from "../harness/sshd";
import { ExoFake } from "../fakes/exoFake";

/**
 * Both halves of the link in one stack, through the real Pulumi engine: the example stack with
 * an Exchange Online section pointing at the EXO fake, against a real sshd.
 */
describe("the example stack with its Exchange Online half, through the Pulumi engine", function () {
  this.timeout(300_000);
  let host: SshHost;
  let exo: ExoFake;
  let cli: PulumiCli;

  before(async function () {
    ({ host, cli } = await startExampleStack());
    exo = await new ExoFake().start();
    console.log(
      `      peers: Pulumi CLI ${cli.version}; ${host.version}; EXO fake on ${exo.origin}`,
    );
    await cli.ok(["config", "set", "--path", "epost.egressIps[0]", "203.0.113.10"]);
    for (const [k, v] of Object.entries({
      tenantId: exo.tenantId,
      clientId: exo.clientId,
      authorityHost: exo.origin,
      adminHost: exo.origin,
    })) {
      await cli.ok(["config", "set", "--path", `exo.${k}`, v]);
    }
    // A PEM starts with dashes, which the CLI would take for a flag: give it on stdin.
    await cli.ok(["config", "set", "--path", "exo.caCertificate"], { stdin: exo.ca });
    await cli.ok(["config", "set", "--secret", "exoClientSecret", exo.clientSecret]);
  });

  after(async function () {
    if (cli) await cli.run(["destroy", "--yes"]).catch(() => undefined);
    cli?.cleanup();
    await exo?.stop();
    await host?.stop();
  });

  it("previews E-Post lines and EXO objects together, touching neither", async function () {
    const r = await cli.ok(["preview", "--diff"]);
    for (const t of [
      "epost:Alias",
      "epost:GatewayRoute",
      "epost:RelayTrust",
      "epost:HostsEntry",
      "exo:InboundConnector",
      "exo:OutboundSpamPolicy",
      "exo:OutboundSpamRule",
      "exo:RemoteDomain",
      "exo:MailboxForwarding",
    ]) {
      assert.ok(r.stdout.includes(`pulumi-nodejs:dynamic/${t}: (create)`), `preview lacks ${t}`);
    }
    assert.match(r.stdout, /forwardingSmtpAddress\s*: "vip1@intra\.example\.jp"/);
    assert.equal(exo.calls.length, 0);
    for (const rel of Object.values(FILES))
      assert.deepEqual(fs.readFileSync(host.file(rel)), original(rel));
  });

  it("deploys both halves, and refresh right after finds no drift", async function () {
    await cli.ok(["up", "--yes", "--skip-preview"]);
    assert.equal(exo.inbound.size, 1);
    assert.deepEqual([...exo.inbound.values()][0].SenderIPAddresses, ["203.0.113.10"]);
    assert.equal(
      exo.mailboxes.get("vip1@example.jp")!.ForwardingSmtpAddress,
      "vip1@intra.example.jp",
    );
    assert.equal(
      exo.mailboxes.get("legacy@example.jp")!.ForwardingSmtpAddress,
      "legacy@intra.example.jp",
    );
    assert.equal([...exo.spamPolicies.values()][0].AutoForwardingMode, "On");
    for (const [rel, text] of Object.entries(EXAMPLE_DEPLOYED))
      assert.equal(fs.readFileSync(host.file(rel), "latin1"), text, rel);
    await cli.ok(["refresh", "--yes", "--skip-preview", "--expect-no-changes"]);
    await cli.ok(["preview", "--expect-no-changes"]);
  });

  it("finds forwarding switched off by hand and switches it on again", async function () {
    exo.mailboxes.get("legacy@example.jp")!.ForwardingSmtpAddress = null;
    const r = await cli.ok(["refresh", "--yes", "--skip-preview"]);
    assert.match(r.stdout, /~ 1 updated/);
    await cli.ok(["up", "--yes", "--skip-preview"]);
    assert.equal(
      exo.mailboxes.get("legacy@example.jp")!.ForwardingSmtpAddress,
      "legacy@intra.example.jp",
    );
  });

  it("destroys both halves: EXO objects gone or restored, E-Post files back to the original bytes", async function () {
    await cli.ok(["destroy", "--yes", "--skip-preview"]);
    assert.equal(exo.inbound.size, 0);
    assert.equal(exo.spamPolicies.size, 0);
    assert.equal(exo.spamRules.size, 0);
    assert.equal(exo.remoteDomains.size, 0);
    assert.equal(exo.mailboxes.get("vip1@example.jp")!.ForwardingSmtpAddress, null);
    for (const rel of Object.values(FILES))
      assert.deepEqual(fs.readFileSync(host.file(rel)), original(rel), rel);
  });

  it("keeps the EXO client secret out of the state and the output", function () {
    const hits = cli
      .stateFiles()
      .filter(({ text }) => text.includes(exo.clientSecret))
      .map((f) => f.file);
    assert.deepEqual(hits, []);
    assert.equal(cli.transcript.join("\n").includes(exo.clientSecret), false);
  });
});
