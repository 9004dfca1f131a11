import assert from "node:assert/strict";
import { relayTrustKind, classifySource } from "../../provider/entries/relayTrustKind";
import { checkLayout, resolveLayout, toSftpPath } from "../../provider/layout";
import { providers } from "../../provider/runtime";
import { checkConnection } from "../../provider/transport/connection";
import {
  UNKNOWN,
  checkAddress,
  checkCidr,
  checkHostname,
  checkOctetWildcard,
  checkPort,
} from "../../provider/validation/fields";

const connection = {
  host: "epost.example.jp",
  username: "epostadmin",
  privateKey:
    "-----BEGIN OPENSSH PRIVATE KEY-----\nsecret-key-material\n-----END OPENSSH PRIVATE KEY-----",
  hostKey: "SHA256:" + "a".repeat(43),
};

describe("field validators", function () {
  const addresses: [unknown, boolean][] = [
    ["vip1@example.jp", true],
    ["first.last+tag@intra.example.jp", true],
    ["vip1@example", false],
    ["@example.jp", false],
    ["vip1@", false],
    ["vi p1@example.jp", false],
    ["vip1@example.jp\r\n", false],
    ["vip1|x@example.jp", false],
    ["vip1,x@example.jp", false],
    ["vip1\t@example.jp", false],
    ["a..b@example.jp", false],
    ["*@example.jp", false],
    ["x".repeat(65) + "@example.jp", false],
    ["vip1@" + "a".repeat(64) + ".jp", false],
    [42, false],
    [undefined, false],
  ];
  for (const [value, ok] of addresses) {
    it(`${ok ? "accepts" : "refuses"} the address ${JSON.stringify(value)}`, function () {
      assert.equal(checkAddress(value) === undefined, ok, checkAddress(value));
    });
  }

  it("accepts *@domain only where wildcards are allowed", function () {
    assert.equal(checkAddress("*@example.jp", { allowWildcard: true }), undefined);
  });

  it("names the value and the rule in its message", function () {
    assert.equal(
      checkAddress("not-an-address"),
      '"not-an-address" is not a mail address: expected local-part@domain, such as "vip1@example.jp"',
    );
  });

  const cidrs: [string, number | undefined][] = [
    ["40.92.0.0/15", 15],
    ["192.0.2.0/24", 24],
    ["192.0.2.7/32", 32],
    ["0.0.0.0/0", 0],
    ["192.0.2.1/24", undefined],
    ["192.0.2.0/33", undefined],
    ["192.0.2/24", undefined],
    ["300.0.0.0/8", undefined],
  ];
  for (const [value, prefix] of cidrs) {
    it(`reads the CIDR ${value} as ${prefix === undefined ? "invalid" : "/" + prefix}`, function () {
      assert.equal(checkCidr(value).prefix, prefix);
    });
  }

  it("says which network a CIDR with host bits meant", function () {
    assert.match(checkCidr("192.0.2.1/24").reason!, /the network is "192\.0\.2\.0\/24"/);
  });

  const wildcards: [string, number | undefined][] = [
    ["192.168.1.*", 3],
    ["192.168.*.*", 2],
    ["*.*.*.*", 0],
    ["192.*.1.*", undefined],
    ["192.168.1", undefined],
    ["192.168.1.1", undefined],
  ];
  for (const [value, fixed] of wildcards) {
    it(`reads the octet wildcard ${value} as ${fixed === undefined ? "invalid" : fixed + " fixed octets"}`, function () {
      assert.equal(checkOctetWildcard(value).fixed, fixed);
    });
  }

  it("checks host names label by label", function () {
    assert.equal(checkHostname("smtp.office365.com"), undefined);
    assert.equal(checkHostname("localhost"), undefined);
    assert.match(checkHostname("-bad.example.jp")!, /not a valid host name/);
    assert.match(checkHostname("a".repeat(254))!, /at most 253/);
    assert.match(checkHostname("192.0.2.1")!, /looks like an IP address/);
  });

  it("checks ports as whole numbers from 1 to 65535", function () {
    assert.equal(checkPort(25), undefined);
    for (const bad of [0, 65536, 25.5, "25", -1]) assert.ok(checkPort(bad));
  });
});

describe("relay trust sources", function () {
  const kinds: [string, string | undefined][] = [
    ["vip1@example.jp", "address"],
    ["*@example.jp", "address"],
    ["192.0.2.10", "ip"],
    ["192.0.2.*", "wildcard"],
    ["40.92.0.0/15", "cidr"],
    ["example.jp", "domain"],
    ["*.*.*.*", "catchAll"],
    ["#<>", undefined],
    ["192.0.2.010", undefined],
  ];
  for (const [source, kind] of kinds) {
    it(`classifies ${source} as ${kind ?? "invalid"}`, function () {
      assert.equal(classifySource(source).kind, kind);
    });
  }

  const trust = (source: string, extra: Record<string, unknown> = {}) =>
    relayTrustKind.check({ source, ...extra }).failures.map((f) => f.property);

  it("refuses true for whole domains and catch-alls", function () {
    for (const s of ["example.jp", "*@example.jp", "*", "*.*.*.*", "0.0.0.0/0"]) {
      assert.deepEqual(trust(s), ["source"], s);
    }
  });

  it("allows restrictive actions for the same sources", function () {
    for (const s of ["example.jp", "*.*.*.*"])
      assert.deepEqual(trust(s, { action: "norelay" }), [], s);
  });

  it("needs allowBroadRange for true wider than /24", function () {
    assert.deepEqual(trust("40.92.0.0/15"), ["source"]);
    assert.deepEqual(trust("192.168.*.*"), ["source"]);
    assert.deepEqual(trust("40.92.0.0/15", { allowBroadRange: true }), []);
    assert.deepEqual(trust("192.0.2.0/24"), []);
  });
});

