"""Test helpers: a throw-away copy of data/raw (symlinks) with chosen files replaced."""
from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

RAW = Path(__file__).resolve().parent.parent / "data" / "raw"


def raw_copy(dest: Path, replace: dict[str, bytes | None] | None = None, add: dict[str, bytes] | None = None) -> Path:
    """Mirror data/raw into `dest` with symlinks; `replace` maps relative paths to new bytes
    (None deletes the file); `add` adds new files."""
    replace = replace or {}
    for src in RAW.rglob("*"):
        if src.is_dir():
            continue
        rel = str(src.relative_to(RAW))
        target = dest / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        if rel in replace:
            if replace[rel] is not None:
                target.write_bytes(replace[rel])
        else:
            os.symlink(src, target)
    for rel, data in (add or {}).items():
        (dest / rel).parent.mkdir(parents=True, exist_ok=True)
        (dest / rel).write_bytes(data)
    return dest


def free_port() -> int:
    """A TCP port on loopback that nothing listens on just now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def serving(args: list[str], env: dict, port: int, log_path: Path, timeout: float, name: str,
            stop_timeout: float = 10):
    """Run the web server `args` (listening on loopback `port`, output to `log_path`); yields its
    base URL once /healthz answers 200, and stops it afterwards. Fails the test (with the server's
    log) if it exits early or does not answer within `timeout` seconds."""
    import pytest

    log = open(log_path, "w+")
    proc = subprocess.Popen(args, cwd=RAW.parent.parent, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.time() + timeout
        while True:
            if proc.poll() is not None:
                log.seek(0)
                pytest.fail(f"{name} exited early:\n{log.read()[-3000:]}")
            try:
                with urllib.request.urlopen(url + "/healthz", timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            if time.time() > deadline:
                pytest.fail(f"{name} did not answer within {timeout:.0f} s")
            time.sleep(0.3)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(stop_timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


@contextlib.contextmanager
def app_server(env_extra: dict, log_path: Path, timeout: float = 90):
    """`python -m dashboard` in a subprocess on a free loopback port; yields its base URL.
    Fails the test (with the server's log) if it exits or does not answer /healthz in time."""
    port = free_port()
    env = dict(os.environ, PORT=str(port), SECRET_KEY="test-secret", **env_extra)
    with serving([sys.executable, "-m", "dashboard"], env, port, log_path, timeout, "app server") as url:
        yield url
