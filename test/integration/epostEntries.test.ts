import assert from "node:assert/strict";
import * as fs from "node:fs";
import {
  editFile,
  editorStats,
  resetBackupMemory,
  resetEditorStats,
  setEditorTuning,
} from "../../provider/editing/fileEditor";
import { errorCode } from "../../provider/errors";
import { providers } from "../../provider/runtime";
import { RemoteFs } from "../../provider/transport/remoteFs";
import { closeAllRemotes, openRemote } from "../../provider/transport/remote";
import { SmbConnection, SshConnection } from "../../provider/transport/connection";
import {
  DEFAULT_SMB_TUNING,
  getSmbSession,
  smbLoginCount,
} from "../../provider/transport/smbSession";
import { DEFAULT_TUNING, getSession, loginCount } from "../../provider/transport/sshSession";
import { crlf, FILES, original, originalLines, sha256 } from "../harness/bytes";
import { delegateFs } from "../harness/delegateFs";
import { SmbHost, startSmbd } from "../harness/smbd";
import { startRelay } from "../harness/tcpRelay";
import { SshHost, startSshd } from "../harness/sshd";

type Props = Record<string, unknown>;

/** What the cases need of a served host, whichever transport reaches it. */
interface Served {
  file(relative: string): string;
  connection(): Props;
  /** The layout a resource needs (undefined = the Windows defaults). */
  layout: Record<string, string> | undefined;
  /** The alias file's path as the resources see it. */
  aliasPath: string;
  /** Logins made so far by this process over this transport. */
  logins(): number;
  stop(): Promise<void>;
}

function overSsh(host: SshHost): Served {
  return {
    file: (rel) => host.file(rel),
    connection: () => host.connection(),
    layout: host.layout,
    aliasPath: host.windowsPaths
      ? "/C:/Program Files/EPOST/MS/alias.dat"
      : `${host.layout!.installDir}/alias.dat`,
    logins: loginCount,
    stop: () => host.stop(),
  };
}

function overSmb(host: SmbHost): Served {
  return {
    file: (rel) => host.file(rel),
    connection: () => host.connection(),
    layout: undefined,
    aliasPath: "/C:/Program Files/EPOST/MS/alias.dat",
    logins: smbLoginCount,
    stop: () => host.stop(),
  };
}

let sshHost: SshHost;
let smbHost: SmbHost;

describeEntries("a real OpenSSH server", "ssh", async () => {
  sshHost = await startSshd();
  console.log(
    `      peer: ${sshHost.version} on 127.0.0.1:${sshHost.port}` +
      (sshHost.windowsPaths ? ", chrooted at /C:/" : ""),
  );
  return overSsh(sshHost);
});

describeEntries("a real Samba server over SMB", "smb", async () => {
  smbHost = await startSmbd();
  console.log(
    `      peer: smbd ${smbHost.version} on 127.0.0.1:${smbHost.port}, signing mandatory`,
  );
  return overSmb(smbHost);
});

