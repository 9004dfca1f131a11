import assert from "node:assert/strict";
import * as pulumi from "@pulumi/pulumi";
import { specialSecretSig, specialSigKey } from "@pulumi/pulumi/runtime/rpc";

type Registered = { type: string; name: string; inputs: Record<string, any> };

describe("resource classes", function () {
  const registered: Registered[] = [];
  let mod: typeof import("../../provider");

  before(async function () {
    await pulumi.runtime.setMocks(
      {
        newResource: (args) => {
          registered.push({ type: args.type, name: args.name, inputs: args.inputs });
          return { id: `${args.name}-id`, state: args.inputs };
        },
        call: () => ({}),
      },
      "epost-hybrid",
      "test",
      true,
    );
    mod = require("../../provider");
  });

  const connection = {
    host: "epost.example.jp",
    username: "epostadmin",
    privateKey: "private-key-material",
    hostKey: "SHA256:" + "a".repeat(43),
  };

  function settle(r: pulumi.Resource): Promise<string> {
    return new Promise((resolve) => r.urn.apply(resolve));
  }

  const isSecret = (v: any) =>
    v !== null && typeof v === "object" && v[specialSigKey] === specialSecretSig;

  it("registers each resource under a stable epost type token", async function () {
    await Promise.all([
      settle(
        new mod.EPostAlias("a", {
          connection,
          alias: "vip1@example.jp",
          address: "vip1@intra.example.jp",
        }),
      ),
      settle(
        new mod.EPostGatewayRoute("g", {
          connection,
          sender: "vip1@example.jp",
          smartHost: "smtp.office365.com",
        }),
      ),
      settle(new mod.EPostRelayTrust("t", { connection, source: "vip1@example.jp" })),
      settle(
        new mod.EPostHostsEntry("h", {
          connection,
          ip: "192.0.2.1",
          hostnames: ["intra.example.jp"],
        }),
      ),
    ]);
    assert.deepEqual(registered.map((r) => r.type).sort(), [
      "pulumi-nodejs:dynamic/epost:Alias",
      "pulumi-nodejs:dynamic/epost:GatewayRoute",
      "pulumi-nodejs:dynamic/epost:HostsEntry",
      "pulumi-nodejs:dynamic/epost:RelayTrust",
    ]);
  });

  it("sends the connection and the route's auth as secrets", async function () {
    await settle(
      new mod.EPostGatewayRoute("oauth", {
        connection,
        sender: "vip1@example.jp",
        smartHost: "smtp.office365.com",
        port: 587,
        auth: { scheme: "1XOAUTH2", data: "oauth-data" },
      }),
    );
    const r = registered.find((x) => x.name === "oauth")!;
    assert.ok(isSecret(r.inputs.connection));
    assert.ok(isSecret(r.inputs.auth));
    assert.equal(isSecret(r.inputs.smartHost), false);
  });

  it("serializes a thin provider alongside the inputs", async function () {
    const r = registered.find((x) => x.name === "a")!;
    assert.equal(typeof r.inputs.__provider, "string");
    assert.ok((r.inputs.__provider as string).includes("epost-hybrid/runtime"));
  });
});
