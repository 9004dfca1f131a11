import assert from "node:assert/strict";
import fc from "fast-check";
import { parseAliasLine, renderAliasLine } from "../../provider/formats/aliasTable";
import { parseEffectLine } from "../../provider/formats/effectDat";
import {
  GatewayRule,
  parseGatewayLine,
  renderGatewayLine,
} from "../../provider/formats/gatewayDat";
import { parseHostsLine, renderHostsLine } from "../../provider/formats/hostsFile";

describe("gateway.dat lines", function () {
  const table: [string, GatewayRule | undefined][] = [
    [
      "partner.example.net,192.0.2.25,25",
      { recipientDomain: "partner.example.net", smartHost: "192.0.2.25", port: 25 },
    ],
    ["*,relay.isp.example,25", { recipientDomain: "*", smartHost: "relay.isp.example", port: 25 }],
    [
      "*|vip1@example.jp,example-jp.mail.protection.outlook.com,25",
      {
        recipientDomain: "*",
        sender: "vip1@example.jp",
        smartHost: "example-jp.mail.protection.outlook.com",
        port: 25,
      },
    ],
    [
      "*|vip1@example.jp,smtp.office365.com|1XOAUTH2|abc.def,587",
      {
        recipientDomain: "*",
        sender: "vip1@example.jp",
        smartHost: "smtp.office365.com",
        port: 587,
        auth: { scheme: "1XOAUTH2", data: "abc.def" },
      },
    ],
    [
      "*|notice@example.jp,example-jp.mail.protection.outlook.com,25 // SMTPリレー設定例",
      {
        recipientDomain: "*",
        sender: "notice@example.jp",
        smartHost: "example-jp.mail.protection.outlook.com",
        port: 25,
      },
    ],
    [
      "example.co.jp,192.168.0.10",
      { recipientDomain: "example.co.jp", smartHost: "192.168.0.10", port: 25 },
    ],
    ["", undefined],
    ["# note", undefined],
    ["garbage", undefined],
    ["a,b,notaport", undefined],
  ];
  for (const [line, want] of table) {
    it(`parses ${JSON.stringify(line)}`, function () {
      assert.deepEqual(parseGatewayLine(line), want);
    });
  }

  it("renders what it parses", function () {
    const host = fc.constantFrom(
      "smtp.office365.com",
      "example-jp.mail.protection.outlook.com",
      "192.0.2.25",
    );
    const rule = fc.record(
      {
        recipientDomain: fc.constantFrom("*", "example.jp"),
        sender: fc.constantFrom("vip1@example.jp", "legacy@example.jp"),
        smartHost: host,
        port: fc.integer({ min: 1, max: 65535 }),
        auth: fc.record({
          scheme: fc.constantFrom("1XOAUTH2", "XOAUTH2"),
          data: fc.stringMatching(/^[A-Za-z0-9._~+/=-]{1,40}$/),
        }),
      },
      { requiredKeys: ["recipientDomain", "smartHost", "port"] },
    );
    fc.assert(
      fc.property(rule, (r) =>
        assert.deepEqual(parseGatewayLine(renderGatewayLine(r)), {
          ...r,
          ...(r.auth ? { auth: { ...r.auth } } : {}),
        }),
      ),
    );
  });
});

describe("effect.dat lines", function () {
  it("reads a bare source as true", function () {
    assert.deepEqual(parseEffectLine("192.0.2.1"), {
      source: "192.0.2.1",
      action: "true",
      bare: true,
    });
  });
  it("reads the action after the space", function () {
    assert.deepEqual(parseEffectLine("*.*.*.* norelay,2"), {
      source: "*.*.*.*",
      action: "norelay,2",
      bare: false,
    });
  });
  it("reads #<> as a token, not a comment", function () {
    assert.deepEqual(parseEffectLine("#<> default"), {
      source: "#<>",
      action: "default",
      bare: false,
    });
  });
  it("skips blank lines", function () {
    assert.equal(parseEffectLine("   "), undefined);
  });
});

describe("alias table lines", function () {
  it("round-trips alias<TAB>address", function () {
    const r = { alias: "vip1@example.jp", address: "vip1@intra.example.jp" };
    assert.deepEqual(parseAliasLine(renderAliasLine(r)), r);
  });
  it("ignores lines without a tab", function () {
    assert.equal(parseAliasLine("vip1@example.jp vip1@intra.example.jp"), undefined);
  });
});

describe("hosts lines", function () {
  it("reads names after the address and drops a trailing comment", function () {
    assert.deepEqual(parseHostsLine("192.168.1.10    mail.example.jp example.jp  # main"), {
      ip: "192.168.1.10",
      hostnames: ["mail.example.jp", "example.jp"],
    });
  });
  it("skips comment lines", function () {
    assert.equal(parseHostsLine("# 127.0.0.1 localhost"), undefined);
  });
  it("aligns names at column 16 like Windows' own file", function () {
    assert.equal(
      renderHostsLine({ ip: "192.168.1.10", hostnames: ["intra.example.jp"] }),
      "192.168.1.10    intra.example.jp",
    );
  });
});
