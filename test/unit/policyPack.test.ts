import assert from "node:assert/strict";
import * as path from "node:path";

// The rules are plain functions in the pack, so they are tested here without the policy engine.
const rules = require(path.resolve(__dirname, "../../../policy/rules.js")) as {
  relayTrust(type: string, props: Record<string, unknown>): string[];
  exoRoutePorts(type: string, props: Record<string, unknown>): string[];
  TRUST: string;
  ROUTE: string;
};

describe("the mail-relay policy pack", function () {
  const trust = (props: Record<string, unknown>) => rules.relayTrust(rules.TRUST, props);
  const route = (props: Record<string, unknown>) => rules.exoRoutePorts(rules.ROUTE, props);

  it("flags domain-wide and catch-all trust", function () {
    for (const source of ["example.jp", "*@example.jp", "*", "*.*.*.*", "0.0.0.0/0"]) {
      assert.equal(trust({ source, action: "true", allowBroadRange: true }).length, 1, source);
    }
  });

  it("flags true wider than /24 unless allowBroadRange is set", function () {
    assert.equal(trust({ source: "40.92.0.0/15" }).length, 1);
    assert.equal(trust({ source: "192.168.*.*" }).length, 1);
    assert.deepEqual(trust({ source: "40.92.0.0/15", allowBroadRange: true }), []);
    assert.deepEqual(trust({ source: "192.0.2.0/24" }), []);
  });

  it("passes single senders, single IPs and restrictive actions", function () {
    assert.deepEqual(trust({ source: "vip1@example.jp" }), []);
    assert.deepEqual(trust({ source: "192.0.2.10", action: "true" }), []);
    assert.deepEqual(trust({ source: "*.*.*.*", action: "norelay" }), []);
  });

  it("requires port 25 for the relay host and 587 with XOAUTH2 for smtp.office365.com", function () {
    assert.deepEqual(route({ smartHost: "example-jp.mail.protection.outlook.com", port: 25 }), []);
    assert.equal(
      route({ smartHost: "example-jp.mail.protection.outlook.com", port: 587 }).length,
      1,
    );
    assert.deepEqual(
      route({
        smartHost: "smtp.office365.com",
        port: 587,
        auth: { scheme: "1XOAUTH2", data: "x" },
      }),
      [],
    );
    assert.equal(route({ smartHost: "smtp.office365.com", port: 25, auth: {} }).length, 1);
    assert.equal(route({ smartHost: "smtp.office365.com", port: 587 }).length, 1);
    assert.deepEqual(route({ smartHost: "relay.isp.example", port: 2525 }), []);
  });

  it("ignores other resource types", function () {
    assert.deepEqual(rules.relayTrust("pulumi-nodejs:dynamic/epost:Alias", { source: "*" }), []);
  });
});