describe("connection and layout", function () {
  it("accepts a complete connection", function () {
    assert.deepEqual(checkConnection(connection), []);
  });

  it("reports every problem at once, without showing secrets", function () {
    const failures = checkConnection({
      host: "bad host",
      port: 0,
      username: "",
      hostKey: "abc",
      password: 5,
    });
    assert.deepEqual(
      failures.map((f) => f.property),
      [
        "connection.host",
        "connection.port",
        "connection.username",
        "connection.hostKey",
        "connection.password",
      ],
    );
    assert.equal(JSON.stringify(failures).includes("secret-key-material"), false);
  });

  it("requires a private key or a password", function () {
    const rest: Record<string, unknown> = { ...connection };
    delete rest.privateKey;
    assert.deepEqual(
      checkConnection(rest).map((f) => f.property),
      ["connection.privateKey"],
    );
  });

  it("maps Windows paths to the SFTP form and leaves POSIX paths alone", function () {
    assert.equal(
      toSftpPath("C:/Program Files/EPOST/MS/gateway.dat"),
      "/C:/Program Files/EPOST/MS/gateway.dat",
    );
    assert.equal(toSftpPath("d:\\EPOST\\MS\\effect.dat"), "/D:/EPOST/MS/effect.dat");
    assert.equal(toSftpPath("/srv/epost/gateway.dat"), "/srv/epost/gateway.dat");
  });

  it("derives file paths from the install folder", function () {
    assert.deepEqual(resolveLayout({ installDir: "D:\\EPOST\\MS" }), {
      installDir: "/D:/EPOST/MS",
      gatewayFile: "/D:/EPOST/MS/gateway.dat",
      effectFile: "/D:/EPOST/MS/effect.dat",
      aliasFile: "/D:/EPOST/MS/alias.dat",
      hostsFile: "/C:/Windows/System32/drivers/etc/hosts",
      encoding: "cp932",
      backupDir: "/D:/EPOST/MS/epost-hybrid-backup",
      keepBackups: 10,
    });
  });

  it("refuses relative paths, .. segments and unknown encodings", function () {
    const failures = checkLayout({
      installDir: "EPOST/MS",
      gatewayFile: "C:/EPOST/../x",
      encoding: "ebcdic-x",
      extra: 1,
    });
    assert.deepEqual(
      failures.map((f) => f.property),
      ["layout.installDir", "layout.gatewayFile", "layout.encoding", "layout.extra"],
    );
  });
});

describe("provider check", function () {
  it("reports every bad field of one resource together and derives no line", async function () {
    const { inputs, failures } = await providers.gateway.check(
      {},
      {
        connection,
        sender: "bad",
        smartHost: "smtp.office365.com",
        port: 0,
      },
    );
    assert.deepEqual(
      failures.map((f) => f.property),
      ["sender", "port"],
    );
    assert.equal(inputs.line, undefined);
  });

  it("derives the host, file and line for the preview", async function () {
    const { inputs, failures } = await providers.gateway.check(
      {},
      {
        connection,
        sender: "vip1@example.jp",
        smartHost: "smtp.office365.com",
        port: 587,
        auth: { scheme: "1XOAUTH2", data: "opaque-data" },
      },
    );
    assert.deepEqual(failures, []);
    assert.equal(inputs.target, "epostadmin@epost.example.jp:22");
    assert.equal(inputs.file, "/C:/Program Files/EPOST/MS/gateway.dat");
    assert.equal(inputs.line, "*|vip1@example.jp,smtp.office365.com|1XOAUTH2|[secret],587");
    assert.equal(inputs.recipientDomain, "*");
  });

  it("passes values unknown at preview through without failing", async function () {
    const { failures, inputs } = await providers.alias.check(
      {},
      { connection, alias: UNKNOWN, address: "vip1@intra.example.jp" },
    );
    assert.deepEqual(failures, []);
    assert.equal(inputs.line, undefined);
  });

  it("refuses unknown inputs by name", async function () {
    const { failures } = await providers.alias.check(
      {},
      { connection, alias: "a@example.jp", address: "b@example.jp", adress: "x" },
    );
    assert.deepEqual(
      failures.map((f) => f.property),
      ["adress"],
    );
  });
});
