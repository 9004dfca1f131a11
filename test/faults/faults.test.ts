import assert from "node:assert/strict";
import * as fs from "node:fs";
import { resetBackupMemory } from "../../provider/editing/fileEditor";
import { errorCode } from "../../provider/errors";
import { providers } from "../../provider/runtime";
import { closeAllRemotes } from "../../provider/transport/remote";
import { closeAllSessions } from "../../provider/transport/sshSession";
import { FILES, original } from "../harness/bytes";
import { SmbHost, startSmbd } from "../harness/smbd";
import { startRelay } from "../harness/tcpRelay";
import { SshHost, startSshd } from "../harness/sshd";
import { ExoFake } from "../fakes/exoFake";
import { BAD_INPUTS, runBadInputs } from "./badInputs";
import { runConcurrentWriters } from "./concurrentWriters";
import { runSecretScenario, runSmbSecretScenario } from "./secretHits";
import {
  FaultFigures,
  KILL_STEPS,
  runFaultTrials,
  smbFaultHost,
  sshFaultHost,
} from "./writeFaults";

/** The figures of a run of fault trials in which nothing went wrong. */
const clean = (trials: number): FaultFigures => ({
  trials,
  corruptFiles: 0,
  lostLines: 0,
  notConverged: 0,
  leftovers: 0,
  missedFaults: 0,
});

/** Two concurrent deploys and a hand edit in which every line landed once. */
const LANDED = {
  ownedLines: 21,
  missingOwned: 0,
  duplicated: 0,
  handEditsLost: 0,
  writerErrors: 0,
};

describe("faults, races and bad input over SSH", function () {
  this.timeout(300_000);
  let host: SshHost;

  before(async function () {
    host = await startSshd();
  });

  after(async function () {
    await closeAllSessions();
    await host?.stop();
  });

  beforeEach(function () {
    for (const rel of Object.values(FILES)) fs.writeFileSync(host.file(rel), original(rel));
    resetBackupMemory();
  });

  it(`leaves old or new bytes, loses no line and converges, over 200 writes cut at ${KILL_STEPS.length} steps`, async function () {
    const f = await runFaultTrials(sshFaultHost(host), 200, 20261203);
    assert.deepEqual(f, clean(200));
  });

  it(`refuses all ${BAD_INPUTS.length} bad inputs by field and writes nothing`, async function () {
    assert.ok(BAD_INPUTS.length >= 60);
    const f = await runBadInputs(host);
    assert.deepEqual(f.missed, []);
    assert.equal(f.refused, BAD_INPUTS.length);
    assert.equal(f.filesChanged, 0);
  });

  it("lands every line of two concurrent deploys and keeps a hand edit made mid-write", async function () {
    for (let round = 0; round < 3; round++) {
      const f = await runConcurrentWriters(host);
      assert.deepEqual(f, LANDED, `round ${round}`);
    }
  });

  it("refuses a wrong or missing host key", async function () {
    const args = {
      connection: host.connection(),
      ...(host.layout ? { layout: host.layout } : {}),
      alias: "vip1@example.jp",
      address: "vip1@intra.example.jp",
    };
    const missing = await providers.alias.check(
      {},
      { ...args, connection: { ...args.connection, hostKey: undefined } },
    );
    assert.deepEqual(
      missing.failures.map((f) => f.property),
      ["connection.hostKey"],
    );
    const { inputs } = await providers.alias.check({}, args);
    await assert.rejects(
      providers.alias.create({
        ...inputs,
        connection: { ...args.connection, hostKey: "SHA256:" + "C".repeat(43) },
      }),
      (e: Error) => errorCode(e) === "EPOST_HOST_KEY",
    );
    assert.deepEqual(fs.readFileSync(host.file(FILES.alias)), original(FILES.alias));
  });

  it("shows no secret in logs, messages, outputs or backups, and masks it in backups", async function () {
    const exo = await new ExoFake().start();
    try {
      const f = await runSecretScenario(host, exo);
      assert.ok(f.secrets >= 5);
      assert.deepEqual(f.hits, []);
    } finally {
      await exo.stop();
    }
    const dir = host.file("Program Files/EPOST/MS/epost-hybrid-backup");
    const backups = fs.readdirSync(dir).filter((n) => n.startsWith("gateway.dat."));
    assert.ok(backups.length >= 2, backups.join());
    assert.ok(
      backups.some((n) =>
        fs.readFileSync(`${dir}/${n}`, "latin1").includes("|1XOAUTH2|[removed-from-backup],587"),
      ),
    );
  });
});

describe("faults and secrets over SMB", function () {
  this.timeout(300_000);
  let host: SmbHost;

  before(async function () {
    host = await startSmbd();
  });

  after(async function () {
    await closeAllRemotes();
    await host?.stop();
  });

  beforeEach(function () {
    for (const rel of Object.values(FILES)) fs.writeFileSync(host.file(rel), original(rel));
    resetBackupMemory();
  });

  it(`leaves old or new bytes, loses no line and converges, over 200 writes whose TCP connection is reset at ${KILL_STEPS.length} steps`, async function () {
    const relay = await startRelay(host.port, false);
    try {
      const f = await runFaultTrials(smbFaultHost(host, relay), 200, 20261204);
      assert.deepEqual(f, clean(200));
    } finally {
      await closeAllRemotes();
      await relay.stop();
    }
  });

  it(`does the same over 100 writes whose SMB client process dies at ${KILL_STEPS.length} steps`, async function () {
    const f = await runFaultTrials(smbFaultHost(host), 100, 20261205);
    assert.deepEqual(f, clean(100));
  });

  it("lands every line of two concurrent deploys and keeps a hand edit made mid-write", async function () {
    for (let round = 0; round < 3; round++) {
      const f = await runConcurrentWriters(host);
      assert.deepEqual(f, LANDED, `round ${round}`);
    }
  });

  it("shows the share password nowhere: logs, messages, outputs, backups, the client's command line", async function () {
    const f = await runSmbSecretScenario(host);
    assert.equal(f.secrets, 2);
    assert.deepEqual(f.hits, []);
  });
});