function describeEntries(peer: string, transport: "ssh" | "smb", start: () => Promise<Served>) {
  describe(`E-Post resources against ${peer}`, function () {
    let host: Served;

    before(async function () {
      host = await start();
    });

    after(async function () {
      await closeAllRemotes();
      await host?.stop();
    });

    beforeEach(function () {
      // Each test starts from the pristine tree, as a fresh run would.
      for (const rel of Object.values(FILES)) fs.writeFileSync(host.file(rel), original(rel));
      fs.rmSync(host.file("Program Files/EPOST/MS/epost-hybrid-backup"), {
        recursive: true,
        force: true,
      });
      resetBackupMemory();
      resetEditorStats();
    });

    const read = (rel: string) => fs.readFileSync(host.file(rel));

    function args(extra: Props): Props {
      return {
        connection: host.connection(),
        ...(host.layout ? { layout: host.layout } : {}),
        ...extra,
      };
    }

    async function checked(kind: string, extra: Props): Promise<Props> {
      const { inputs, failures } = await providers[kind].check({}, args(extra));
      assert.deepEqual(failures, []);
      return inputs;
    }

    async function create(kind: string, extra: Props): Promise<{ id: string; outs: Props }> {
      return providers[kind].create(await checked(kind, extra));
    }

    describe("EPostAlias", function () {
      const vip1 = { alias: "vip1@example.jp", address: "vip1@intra.example.jp" };
      const [info, sales] = originalLines(FILES.alias);

      it("appends the alias line and reports what it wrote", async function () {
        const { id, outs } = await create("alias", vip1);
        assert.deepEqual(
          read(FILES.alias),
          crlf(info, sales, "vip1@example.jp\tvip1@intra.example.jp"),
        );
        assert.equal(outs.line, "vip1@example.jp\tvip1@intra.example.jp");
        assert.equal(outs.adopted, false);
        assert.equal(outs.file, host.aliasPath);
        assert.match(id, /#vip1@example\.jp$/);
        assert.equal(Object.values(outs).includes(undefined), false);
      });

      it("rewrites only its own line when the address changes", async function () {
        const { id, outs } = await create("alias", vip1);
        const news = await checked("alias", { ...vip1, address: "vip1-new@intra.example.jp" });
        const diff = await providers.alias.diff(id, outs, news);
        assert.deepEqual(diff, { changes: true, replaces: [], deleteBeforeReplace: false });
        await providers.alias.update(id, outs, news);
        assert.deepEqual(
          read(FILES.alias),
          crlf(info, sales, "vip1@example.jp\tvip1-new@intra.example.jp"),
        );
      });

      it("is replaced, delete first, when the alias itself changes", async function () {
        const { id, outs } = await create("alias", vip1);
        const news = await checked("alias", { ...vip1, alias: "vip2@example.jp" });
        const diff = await providers.alias.diff(id, outs, news);
        assert.deepEqual(diff, { changes: true, replaces: ["alias"], deleteBeforeReplace: true });
      });

      it("treats a case-only change as no change, as E-Post compares aliases", async function () {
        const { id, outs } = await create("alias", vip1);
        const news = await checked("alias", { ...vip1, alias: "VIP1@example.jp" });
        const diff = await providers.alias.diff(id, outs, news);
        assert.deepEqual(diff, { changes: false, replaces: [], deleteBeforeReplace: false });
      });

      it("adopts a line that differs only in case and reports it as it stands", async function () {
        const { id, outs } = await create("alias", {
          alias: "INFO@Example.JP",
          address: "Support@example.jp",
        });
        assert.equal(outs.adopted, true);
        assert.equal(outs.line, "info@example.jp\tsupport@example.jp");
        assert.deepEqual(read(FILES.alias), original(FILES.alias));
        const r = await providers.alias.read(id, outs);
        const again = await checked("alias", {
          alias: "INFO@Example.JP",
          address: "Support@example.jp",
        });
        assert.equal((await providers.alias.diff(id, r.props, again)).changes, false);
      });

      it("reports no change when nothing changed", async function () {
        const { id, outs } = await create("alias", vip1);
        const diff = await providers.alias.diff(id, outs, await checked("alias", vip1));
        assert.deepEqual(diff, { changes: false, replaces: [], deleteBeforeReplace: false });
      });

      it("deletes its line and leaves the file byte-identical to the original", async function () {
        const { id, outs } = await create("alias", vip1);
        await providers.alias.delete(id, outs);
        assert.deepEqual(read(FILES.alias), original(FILES.alias));
      });

      it("finds a hand edit on refresh and reports the line's real content", async function () {
        const { id, outs } = await create("alias", vip1);
        fs.writeFileSync(
          host.file(FILES.alias),
          crlf(info, sales, "vip1@example.jp\thand@intra.example.jp"),
        );
        const r = await providers.alias.read(id, outs);
        assert.equal(r.id, id);
        assert.equal(r.props.address, "hand@intra.example.jp");
        assert.equal(r.inputs?.address, "hand@intra.example.jp");
        const diff = await providers.alias.diff(id, r.props, await checked("alias", vip1));
        assert.equal(diff.changes, true);
        await providers.alias.update(id, r.props, await checked("alias", vip1));
        assert.deepEqual(
          read(FILES.alias),
          crlf(info, sales, "vip1@example.jp\tvip1@intra.example.jp"),
        );
      });

      it("reads a vanished line as deleted", async function () {
        const { id, outs } = await create("alias", vip1);
        fs.writeFileSync(host.file(FILES.alias), original(FILES.alias));
        const r = await providers.alias.read(id, outs);
        assert.equal(r.id, "");
      });

      it("leaves a hand-changed line in place on delete", async function () {
        const { id, outs } = await create("alias", vip1);
        const edited = crlf(info, sales, "vip1@example.jp\thand@intra.example.jp");
        fs.writeFileSync(host.file(FILES.alias), edited);
        await providers.alias.delete(id, outs);
        assert.deepEqual(read(FILES.alias), edited);
      });

      it("adopts an identical existing line without writing", async function () {
        const before = read(FILES.alias);
        const { outs } = await create("alias", {
          alias: "INFO@example.jp",
          address: "support@example.jp",
        });
        assert.equal(outs.adopted, true);
        assert.deepEqual(read(FILES.alias), before);
        assert.equal(editorStats().writes, 0);
      });

      it("refuses a same-key line with other content, naming file and line", async function () {
        await assert.rejects(
          create("alias", { alias: "sales@example.jp", address: "someone@example.jp" }),
          (err: Error) => {
            assert.equal(errorCode(err), "EPOST_CONFLICT");
            assert.match(
              err.message,
              /alias\.dat on .*: line 2 already holds the alias "sales@example\.jp\\tsales-team@example\.jp"/,
            );
            assert.match(err.message, /adopt: true/);
            return true;
          },
        );
        assert.deepEqual(read(FILES.alias), original(FILES.alias));
      });

      it("takes over and rewrites a same-key line with adopt: true", async function () {
        const { outs } = await create("alias", {
          alias: "sales@example.jp",
          address: "someone@example.jp",
          adopt: true,
        });
        assert.equal(outs.adopted, true);
        assert.deepEqual(read(FILES.alias), crlf(info, "sales@example.jp\tsomeone@example.jp"));
      });

      it("backs the file up once before the first change", async function () {
        await create("alias", vip1);
        await create("alias", { alias: "legacy@example.jp", address: "legacy@intra.example.jp" });
        const dir = host.file("Program Files/EPOST/MS/epost-hybrid-backup");
        const names = fs.readdirSync(dir);
        assert.equal(names.length, 1);
        assert.match(names[0], /^alias\.dat\.\d{8}T\d{9}Z\.bak$/);
        assert.deepEqual(fs.readFileSync(`${dir}/${names[0]}`), original(FILES.alias));
        assert.deepEqual(
          fs
            .readdirSync(host.file("Program Files/EPOST/MS"))
            .filter((n) => n.includes("epost-hybrid-")),
          ["epost-hybrid-backup"],
        );
      });
    });

    describe("EPostGatewayRoute", function () {
      const [partner, notice, catchAll] = originalLines(FILES.gateway);
      const relay = {
        sender: "vip1@example.jp",
        smartHost: "example-jp.mail.protection.outlook.com",
      };
      const relayLine = "*|vip1@example.jp,example-jp.mail.protection.outlook.com,25";
      const oauth = {
        sender: "vip1@example.jp",
        smartHost: "smtp.office365.com",
        port: 587,
        auth: { scheme: "1XOAUTH2", data: "tenant-a-token-slot" },
      };
      const oauthLine = "*|vip1@example.jp,smtp.office365.com|1XOAUTH2|tenant-a-token-slot,587";

      it("puts a relay route before the catch-all line and keeps the CP932 note intact", async function () {
        const { outs } = await create("gateway", relay);
        assert.deepEqual(read(FILES.gateway), crlf(partner, notice, relayLine, catchAll));
        assert.equal(outs.recipientDomain, "*");
        assert.equal(outs.port, 25);
      });

      it("writes an XOAUTH2 route and masks its data in the displayed line", async function () {
        const { outs } = await create("gateway", oauth);
        assert.deepEqual(read(FILES.gateway), crlf(partner, notice, oauthLine, catchAll));
        assert.equal(outs.line, "*|vip1@example.jp,smtp.office365.com|1XOAUTH2|[secret],587");
      });

      it("switches a route from relay to XOAUTH2 in place", async function () {
        const { id, outs } = await create("gateway", relay);
        const news = await checked("gateway", oauth);
        const diff = await providers.gateway.diff(id, outs, news);
        assert.deepEqual(diff, { changes: true, replaces: [], deleteBeforeReplace: false });
        await providers.gateway.update(id, outs, news);
        assert.deepEqual(read(FILES.gateway), crlf(partner, notice, oauthLine, catchAll));
      });

      it("is replaced when the sender changes", async function () {
        const { id, outs } = await create("gateway", relay);
        const diff = await providers.gateway.diff(
          id,
          outs,
          await checked("gateway", { ...relay, sender: "legacy@example.jp" }),
        );
        assert.deepEqual(diff.replaces, ["sender"]);
        assert.equal(diff.deleteBeforeReplace, true);
      });

      it("adopts the existing route with its trailing note, unchanged", async function () {
        const { outs } = await create("gateway", {
          sender: "Notice@example.jp",
          smartHost: "example-jp.mail.protection.outlook.com",
        });
        assert.equal(outs.adopted, true);
        assert.deepEqual(read(FILES.gateway), original(FILES.gateway));
      });

      it("deletes its route and restores the original bytes", async function () {
        const { id, outs } = await create("gateway", oauth);
        await providers.gateway.delete(id, outs);
        assert.deepEqual(read(FILES.gateway), original(FILES.gateway));
      });

      it("sees a hand edit of the smart host on refresh", async function () {
        const { id, outs } = await create("gateway", relay);
        fs.writeFileSync(
          host.file(FILES.gateway),
          crlf(partner, notice, "*|vip1@example.jp,other.example.net,2525", catchAll),
        );
        const r = await providers.gateway.read(id, outs);
        assert.equal(r.props.smartHost, "other.example.net");
        assert.equal(r.props.port, 2525);
      });
    });

    describe("EPostRelayTrust", function () {
      const lines = originalLines(FILES.effect);
      const [nullSender, blank, localhost, webmail, lan, catchAll] = lines;

      it("puts a sender entry before the catch-all line", async function () {
        await create("effect", { source: "vip1@example.jp" });
        assert.deepEqual(
          read(FILES.effect),
          crlf(nullSender, blank, localhost, webmail, lan, "vip1@example.jp true", catchAll),
        );
      });

      it("writes a broad range only with allowBroadRange", async function () {
        const { failures } = await providers.effect.check({}, args({ source: "40.92.0.0/15" }));
        assert.equal(failures.length, 1);
        assert.equal(failures[0].property, "source");
        await create("effect", { source: "40.92.0.0/15", allowBroadRange: true });
        assert.deepEqual(
          read(FILES.effect),
          crlf(nullSender, blank, localhost, webmail, lan, "40.92.0.0/15 true", catchAll),
        );
      });

      it("changes the action in place and deletes back to the original", async function () {
        const { id, outs } = await create("effect", { source: "192.0.2.10", action: "default" });
        const news = await checked("effect", { source: "192.0.2.10", action: "norelay,2" });
        const { outs: after } = await providers.effect.update(id, outs, news);
        assert.deepEqual(
          read(FILES.effect),
          crlf(nullSender, blank, localhost, webmail, lan, "192.0.2.10 norelay,2", catchAll),
        );
        await providers.effect.delete(id, after);
        assert.deepEqual(read(FILES.effect), original(FILES.effect));
      });

      it("places lines created together in declaration order, whatever order they arrive in", async function () {
        const sources = ["192.0.2.1", "192.0.2.2", "192.0.2.3", "192.0.2.4", "192.0.2.5"];
        const delays = [40, 0, 25, 10, 5];
        await Promise.all(
          sources.map(async (source, i) => {
            await new Promise((r) => setTimeout(r, delays[i]));
            return create("effect", { source, action: "default", order: 100 + i });
          }),
        );
        assert.deepEqual(
          read(FILES.effect),
          crlf(
            nullSender,
            blank,
            localhost,
            webmail,
            lan,
            ...sources.map((s) => `${s} default`),
            catchAll,
          ),
        );
      });

      it("adopts the existing loopback entry", async function () {
        const { outs } = await create("effect", { source: "127.0.0.1" });
        assert.equal(outs.adopted, true);
        assert.deepEqual(read(FILES.effect), original(FILES.effect));
      });
    });

    describe("EPostHostsEntry", function () {
      const lines = originalLines(FILES.hosts);

      it("appends the subdomain's line, aligned like the file, and deletes it again", async function () {
        const { id, outs } = await create("hosts", {
          ip: "192.168.1.10",
          hostnames: ["intra.example.jp"],
        });
        assert.deepEqual(read(FILES.hosts), crlf(...lines, "192.168.1.10    intra.example.jp"));
        await providers.hosts.delete(id, outs);
        assert.deepEqual(read(FILES.hosts), original(FILES.hosts));
      });

      it("refuses an existing name mapped elsewhere unless adopted", async function () {
        await assert.rejects(
          create("hosts", { ip: "192.0.2.1", hostnames: ["mail.example.jp"] }),
          /line 5 already holds the hosts entry/,
        );
        assert.deepEqual(read(FILES.hosts), original(FILES.hosts));
      });
    });

    describe("connection", function () {
      if (transport === "ssh") sshConnectionCases();
      if (transport === "smb") smbConnectionCases();

      it("gives up on a connection that stops answering, and the next deploy connects anew", async function () {
        const relay = await startRelay(Number(host.connection().port));
        try {
          await closeAllRemotes();
          const conn = { ...host.connection(), port: relay.port };
          // The session is pooled with a short limit; the resources then find it in the pool.
          if (transport === "ssh") {
            await getSession(conn as SshConnection, { ...DEFAULT_TUNING, opTimeoutMs: 1_000 });
          } else {
            await getSmbSession(conn as SmbConnection, {
              ...DEFAULT_SMB_TUNING,
              opTimeoutMs: 1_000,
            });
          }
          const vip1 = { alias: "vip1@example.jp", address: "vip1@intra.example.jp" };
          const { inputs } = await providers.alias.check({}, { ...args(vip1), connection: conn });
          relay.freeze();
          const started = Date.now();
          await assert.rejects(providers.alias.create(inputs), /no answer within 1 s|timed out/);
          assert.ok(Date.now() - started < 10_000, `gave up after ${Date.now() - started} ms`);
          assert.deepEqual(read(FILES.alias), original(FILES.alias));
          // A new connection through the same relay is not frozen.
          const made = await providers.alias.create(inputs);
          assert.deepEqual(
            read(FILES.alias),
            crlf(...originalLines(FILES.alias), "vip1@example.jp\tvip1@intra.example.jp"),
          );
          await providers.alias.delete(made.id, made.outs);
          assert.deepEqual(read(FILES.alias), original(FILES.alias));
        } finally {
          await closeAllRemotes();
          await relay.stop();
        }
      });

      it("shares one login among many resources and batches their writes", async function () {
        await closeAllRemotes();
        const logins = host.logins();
        const n = 40;
        const results = await Promise.all(
          Array.from({ length: n }, (_, i) =>
            create("alias", { alias: `user${i}@example.jp`, address: `user${i}@intra.example.jp` }),
          ),
        );
        assert.equal(results.length, n);
        assert.equal(host.logins() - logins, 1);
        const text = read(FILES.alias).toString("latin1");
        for (let i = 0; i < n; i++)
          assert.ok(text.includes(`user${i}@example.jp\tuser${i}@intra.example.jp\r\n`));
        assert.equal(text.split("\r\n").length - 1, n + 2);
        const writes = editorStats().writes;
        assert.ok(writes >= 1 && writes < n / 4, `${n} entries took ${writes} writes`);
      });
    });

    function sshConnectionCases() {
      it("refuses a server whose host key differs from the pinned one", async function () {
        const wrong = "SHA256:" + "A".repeat(43);
        const inputs = await checked("alias", {
          alias: "vip1@example.jp",
          address: "vip1@intra.example.jp",
        });
        inputs.connection = { ...(inputs.connection as Props), hostKey: wrong };
        await assert.rejects(providers.alias.create(inputs), (err: Error) => {
          assert.equal(errorCode(err), "EPOST_HOST_KEY");
          assert.ok(err.message.includes(`expected ${wrong}`), err.message);
          assert.ok(err.message.includes(`received ${sshHost.hostKey}`), err.message);
          return true;
        });
        assert.deepEqual(read(FILES.alias), original(FILES.alias));
      });

      it("refuses a client key the server does not know", async function () {
        const other = fs.readFileSync(sshHost.file("../../keys/host_ed25519"), "utf8");
        const inputs = await checked("alias", {
          alias: "vip1@example.jp",
          address: "vip1@intra.example.jp",
        });
        inputs.connection = { ...(inputs.connection as Props), privateKey: other };
        await closeAllRemotes();
        await assert.rejects(providers.alias.create(inputs), /login refused/);
      });
    }

    function smbConnectionCases() {
      const vip1 = { alias: "vip1@example.jp", address: "vip1@intra.example.jp" };

      const aliasLine = (a: { alias: string; address: string }) => `${a.alias}\t${a.address}`;
      const [info, sales] = originalLines(FILES.alias);

      it("logs on again as the same account after the network resets the connection", async function () {
        const relay = await startRelay(smbHost.port, false);
        try {
          await closeAllRemotes();
          const conn = { ...smbHost.connection(), port: relay.port };
          const legacy = { alias: "legacy@example.jp", address: "legacy@intra.example.jp" };
          const one = await providers.alias.create(
            (await providers.alias.check({}, { connection: conn, ...vip1 })).inputs,
          );
          const logins = smbLoginCount();
          relay.cut();
          // The client process lives on; its next call must log on with the stack's account,
          // signed, rather than fall back to an anonymous or Kerberos logon.
          const two = await providers.alias.create(
            (await providers.alias.check({}, { connection: conn, ...legacy })).inputs,
          );
          assert.equal(smbLoginCount(), logins);
          assert.deepEqual(
            read(FILES.alias),
            crlf(info, sales, aliasLine(vip1), aliasLine(legacy)),
          );
          await providers.alias.delete(two.id, two.outs);
          await providers.alias.delete(one.id, one.outs);
          assert.deepEqual(read(FILES.alias), original(FILES.alias));
        } finally {
          await closeAllRemotes();
          await relay.stop();
        }
      });

      it("fails the requests of a client process that died, without ending the provider", async function () {
        await closeAllRemotes();
        const session = await getSmbSession(smbHost.connection());
        process.kill(session.pid!, "SIGKILL");
        // Before Node has seen the exit, writes to the dead process fail with EPIPE.
        await new Promise((r) => setImmediate(r));
        const results = await Promise.allSettled(
          [1, 2, 3].map(() => session.request("stat", { path: "Program Files" })),
        );
        assert.deepEqual(
          results.map((r) => r.status),
          ["rejected", "rejected", "rejected"],
        );
        const again = await create("alias", vip1);
        await providers.alias.delete(again.id, again.outs);
        assert.deepEqual(read(FILES.alias), original(FILES.alias));
      });

      it("passes non-ASCII paths whatever encoding Python's standard streams default to", async function () {
        await closeAllRemotes();
        // Japanese Windows gives a pipe cp932; the requests are UTF-8 all the same.
        const saved = process.env.PYTHONIOENCODING;
        process.env.PYTHONIOENCODING = "cp932";
        try {
          const backupDir = "C:/Program Files/EPOST/MS/バックアップ";
          const { inputs, failures } = await providers.alias.check(
            {},
            { ...args(vip1), layout: { backupDir } },
          );
          assert.deepEqual(failures, []);
          const made = await providers.alias.create(inputs);
          assert.equal(fs.readdirSync(host.file("Program Files/EPOST/MS/バックアップ")).length, 1);
          await providers.alias.delete(made.id, made.outs);
          assert.deepEqual(read(FILES.alias), original(FILES.alias));
        } finally {
          if (saved === undefined) delete process.env.PYTHONIOENCODING;
          else process.env.PYTHONIOENCODING = saved;
          await closeAllRemotes();
          fs.rmSync(host.file("Program Files/EPOST/MS/バックアップ"), {
            recursive: true,
            force: true,
          });
        }
      });

      it("refuses a wrong password, naming the account and not the password", async function () {
        const inputs = await checked("alias", vip1);
        inputs.connection = { ...(inputs.connection as Props), password: "not-the-password" };
        await assert.rejects(providers.alias.create(inputs), (err: Error) => {
          assert.equal(errorCode(err), "EPOST_TRANSPORT");
          assert.match(err.message, /login refused for "epostadmin"/);
          assert.equal(err.message.includes("not-the-password"), false);
          return true;
        });
        assert.deepEqual(read(FILES.alias), original(FILES.alias));
      });

      it("names a share that does not exist", async function () {
        const inputs = await checked("alias", vip1);
        inputs.connection = { ...(inputs.connection as Props), share: "NOSUCH" };
        await assert.rejects(providers.alias.create(inputs), /no share named "NOSUCH"/);
      });

      it("refuses at check a file outside the share, naming the layout field", async function () {
        const conn = { ...smbHost.connection(), shareRoot: "C:/Program Files/EPOST/MS" };
        const { failures } = await providers.hosts.check(
          {},
          { connection: conn, ip: "192.168.1.10", hostnames: ["intra.example.jp"] },
        );
        assert.deepEqual(
          failures.map((f) => f.property),
          ["layout.hostsFile"],
        );
        assert.match(failures[0].reason, /not inside the share "EPOST"/);
        const ok = await providers.alias.check({}, { connection: conn, ...vip1 });
        assert.deepEqual(ok.failures, []);
      });

      it("refuses a server that does not sign, and writes nothing", async function () {
        for (const strip of [false, true]) {
          const proxy = await startRelay(smbHost.port, strip);
          try {
            await closeAllRemotes();
            const conn = { ...smbHost.connection(), port: proxy.port };
            const { inputs } = await providers.alias.check({}, { connection: conn, ...vip1 });
            if (!strip) {
              // Relayed unchanged, the same server is fine: it is the missing signature that counts.
              const { id, outs } = await providers.alias.create(inputs);
              await providers.alias.delete(id, outs);
              assert.deepEqual(read(FILES.alias), original(FILES.alias));
              continue;
            }
            await assert.rejects(providers.alias.create(inputs), (err: Error) => {
              assert.equal(errorCode(err), "EPOST_TRANSPORT");
              assert.match(err.message, /does not sign|unsigned/);
              return true;
            });
            assert.ok(proxy.stripped() > 0);
            assert.deepEqual(read(FILES.alias), original(FILES.alias));
          } finally {
            await closeAllRemotes();
            await proxy.stop();
          }
        }
      });
    }

    describe("locking", function () {
      afterEach(function () {
        setEditorTuning({ staleLockMs: 120_000, lockWaitMs: 300_000 });
      });

      it("recovers a stale lock left by a crashed run", async function () {
        const lock = host.file(FILES.alias) + ".epost-hybrid.lock";
        fs.writeFileSync(lock, "crashed pid 1\r\n");
        const old = new Date(Date.now() - 3600_000);
        fs.utimesSync(lock, old, old);
        await create("alias", { alias: "vip1@example.jp", address: "vip1@intra.example.jp" });
        assert.equal(editorStats().staleLocks, 1);
        assert.equal(fs.existsSync(lock), false);
      });

      it("waits for a live lock and gives up with the lock's path", async function () {
        setEditorTuning({ lockWaitMs: 300 });
        const lock = host.file(FILES.alias) + ".epost-hybrid.lock";
        fs.writeFileSync(lock, "other-host pid 42\r\n");
        try {
          await assert.rejects(
            create("alias", { alias: "vip1@example.jp", address: "vip1@intra.example.jp" }),
            (err: Error) => {
              assert.equal(errorCode(err), "EPOST_CONFLICT");
              assert.match(err.message, /locked by another run \(other-host pid 42\)/);
              assert.match(err.message, /alias\.dat\.epost-hybrid\.lock/);
              return true;
            },
          );
        } finally {
          fs.rmSync(lock);
        }
        assert.deepEqual(read(FILES.alias), original(FILES.alias));
      });
    });

    describe("writing", function () {
      const [info, sales] = originalLines(FILES.alias);

      async function target(fs2?: (s: RemoteFs) => RemoteFs) {
        const path = host.aliasPath;
        const session = await openRemote(
          host.connection() as any,
          path.replace(/\/alias\.dat$/, ""),
        );
        return {
          session,
          target: {
            fs: fs2 ? fs2(session) : session,
            path,
            encoding: "cp932",
            backupDir: path.replace(/alias\.dat$/, "epost-hybrid-backup"),
            keepBackups: 10,
          },
        };
      }

      it("applies its edits again when the file is saved by hand between read and write", async function () {
        let injected = false;
        const { target: t } = await target((session) =>
          delegateFs(session, {
            writeFile: async (p, d, mode) => {
              await session.writeFile(p, d, mode);
              if (p.includes("epost-hybrid-tmp") && !injected) {
                // An admin saves the file in Mail Control while our new version is being written.
                injected = true;
                fs.appendFileSync(
                  host.file(FILES.alias),
                  "hand@example.jp\thand@intra.example.jp\r\n",
                );
              }
            },
          }),
        );
        await editFile(t, (doc) =>
          doc.insert(doc.length, "vip1@example.jp\tvip1@intra.example.jp"),
        );
        assert.equal(injected, true);
        assert.equal(editorStats().rebases, 1);
        assert.deepEqual(
          read(FILES.alias),
          crlf(
            info,
            sales,
            "hand@example.jp\thand@intra.example.jp",
            "vip1@example.jp\tvip1@intra.example.jp",
          ),
        );
      });

      if (transport === "ssh")
        it("replaces the file with two renames on a server without posix-rename", async function () {
          const session = await getSession(sshHost.connection());
          const ext = (session as any).sftp._extensions as Record<string, string>;
          const saved = ext["posix-rename@openssh.com"];
          delete ext["posix-rename@openssh.com"];
          try {
            await create("alias", { alias: "vip1@example.jp", address: "vip1@intra.example.jp" });
          } finally {
            ext["posix-rename@openssh.com"] = saved;
          }
          assert.deepEqual(
            read(FILES.alias),
            crlf(info, sales, "vip1@example.jp\tvip1@intra.example.jp"),
          );
          const leftovers = fs
            .readdirSync(host.file("Program Files/EPOST/MS"))
            .filter((n) => n.startsWith("alias.dat."));
          assert.deepEqual(leftovers, []);
        });

      it("keeps only the newest keepBackups backups", async function () {
        const layout = { ...(host.layout ?? {}), keepBackups: 2 };
        const made: string[] = [];
        for (let run = 0; run < 4; run++) {
          resetBackupMemory();
          await create("alias", {
            alias: `run${run}@example.jp`,
            address: "x@intra.example.jp",
            layout,
          });
          const dir = host.file("Program Files/EPOST/MS/epost-hybrid-backup");
          made.push(fs.readdirSync(dir).sort().at(-1)!);
          await new Promise((r) => setTimeout(r, 5));
        }
        const left = fs.readdirSync(host.file("Program Files/EPOST/MS/epost-hybrid-backup")).sort();
        assert.deepEqual(left, made.slice(2));
        assert.ok(
          fs
            .readFileSync(
              host.file(`Program Files/EPOST/MS/epost-hybrid-backup/${left[1]}`),
              "latin1",
            )
            .includes("run2@example.jp"),
        );
      });
    });

    describe("bad input", function () {
      const cases: [string, Props, string][] = [
        ["alias", { alias: "vip1@example.jp\r\nevil@x.jp", address: "a@example.jp" }, "alias"],
        ["alias", { alias: "vip1@example.jp", address: "not-an-address" }, "address"],
        [
          "gateway",
          { sender: "vip1@example.jp", smartHost: "smtp.office365.com", port: 70000 },
          "port",
        ],
        ["gateway", { sender: "vip1@example.jp,x", smartHost: "smtp.office365.com" }, "sender"],
        ["gateway", { sender: "vip1@example.jp", smartHost: "bad_host" }, "smartHost"],
        [
          "gateway",
          {
            sender: "vip1@example.jp",
            smartHost: "smtp.office365.com",
            auth: { scheme: "1XOAUTH2", data: "a|b" },
          },
          "auth.data",
        ],
        ["effect", { source: "example.jp" }, "source"],
        ["effect", { source: "*@example.jp" }, "source"],
        ["effect", { source: "*.*.*.*" }, "source"],
        ["effect", { source: "0.0.0.0/0" }, "source"],
        ["effect", { source: "192.0.2.300" }, "source"],
        ["effect", { source: "192.0.2.0/24", action: "allow" }, "action"],
        ["hosts", { ip: "192.168.1.999", hostnames: ["intra.example.jp"] }, "ip"],
        ["hosts", { ip: "192.168.1.10", hostnames: ["intra example.jp"] }, "hostnames[0]"],
      ];
      for (const [kind, extra, field] of cases) {
        it(`refuses ${kind} ${JSON.stringify(extra)} naming ${field}, and writes nothing`, async function () {
          const hashes = Object.values(FILES).map((rel) => sha256(read(rel)));
          const { failures } = await providers[kind].check({}, args(extra));
          assert.ok(
            failures.some((f) => f.property === field),
            JSON.stringify(failures),
          );
          await assert.rejects(
            providers[kind].create({ ...args(extra) }),
            (err: Error) => errorCode(err) === "EPOST_VALIDATION",
          );
          assert.deepEqual(
            Object.values(FILES).map((rel) => sha256(read(rel))),
            hashes,
          );
        });
      }
    });
  });
}
