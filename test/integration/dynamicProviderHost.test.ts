import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as pulumi from "@pulumi/pulumi";
import {
  epostAliasProvider,
  epostGatewayRouteProvider,
  epostHostsEntryProvider,
  epostRelayTrustProvider,
} from "../../provider";
import { crlf, FILES, original, originalLines } from "../harness/bytes";
import { DynamicProviderHost, REPO_ROOT } from "../harness/dynamicHost";
import { SshHost, startSshd } from "../harness/sshd";

type Props = Record<string, unknown>;

const DIFF_NONE = 1;
const DIFF_SOME = 2;

async function serialized(provider: pulumi.dynamic.ResourceProvider): Promise<string> {
  const s = await pulumi.runtime.serializeFunction(() => provider, { allowSecrets: true });
  assert.equal(s.containsSecrets, false);
  return s.text;
}

describe("providers through the real dynamic-provider host over gRPC", function () {
  let host: SshHost;
  let dyn: DynamicProviderHost;
  const providers = {
    alias: epostAliasProvider,
    gateway: epostGatewayRouteProvider,
    effect: epostRelayTrustProvider,
    hosts: epostHostsEntryProvider,
  };
  const texts: Record<string, string> = {};

  before(async function () {
    host = await startSshd();
    dyn = await DynamicProviderHost.start();
    await dyn.configure({ "epost-hybrid:anything": "value" });
    for (const [k, p] of Object.entries(providers)) texts[k] = await serialized(p);
  });

  after(async function () {
    await dyn?.stop();
    await host?.stop();
  });

  beforeEach(function () {
    for (const rel of Object.values(FILES)) fs.writeFileSync(host.file(rel), original(rel));
  });

  describe("serialized providers", function () {
    for (const kind of ["alias", "gateway", "effect", "hosts"]) {
      it(`keeps the ${kind} provider thin: no secret, client or local path in its text`, function () {
        const text = texts[kind];
        assert.ok(text.length < 4000, `${text.length} characters`);
        assert.ok(text.includes('"epost-hybrid/runtime"'));
        assert.ok(text.includes(`"${kind}"`));
        assert.equal(text.includes(REPO_ROOT), false);
        assert.equal(/ssh2|iconv|Client|privateKey/.test(text), false);
      });
    }

    it("produces the same text on every call, so code stored in state stays stable", async function () {
      assert.equal(await serialized(epostAliasProvider), texts.alias);
    });
  });

  function news(kind: string, extra: Props): Props {
    return {
      __provider: texts[kind],
      connection: host.connection(),
      ...(host.layout ? { layout: host.layout } : {}),
      ...extra,
    };
  }

  it("runs check, create, diff, update, read and delete of an alias end to end", async function () {
    const urn = "urn:pulumi:test::epost-hybrid::pulumi-nodejs:dynamic/epost:Alias::vip1";
    const [info, sales] = originalLines(FILES.alias);
    const checked = await dyn.check(
      urn,
      {},
      news("alias", { alias: "vip1@example.jp", address: "vip1@intra.example.jp" }),
    );
    assert.deepEqual(checked.failures, []);
    assert.equal(checked.inputs.__provider, texts.alias);
    assert.equal(checked.inputs.line, "vip1@example.jp\tvip1@intra.example.jp");

    const created = await dyn.create(urn, checked.inputs);
    assert.deepEqual(
      fs.readFileSync(host.file(FILES.alias)),
      crlf(info, sales, "vip1@example.jp\tvip1@intra.example.jp"),
    );
    assert.equal(created.props.__provider, texts.alias);
    assert.equal(created.props.adopted, false);

    const same = await dyn.diff(urn, created.id, created.props, checked.inputs);
    assert.equal(same.changes, DIFF_NONE);

    const next = await dyn.check(
      urn,
      checked.inputs,
      news("alias", { alias: "vip1@example.jp", address: "vip1.new@intra.example.jp" }),
    );
    const d = await dyn.diff(urn, created.id, created.props, next.inputs);
    assert.deepEqual(d, { changes: DIFF_SOME, replaces: [], deleteBeforeReplace: false });
    const updated = await dyn.update(urn, created.id, created.props, next.inputs);
    assert.deepEqual(
      fs.readFileSync(host.file(FILES.alias)),
      crlf(info, sales, "vip1@example.jp\tvip1.new@intra.example.jp"),
    );

    const read = await dyn.read(urn, created.id, updated.props);
    assert.equal(read.id, created.id);
    assert.equal(read.props.address, "vip1.new@intra.example.jp");
    assert.equal(read.inputs?.address, "vip1.new@intra.example.jp");

    await dyn.delete(urn, created.id, updated.props);
    assert.deepEqual(fs.readFileSync(host.file(FILES.alias)), original(FILES.alias));

    const gone = await dyn.read(urn, created.id, updated.props);
    assert.equal(gone.id, "");
  });

  it("reports check failures per field over the wire", async function () {
    const urn = "urn:pulumi:test::epost-hybrid::pulumi-nodejs:dynamic/epost:RelayTrust::open";
    const r = await dyn.check(urn, {}, news("effect", { source: "*@example.jp", action: "true" }));
    assert.equal(r.failures.length, 1);
    assert.equal(r.failures[0].property, "source");
    assert.match(r.failures[0].reason, /open relay/);
  });

  it("asks for delete-before-replace when a key field changes", async function () {
    const urn = "urn:pulumi:test::epost-hybrid::pulumi-nodejs:dynamic/epost:GatewayRoute::vip1";
    const a = await dyn.check(
      urn,
      {},
      news("gateway", {
        sender: "vip1@example.jp",
        smartHost: "example-jp.mail.protection.outlook.com",
      }),
    );
    const created = await dyn.create(urn, a.inputs);
    const b = await dyn.check(
      urn,
      a.inputs,
      news("gateway", {
        sender: "legacy@example.jp",
        smartHost: "example-jp.mail.protection.outlook.com",
      }),
    );
    const d = await dyn.diff(urn, created.id, created.props, b.inputs);
    assert.deepEqual(d, { changes: DIFF_SOME, replaces: ["sender"], deleteBeforeReplace: true });
    await dyn.delete(urn, created.id, created.props);
    assert.deepEqual(fs.readFileSync(host.file(FILES.gateway)), original(FILES.gateway));
  });

  it("creates the four kinds concurrently through one host process", async function () {
    const specs: [string, Props][] = [
      ["alias", { alias: "legacy@example.jp", address: "legacy@intra.example.jp" }],
      [
        "gateway",
        { sender: "legacy@example.jp", smartHost: "example-jp.mail.protection.outlook.com" },
      ],
      ["effect", { source: "legacy@example.jp" }],
      ["hosts", { ip: "192.168.1.10", hostnames: ["intra.example.jp"] }],
    ];
    const results = await Promise.all(
      specs.map(async ([kind, extra]) => {
        const urn = `urn:pulumi:test::epost-hybrid::pulumi-nodejs:dynamic/epost:${kind}::legacy`;
        const c = await dyn.check(urn, {}, news(kind, extra));
        assert.deepEqual(c.failures, []);
        return dyn.create(urn, c.inputs);
      }),
    );
    assert.equal(results.length, 4);
    assert.ok(
      fs
        .readFileSync(host.file(FILES.alias), "latin1")
        .endsWith("legacy@example.jp\tlegacy@intra.example.jp\r\n"),
    );
    assert.ok(
      fs
        .readFileSync(host.file(FILES.gateway), "latin1")
        .includes(
          "*|legacy@example.jp,example-jp.mail.protection.outlook.com,25\r\n*,relay.isp.example,25\r\n",
        ),
    );
    assert.ok(
      fs
        .readFileSync(host.file(FILES.effect), "latin1")
        .includes("legacy@example.jp true\r\n*.*.*.* norelay,2\r\n"),
    );
    assert.ok(
      fs
        .readFileSync(host.file(FILES.hosts), "latin1")
        .endsWith("192.168.1.10    intra.example.jp\r\n"),
    );
  });

  it("returns outputs with no undefined values the wire would reject", async function () {
    const urn = "urn:pulumi:test::epost-hybrid::pulumi-nodejs:dynamic/epost:GatewayRoute::nosender";
    const c = await dyn.check(
      urn,
      {},
      news("gateway", { recipientDomain: "partner2.example.net", smartHost: "192.0.2.26" }),
    );
    const created = await dyn.create(urn, c.inputs);
    assert.equal("sender" in created.props, false);
    assert.equal("auth" in created.props, false);
    await dyn.delete(urn, created.id, created.props);
  });
});
