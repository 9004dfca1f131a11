import { createHash } from "node:crypto";
import * as fs from "node:fs";
import {
  editFile,
  FileTarget,
  resetBackupMemory,
  setEditorTuning,
} from "../../provider/editing/fileEditor";
import { LineDocument } from "../../provider/formats/lineDocument";
import { openRemote } from "../../provider/transport/remote";
import { RemoteFs } from "../../provider/transport/remoteFs";
import { SmbShare } from "../../provider/transport/smbSession";
import { getSession } from "../../provider/transport/sshSession";
import { FILES, original } from "../harness/bytes";
import { delegateFs } from "../harness/delegateFs";
import { SmbHost } from "../harness/smbd";
import { SshHost } from "../harness/sshd";

/** A served host as the trials need it, whichever transport reaches it. */
export interface FaultHost {
  /** The local path of a file given relative to the drive. */
  file(relative: string): string;
  /** The install folder and hosts file as the resources see them. */
  installDir: string;
  hostsFile: string;
  /** The pooled connection, and a way to drop it as a network failure would. */
  open(): Promise<{ fs: RemoteFs; abort(): void }>;
}

export function sshFaultHost(host: SshHost): FaultHost {
  return {
    file: (rel) => host.file(rel),
    installDir: host.windowsPaths ? "/C:/Program Files/EPOST/MS" : host.layout!.installDir,
    hostsFile: host.windowsPaths
      ? "/C:/Windows/System32/drivers/etc/hosts"
      : host.layout!.hostsFile,
    open: async () => {
      const session = await getSession(host.connection());
      return { fs: session, abort: () => session.abort() };
    },
  };
}

/**
 * Over `relay`, a fault resets the TCP connection, as the network would, and the client logs on
 * again by itself; without it, a fault kills the SMB client process, as a crash would.
 */
export function smbFaultHost(host: SmbHost, relay?: { port: number; cut(): void }): FaultHost {
  const installDir = "/C:/Program Files/EPOST/MS";
  const conn = relay ? { ...host.connection(), port: relay.port } : host.connection();
  return {
    file: (rel) => host.file(rel),
    installDir,
    hostsFile: "/C:/Windows/System32/drivers/etc/hosts",
    open: async () => {
      const share = (await openRemote(conn, installDir)) as SmbShare;
      return { fs: share, abort: relay ? () => relay.cut() : () => share.session.abort() };
    },
  };
}

/** The steps of a write at which a trial drops the connection. */
export const KILL_STEPS = [
  "after-lock",
  "after-backup",
  "mid-temp-write",
  "before-rename",
  "after-rename",
] as const;
export type KillStep = (typeof KILL_STEPS)[number];

/** What a run of fault trials measured; every field but `trials` must be zero. */
export interface FaultFigures {
  trials: number;
  /** Files that were neither the old nor the new bytes after a failed write. */
  corruptFiles: number;
  /** Lines of the original file missing after a failed write. */
  lostLines: number;
  /** Trials whose retry did not end with exactly the new bytes. */
  notConverged: number;
  /** Lock or temporary files left on the host after the retry. */
  leftovers: number;
  /** Trials in which the fault did not fire (the step was never reached). */
  missedFaults: number;
}

/** A small seeded generator, so that a failing trial can be replayed. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const NOTES = ["# 社内メモ ①", "# 変更時は情報システム部へ", "# ソ表－能", "# test"];

/**
 * A transport that drops the real connection at one step of the write, the way a network
 * failure would, and lets every other call through.
 */
function faulty(
  conn: { fs: RemoteFs; abort(): void },
  step: KillStep,
  target: { path: string; backupDir: string },
  fired: { v: boolean },
): RemoteFs {
  const session = conn.fs;
  const kill = () => {
    fired.v = true;
    conn.abort();
  };
  return delegateFs(session, {
    async createExclusive(p, d) {
      const ok = await session.createExclusive(p, d);
      if (ok && step === "after-lock" && p.endsWith(".epost-hybrid.lock")) kill();
      return ok;
    },
    async writeFile(p, d, mode) {
      if (step === "mid-temp-write" && p.includes(".epost-hybrid-tmp-")) {
        await session.writeFile(p, d.subarray(0, Math.max(1, d.length >> 1)), mode);
        kill();
        throw new Error("connection lost in the middle of the write");
      }
      await session.writeFile(p, d, mode);
      if (step === "after-backup" && p.startsWith(target.backupDir)) kill();
    },
    async replace(a, b) {
      if (step === "before-rename") {
        kill();
        throw new Error("connection lost before the rename");
      }
      await session.replace(a, b);
      if (step === "after-rename") kill();
    },
  });
}

