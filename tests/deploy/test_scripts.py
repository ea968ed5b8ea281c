"""The scripts behind `make run` and `make test`: production server on loopback, tests that never
touch a user's database or Redis, a test database of their own, and an honest dependency audit."""
from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.conftest import ROOT, missing

# --------------------------------------------------------------------------- audit


def _fake_pip_audit(tmp_path: Path, report: dict | None, rc: int) -> Path:
    fake = tmp_path / "pip-audit"
    body = "" if report is None else json.dumps(report)
    fake.write_text(f"#!/bin/sh\ncat <<'EOF'\n{body}\nEOF\n"
                    "echo 'No known vulnerabilities found' >&2\n"
                    f"exit {rc}\n")
    fake.chmod(0o755)
    return fake


def _audit(tmp_path, report, rc=0):
    env = dict(os.environ, PIP_AUDIT=str(_fake_pip_audit(tmp_path, report, rc)), PYTHON_BIN=sys.executable)
    out = subprocess.run(["bash", str(ROOT / "scripts" / "audit.sh")], cwd=ROOT, env=env, capture_output=True,
                         text=True, timeout=60)
    return out.returncode, out.stdout.strip().splitlines()


def test_audit_says_first_when_nothing_could_be_checked(tmp_path):
    skipped = {"dependencies": [{"name": n, "skip_reason": f"Dependency not found on PyPI and could not be "
                                                        f"audited: {n}"} for n in ("dash", "flask", "redis")],
               "fixes": []}
    code, lines = _audit(tmp_path, skipped)
    assert lines[0].startswith("pip-audit: AUDIT NOT POSSIBLE") and "none of the 3 packages" in lines[0]
    assert "No known vulnerabilities found" not in lines[0] and code == 0
    code, lines = _audit(tmp_path, None, rc=1)  # pip-audit could not run at all
    assert lines[0].startswith("pip-audit: AUDIT NOT POSSIBLE") and code == 0


def test_audit_fails_on_a_real_finding(tmp_path):
    report = {"dependencies": [
        {"name": "flask", "version": "3.1.3", "vulns": []},
        {"name": "werkzeug", "version": "3.1.9", "vulns": [{"id": "GHSA-xxxx-yyyy-zzzz", "fix_versions": ["3.2.0"],
                                                            "description": "..."}]},
        {"name": "dash", "skip_reason": "could not be audited"}], "fixes": []}
    code, lines = _audit(tmp_path, report, rc=1)
    assert code == 1 and "1 KNOWN VULNERABILITIES" in lines[0]
    assert any("werkzeug 3.1.9: GHSA-xxxx-yyyy-zzzz (fixed in 3.2.0)" in x for x in lines)
    clean = {"dependencies": [{"name": "flask", "version": "3.1.3", "vulns": []},
                              {"name": "dash", "skip_reason": "could not be audited"}]}
    code, lines = _audit(tmp_path, clean)
    assert code == 0 and lines[0] == "pip-audit: no known vulnerabilities in the 1 packages checked."
    assert "dash" in lines[1]


# --------------------------------------------------------------------------- tests never touch user data


def test_the_suite_ignores_the_users_database_and_redis(tmp_path):
    user_db = tmp_path / "user-data" / "assessments.sqlite"
    user_db.parent.mkdir()
    env = dict(os.environ, WB_ENV_PROBE="1", DATABASE_URL=f"sqlite:///{user_db}",
               REDIS_URL="redis://user-redis.invalid:6379/0")
    out = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-s",
                          "tests/deploy/env_probe.py"], cwd=ROOT, env=env,
                         capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stdout[-3000:] + out.stderr[-2000:]
    assert "1 passed" in out.stdout
    assert not user_db.exists(), "the tests wrote to the DATABASE_URL of the environment"
    assert "PROBE-URL sqlite:///" in out.stdout and "user-data" not in out.stdout.split("PROBE-URL", 1)[1][:300]


def test_test_script_uses_its_own_role_and_redis():
    text = (ROOT / "scripts" / "test.sh").read_text()
    assert "ALTER USER postgres" not in text.upper().replace("ALTER  USER", "ALTER USER")
    assert "PASSWORD 'postgres'" not in text
    # role and database are created only when missing (idempotent), and the tests get them
    assert "FROM pg_roles WHERE rolname='$TEST_PG_ROLE'" in text and "CREATE ROLE $TEST_PG_ROLE" in text
    assert "export TEST_DATABASE_URL=" in text and "$TEST_PG_ROLE:$TEST_PG_PASSWORD@127.0.0.1" in text
    assert "command -v redis-server" in text and "need+=(redis-server)" in text
    assert "--bind 127.0.0.1" in text and "export TEST_REDIS_URL=" in text
    assert "DATABASE_URL=" not in text.replace("TEST_DATABASE_URL=", "")


# --------------------------------------------------------------------------- make run


def _lan_address() -> str | None:
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            s.connect(("192.0.2.1", 9))  # no packet is sent; picks the outward interface
            addr = s.getsockname()[0]
        return None if addr.startswith("127.") else addr
    except OSError:
        return None


def test_make_run_serves_gunicorn_on_loopback(build_dir, tmp_path):
    """scripts/run.sh with the data already built: the Procfile's gunicorn, on 127.0.0.1 only."""
    if not (ROOT / ".venv" / "bin" / "python").exists():
        missing("the project's .venv (created by make run / make test)")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {k: v for k, v in os.environ.items() if k not in ("HOST",)}
    env.update(PORT=str(port), WEB_CONCURRENCY="1", WELLBEING_BUILD_DIR=str(build_dir),
               DATABASE_URL=f"sqlite:///{tmp_path / 'run.sqlite'}")
    log = open(tmp_path / "run.log", "w+")
    proc = subprocess.Popen(["bash", str(ROOT / "scripts" / "run.sh")], cwd=ROOT, env=env, stdout=log,
                            stderr=subprocess.STDOUT, start_new_session=True)
    try:
        deadline = time.time() + 240
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as r:
                    assert r.status == 200 and r.headers.get("Server") is None
                    break
            except OSError:
                if proc.poll() is not None or time.time() > deadline:
                    log.seek(0)
                    pytest.fail(f"make run did not serve:\n{log.read()[-3000:]}")
                time.sleep(0.5)
        cmdline = Path(f"/proc/{proc.pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
        assert "gunicorn" in cmdline and f"127.0.0.1:{port}" in cmdline, cmdline
        lan = _lan_address()
        if lan:
            with pytest.raises(OSError):
                socket.create_connection((lan, port), timeout=2).close()
    finally:
        try:
            os.killpg(proc.pid, 15)  # the session run.sh started: gunicorn and its workers
            proc.wait(20)
        except ProcessLookupError:
            pass
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, 9)
        log.close()
