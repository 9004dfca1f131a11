import * as fs from "node:fs";
import * as path from "node:path";
import { resetBackupMemory } from "../../provider/editing/fileEditor";
import { providers } from "../../provider/runtime";
import { closeAllRemotes, openRemote } from "../../provider/transport/remote";
import { SmbShare } from "../../provider/transport/smbSession";
import { FILES, original } from "../harness/bytes";
import { SmbHost } from "../harness/smbd";
import { SshHost } from "../harness/sshd";
import { ExoFake } from "../fakes/exoFake";

type Props = Record<string, unknown>;

/** Where secret values were found after a run that used them on purpose. */
export interface SecretFigures {
  secrets: number;
  /** Places a secret value was found (log lines, error messages, outputs, backup files). */
  hits: string[];
}

const BACKUPS = "Program Files/EPOST/MS/epost-hybrid-backup";

/** Turns debug logging on and copies everything written to stderr into `seen`, until undone. */
function captureDebug(seen: string[]): () => void {
  const oldWrite = process.stderr.write.bind(process.stderr);
  const oldDebug = process.env.EPOST_HYBRID_DEBUG;
  process.env.EPOST_HYBRID_DEBUG = "1";
  process.stderr.write = (chunk: unknown, ...rest: unknown[]) => {
    seen.push(String(chunk));
    return (oldWrite as (...a: unknown[]) => boolean)(...[chunk, ...rest]);
  };
  return () => {
    process.stderr.write = oldWrite;
    if (oldDebug === undefined) delete process.env.EPOST_HYBRID_DEBUG;
    else process.env.EPOST_HYBRID_DEBUG = oldDebug;
  };
}

/**
 * Every place a secret appears in what was seen or in the backup folder, each named by the
 * secret's first `shown` characters only.
 */
function findSecrets(
  secrets: string[],
  seen: string[],
  backups: string,
  shown: number,
): SecretFigures {
  const hits: string[] = [];
  for (const s of secrets) {
    seen.forEach((text, i) => {
      if (text.includes(s)) hits.push(`output ${i}: ${s.slice(0, shown)}...`);
    });
  }
  for (const n of fs.existsSync(backups) ? fs.readdirSync(backups) : []) {
    const text = fs.readFileSync(path.join(backups, n), "latin1");
    for (const s of secrets)
      if (text.includes(s)) hits.push(`backup ${n}: ${s.slice(0, shown)}...`);
  }
  return { secrets: secrets.length, hits };
}

/**
 * Deploys, changes and breaks things with secrets in play (the SSH key, XOAUTH2 data, the EXO
 * client secret), capturing debug logs, error messages and outputs, then greps them and the
 * host's backup folder for every secret value.
 */
