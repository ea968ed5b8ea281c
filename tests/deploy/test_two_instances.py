"""Two app instances as the README deploys them: the Procfile's gunicorn command twice (two ports),
sharing one PostgreSQL database and one Redis. A workshop writes to one assessment through both
at once: nothing may be lost, the write limit must count across both, and both must use the one
shared cache. Under CI=true a missing PostgreSQL or Redis fails the run."""
from __future__ import annotations

import contextlib
import json
import os
import sys
import threading
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from dashboard.maturity import db
from dashboard.maturity import repository as repo
from dashboard.maturity.model import RATINGS, load_model
from tests.conftest import IN_CI, ROOT, missing
from tests.dashboard.maturity.dash_requests import autosave_body, saved
from tests.helpers import free_port, serving

CRITERIA = sorted(load_model().criteria)
LIMIT = 60          # maturity callbacks per participant per window, on both instances
WINDOW_S = 600      # long, so a window boundary never falls inside the test
PARTICIPANTS = 12


@pytest.fixture(scope="module")
def redis_url():
    url = os.environ.get("TEST_REDIS_URL")
    if not url:
        missing("Redis (TEST_REDIS_URL, started by scripts/test.sh)")
    import redis

    try:
        redis.Redis.from_url(url, socket_connect_timeout=2).ping()
    except Exception as exc:  # noqa: BLE001
        if IN_CI:
            pytest.fail(f"Redis at TEST_REDIS_URL is not reachable: {exc}", pytrace=False)
        pytest.skip(f"Redis not reachable: {exc}")
    return url


def procfile_command() -> str:
    for line in (ROOT / "Procfile").read_text().splitlines():
        if line.startswith("web:"):
            return line.split(":", 1)[1].strip()
    raise AssertionError("Procfile has no web: line")


@contextlib.contextmanager
def instance(env_extra: dict, log_path: Path, timeout: float = 120):
    """The Procfile's web command on a free loopback port; yields its base URL."""
    port = free_port()
    env = dict(os.environ, HOST="127.0.0.1", PORT=str(port), WEB_CONCURRENCY="1",
               PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}", **env_extra)
    # terminating bash's exec'd gunicorn stops its master and workers
    with serving(["bash", "-c", "exec " + procfile_command()], env, port, log_path, timeout, "gunicorn",
                 stop_timeout=20) as url:
        yield url


@pytest.fixture(scope="module")
def two(build_dir, pg_url, redis_url, tmp_path_factory):
    logs = tmp_path_factory.mktemp("instances")
    env = {"DATABASE_URL": pg_url, "REDIS_URL": redis_url, "SECRET_KEY": "one-secret-for-both",
           "WELLBEING_BUILD_DIR": str(build_dir), "WRITE_LIMIT_PER_MINUTE": str(LIMIT),
           "WRITE_LIMIT_WINDOW_S": str(WINDOW_S), "PUBLIC_BASE_URL": "https://wellbeing.example.gov.uk"}
    with instance(env, logs / "a.log") as a, instance(env, logs / "b.log") as b:
        yield a, b, logs
    db.dispose_all()


def _post(base: str, body: dict) -> tuple[int, dict]:
    req = urllib.request.Request(base + "/_dash-update-component", data=json.dumps(body).encode(),
                                 headers={"Content-Type": "application/json"}, method="POST")
    try:
        with urllib.request.urlopen(req, timeout=60) as r:
            return r.status, json.loads(r.read() or b"{}")
    except urllib.error.HTTPError as e:
        return e.code, {}


def _wait_for_room_in_window(needed_s: float = 30) -> None:
    left = WINDOW_S - time.time() % WINDOW_S
    if left < needed_s:
        time.sleep(left + 1)


