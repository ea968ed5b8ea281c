#!/usr/bin/env bash
# Command 1: install and run the dashboard on the bundled data (builds data/build/ if missing),
# served by the production server: the Procfile's gunicorn command, bound to 127.0.0.1 unless
# HOST says otherwise (HOST=0.0.0.0 to serve other machines), on PORT (default 8050).
source "$(dirname "$0")/_venv.sh"
install_reqs requirements.txt
# byte-compile the app once: where PYTHONDONTWRITEBYTECODE is set, every start would compile it again
.venv/bin/python -m compileall -q dashboard etl >/dev/null
.venv/bin/python -c "from dashboard import config; from etl.build import ensure_build; ensure_build(config.raw_dir(), config.build_dir())"
export HOST="${HOST:-127.0.0.1}" PORT="${PORT:-8050}"
web="$(sed -n 's/^web: //p' Procfile)"
echo "serving on http://${HOST}:${PORT} (set PUBLIC_BASE_URL to the address people use to reach it)"
export PATH="$ROOT/.venv/bin:$PATH"
exec bash -c "exec $web"
