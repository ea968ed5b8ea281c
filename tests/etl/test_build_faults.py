"""The build under faults: failures after parsing, SIGKILL, concurrent builds, other users.

* every failure removes the build's temporary directory (`<out>.geo-<pid>-*`);
* a build killed with SIGKILL leaves no pool worker running and no temporary directory (the
  workers die with it; a janitor process removes what it wrote);
* two builds into the same directory both succeed, one after the other (a lock beside the
  output), and the output directory is never missing, even while the final swaps race;
* the output is readable by an app running as another user (0755 directories, 0644 files).
"""
from __future__ import annotations

import json
import multiprocessing as mp
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from etl import build as build_mod
from etl.errors import InputError
from tests.helpers import RAW, raw_copy

ROOT = Path(__file__).resolve().parents[2]
ELS = "ons-wellbeing/els_personal-wellbeing-estimates.csv"
QUICK = {"ETL_SOURCES": "ons_wellbeing"}
# two sources, so the build parses on its pool of worker processes
PARALLEL = {"ETL_SOURCES": "ons_wellbeing,sport_active_lives", "ETL_PARALLEL": "1"}


def _temporaries(parent: Path, name: str = "build") -> list[Path]:
    return [p for p in parent.iterdir() if p.name.startswith(f"{name}.") and p.name != name]


def _cli(raw: Path, out: Path, env: dict, *extra: str, log: Path | None = None) -> subprocess.Popen:
    """`python -m etl build` in a subprocess; output to `log` (a file: a pipe nobody reads
    could fill and stall the build) or to pipes read with communicate()."""
    stream = open(log, "w") if log else subprocess.PIPE
    return subprocess.Popen([sys.executable, "-m", "etl", "build", "--raw", str(raw), "--out", str(out), *extra],
                            cwd=ROOT, env={**os.environ, **env}, stdout=stream, stderr=subprocess.STDOUT if log
                            else subprocess.PIPE, text=True)


