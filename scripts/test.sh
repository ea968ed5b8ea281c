#!/usr/bin/env bash
# Command 2: install everything the tests need (Python packages, Debian's chromium, a local
# PostgreSQL server), start the database, and run the whole test suite. Idempotent: a second
# run installs nothing.
source "$(dirname "$0")/_venv.sh"
install_reqs requirements-dev.txt

SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1 || need+=(postgresql)
if [ ${#need[@]} -gt 0 ]; then
  echo "installing Debian packages: ${need[*]} ..."
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need[@]}" >/dev/null
fi

# PostgreSQL: start the default cluster and make a test database with a password login on loopback.
PGVER="$(ls /usr/lib/postgresql | sort -V | tail -1)"
if ! pg_lsclusters -h 2>/dev/null | grep -q "^$PGVER main"; then
  $SUDO pg_createcluster "$PGVER" main >/dev/null
fi
if ! pg_lsclusters -h | grep "^$PGVER main" | grep -q online; then
  $SUDO pg_ctlcluster "$PGVER" main start
fi
for i in $(seq 1 30); do pg_isready -q -h 127.0.0.1 && break; sleep 0.5; done
$SUDO su postgres -c "psql -q -c \"ALTER USER postgres PASSWORD 'postgres'\"" >/dev/null
$SUDO su postgres -c "psql -tAc \"SELECT 1 FROM pg_database WHERE datname='wellbeing_test'\"" | grep -q 1 \
  || $SUDO su postgres -c "createdb wellbeing_test"
export TEST_DATABASE_URL="${TEST_DATABASE_URL:-postgresql+psycopg://postgres:postgres@127.0.0.1:5432/wellbeing_test}"

# Dependency audit (fails on a known vulnerability), the bundled data build (skipped when
# inputs are unchanged), then the suite.
bash scripts/audit.sh
.venv/bin/python -m etl build
.venv/bin/python -m pytest -q -p no:cacheprovider "$@"
