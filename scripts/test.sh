#!/usr/bin/env bash
# Command 2: install everything the tests need (Python packages, Debian's chromium, a local
# PostgreSQL server and Redis), start the servers, and run the whole test suite. Idempotent: a
# second run installs nothing and changes no existing account.
source "$(dirname "$0")/_venv.sh"
install_reqs requirements-dev.txt

SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1 || need+=(postgresql)
command -v redis-server >/dev/null 2>&1 || need+=(redis-server)
if [ ${#need[@]} -gt 0 ]; then
  echo "installing Debian packages: ${need[*]} ..."
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need[@]}" >/dev/null
fi

# PostgreSQL: start the default cluster; the tests get their own role and database (created once,
# never a change to the superuser or to anyone else's database). The role may create scratch
# databases (migration tests) and owns only what it creates.
PGVER="$(ls /usr/lib/postgresql | sort -V | tail -1)"
if ! pg_lsclusters -h 2>/dev/null | grep -q "^$PGVER main"; then
  $SUDO pg_createcluster "$PGVER" main >/dev/null
fi
if ! pg_lsclusters -h | grep "^$PGVER main" | grep -q online; then
  $SUDO pg_ctlcluster "$PGVER" main start
fi
for i in $(seq 1 30); do pg_isready -q -h 127.0.0.1 && break; sleep 0.5; done
TEST_PG_ROLE=wellbeing_tests
TEST_PG_DB=wellbeing_tests
TEST_PG_PASSWORD=wellbeing_tests  # a throw-away role that can reach only loopback test databases
pgq() { $SUDO su postgres -c "psql -q -tAc \"$1\""; }
pgq "SELECT 1 FROM pg_roles WHERE rolname='$TEST_PG_ROLE'" | grep -q 1 \
  || pgq "CREATE ROLE $TEST_PG_ROLE LOGIN CREATEDB PASSWORD '$TEST_PG_PASSWORD'" >/dev/null
pgq "SELECT 1 FROM pg_database WHERE datname='$TEST_PG_DB'" | grep -q 1 \
  || $SUDO su postgres -c "createdb -O $TEST_PG_ROLE $TEST_PG_DB"
export TEST_DATABASE_URL="${TEST_DATABASE_URL:-postgresql+psycopg://$TEST_PG_ROLE:$TEST_PG_PASSWORD@127.0.0.1:5432/$TEST_PG_DB}"

# Redis for the multi-instance tests: our own server on a loopback port, nothing written to disk.
TEST_REDIS_PORT="${TEST_REDIS_PORT:-6390}"
if ! redis-cli -h 127.0.0.1 -p "$TEST_REDIS_PORT" ping >/dev/null 2>&1; then
  redis-server --bind 127.0.0.1 --port "$TEST_REDIS_PORT" --daemonize yes --save "" --appendonly no \
    --dir /tmp --pidfile "/tmp/wellbeing-tests-redis-$TEST_REDIS_PORT.pid" \
    --logfile "/tmp/wellbeing-tests-redis-$TEST_REDIS_PORT.log" >/dev/null
  for i in $(seq 1 30); do redis-cli -h 127.0.0.1 -p "$TEST_REDIS_PORT" ping >/dev/null 2>&1 && break; sleep 0.2; done
fi
export TEST_REDIS_URL="${TEST_REDIS_URL:-redis://127.0.0.1:$TEST_REDIS_PORT/0}"

# Dependency audit (fails on a known vulnerability), the bundled data build (skipped when
# inputs are unchanged), then the suite.
bash scripts/audit.sh
.venv/bin/python -m etl build
# two workers: the machine has two cores (pytest-xdist)
.venv/bin/python -m pytest -q -p no:cacheprovider -n 2 --durations=15 "$@"
