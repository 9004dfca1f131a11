// Prints the fault, race, input and secret figures of the editing layer over SSH and SMB, so they
// can be quoted: node dist/test/faults/printFigures.js [trials] [seed]
import { closeAllRemotes } from "../../provider/transport/remote";
import { ExoFake } from "../fakes/exoFake";
import { startSmbd } from "../harness/smbd";
import { startRelay } from "../harness/tcpRelay";
import { startSshd } from "../harness/sshd";
import { runBadInputs } from "./badInputs";
import { runConcurrentWriters, WriterFigures } from "./concurrentWriters";
import { runSecretScenario, runSmbSecretScenario } from "./secretHits";
import { FaultFigures, runFaultTrials, smbFaultHost, sshFaultHost } from "./writeFaults";

const faultLine = (name: string, seed: number, f: FaultFigures) =>
  `${name} faults (seed ${seed}): trials ${f.trials}, corrupt files ${f.corruptFiles}, lost lines ${f.lostLines}, not converged ${f.notConverged}, leftover files ${f.leftovers}, faults not fired ${f.missedFaults}`;
const faultBad = (f: FaultFigures) =>
  f.corruptFiles + f.lostLines + f.notConverged + f.leftovers + f.missedFaults;
const writerLine = (name: string, w: WriterFigures) =>
  `concurrent writers over ${name}: owned lines ${w.ownedLines}, missing ${w.missingOwned}, duplicated ${w.duplicated}, hand edits lost ${w.handEditsLost}, writer errors ${w.writerErrors}`;
const writerBad = (w: WriterFigures) =>
  w.missingOwned + w.duplicated + w.handEditsLost + w.writerErrors;

async function main(): Promise<void> {
  const trials = Number(process.argv[2] ?? 200);
  const seed = Number(process.argv[3] ?? Date.now() % 1_000_000);
  const host = await startSshd();
  const smb = await startSmbd();
  const exo = await new ExoFake().start();
  const relay = await startRelay(smb.port, false);
  try {
    console.log(`peers: ${host.version}; smbd ${smb.version}; EXO fake for the secret check`);
    const f = await runFaultTrials(sshFaultHost(host), trials, seed);
    console.log(faultLine("ssh", seed, f));
    const g = await runFaultTrials(smbFaultHost(smb, relay), trials, seed);
    console.log(faultLine("smb (TCP reset)", seed, g));
    const k = await runFaultTrials(smbFaultHost(smb), Math.ceil(trials / 2), seed);
    console.log(faultLine("smb (client killed)", seed, k));
    const w = await runConcurrentWriters(host);
    console.log(writerLine("ssh", w));
    const v = await runConcurrentWriters(smb);
    console.log(writerLine("smb", v));
    const b = await runBadInputs(host);
    console.log(
      `bad inputs: ${b.inputs} fed, ${b.refused} refused naming the field, ${b.missed.length} missed, files changed ${b.filesChanged}`,
    );
    const s = await runSecretScenario(host, exo);
    console.log(
      `secrets over ssh: ${s.secrets} values, ${s.hits.length} hits in logs, messages, outputs and backups`,
    );
    const t = await runSmbSecretScenario(smb);
    console.log(
      `secrets over smb: ${t.secrets} values, ${t.hits.length} hits in logs, messages, outputs, backups and the client's command line and environment`,
    );
    const bad =
      faultBad(f) +
      faultBad(g) +
      faultBad(k) +
      t.hits.length +
      writerBad(w) +
      writerBad(v) +
      b.missed.length +
      b.filesChanged +
      s.hits.length;
    console.log(
      bad === 0
        ? "all figures that must be zero are zero"
        : `${bad} figures that must be zero are not`,
    );
    process.exitCode = bad === 0 ? 0 : 1;
  } finally {
    await closeAllRemotes();
    await relay.stop();
    await exo.stop();
    await host.stop();
    await smb.stop();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