def test_a_workshop_through_two_instances_loses_nothing(two, pg_url, capsys):
    a, b, _ = two
    _wait_for_room_in_window()
    t = repo.create_assessment("Two Instances Borough", None, "S", "2025-01-01", "Fay", url=pg_url)
    parts = [repo.join(t["join_token"], f"P{i}", url=pg_url) for i in range(PARTICIPANTS)]
    start = threading.Barrier(PARTICIPANTS)
    results: list[tuple[int, str, int, bool]] = []
    lock = threading.Lock()

    def participant(i: int) -> None:
        start.wait()
        for j, cid in enumerate(CRITERIA):  # every other save goes to the other instance
            base = a if (i + j) % 2 == 0 else b
            code, out = _post(base, autosave_body(parts[i], {cid: RATINGS[(i + j) % 3]}))
            with lock:
                results.append((i, cid, code, code == 200 and saved(out, cid)))

    with ThreadPoolExecutor(PARTICIPANTS) as ex:
        list(ex.map(participant, range(PARTICIPANTS)))
    acknowledged = sum(ok for *_, ok in results)
    snap = repo.facilitator_view(t["facilitator_token"], url=pg_url)
    by_name = {p["name"]: p["ratings"] for p in snap["participants"]}
    lost = sum(1 for i in range(PARTICIPANTS) for j, cid in enumerate(CRITERIA)
               if (by_name[f"P{i}"].get(cid) or {}).get("rating") != RATINGS[(i + j) % 3])
    with capsys.disabled():
        print(f"\ntwo instances: {len(results)} concurrent writes by {PARTICIPANTS} participants from one "
              f"address, {acknowledged} acknowledged, {lost} lost, "
              f"{sum(c == 429 for _, _, c, _ in results)} refused")
    assert len(results) == PARTICIPANTS * len(CRITERIA)
    assert [r for r in results if r[2] != 200] == []  # one office address, 672 writes: no 429
    assert acknowledged == len(results) and lost == 0


def test_the_write_limit_is_counted_across_both_instances(two, pg_url, redis_url):
    a, b, _ = two
    _wait_for_room_in_window()
    t = repo.create_assessment("Limit Borough", None, "S", "2025-01-01", "Fay", url=pg_url)
    p = repo.join(t["join_token"], "Ann", url=pg_url)
    codes = [_post(a if k % 2 == 0 else b, autosave_body(p, {CRITERIA[k % len(CRITERIA)]: "partly"}))[0]
             for k in range(LIMIT + 10)]
    # each instance saw only 35: without the shared count neither would refuse anything
    assert codes[:LIMIT] == [200] * LIMIT and codes[LIMIT:] == [429] * 10, codes
    import redis

    r = redis.Redis.from_url(redis_url)
    keys = [k for k in r.scan_iter(match=f"*rl:token:{p}:*")]
    assert len(keys) == 1 and int(r.get(keys[0])) == LIMIT + 10  # one counter, fed by both instances


def test_both_instances_use_the_one_shared_cache(two, pg_url, redis_url):
    """Same build, same prefix, same Redis: a value one instance stores is the one the other reads.
    (The write limit is the cache's user; a participant's count started on A continues on B.)"""
    a, b, _ = two
    _wait_for_room_in_window()
    t = repo.create_assessment("Cache Borough", None, "S", "2025-01-01", "Fay", url=pg_url)
    p = repo.join(t["join_token"], "Bo", url=pg_url)
    assert [_post(a, autosave_body(p, {"h1.a1": "fully"}))[0] for _ in range(LIMIT)] == [200] * LIMIT
    code, _ = _post(b, autosave_body(p, {"h1.a1": "partly"}))  # B has seen nothing from Bo itself
    assert code == 429
    import redis

    prefixes = {k.decode().split("rl:", 1)[0] for k in redis.Redis.from_url(redis_url).scan_iter(match=f"*rl:token:{p}:*")}
    assert len(prefixes) == 1 and next(iter(prefixes)).startswith("wb-")
    assert repo.participant_view(p, url=pg_url)["ratings"]["h1.a1"]["rating"] == "fully"  # the refused one not saved


def test_production_headers_and_clean_logs(two):
    a, b, logs = two
    for base in (a, b):
        with urllib.request.urlopen(base + "/maturity") as r:
            assert r.headers.get("Server") is None  # gunicorn's "Server: gunicorn" is dropped
            assert r.headers["Referrer-Policy"] == "no-referrer"
        req = urllib.request.Request(base + "/_dash-component-suites/nope/x.js")
        with pytest.raises(urllib.error.HTTPError) as err:
            urllib.request.urlopen(req)
        assert err.value.code == 404 and err.value.headers.get("Server") is None
    for name in ("a.log", "b.log"):
        text = (logs / name).read_text()
        assert "Traceback" not in text, text[-3000:]
