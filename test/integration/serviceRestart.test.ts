import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { errorCode } from "../../provider/errors";
import { providers } from "../../provider/runtime";
import { closeAllRemotes } from "../../provider/transport/remote";
import { REPO_ROOT } from "../harness/dynamicHost";
import { SshHost, startSshd } from "../harness/sshd";

type Props = Record<string, unknown>;

// Windows' service control cannot run here: the SSH server gets stand-ins for sc.exe and
// powershell.exe (test/fakes/windowsServices) that act and answer as the documented tools do.
describe("EPostServiceRestart over a real OpenSSH server", function () {
  const restart = providers["service-restart"];
  let host: SshHost;
  let scm: string;

  before(async function () {
    scm = fs.mkdtempSync(path.join(os.tmpdir(), "fake-scm-"));
    const fakes = path.join(REPO_ROOT, "test/fakes/windowsServices");
    host = await startSshd({
      commands: { PATH: `${fakes}:/usr/bin:/bin`, FAKE_SCM_DIR: scm },
    });
  });

  after(async function () {
    await closeAllRemotes();
    await host?.stop();
    fs.rmSync(scm, { recursive: true, force: true });
  });

  beforeEach(function () {
    for (const n of fs.readdirSync(scm)) fs.rmSync(path.join(scm, n));
    fs.writeFileSync(path.join(scm, "EPSTRS.state"), "RUNNING\n");
  });

  const calls = () =>
    fs.existsSync(path.join(scm, "calls.log"))
      ? fs.readFileSync(path.join(scm, "calls.log"), "utf8").trim().split("\n")
      : [];
  const state = (name = "EPSTRS") =>
    fs.readFileSync(path.join(scm, `${name}.state`), "utf8").trim();

  async function checked(extra: Props): Promise<Props> {
    const { inputs, failures } = await restart.check(
      {},
      { connection: host.connection(), ...extra },
    );
    assert.deepEqual(failures, []);
    return inputs;
  }

  it("shows the command it will run at check, before anything runs", async function () {
    const ps = await checked({ triggers: ["a"] });
    assert.equal(
      ps.command,
      "powershell.exe -NoProfile -NonInteractive -Command \"Restart-Service -Name 'EPSTRS' " +
        "-Force -ErrorAction Stop; (Get-Service -Name 'EPSTRS').Status\"",
    );
    const sc = await checked({ method: "sc", service: "EPSTDS", triggers: [] });
    assert.equal(
      sc.command,
      "sc.exe stop EPSTDS; sc.exe query EPSTDS (until STOPPED); sc.exe start EPSTDS; " +
        "sc.exe query EPSTDS (until RUNNING)",
    );
    assert.deepEqual(calls(), []);
  });

  it("restarts once with PowerShell on create and reports the status", async function () {
    const { outs } = await restart.create(await checked({ triggers: ["line 1"] }));
    assert.equal(outs.status, "Running");
    assert.deepEqual(calls(), [
      "powershell.exe -Command Restart-Service -Name 'EPSTRS' -Force -ErrorAction Stop; (Get-Service -Name 'EPSTRS').Status",
    ]);
    assert.equal(state(), "RUNNING");
  });

  it("restarts with sc.exe, waiting for STOPPED before start and for RUNNING after", async function () {
    const { outs } = await restart.create(await checked({ method: "sc", triggers: [] }));
    assert.equal(outs.status, "Running");
    assert.deepEqual(calls(), [
      "sc.exe stop EPSTRS",
      "sc.exe query EPSTRS",
      "sc.exe query EPSTRS",
      "sc.exe start EPSTRS",
      "sc.exe query EPSTRS",
      "sc.exe query EPSTRS",
    ]);
    assert.equal(state(), "RUNNING");
  });

  it("starts a stopped service with sc.exe", async function () {
    fs.writeFileSync(path.join(scm, "EPSTRS.state"), "STOPPED\n");
    await restart.create(await checked({ method: "sc", triggers: [] }));
    assert.deepEqual(calls(), [
      "sc.exe stop EPSTRS",
      "sc.exe query EPSTRS",
      "sc.exe start EPSTRS",
      "sc.exe query EPSTRS",
      "sc.exe query EPSTRS",
    ]);
    assert.equal(state(), "RUNNING");
  });

  it("restarts again only when a trigger changes", async function () {
    const first = await checked({ triggers: ["1.2.3.4 true"] });
    const { id, outs } = await restart.create(first);
    const same = await checked({ triggers: ["1.2.3.4 true"] });
    assert.deepEqual(await restart.diff(id, outs, same), {
      changes: false,
      replaces: [],
      deleteBeforeReplace: false,
    });
    const changed = await checked({ triggers: ["1.2.3.4 norelay"] });
    assert.deepEqual(await restart.diff(id, outs, changed), {
      changes: true,
      replaces: ["triggers"],
      deleteBeforeReplace: false,
    });
    await restart.delete(id, outs);
    assert.equal(calls().length, 1, "delete runs nothing");
  });

  it("follows named triggers: order does not matter, a new or changed value restarts, a removal does not", async function () {
    const first = await checked({ triggers: { a: "x true", b: "y true" } });
    const { id, outs } = await restart.create(first);
    const diff = async (triggers: Props) =>
      (await restart.diff(id, outs, await checked({ triggers }))).replaces;
    assert.deepEqual(await diff({ b: "y true", a: "x true" }), []);
    assert.deepEqual(await diff({ a: "x true", b: "y true", c: "z true" }), ["triggers"]);
    assert.deepEqual(await diff({ a: "x false", b: "y true" }), ["triggers"]);
    assert.deepEqual(await diff({ a: "x true" }), []);
    assert.equal(calls().length, 1);
  });

  it("after removals: restarts on delete and is replaced when a trigger goes, not when one comes", async function () {
    const first = await checked({ when: "afterRemoval", triggers: { a: true, b: true } });
    const { id, outs } = await restart.create(first);
    assert.equal(outs.status, "waiting for a removal");
    assert.deepEqual(calls(), [], "create restarts nothing");
    const diff = async (triggers: Props) =>
      (await restart.diff(id, outs, await checked({ when: "afterRemoval", triggers }))).replaces;
    assert.deepEqual(await diff({ a: true, b: true, c: true }), []);
    assert.deepEqual(await diff({ b: true }), ["triggers"]);
    await restart.delete(id, outs);
    assert.equal(calls().length, 1, "delete restarts");
    assert.equal(state(), "RUNNING");
  });

  it("reads state written before `when` existed as restarting after changes, with no diff", async function () {
    const { id, outs } = await restart.create(await checked({ triggers: ["a"] }));
    const old = { ...outs };
    delete old.when;
    assert.deepEqual(await restart.diff(id, old, await checked({ triggers: ["a"] })), {
      changes: false,
      replaces: [],
      deleteBeforeReplace: false,
    });
    const changed = await restart.diff(id, old, await checked({ triggers: ["b"] }));
    assert.deepEqual(changed.replaces, ["triggers"]);
  });

  for (const method of ["powershell", "sc"]) {
    it(`names the service when it does not exist (${method})`, async function () {
      await assert.rejects(
        restart.create(await checked({ method, service: "EPSTXX", triggers: [] })),
        (err: Error) => {
          assert.equal(errorCode(err), "EPOST_SERVICE");
          assert.match(err.message, /EPSTXX/);
          assert.match(err.message, /Cannot find any service|does not exist/);
          return true;
        },
      );
    });
  }

  it("refuses at check an SMB connection, a service name with shell characters and an unknown method", async function () {
    const { failures } = await restart.check(
      {},
      {
        connection: {
          transport: "smb",
          host: "127.0.0.1",
          share: "EPOST",
          username: "a",
          password: "b",
        },
        service: "EPSTRS & del C:\\x",
        method: "net",
        triggers: "x",
      },
    );
    assert.deepEqual(
      failures.map((f) => f.property),
      ["connection.transport", "service", "method", "triggers"],
    );
    await assert.rejects(
      restart.create({ connection: host.connection(), service: "a;b", triggers: [] }),
      (err: Error) => errorCode(err) === "EPOST_VALIDATION",
    );
    assert.deepEqual(calls(), []);
  });
});
