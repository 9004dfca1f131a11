#!/usr/bin/env bash
# The example E-Post host: an OpenSSH server on 127.0.0.1 serving a copy of the example E-Post
# install (test/fixtures/epost-tree) chrooted, so that files appear at /C:/Program Files/EPOST/MS
# exactly as Windows OpenSSH shows them. The example stack (stacks/Pulumi.example.yaml) points at
# it.
#
#   scripts/example-host.sh start    start it (the files keep their content across restarts)
#   scripts/example-host.sh reset    put the original example files back
#   scripts/example-host.sh stop     stop it
#   scripts/example-host.sh status   say whether it runs, and where its files are
#
# It needs root: sshd chroots only as root, and only into a folder whose every parent is owned
# by root and writable by no one else, hence /run rather than the repository or /tmp. There is one
# per machine, shared by every checkout; EPOST_EXAMPLE_DIR and EPOST_EXAMPLE_PORT make another
# (the example stack then needs that port: see the README).
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
port="${EPOST_EXAMPLE_PORT:-20022}"
base="${EPOST_EXAMPLE_DIR:-/run/epost-hybrid-example}"
keys_src="${repo_root}/test/fixtures/example-host-keys"
tree_src="${repo_root}/test/fixtures/epost-tree"
pidfile="${base}/sshd.pid"

log() { printf '[example-host] %s\n' "$*" >&2; }

running() { [[ -f "${pidfile}" ]] && kill -0 "$(cat "${pidfile}")" 2>/dev/null; }

copy_tree() {
  rm -rf "${base}/root/C:"
  mkdir -p "${base}/root/C:"
  cp -R "${tree_src}/." "${base}/root/C:/"
  chmod -R u+rwX,go+rX,go-w "${base}/root/C:"
}

start() {
  if running; then
    local serving
    serving="$(sed -n 's/^Port //p' "${base}/sshd_config" 2>/dev/null || true)"
    if [[ -n "${serving}" && "${serving}" != "${port}" ]]; then
      log "error: the host in ${base} already runs on port ${serving}, not ${port}; give a" \
        "second host a folder of its own with EPOST_EXAMPLE_DIR"
      exit 1
    fi
    log "already running on 127.0.0.1:${port} (files in ${base}/root/C:)"
    return
  fi
  [[ "$(id -u)" -eq 0 ]] || { log "error: run as root (sshd can only chroot as root)"; exit 1; }
  command -v /usr/sbin/sshd >/dev/null || { log "error: install openssh-server first (npm run setup)"; exit 1; }
  mkdir -p "${base}/keys" /run/sshd
  chmod 755 "${base}"
  install -m 600 "${keys_src}/ssh_host_ed25519_key" "${base}/keys/ssh_host_ed25519_key"
  install -m 644 "${keys_src}/login_ed25519.pub" "${base}/keys/authorized_keys"
  [[ -d "${base}/root/C:" ]] || copy_tree
  cat > "${base}/sshd_config" <<CONF
Port ${port}
ListenAddress 127.0.0.1
HostKey ${base}/keys/ssh_host_ed25519_key
PidFile ${pidfile}
AuthorizedKeysFile ${base}/keys/authorized_keys
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
PermitRootLogin prohibit-password
StrictModes no
UsePAM no
Subsystem sftp internal-sftp
ForceCommand internal-sftp
ChrootDirectory ${base}/root
LogLevel ERROR
CONF
  /usr/sbin/sshd -f "${base}/sshd_config" -E "${base}/sshd.log"
  for _ in $(seq 1 50); do running && break; sleep 0.1; done
  if ! running; then
    if grep -q "Address already in use" "${base}/sshd.log" 2>/dev/null; then
      log "error: 127.0.0.1:${port} is taken by another program; run a host of your own with" \
        "EPOST_EXAMPLE_PORT=<free port> EPOST_EXAMPLE_DIR=<folder> set for every example" \
        "command (scripts/example.sh then points the example stack at that port)"
    else
      log "error: sshd did not start; see ${base}/sshd.log"
    fi
    exit 1
  fi
  log "running on 127.0.0.1:${port}; E-Post files in ${base}/root/C:/Program Files/EPOST/MS"
}

stop() {
  if running; then
    kill "$(cat "${pidfile}")"
    for _ in $(seq 1 50); do running || break; sleep 0.1; done
    log "stopped"
  else
    log "not running"
  fi
}

case "${1:-start}" in
  start) start ;;
  stop) stop ;;
  reset) copy_tree; log "example files restored in ${base}/root/C:" ;;
  status)
    if running; then log "running on 127.0.0.1:${port}; files in ${base}/root/C:"; else log "not running"; exit 3; fi ;;
  *) echo "usage: $0 start|stop|reset|status" >&2; exit 2 ;;
esac
