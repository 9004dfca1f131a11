#!/usr/bin/env bash
# Makes the Python environment the SMB transport runs in: smbprotocol, the SMB 2/3 client
# library (signing, encryption, NTLMv2), pinned, in ~/.cache/epost-hybrid/smb-python. The
# provider finds it there; EPOST_HYBRID_PYTHON overrides the choice.
set -euo pipefail
version=1.17.0
venv="${XDG_CACHE_HOME:-$HOME/.cache}/epost-hybrid/smb-python"
if [ -x "$venv/bin/python" ] &&
  "$venv/bin/python" -c "import smbprotocol, sys; from importlib.metadata import version; sys.exit(version('smbprotocol') != '$version')" 2>/dev/null; then
  exit 0
fi
python3 -m venv "$venv" 2>/dev/null || {
  echo "python3 -m venv failed: install python3-venv (apt-get install python3-venv)" >&2
  exit 1
}
"$venv/bin/pip" install --quiet --disable-pip-version-check "smbprotocol==$version"
"$venv/bin/python" -c "import smbclient" && echo "smbprotocol $version installed in $venv"
