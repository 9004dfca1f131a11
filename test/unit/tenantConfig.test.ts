import assert from "node:assert/strict";
import { formatProblems, readTenantConfig } from "../../provider/program/tenantConfig";

function raw(values: Record<string, unknown>, secrets: string[] = ["sshPrivateKey"]) {
  const all: Record<string, string> = {};
  for (const [k, v] of Object.entries(values))
    all[k] = typeof v === "string" ? v : JSON.stringify(v);
  for (const s of secrets) all[s] = "secret-value";
  return { get: (k: string) => all[k], isSecret: (k: string) => secrets.includes(k) };
}

const good = {
  domain: "example.jp",
  accounts: ["vip1", "legacy"],
  mode: "relay",
  relaySmartHost: "example-jp.mail.protection.outlook.com",
  epost: {
    host: "127.0.0.1",
    port: 20022,
    username: "root",
    hostKey: "SHA256:" + "b".repeat(43),
    ip: "192.168.1.10",
  },
  exoSourceRanges: ["40.92.0.0/15"],
};

describe("tenant configuration", function () {
  it("fills in the intranet subdomain, port and XOAUTH2 scheme", function () {
    const { config, problems } = readTenantConfig(raw(good));
    assert.deepEqual(problems, []);
    assert.equal(config?.intranetDomain, "intra.example.jp");
    assert.equal(config?.xoauth2Scheme, "1XOAUTH2");
    assert.equal(config?.epost.port, 20022);
  });

  it("refuses misspelt or unknown keys inside epost, naming each and the allowed keys", function () {
    const typo = {
      ...good,
      epost: { ...good.epost, restartservice: { method: "sc" }, sharRoot: "D:/EPOST" },
    };
    const { config, problems } = readTenantConfig(raw(typo));
    assert.equal(config, undefined);
    assert.deepEqual(
      problems.map((p) => p.key),
      ["epost-hybrid:epost.restartservice", "epost-hybrid:epost.sharRoot"],
    );
    assert.match(problems[0].message, /^unknown key; allowed are transport, share, shareRoot,/);
    assert.match(problems[0].message, /restartService/);
    assert.equal(
      problems[1].fix,
      "pulumi config rm --path 'epost-hybrid:epost.sharRoot', or correct its spelling",
    );
    const nested = readTenantConfig(
      raw({ ...good, epost: { ...good.epost, restartService: { methd: "sc" } } }),
    );
    assert.deepEqual(
      nested.problems.map((p) => [p.key, p.message]),
      [["epost-hybrid:epost.restartService.methd", "unknown key; allowed are service, method"]],
    );
  });

  it("shows the refused value, and names the stack in each fix when it is known", function () {
    const bad = { ...good, accounts: ["vip1", "le gacy"], epost: { ...good.epost, port: 99999 } };
    const { problems } = readTenantConfig(raw(bad));
    assert.deepEqual(
      problems.map((p) => p.message),
      [
        'expected the part before @, such as vip1 (got "le gacy")',
        "Too big: expected number to be <=65535 (got 99999)",
      ],
    );
    const text = formatProblems(problems, "tenant-a");
    assert.ok(
      text.includes(
        "fix: pulumi config set --path --stack tenant-a 'epost-hybrid:accounts[1]' <value>, " +
          "or edit the list in stacks/Pulumi.tenant-a.yaml",
      ),
      text,
    );
    assert.ok(
      text.includes("fix: pulumi config set --path --stack tenant-a 'epost-hybrid:epost.port'"),
    );
  });

  it("keeps SMB encryption when asked for", function () {
    const smb = {
      ...good,
      epost: {
        transport: "smb",
        host: "epost.example.jp",
        share: "EPOST",
        username: "epostadmin",
        ip: "192.168.1.10",
        encrypt: true,
      },
    };
    const { config, problems } = readTenantConfig(raw(smb, ["smbPassword"]));
    assert.deepEqual(problems, []);
    assert.equal(config?.epost.encrypt, true);
  });

  it("reads an SMB host: share, default port 445, password as a secret, no host key", function () {
    const smb = {
      ...good,
      epost: {
        transport: "smb",
        host: "epost.example.jp",
        share: "EPOST",
        username: "epostadmin",
        ip: "192.168.1.10",
      },
    };
    const { config, problems } = readTenantConfig(raw(smb, ["smbPassword"]));
    assert.deepEqual(problems, []);
    assert.equal(config?.epost.transport, "smb");
    assert.equal(config?.epost.port, 445);
    assert.equal(config?.epost.share, "EPOST");
    const missing = readTenantConfig(
      raw({ ...smb, epost: { ...smb.epost, share: undefined, restartService: {} } }, []),
    );
    assert.deepEqual(
      missing.problems.map((p) => p.key),
      ["epost-hybrid:smbPassword", "epost-hybrid:epost.share", "epost-hybrid:epost.restartService"],
    );
    const plain = readTenantConfig(raw(smb, []));
    assert.equal(
      plain.problems[0].fix,
      "pulumi config set --secret epost-hybrid:smbPassword <value>",
    );
  });

  it("asks for the host key over SSH", function () {
    const { problems } = readTenantConfig(
      raw({ ...good, epost: { ...good.epost, hostKey: undefined } }),
    );
    assert.deepEqual(
      problems.map((p) => p.key),
      ["epost-hybrid:epost.hostKey"],
    );
  });

  it("reports every problem with its key and a fix", function () {
    const { config, problems } = readTenantConfig(
      raw(
        {
          ...good,
          accounts: ["vip1", "bad address"],
          mode: "smtp",
          epost: { ...good.epost, hostKey: "abc" },
        },
        [],
      ),
    );
    assert.equal(config, undefined);
    assert.deepEqual(
      problems.map((p) => p.key),
      [
        "epost-hybrid:accounts[1]",
        "epost-hybrid:mode",
        "epost-hybrid:epost.hostKey",
        "epost-hybrid:sshPrivateKey",
      ],
    );
    assert.equal(
      problems[0].fix,
      "pulumi config set --path 'epost-hybrid:accounts[1]' <value>, or edit the list in stacks/Pulumi.<stack>.yaml",
    );
    assert.match(problems[3].fix, /pulumi config set --secret epost-hybrid:sshPrivateKey/);
    assert.match(formatProblems(problems), /^the stack configuration has 4 problem\(s\):/);
  });

  it("refuses a private key stored as plain text", function () {
    const values = {
      ...raw(good, []),
      get: (k: string) => (k === "sshPrivateKey" ? "plain" : raw(good, []).get(k)),
    };
    const { problems } = readTenantConfig(values);
    assert.deepEqual(
      problems.map((p) => [p.key, p.message]),
      [["epost-hybrid:sshPrivateKey", "is stored as plain text; it must be a secret"]],
    );
  });

  it("needs the XOAUTH2 data in xoauth2 mode and the smart host in relay mode", function () {
    const x = readTenantConfig(raw({ ...good, mode: "xoauth2" }));
    assert.deepEqual(
      x.problems.map((p) => p.key),
      ["epost-hybrid:xoauth2Data"],
    );
    const r = readTenantConfig(raw({ ...good, relaySmartHost: undefined }));
    assert.deepEqual(
      r.problems.map((p) => p.key),
      ["epost-hybrid:relaySmartHost"],
    );
  });

  it("refuses a sending range that is not a CIDR block", function () {
    const { problems } = readTenantConfig(raw({ ...good, exoSourceRanges: ["40.92.0.0"] }));
    assert.deepEqual(
      problems.map((p) => p.key),
      ["epost-hybrid:exoSourceRanges[0]"],
    );
  });
});
