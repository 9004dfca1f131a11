import assert from "node:assert/strict";
import * as pulumi from "@pulumi/pulumi";

type Registered = { type: string; name: string; inputs: Record<string, any>; urn: string };

const unwrap = (v: any): any =>
  v && typeof v === "object" && "value" in v && Object.keys(v).some((k) => k.length === 32)
    ? v.value
    : v;

describe("HybridMailLink", function () {
  const registered: Registered[] = [];
  let link: typeof import("../../provider/program/hybridMailLink");
  let entra: typeof import("../../provider/program/entra");

  before(async function () {
    await pulumi.runtime.setMocks(
      {
        newResource: (args) => {
          registered.push({
            type: args.type,
            name: args.name,
            inputs: args.inputs,
            urn: `urn:${args.type}::${args.name}`,
          });
          const state: Record<string, unknown> = { ...args.inputs };
          if (args.type === "azuread:index/servicePrincipal:ServicePrincipal") {
            state.objectId = `sp-object-${args.name}`;
            state.appRoleIds = { "SMTP.SendAsApp": "role-smtp-sendasapp" };
          }
          if (args.type === "azuread:index/application:Application") {
            state.clientId = `client-${args.name}`;
            state.objectId = `app-object-${args.name}`;
          }
          if (args.type === "azuread:index/applicationPassword:ApplicationPassword")
            state.value = "generated-secret";
          return { id: `${args.name}-id`, state };
        },
        call: (args) =>
          args.token === "azuread:index/getClientConfig:getClientConfig"
            ? { tenantId: "tenant-guid", clientId: "c", objectId: "o" }
            : {},
      },
      "epost-hybrid",
      "test",
      true,
    );
    link = require("../../provider/program/hybridMailLink");
    entra = require("../../provider/program/entra");
  });

  const epost = {
    connection: {
      host: "epost.example.jp",
      username: "admin",
      privateKey: "k",
      hostKey: "SHA256:" + "a".repeat(43),
    },
    ip: "192.168.1.10",
    egressIps: ["203.0.113.10"],
  };
  const exo = {
    connection: {
      tenantId: "00000000-0000-0000-0000-000000000001",
      clientId: "00000000-0000-0000-0000-000000000002",
      clientSecret: "s",
    },
  };
  const ranges = ["40.92.0.0/15"];
  const base = {
    domain: "example.jp",
    accounts: ["vip1", "legacy"],
    epost,
    exoSourceRanges: ranges,
  } as const;

  function settle(r: pulumi.Resource): Promise<void> {
    return new Promise((resolve) => r.urn.apply(() => resolve()));
  }

  async function declare(name: string, args: any): Promise<Registered[]> {
    const before = registered.length;
    const l = new link.HybridMailLink(name, args);
    await settle(l);
    await new Promise((r) => setTimeout(r, 50));
    return registered.slice(before);
  }

  const gapsOf = (args: any) => link.linkGaps(args);

  it("refuses each incomplete or unsafe link with a message naming the gap", function () {
    const cases: [any, RegExp][] = [
      [{ ...base, mode: "relay", exo }, /relaySmartHost/],
      [
        {
          ...base,
          mode: "relay",
          relaySmartHost: "example-jp.mail.protection.outlook.com",
          exo,
          epost: { ...epost, egressIps: [] },
        },
        /egressIps is missing, so EXO would have no inbound connector/,
      ],
      [{ ...base, mode: "xoauth2", xoauth2: { data: "d" }, exo }, /the Entra app .* is missing/],
      [
        {
          ...base,
          mode: "xoauth2",
          exo,
          xoauth2: { app: { appId: "a", servicePrincipalObjectId: "b" } },
        },
        /authentication data .* is missing/,
      ],
      [
        {
          ...base,
          mode: "relay",
          relaySmartHost: "x.mail.protection.outlook.com",
          exo,
          exoSourceRanges: [],
        },
        /exoSourceRanges is empty/,
      ],
      [
        {
          ...base,
          mode: "relay",
          relaySmartHost: "x.mail.protection.outlook.com",
          forwardedElsewhere: { "VIP1@example.jp": "vip1@partner.example" },
        },
        /vip1@example\.jp is kept on E-Post but already forwarded to vip1@partner\.example/,
      ],
      [
        {
          ...base,
          accounts: ["vip1", "VIP1"],
          mode: "relay",
          relaySmartHost: "x.mail.protection.outlook.com",
        },
        /"VIP1" is listed twice/,
      ],
    ];
    for (const [args, message] of cases) {
      const gaps = gapsOf(args);
      assert.ok(
        gaps.some((g) => message.test(g)),
        `${message}: ${JSON.stringify(gaps)}`,
      );
    }
    assert.throws(
      () => new link.HybridMailLink("broken", { ...base, mode: "relay", exo } as any),
      /the hybrid mail link "broken" is incomplete or unsafe:\n {2}- relay mode: relaySmartHost/,
    );
  });

  it("declares both halves of a relay link with the expected objects", async function () {
    const rs = await declare("relay", {
      ...base,
      mode: "relay",
      relaySmartHost: "example-jp.mail.protection.outlook.com",
      exo,
    });
    const count = (t: string) => rs.filter((r) => r.type === t).length;
    assert.equal(count("pulumi-nodejs:dynamic/epost:HostsEntry"), 1);
    assert.equal(count("pulumi-nodejs:dynamic/epost:Alias"), 2);
    assert.equal(count("pulumi-nodejs:dynamic/epost:GatewayRoute"), 2);
    assert.equal(count("pulumi-nodejs:dynamic/epost:RelayTrust"), 3);
    assert.equal(count("pulumi-nodejs:dynamic/exo:InboundConnector"), 1);
    assert.equal(count("pulumi-nodejs:dynamic/exo:OutboundSpamPolicy"), 1);
    assert.equal(count("pulumi-nodejs:dynamic/exo:OutboundSpamRule"), 1);
    assert.equal(count("pulumi-nodejs:dynamic/exo:RemoteDomain"), 1);
    assert.equal(count("pulumi-nodejs:dynamic/exo:MailboxForwarding"), 2);
    assert.equal(count("pulumi-nodejs:dynamic/exo:ServicePrincipal"), 0);
    const inbound = rs.find((r) => r.type === "pulumi-nodejs:dynamic/exo:InboundConnector")!;
    assert.deepEqual(unwrap(inbound.inputs.senderIpAddresses), ["203.0.113.10"]);
    const fwd = rs.find((r) => r.name === "relay-forward-vip1")!;
    assert.equal(fwd.inputs.forwardingSmtpAddress, "vip1@intra.example.jp");
    const rule = rs.find((r) => r.type === "pulumi-nodejs:dynamic/exo:OutboundSpamRule")!;
    assert.deepEqual(rule.inputs.from, ["vip1@example.jp", "legacy@example.jp"]);
  });

  it("restarts EPSTRS only when asked: after the trust lines change, and after one is removed", async function () {
    const relay = {
      ...base,
      mode: "relay",
      relaySmartHost: "example-jp.mail.protection.outlook.com",
    };
    const plain = await declare("norestart", relay);
    assert.equal(plain.filter((r) => r.type.endsWith(":ServiceRestart")).length, 0);
    const rs = await declare("withrestart", {
      ...relay,
      epost: { ...epost, restartService: { method: "sc" } },
    });
    const restarts = rs.filter((r) => r.type === "pulumi-nodejs:dynamic/epost:ServiceRestart");
    assert.deepEqual(
      restarts.map((r) => [r.name, r.inputs.method, r.inputs.when ?? "afterChange"]),
      [
        ["withrestart-restart-after-removal", "sc", "afterRemoval"],
        ["withrestart-restart-after-trust", "sc", "afterChange"],
      ],
    );
    // One named trigger per effect.dat line: two accounts and one EXO range.
    const names = ["trust-exo-40-92-0-0-15", "trust-legacy", "trust-vip1"];
    assert.deepEqual(Object.keys(restarts[0].inputs.triggers as object).sort(), names);
    assert.deepEqual(Object.keys(restarts[1].inputs.triggers as object).sort(), names);
  });

  it("wires the Entra app's service principal object id, not the app's, into EXO for XOAUTH2", async function () {
    const before = registered.length;
    const app = entra.createXoauth2App("smtp");
    const rs = await declare("oauth", {
      ...base,
      mode: "xoauth2",
      exo,
      xoauth2: { data: pulumi.interpolate`${app.tenantId}:${app.appId}:${app.clientSecret}`, app },
    });
    const all = registered.slice(before);
    const types = all.map((r) => r.type);
    for (const t of [
      "azuread:index/application:Application",
      "azuread:index/servicePrincipal:ServicePrincipal",
      "azuread:index/appRoleAssignment:AppRoleAssignment",
      "azuread:index/applicationPassword:ApplicationPassword",
    ]) {
      assert.ok(types.includes(t), t);
    }
    const consent = all.find(
      (r) => r.type === "azuread:index/appRoleAssignment:AppRoleAssignment",
    )!;
    assert.equal(consent.inputs.appRoleId, "role-smtp-sendasapp");
    assert.equal(consent.inputs.principalObjectId, "sp-object-smtp");
    assert.equal(consent.inputs.resourceObjectId, "sp-object-smtp-exchange-online");
    const sp = rs.find((r) => r.type === "pulumi-nodejs:dynamic/exo:ServicePrincipal")!;
    assert.equal(sp.inputs.objectId, "sp-object-smtp");
    assert.equal(sp.inputs.appId, "client-smtp");
    assert.equal(
      rs.filter((r) => r.type === "pulumi-nodejs:dynamic/exo:MailboxPermission").length,
      2,
    );
    assert.equal(
      rs.filter((r) => r.type === "pulumi-nodejs:dynamic/exo:CasMailboxSmtpAuth").length,
      2,
    );
    const route = rs.find((r) => r.name === "route-vip1")!;
    assert.equal(route.inputs.port, 587);
    assert.equal(unwrap(route.inputs.auth).data, "tenant-guid:client-smtp:generated-secret");
  });

  it("declares an SPF record in Azure DNS with E-Post's egress address", async function () {
    const before = registered.length;
    const rec = entra.spfRecord("spf", {
      resourceGroupName: "rg",
      zoneName: "example.jp",
      egressIps: ["203.0.113.10"],
    });
    await settle(rec);
    const r = registered.slice(before).find((x) => x.type === "azure-native:dns:RecordSet")!;
    assert.deepEqual(r.inputs.txtRecords, [
      { value: ["v=spf1 include:spf.protection.outlook.com ip4:203.0.113.10 -all"] },
    ]);
    assert.equal(r.inputs.relativeRecordSetName, "@");
  });
});
