#!/usr/bin/env bash
# Redeploys the configuration of an earlier update from the stack's history, for stacks whose
# earlier configuration is not at hand in git:
#
#   scripts/rollback.sh <stack> <updates-back> [pulumi up flags...]
#
# <updates-back> counts successful updates from the newest: 1 is the one before the last.
# It writes that update's configuration (secrets encrypted again) to a temporary stack file next
# to stacks/Pulumi.<stack>.yaml and runs `pulumi up` with it. The stack file in stacks/ is not
# changed; commit the restored file yourself if the rollback is to stay.
set -euo pipefail
repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
stack="${1:?usage: rollback.sh <stack> <updates-back> [pulumi up flags...]}"
back="${2:?usage: rollback.sh <stack> <updates-back> [pulumi up flags...]}"
shift 2
pulumi_sh="${repo_root}/scripts/pulumi.sh"
stack_file="${repo_root}/stacks/Pulumi.${stack}.yaml"
out="${ROLLBACK_CONFIG_FILE:-$(mktemp "${TMPDIR:-/tmp}/Pulumi.${stack}.rollback.XXXXXX.yaml")}"

history="$(bash "${pulumi_sh}" stack history --json --show-secrets --stack "${stack}")"
config_json="$(HISTORY="${history}" BACK="${back}" node -e '
  const all = JSON.parse(process.env.HISTORY);
  const updates = all.filter((u) => u.kind === "update" && u.result === "succeeded");
  const back = Number(process.env.BACK);
  const u = updates[back];
  if (!u) {
    console.error(`the stack has ${updates.length} successful updates; cannot go ${back} back`);
    process.exit(1);
  }
  console.error(`restoring the configuration of the update started ${u.startTime}`);
  process.stdout.write(JSON.stringify(u.config ?? {}));
')"

# Keep the stack's encryption salt so the restored secrets are encrypted as before.
grep -E '^(encryptionsalt|secretsprovider|encryptedkey):' "${stack_file}" > "${out}" || true
bash "${pulumi_sh}" config set-all --json "${config_json}" --config-file "${out}" --stack "${stack}"
echo "restored configuration written to ${out}" >&2
exec bash "${pulumi_sh}" up --config-file "${out}" --stack "${stack}" "$@"
