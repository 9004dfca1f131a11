// A separate provider process, as a second stack's deploy would be: creates the aliases named on
// the command line on the host described by EPOST_TEST_CONNECTION, and prints "ok" or the error.
import { providers } from "../../provider/runtime";
import { closeAllRemotes } from "../../provider/transport/remote";

async function main(): Promise<void> {
  const base = JSON.parse(process.env.EPOST_TEST_CONNECTION ?? "{}") as Record<string, unknown>;
  for (const alias of process.argv.slice(2)) {
    const { inputs, failures } = await providers.alias.check(
      {},
      {
        ...base,
        alias,
        address: alias.replace("@", "@intra."),
      },
    );
    if (failures.length > 0) throw new Error(JSON.stringify(failures));
    await providers.alias.create(inputs);
  }
}

main()
  .then(() => console.log("ok"))
  .catch((err) => console.log(`error: ${(err as Error).message}`))
  .finally(() => void closeAllRemotes());
