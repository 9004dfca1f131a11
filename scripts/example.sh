#!/usr/bin/env bash
# Runs a Pulumi command on the example stack against the example E-Post host, starting the host
# first. The example stack's secrets use the passphrase "example" (they hold only the demo login
# key in test/fixtures/example-host-keys).
#
#   scripts/example.sh preview --diff     the main job: what would change on the example host
#   scripts/example.sh up --yes           apply it; the files are in /run/epost-hybrid-example
#
# With EPOST_EXAMPLE_PORT (and EPOST_EXAMPLE_DIR) set, as for example-host.sh, the example stack
# is pointed at that port first (stacks/Pulumi.example.yaml records it).
set -euo pipefail
repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

bash "${repo_root}/scripts/example-host.sh" start
export PULUMI_CONFIG_PASSPHRASE="${PULUMI_CONFIG_PASSPHRASE:-example}"
bash "${repo_root}/scripts/pulumi.sh" stack select --create example >/dev/null
if [[ -n "${EPOST_EXAMPLE_PORT:-}" ]]; then
  bash "${repo_root}/scripts/pulumi.sh" config set --stack example --path \
    'epost-hybrid:epost.port' "${EPOST_EXAMPLE_PORT}"
fi
exec bash "${repo_root}/scripts/pulumi.sh" "$@" --stack example
