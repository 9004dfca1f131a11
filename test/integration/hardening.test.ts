import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as iconv from "iconv-lite";
import * as path from "node:path";
import { resetBackupMemory, resetEditorStats } from "../../provider/editing/fileEditor";
import { errorCode } from "../../provider/errors";
import { readTenantConfig } from "../../provider/program/tenantConfig";
import { providers } from "../../provider/runtime";
import { closeAllSessions } from "../../provider/transport/sshSession";
import { crlf, FILES, original, originalLines, sha256 } from "../harness/bytes";
import { SshHost, startSshd } from "../harness/sshd";

type Props = Record<string, unknown>;

/** Cases found by trying to break the editing layer: each once lost or leaked something. */
describe("hardening against real-world files, races and input", function () {
  let host: SshHost;

  before(async function () {
    host = await startSshd();
  });

  after(async function () {
    await closeAllSessions();
    await host?.stop();
  });

  beforeEach(function () {
    for (const rel of Object.values(FILES)) {
      fs.writeFileSync(host.file(rel), original(rel));
      fs.chmodSync(host.file(rel), 0o644);
    }
    const dir = host.file("Program Files/EPOST/MS");
    for (const n of fs.readdirSync(dir))
      if (n.includes("epost-hybrid"))
        fs.rmSync(path.join(dir, n), { recursive: true, force: true });
    resetBackupMemory();
    resetEditorStats();
  });

  const read = (rel: string) => fs.readFileSync(host.file(rel));
  const args = (extra: Props): Props => ({
    connection: host.connection(),
    ...(host.layout ? { layout: host.layout } : {}),
    ...extra,
  });

  async function create(kind: string, extra: Props) {
    const { inputs, failures } = await providers[kind].check({}, args(extra));
    assert.deepEqual(failures, []);
    return providers[kind].create(inputs);
  }

  function runProcess(aliases: string[]): Promise<string> {
    const script = path.resolve(__dirname, "../harness/createAliasProcess.js");
    return new Promise((resolve) => {
      const child = spawn(process.execPath, [script, ...aliases], {
        env: { ...process.env, EPOST_TEST_CONNECTION: JSON.stringify(args({})) },
        stdio: ["ignore", "pipe", "pipe"],
      });
      let out = "";
      child.stdout.on("data", (d) => (out += d.toString()));
      child.on("close", () => resolve(out.trim()));
    });
  }

  it("loses no line when three deploys find the same stale lock at once", async function () {
    this.timeout(120_000);
    const lock = host.file(FILES.alias) + ".epost-hybrid.lock";
    for (let trial = 0; trial < 8; trial++) {
      fs.writeFileSync(host.file(FILES.alias), original(FILES.alias));
      fs.writeFileSync(lock, "crashed-host pid 1 0\r\n");
      const old = new Date(Date.now() - 3600_000);
      fs.utimesSync(lock, old, old);
      const names = [0, 1, 2].map((p) => `t${trial}p${p}@example.jp`);
      const results = await Promise.all(names.map((n) => runProcess([n])));
      assert.deepEqual(results, ["ok", "ok", "ok"], `trial ${trial}`);
      const text = read(FILES.alias).toString("latin1");
      for (const n of names) assert.ok(text.includes(`${n}\t`), `trial ${trial}: ${n} is missing`);
      assert.equal(fs.existsSync(lock), false, `trial ${trial}: a lock was left`);
    }
  });

  it("takes over at once a lock whose process on this machine has ended", async function () {
    const lock = host.file(FILES.alias) + ".epost-hybrid.lock";
    fs.writeFileSync(lock, `${require("node:os").hostname()} pid 999999 abc\r\n`);
    const t0 = Date.now();
    await create("alias", { alias: "vip1@example.jp", address: "vip1@intra.example.jp" });
    assert.ok(Date.now() - t0 < 5_000);
    assert.equal(fs.existsSync(lock), false);
  });

  it("keeps the file's permission bits when it replaces it", async function () {
    fs.chmodSync(host.file(FILES.gateway), 0o600);
    await create("gateway", {
      sender: "vip1@example.jp",
      smartHost: "smtp.office365.com",
      port: 587,
      auth: { scheme: "1XOAUTH2", data: "abc" },
    });
    assert.equal(fs.statSync(host.file(FILES.gateway)).mode & 0o777, 0o600);
  });

  it("cleans up a temporary file left by a dropped connection, once it holds the lock", async function () {
    const tmp = host.file(FILES.alias) + ".epost-hybrid-tmp-123-deadbeef";
    fs.writeFileSync(tmp, "half");
    await create("alias", { alias: "vip1@example.jp", address: "vip1@intra.example.jp" });
    assert.equal(fs.existsSync(tmp), false);
  });

  it("puts the file back when a run died between the two renames of the fallback replace", async function () {
    const aside = host.file(FILES.alias) + ".epost-hybrid-old-1-2";
    fs.renameSync(host.file(FILES.alias), aside);
    await create("alias", { alias: "vip1@example.jp", address: "vip1@intra.example.jp" });
    const [info, sales] = originalLines(FILES.alias);
    assert.deepEqual(
      read(FILES.alias),
      crlf(info, sales, "vip1@example.jp\tvip1@intra.example.jp"),
    );
    assert.equal(fs.existsSync(aside), false);
  });

  it("refuses to create a file that does not exist, naming the layout field", async function () {
    fs.rmSync(host.file(FILES.alias));
    await assert.rejects(
      create("alias", { alias: "vip1@example.jp", address: "vip1@intra.example.jp" }),
      /alias\.dat does not exist on .*check layout\.aliasFile/,
    );
    assert.equal(fs.existsSync(host.file(FILES.alias)), false);
  });

  it("refuses a UTF-16 file instead of appending CP932 bytes to it", async function () {
    const utf16 = Buffer.concat([
      Buffer.from([0xff, 0xfe]),
      Buffer.from("127.0.0.1 localhost\r\n", "utf16le"),
    ]);
    fs.writeFileSync(host.file(FILES.hosts), utf16);
    await assert.rejects(
      create("hosts", { ip: "192.168.1.10", hostnames: ["intra.example.jp"] }),
      (err: Error) => errorCode(err) === "EPOST_PARSE" && /UTF-16/.test(err.message),
    );
    assert.deepEqual(read(FILES.hosts), utf16);
  });

  it("keeps an admin's note when it rewrites an adopted line", async function () {
    const [partner, , catchAll] = originalLines(FILES.gateway);
    const note = iconv.encode(" // 担当: 山田", "cp932");
    fs.writeFileSync(
      host.file(FILES.gateway),
      crlf(
        partner,
        Buffer.concat([Buffer.from("*|vip1@example.jp,old.example.com,25"), note]),
        catchAll,
      ),
    );
    await create("gateway", {
      sender: "vip1@example.jp",
      smartHost: "example-jp.mail.protection.outlook.com",
      adopt: true,
    });
    assert.deepEqual(
      read(FILES.gateway),
      crlf(
        partner,
        Buffer.concat([
          Buffer.from("*|vip1@example.jp,example-jp.mail.protection.outlook.com,25"),
          note,
        ]),
        catchAll,
      ),
    );
  });

  it("keeps a hosts comment and an alias note column on rewrite", async function () {
    const hostsLines = originalLines(FILES.hosts);
    fs.writeFileSync(
      host.file(FILES.hosts),
      crlf(...hostsLines, "10.0.0.1\tintra.example.jp\t# E-Post (do not remove)"),
    );
    await create("hosts", { ip: "192.168.1.10", hostnames: ["intra.example.jp"], adopt: true });
    assert.deepEqual(
      read(FILES.hosts),
      crlf(...hostsLines, "192.168.1.10    intra.example.jp\t# E-Post (do not remove)"),
    );
    const [info, sales] = originalLines(FILES.alias);
    fs.writeFileSync(
      host.file(FILES.alias),
      crlf(info, sales, "vip1@example.jp\told@intra.example.jp\t; kept for CEO"),
    );
    await create("alias", {
      alias: "vip1@example.jp",
      address: "vip1@intra.example.jp",
      adopt: true,
    });
    assert.deepEqual(
      read(FILES.alias),
      crlf(info, sales, "vip1@example.jp\tvip1@intra.example.jp\t; kept for CEO"),
    );
  });

  it("never puts a new effect.dat line behind the catch-all, even with #blank below it", async function () {
    fs.writeFileSync(
      host.file(FILES.effect),
      crlf("#<> default", "127.0.0.1 true", "*.*.*.* norelay,2", "#blank false"),
    );
    await create("effect", { source: "vip1@example.jp" });
    assert.deepEqual(
      read(FILES.effect),
      crlf(
        "#<> default",
        "127.0.0.1 true",
        "vip1@example.jp true",
        "*.*.*.* norelay,2",
        "#blank false",
      ),
    );
  });

  it("recognises a catch-all whose note follows the port without a space", async function () {
    fs.writeFileSync(host.file(FILES.gateway), crlf("*,relay.isp.example,25// default"));
    await create("gateway", {
      sender: "vip1@example.jp",
      smartHost: "example-jp.mail.protection.outlook.com",
    });
    assert.deepEqual(
      read(FILES.gateway),
      crlf(
        "*|vip1@example.jp,example-jp.mail.protection.outlook.com,25",
        "*,relay.isp.example,25// default",
      ),
    );
  });

  it("writes new lines with the file's usual line ending", async function () {
    fs.writeFileSync(
      host.file(FILES.alias),
      Buffer.from("# header\na@example.jp\tb@example.jp\r\nc@example.jp\td@example.jp\r\n"),
    );
    await create("alias", { alias: "vip1@example.jp", address: "vip1@intra.example.jp" });
    assert.equal(
      read(FILES.alias).toString("latin1"),
      "# header\na@example.jp\tb@example.jp\r\nc@example.jp\td@example.jp\r\nvip1@example.jp\tvip1@intra.example.jp\r\n",
    );
  });

  it("updates in place when only the host key or login changes, so a rotated key is no replacement", async function () {
    const { id, outs } = await create("alias", {
      alias: "vip1@example.jp",
      address: "vip1@intra.example.jp",
    });
    const { inputs } = await providers.alias.check(
      {},
      args({ alias: "vip1@example.jp", address: "vip1@intra.example.jp" }),
    );
    inputs.connection = {
      ...(inputs.connection as Props),
      hostKey: "SHA256:" + "Z".repeat(43),
      username: "other",
    };
    assert.deepEqual(await providers.alias.diff(id, outs, inputs), {
      changes: true,
      replaces: [],
      deleteBeforeReplace: false,
    });
  });

  describe("input that once slipped through", function () {
    const hashes = () => Object.values(FILES).map((rel) => sha256(read(rel)));
    const refused: [string, Props, string][] = [
      ["effect", { source: "0.0.0.0/00", allowBroadRange: true }, "source"],
      ["effect", { source: "0.0.0.0/1", allowBroadRange: true }, "source"],
      ["effect", { source: "10.*.*.*", allowBroadRange: true }, "source"],
      [
        "gateway",
        {
          sender: "vip1@example.jp",
          smartHost: "smtp.office365.com",
          auth: { scheme: "1XOAUTH2", data: "TOKENé" },
        },
        "auth.data",
      ],
      [
        "gateway",
        {
          sender: "vip1@example.jp",
          smartHost: "smtp.office365.com",
          auth: { scheme: "1XOAUTH2", data: "TOKEN\u0085x" },
        },
        "auth.data",
      ],
      [
        "alias",
        {
          alias: "vip1@example.jp",
          address: "vip1@intra.example.jp",
          layout: { ...(host?.layout ?? {}), encoding: "utf16le" },
        },
        "layout.encoding",
      ],
    ];
    for (const [kind, extra, field] of refused) {
      it(`refuses ${kind} ${JSON.stringify(extra).slice(0, 90)} at preview, naming ${field}`, async function () {
        const before = hashes();
        const { failures } = await providers[kind].check(
          {},
          {
            ...args({}),
            ...extra,
            ...(extra.layout && host.layout
              ? { layout: { ...host.layout, ...(extra.layout as Props) } }
              : {}),
          },
        );
        assert.ok(
          failures.some((f) => f.property === field),
          JSON.stringify(failures),
        );
        assert.deepEqual(hashes(), before);
      });
    }

    it("never shows authentication data in a refusal, even when scheme and data are swapped", async function () {
      const secret = "s3cr3t.TOKEN/value=";
      const { failures } = await providers.gateway.check(
        {},
        args({
          sender: "vip1@example.jp",
          smartHost: "smtp.office365.com",
          auth: { scheme: secret, data: "1XOAUTH2" },
        }),
      );
      assert.equal(failures.length, 1);
      assert.equal(JSON.stringify(failures).includes(secret), false);
    });

    it("refuses a sending range wider than /12 in the stack config", function () {
      const { problems } = readTenantConfig({
        get: (k) =>
          ({
            domain: "example.jp",
            accounts: '["vip1"]',
            mode: "relay",
            relaySmartHost: "example-jp.mail.protection.outlook.com",
            epost: JSON.stringify({
              host: "h",
              username: "u",
              hostKey: "SHA256:" + "a".repeat(43),
              ip: "192.0.2.1",
            }),
            exoSourceRanges: '["0.0.0.0/1"]',
            sshPrivateKey: "k",
          })[k],
        isSecret: (k) => k === "sshPrivateKey",
      });
      assert.deepEqual(
        problems.map((p) => p.key),
        ["epost-hybrid:exoSourceRanges[0]"],
      );
    });
  });
});
