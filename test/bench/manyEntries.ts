// Prints how the editing layer scales: many entries of one tenant on one host, created, read back
// (refresh) and deleted concurrently, as the engine would with its default parallelism.
//
//   node dist/test/bench/manyEntries.js [entries] [concurrency] [ssh|smb]
import * as fs from "node:fs";
import { editorStats, resetEditorStats } from "../../provider/editing/fileEditor";
import { providers } from "../../provider/runtime";
import { closeAllRemotes } from "../../provider/transport/remote";
import { smbLoginCount } from "../../provider/transport/smbSession";
import { loginCount } from "../../provider/transport/sshSession";
import { FILES, original } from "../harness/bytes";
import { startSmbd } from "../harness/smbd";
import { startSshd } from "../harness/sshd";

type Props = Record<string, unknown>;

async function pool<T>(
  items: T[],
  concurrency: number,
  fn: (t: T) => Promise<unknown>,
): Promise<void> {
  let next = 0;
  const workers = Array.from({ length: concurrency }, async () => {
    while (next < items.length) {
      const item = items[next++];
      await fn(item);
    }
  });
  await Promise.all(workers);
}

async function main(): Promise<void> {
  const n = Number(process.argv[2] ?? 2000);
  const concurrency = Number(process.argv[3] ?? 8);
  const transport = process.argv[4] ?? "ssh";
  if (transport !== "ssh" && transport !== "smb") throw new Error(`unknown transport ${transport}`);
  const host = transport === "smb" ? await startSmbd() : await startSshd();
  const logins = transport === "smb" ? smbLoginCount : loginCount;
  try {
    const base = {
      connection: host.connection(),
      ...("layout" in host && host.layout ? { layout: host.layout } : {}),
    };
    const specs = Array.from({ length: n }, (_, i) => ({
      alias: `user${i}@example.jp`,
      address: `user${i}@intra.example.jp`,
    }));
    const states: { id: string; outs: Props }[] = [];
    console.log(`${transport}, ${host.version}; ${n} aliases, concurrency ${concurrency}`);

    const phase = async (name: string, work: () => Promise<void>) => {
      resetEditorStats();
      const before = logins();
      const t0 = process.hrtime.bigint();
      await work();
      const ms = Number(process.hrtime.bigint() - t0) / 1e6;
      const s = editorStats();
      const rss = process.memoryUsage().rss / 2 ** 20;
      console.log(
        `${name.padEnd(8)} ${ms.toFixed(0).padStart(7)} ms  ${(n / (ms / 1000)).toFixed(0).padStart(6)}/s  ` +
          `writes ${String(s.writes).padStart(5)}  reads ${String(s.reads).padStart(5)}  ` +
          `logins ${logins() - before}  rss ${rss.toFixed(0)} MiB`,
      );
    };

    await phase("create", () =>
      pool(specs, concurrency, async (spec) => {
        const { inputs } = await providers.alias.check({}, { ...base, ...spec });
        states.push(await providers.alias.create(inputs));
      }),
    );
    const size = fs.statSync(host.file(FILES.alias)).size;
    console.log(`alias table: ${size} bytes, ${n + 2} lines`);
    await phase("refresh", () =>
      pool(states, concurrency, (st) => providers.alias.read(st.id, st.outs)),
    );
    await phase("delete", () =>
      pool(states, concurrency, (st) => providers.alias.delete(st.id, st.outs)),
    );
    const restored = fs.readFileSync(host.file(FILES.alias)).equals(original(FILES.alias));
    console.log(
      `after delete the file is ${restored ? "byte-identical to" : "DIFFERENT from"} the original`,
    );
  } finally {
    await closeAllRemotes();
    await host.stop();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
