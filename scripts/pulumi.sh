#!/usr/bin/env bash
# Runs the Pulumi CLI built by install-pulumi.sh with this project's defaults: a local state folder
# (.pulumi-state/, unless PULUMI_BACKEND_URL says otherwise), no update check, and no plugin
# downloads. Everything after the script name is passed to pulumi:
#
#   scripts/pulumi.sh preview --diff --stack tenant-a
#
# A `pulumi` already on PATH is used when it is the right version. Set PULUMI_CONFIG_PASSPHRASE
# (or PULUMI_CONFIG_PASSPHRASE_FILE) for the stack's secrets.
set -euo pipefail
repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

if ! pulumi version 2>/dev/null | grep -qx 'v3.248.0'; then
  bin_dir="$(bash "${repo_root}/scripts/install-pulumi.sh" | tail -n 1)"
  export PATH="${bin_dir}:${PATH}"
fi
if [[ -z "${PULUMI_BACKEND_URL:-}" ]]; then
  mkdir -p "${repo_root}/.pulumi-state"
  export PULUMI_BACKEND_URL="file://${repo_root}/.pulumi-state"
fi
export PULUMI_SKIP_UPDATE_CHECK=true
export PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION=true

# The resources' providers load the compiled package at run time.
[[ -f "${repo_root}/dist/provider/runtime.js" ]] || (cd "${repo_root}" && npm run --silent build)

cd "${repo_root}"
exec pulumi "$@"
