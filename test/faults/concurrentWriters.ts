import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { editFile } from "../../provider/editing/fileEditor";
import { LineDocument } from "../../provider/formats/lineDocument";
import { EPostConnection } from "../../provider/transport/connection";
import { openRemote } from "../../provider/transport/remote";
import { FILES, original } from "../harness/bytes";
import { delegateFs } from "../harness/delegateFs";
import { SmbHost } from "../harness/smbd";
import { SshHost } from "../harness/sshd";

/** What a round of concurrent writers measured. */
export interface WriterFigures {
  ownedLines: number;
  missingOwned: number;
  duplicated: number;
  handEditsLost: number;
  writerErrors: number;
}

/** Where the writers meet: an sshd or an smbd serving the fixture tree. */
interface WriterHost {
  connection(): EPostConnection;
  /** Undefined for the Windows default paths. */
  layout?: Record<string, string>;
  file(rel: string): string;
}

function runWriterProcess(host: WriterHost, aliases: string[]): Promise<string> {
  const script = path.resolve(__dirname, "../harness/createAliasProcess.js");
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [script, ...aliases], {
      env: {
        ...process.env,
        EPOST_TEST_CONNECTION: JSON.stringify({
          connection: host.connection(),
          ...(host.layout ? { layout: host.layout } : {}),
        }),
      },
      stdio: ["ignore", "pipe", "ignore"],
    });
    let out = "";
    child.stdout.on("data", (d) => (out += d.toString()));
    child.on("close", () => resolve(out.trim()));
  });
}

/**
 * Two provider processes (as two stacks' deploys) add aliases to one file while a third writer
 * meets a hand edit saved between its read and its write: every owned line must land once and
 * the hand edit must survive.
 */
export async function runConcurrentWriters(
  host: SshHost | SmbHost,
  perWriter = 10,
): Promise<WriterFigures> {
  const local = host.file(FILES.alias);
  fs.writeFileSync(local, original(FILES.alias));
  const a = Array.from({ length: perWriter }, (_, i) => `a${i}@example.jp`);
  const b = Array.from({ length: perWriter }, (_, i) => `b${i}@example.jp`);
  const hand = "hand@example.jp\thand@intra.example.jp";
  const mine = "third@example.jp\tthird@intra.example.jp";
  const layout = (host as WriterHost).layout;
  const installDir = layout?.installDir ?? "/C:/Program Files/EPOST/MS";
  const session = await openRemote(host.connection(), installDir);
  let injected = false;
  const withHandEdit = delegateFs(session, {
    async writeFile(p, d, mode) {
      await session.writeFile(p, d, mode);
      if (!injected && p.includes(".epost-hybrid-tmp-")) {
        injected = true;
        fs.appendFileSync(local, `${hand}\r\n`);
      }
    },
  });
  const aliasPath = `${installDir}/alias.dat`;
  const [ra, rb] = await Promise.all([
    runWriterProcess(host, a),
    runWriterProcess(host, b),
    editFile(
      {
        fs: withHandEdit,
        path: aliasPath,
        encoding: "cp932",
        backupDir: aliasPath.replace(/alias\.dat$/, "epost-hybrid-backup"),
        keepBackups: 10,
      },
      (doc) => doc.insert(doc.length, mine),
    ),
  ]);
  const lines = LineDocument.parse(fs.readFileSync(local), "cp932")
    .all()
    .map((l) => l.text);
  const owned = [
    ...a.map((x) => `${x}\t${x.replace("@", "@intra.")}`),
    ...b.map((x) => `${x}\t${x.replace("@", "@intra.")}`),
    mine,
  ];
  const count = (s: string) => lines.filter((l) => l === s).length;
  return {
    ownedLines: owned.length,
    missingOwned: owned.filter((o) => count(o) === 0).length,
    duplicated: owned.filter((o) => count(o) > 1).length + (count(hand) > 1 ? 1 : 0),
    handEditsLost: count(hand) === 0 ? 1 : 0,
    writerErrors: [ra, rb].filter((r) => r !== "ok").length,
  };
}