def _children(pid: int) -> list[int]:
    out = []
    for d in Path("/proc").iterdir():
        if d.name.isdigit():
            try:
                fields = (d / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                out.append(int(d.name))
    return out


def _running(pid: int) -> bool:
    """Alive and not a zombie (a container's PID 1 may never reap orphans)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state not in ("Z", "X")


def _cmdline(pid: int) -> list[str]:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace").split("\0")
    except OSError:
        return []


# --------------------------------------------------------------------------- temporary directories
def test_failure_after_parsing_leaves_no_temporary(tmp_path, monkeypatch):
    """A nation code nobody knows passes the parser and fails the build's area check, after
    the geometry was written into the temporary directory: that directory goes too."""
    for k, v in QUICK.items():
        monkeypatch.setenv(k, v)
    text = (RAW / ELS).read_bytes().replace(b"W92000004", b"W92000009")
    raw = raw_copy(tmp_path / "raw", replace={ELS: text})
    out = tmp_path / "out" / "build"
    with pytest.raises(InputError, match="W92000009"):
        build_mod.build(raw, out, log=lambda *a: None)
    assert not out.exists()
    assert _temporaries(out.parent) == []


def test_stale_temporaries_of_dead_builds_are_removed(tmp_path):
    out = tmp_path / "build"
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    pid = int(dead.stdout)
    stale = [tmp_path / f"build.geo-{pid}-abc", tmp_path / f"build.old-{pid}-123"]
    live = tmp_path / f"build.geo-{os.getpid()}-xyz"  # this process is alive: not touched
    for d in stale + [live]:
        d.mkdir()
        (d / "x").write_text("x")
    removed = build_mod.remove_stale_temporaries(out)
    assert sorted(removed) == sorted(stale)
    assert live.exists() and not any(d.exists() for d in stale)


# --------------------------------------------------------------------------- SIGKILL
def test_sigkill_leaves_no_workers_and_no_temporaries(tmp_path):
    out = tmp_path / "build"
    proc = _cli(RAW, out, PARALLEL, "--force", log=tmp_path / "etl-output.txt")
    workers: list[int] = []
    deadline = time.time() + 120
    # wait for the pool (children running the same command line) and the temporary directory
    while time.time() < deadline and proc.poll() is None:
        workers = [c for c in _children(proc.pid) if _cmdline(c) == _cmdline(proc.pid)]
        if len(workers) >= 2 and _temporaries(tmp_path):
            break
        time.sleep(0.05)
    assert proc.poll() is None, f"the build ended before it could be killed: {(tmp_path / 'etl-output.txt').read_text()}"
    assert len(workers) >= 2, "the build never started its worker processes"
    time.sleep(1.0)  # let the workers get busy
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(10)
    deadline = time.time() + 20
    while time.time() < deadline and (any(_running(w) for w in workers) or _temporaries(tmp_path)):
        time.sleep(0.1)
    alive = [w for w in workers if _running(w)]
    for w in alive:  # do not leave them behind if the test fails
        os.kill(w, signal.SIGKILL)
    assert alive == [], f"{len(alive)} worker process(es) outlived the killed build"
    assert _temporaries(tmp_path) == [], f"left behind: {_temporaries(tmp_path)}"
    assert not out.exists()


# --------------------------------------------------------------------------- concurrency
def _swapper(out: str, n: int, errors) -> None:
    import tempfile

    out = Path(out)
    try:
        for i in range(n):
            tmp = Path(tempfile.mkdtemp(prefix=f"build.geo-{os.getpid()}-", dir=out.parent))
            (tmp / "manifest.json").write_text(json.dumps({"by": os.getpid(), "i": i}))
            build_mod._swap(tmp, out)
    except Exception as exc:  # noqa: BLE001 - reported to the parent
        errors.put(f"{type(exc).__name__}: {exc}")


def test_racing_swaps_never_leave_the_output_missing(tmp_path):
    """Two processes swap new directories into place 300 times each while a third reads: no
    swap fails and the reader never finds the output (or its manifest) missing."""
    out = tmp_path / "build"
    out.mkdir()
    (out / "manifest.json").write_text("{}")
    ctx = mp.get_context("fork")
    errors = ctx.Queue()
    procs = [ctx.Process(target=_swapper, args=(str(out), 300, errors)) for _ in range(2)]
    missing = []
    stop = threading.Event()

    def watch():
        while not stop.is_set():
            try:
                (out / "manifest.json").stat()
            except FileNotFoundError:
                missing.append(time.time())

    w = threading.Thread(target=watch)
    w.start()
    for p in procs:
        p.start()
    for p in procs:
        p.join(120)
    stop.set()
    w.join()
    failures = []
    while not errors.empty():
        failures.append(errors.get())
    assert failures == [], f"{len(failures)} swaps failed, e.g. {failures[:3]}"
    assert missing == [], f"the output was missing {len(missing)} times"
    assert json.loads((out / "manifest.json").read_text())["i"] == 299
    assert [p for p in tmp_path.iterdir() if p != out] == []


def _hold_lock(out: str, seconds: float, log) -> None:
    with build_mod.build_lock(Path(out)):
        log.put(("in", os.getpid(), time.time()))
        time.sleep(seconds)
        log.put(("out", os.getpid(), time.time()))


def test_build_lock_serialises(tmp_path):
    out = tmp_path / "build"
    ctx = mp.get_context("fork")
    log = ctx.Queue()
    procs = [ctx.Process(target=_hold_lock, args=(str(out), 0.5, log)) for _ in range(3)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(30)
    events = sorted([log.get() for _ in range(6)], key=lambda e: e[2])
    # in, out, in, out, ...: never two holders at once
    assert [e[0] for e in events] == ["in", "out"] * 3
    assert all(events[i][1] == events[i + 1][1] for i in range(0, 6, 2))
    assert build_mod.lock_path(out).exists()


def test_two_concurrent_builds_both_succeed_and_output_stays(tmp_path):
    raw = raw_copy(tmp_path / "raw")
    out = tmp_path / "build"
    first = _cli(raw, out, QUICK)
    assert first.communicate(timeout=300) and first.returncode == 0
    missing = []
    stop = threading.Event()

    def watch():
        while not stop.is_set():
            if not (out / "manifest.json").exists():
                missing.append(time.time())
            time.sleep(0.001)

    w = threading.Thread(target=watch)
    w.start()
    procs = [_cli(raw, out, QUICK, "--force") for _ in range(2)]
    results = []
    for p in procs:
        stdout, stderr = p.communicate(timeout=600)
        results.append((p.returncode, stdout, stderr))
    stop.set()
    w.join()
    for rc, stdout, stderr in results:
        assert rc == 0, stderr
        assert "build: wrote" in stdout
    assert missing == []
    man = json.loads((out / "manifest.json").read_text())
    assert man["observations"] > 1000
    assert _temporaries(tmp_path) == []


# --------------------------------------------------------------------------- permissions
def test_output_is_readable_by_other_users(tmp_path, monkeypatch):
    """Even under a strict umask the build is world-readable data (an app may run as another
    user); the manifest also counts the rows left out on purpose."""
    for k, v in QUICK.items():
        monkeypatch.setenv(k, v)
    out = tmp_path / "build"
    old = os.umask(0o077)
    try:
        build_mod.build(raw_copy(tmp_path / "raw"), out, log=lambda *a: None)
    finally:
        os.umask(old)
    assert out.stat().st_mode & 0o777 == 0o755
    modes = {p.name: p.stat().st_mode & 0o777 for p in out.iterdir()}
    assert modes and set(modes.values()) == {0o644}, modes
    man = json.loads((out / "manifest.json").read_text())
    dropped = {d["reason"] for d in man["dropped_rows"]}
    assert any("metropolitan county" in r for r in dropped), dropped
