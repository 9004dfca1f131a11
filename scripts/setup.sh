#!/usr/bin/env bash
# Sets up a fresh Debian machine for the tests and the example: OpenSSH and Samba (the tests
# start their own sshd and smbd on 127.0.0.1), the Python SMB client, the npm packages of the
# project and of its policy pack, the build in dist/, the Pulumi CLI built from the Go module
# proxy, and the example E-Post host on 127.0.0.1:20022.
set -euo pipefail
cd "$(dirname "$0")/.."

need_apt=()
[ -x /usr/sbin/sshd ] || need_apt+=(openssh-server)
command -v ssh-keygen >/dev/null 2>&1 || need_apt+=(openssh-client)
[ -x /usr/sbin/smbd ] || need_apt+=(samba)
command -v python3 >/dev/null 2>&1 || need_apt+=(python3)
python3 -c "import ensurepip" >/dev/null 2>&1 || need_apt+=(python3-venv)
if [ "${#need_apt[@]}" -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "missing ${need_apt[*]}: run 'sudo apt-get install ${need_apt[*]}' and try again" >&2
    exit 1
  fi
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_apt[@]}" >/dev/null
fi
if ! command -v go >/dev/null 2>&1 && [ -x /usr/local/go/bin/go ]; then
  export PATH="/usr/local/go/bin:${PATH}"
fi
command -v go >/dev/null 2>&1 || {
  echo "go is not on PATH: Go 1.25 or later is needed to build the Pulumi CLI" >&2
  exit 1
}

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund
fi
# The policy pack is a package of its own; the engine starts it from its own node_modules.
if [ ! -d policy/node_modules ] || [ policy/package-lock.json -nt policy/node_modules/.package-lock.json ]; then
  (cd policy && npm ci --no-audit --no-fund)
fi
npm run build
bash scripts/install-smb-client.sh
bash scripts/install-pulumi.sh >/dev/null
if [ "$(id -u)" -eq 0 ]; then
  bash scripts/example-host.sh start
else
  echo "not root: skipping the example host (it needs root to chroot)" >&2
fi