const sha = (b: Buffer) => createHash("sha256").update(b).digest("hex");

/**
 * Runs `trials` randomized writes against a real server, each with the connection dropped at
 * one step, then retries each and checks the invariants.
 */
export async function runFaultTrials(
  host: FaultHost,
  trials: number,
  seed: number,
): Promise<FaultFigures> {
  const rand = prng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)];
  const figures: FaultFigures = {
    trials: 0,
    corruptFiles: 0,
    lostLines: 0,
    notConverged: 0,
    leftovers: 0,
    missedFaults: 0,
  };
  const layoutDir = host.installDir;
  setEditorTuning({ batchWindowMs: 1 });
  try {
    for (let t = 0; t < trials; t++) {
      const rel = pick(Object.values(FILES));
      const local = host.file(rel);
      // The original: the fixture plus a few unmanaged CP932 notes at random places.
      const doc0 = LineDocument.parse(original(rel), "cp932");
      for (let i = Math.floor(rand() * 3); i > 0; i--)
        doc0.insert(Math.floor(rand() * (doc0.length + 1)), pick(NOTES));
      const before = doc0.toBuffer();
      fs.writeFileSync(local, before);
      const added = Array.from(
        { length: 1 + Math.floor(rand() * 3) },
        (_, i) => `trial${t}-line${i}@example.jp\tx@intra.example.jp`,
      );
      const positions = added.map(() => rand());
      const edit = (doc: LineDocument) => {
        added.forEach((line, i) => {
          if (!doc.all().some((l) => l.text === line))
            doc.insert(Math.floor(positions[i] * (doc.length + 1)), line);
        });
      };
      const expectedDoc = LineDocument.parse(before, "cp932");
      edit(expectedDoc);
      const after = expectedDoc.toBuffer();

      const step = pick(KILL_STEPS);
      const path = rel.startsWith("Windows")
        ? host.hostsFile
        : `${layoutDir}/${rel.split("/").pop()}`;
      const backupDir = `${layoutDir}/epost-hybrid-backup`;
      // Each trial is a deploy of its own: it backs the file up before its first change.
      resetBackupMemory();
      const session = await host.open();
      const fired = { v: false };
      const target: FileTarget = {
        fs: faulty(session, step, { path, backupDir }, fired),
        path,
        encoding: "cp932",
        backupDir,
        keepBackups: 3,
      };
      // The write is expected to fail; what matters is what it left on the host.
      await editFile(target, edit).catch(() => undefined);
      figures.trials++;
      if (!fired.v) figures.missedFaults++;
      const now = fs.readFileSync(local);
      if (!now.equals(before) && !now.equals(after)) figures.corruptFiles++;
      const present = new Set(
        LineDocument.parse(now, "cp932")
          .all()
          .map((l) => l.bytes.toString("latin1")),
      );
      for (const l of LineDocument.parse(before, "cp932").all())
        if (!present.has(l.bytes.toString("latin1"))) figures.lostLines++;

      // The next deploy: a fresh connection, the same edit.
      const fresh = (await host.open()).fs;
      await editFile({ fs: fresh, path, encoding: "cp932", backupDir, keepBackups: 3 }, edit);
      if (sha(fs.readFileSync(local)) !== sha(after)) figures.notConverged++;
      const dir = local.slice(0, local.lastIndexOf("/"));
      const name = local.slice(local.lastIndexOf("/") + 1);
      figures.leftovers += fs
        .readdirSync(dir)
        .filter((n) => n.startsWith(`${name}.epost-hybrid`)).length;
    }
  } finally {
    setEditorTuning({ batchWindowMs: 15 });
  }
  return figures;
}
