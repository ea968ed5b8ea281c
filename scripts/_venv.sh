# Sourced by run.sh and test.sh: create .venv and install a requirements file only when it changed.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
PY="${PYTHON:-python3}"
if [ ! -x .venv/bin/python ]; then
  "$PY" -m venv .venv
fi
install_reqs() {
  local req="$1"
  local stamp=".venv/.installed-$(basename "$req")-$(cat requirements*.txt | sha256sum | cut -c1-16)"
  if [ ! -f "$stamp" ]; then
    echo "installing Python packages from $req ..."
    .venv/bin/pip install --disable-pip-version-check -q -r "$req"
    touch "$stamp"
  fi
}
