#!/usr/bin/env bash
# Create (or refresh) the project's virtualenv and install phonebank with its test tools.
# Usage: scripts/venv.sh PYTHON VENV
set -euo pipefail
python=${1:-python3}
venv=${2:-.venv}

if ! "$python" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
  echo "phonebank needs Python >= 3.11: apt-get install python3 (Debian 12 ships 3.11)" >&2
  exit 1
fi
if [ ! -x "$venv/bin/python" ]; then
  "$python" -m venv "$venv" || {
    echo "creating a virtualenv failed: apt-get install python3-venv" >&2
    exit 1
  }
fi
"$venv/bin/python" -m pip install -q --upgrade pip
"$venv/bin/python" -m pip install -q -e '.[test]'
