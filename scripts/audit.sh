#!/usr/bin/env bash
# pip-audit on the pinned runtime requirements. Fails on any known vulnerability. When nothing
# could be checked (no advisory data reachable, as with a package mirror that serves none), the
# first line says plainly that the audit was not possible, instead of pip-audit's "No known
# vulnerabilities found".
set -uo pipefail
cd "$(dirname "$0")/.."
PIP_AUDIT="${PIP_AUDIT:-.venv/bin/pip-audit}"
PY="${PYTHON_BIN:-.venv/bin/python}"
err="$(mktemp)"
json="$("$PIP_AUDIT" -r requirements.txt --progress-spinner off --format json 2>"$err")"
rc=$?
"$PY" scripts/audit_summary.py "pip-audit exited with $rc: $(tail -1 "$err" | cut -c1-200)" <<<"$json"
status=$?
rm -f "$err"
exit $status