export async function runSecretScenario(host: SshHost, exo: ExoFake): Promise<SecretFigures> {
  const first = "xoauth2-data-FIRST-7c1f";
  const second = "xoauth2-data-SECOND-9a2e";
  const keyLines = host
    .connection()
    .privateKey.split("\n")
    .filter((l) => l && !l.startsWith("-----"));
  const secrets = [first, second, exo.clientSecret, ...keyLines];
  const seen: string[] = [];
  const stopCapture = captureDebug(seen);
  const base = { connection: host.connection(), ...(host.layout ? { layout: host.layout } : {}) };
  // What the provider says to the admin: messages, failures, ids and lines. Its outputs also
  // carry the secret inputs themselves, which the engine stores encrypted by key; those are not
  // output in this sense and are checked in the engine tests' state files.
  const attempt = async (what: string, fn: () => Promise<Props | undefined>) => {
    try {
      const r = (await fn()) ?? {};
      const outs = (r.outs ?? {}) as Props;
      seen.push(`${what}: ${JSON.stringify({ id: r.id, failures: r.failures, line: outs.line })}`);
    } catch (err) {
      seen.push(`${what} failed: ${(err as Error).message}`);
    }
  };
  try {
    fs.writeFileSync(host.file(FILES.gateway), original(FILES.gateway));
    const route = (data: string) => ({
      ...base,
      sender: "vip1@example.jp",
      smartHost: "smtp.office365.com",
      port: 587,
      auth: { scheme: "1XOAUTH2", data },
    });
    const c1 = await providers.gateway.check({}, route(first));
    const created = await providers.gateway.create(c1.inputs);
    seen.push(JSON.stringify({ id: created.id, line: created.outs.line }));
    resetBackupMemory();
    const c2 = await providers.gateway.check({}, route(second));
    await attempt("update", () => providers.gateway.update(created.id, created.outs, c2.inputs));
    await attempt("conflict", async () =>
      providers.gateway.create((await providers.gateway.check({}, route(first))).inputs),
    );
    await attempt("bad data", () => providers.gateway.check({}, route(`${first}é`)));
    await attempt("swapped", () =>
      providers.gateway.check(
        {},
        { ...route(first), auth: { scheme: `${first}.x/y=`, data: "1XOAUTH2" } },
      ),
    );
    await attempt("wrong host key", async () =>
      providers.alias.create(
        (
          await providers.alias.check(
            {},
            {
              ...base,
              connection: { ...base.connection, hostKey: "SHA256:" + "B".repeat(43) },
              alias: "x@example.jp",
              address: "y@intra.example.jp",
            },
          )
        ).inputs,
      ),
    );
    const wrong = `${exo.clientSecret}-wrong`;
    secrets.push(wrong);
    await attempt("exo wrong secret", async () =>
      providers["exo-spam-policy"].create(
        (
          await providers["exo-spam-policy"].check(
            {},
            { exo: { ...exo.connection(), clientSecret: wrong }, name: "p" },
          )
        ).inputs,
      ),
    );
    await attempt("exo", async () =>
      providers["exo-spam-policy"].create(
        (
          await providers["exo-spam-policy"].check(
            {},
            { exo: exo.connection(), name: "secret-check" },
          )
        ).inputs,
      ),
    );
  } finally {
    stopCapture();
  }
  return findSecrets(secrets, seen, host.file(BACKUPS), 10);
}

/**
 * The same over SMB: deploys and breaks things with the share password in play, capturing debug
 * logs, messages and outputs, and also reads the command line and environment of the SMB client
 * process, which other users of the machine can see. Greps all of it and the backups.
 */
export async function runSmbSecretScenario(host: SmbHost): Promise<SecretFigures> {
  const wrong = `${host.password}-wrong`;
  const secrets = [host.password, wrong];
  const seen: string[] = [];
  const stopCapture = captureDebug(seen);
  const args = {
    connection: host.connection(),
    alias: "vip1@example.jp",
    address: "vip1@intra.example.jp",
  };
  try {
    await closeAllRemotes();
    const c = await providers.alias.check({}, args);
    const created = await providers.alias.create(c.inputs);
    seen.push(
      JSON.stringify({ id: created.id, line: created.outs.line, target: created.outs.target }),
    );
    const share = (await openRemote(host.connection(), "/C:/Program Files/EPOST/MS")) as SmbShare;
    const pid = share.session.pid;
    for (const what of ["cmdline", "environ"]) {
      seen.push(fs.readFileSync(`/proc/${pid}/${what}`, "latin1"));
    }
    await providers.alias.delete(created.id, created.outs);
    try {
      await closeAllRemotes();
      const bad = await providers.alias.check(
        {},
        { ...args, connection: { ...args.connection, password: wrong } },
      );
      await providers.alias.create(bad.inputs);
    } catch (err) {
      seen.push(`wrong password: ${(err as Error).message}`);
    }
  } finally {
    stopCapture();
    await closeAllRemotes();
  }
  return findSecrets(secrets, seen, host.file(BACKUPS), 3);
}
