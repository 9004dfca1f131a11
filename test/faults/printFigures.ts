// Prints the fault, race, input and secret figures of the editing layer over SSH, so they can be
// quoted: node dist/test/faults/printFigures.js [trials] [seed]
import { closeAllSessions } from "../../provider/transport/sshSession";
import { ExoFake } from "../fakes/exoFake";
import { startSshd } from "../harness/sshd";
import { runBadInputs } from "./badInputs";
import { runConcurrentWriters } from "./concurrentWriters";
import { runSecretScenario } from "./secretHits";
import { runSshFaultTrials } from "./sshFaults";

async function main(): Promise<void> {
  const trials = Number(process.argv[2] ?? 200);
  const seed = Number(process.argv[3] ?? Date.now() % 1_000_000);
  const host = await startSshd();
  const exo = await new ExoFake().start();
  try {
    console.log(`peer: ${host.version}; EXO fake for the secret check`);
    const f = await runSshFaultTrials(host, trials, seed);
    console.log(
      `ssh faults (seed ${seed}): trials ${f.trials}, corrupt files ${f.corruptFiles}, lost lines ${f.lostLines}, not converged ${f.notConverged}, leftover files ${f.leftovers}, faults not fired ${f.missedFaults}`,
    );
    const w = await runConcurrentWriters(host);
    console.log(
      `concurrent writers: owned lines ${w.ownedLines}, missing ${w.missingOwned}, duplicated ${w.duplicated}, hand edits lost ${w.handEditsLost}, writer errors ${w.writerErrors}`,
    );
    const b = await runBadInputs(host);
    console.log(
      `bad inputs: ${b.inputs} fed, ${b.refused} refused naming the field, ${b.missed.length} missed, files changed ${b.filesChanged}`,
    );
    const s = await runSecretScenario(host, exo);
    console.log(
      `secrets: ${s.secrets} values, ${s.hits.length} hits in logs, messages, outputs and backups`,
    );
    const bad =
      f.corruptFiles +
      f.lostLines +
      f.notConverged +
      f.leftovers +
      f.missedFaults +
      w.missingOwned +
      w.duplicated +
      w.handEditsLost +
      w.writerErrors +
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
    await closeAllSessions();
    await exo.stop();
    await host.stop();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
