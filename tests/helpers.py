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


@contextlib.contextmanager
def app_server(env_extra: dict, log_path: Path, timeout: float = 90):
    """`python -m dashboard` in a subprocess on a free loopback port; yields its base URL.
    Fails the test (with the server's log) if it exits or does not answer /healthz in time."""
    import pytest

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = dict(os.environ, PORT=str(port), SECRET_KEY="test-secret", **env_extra)
    log = open(log_path, "w+")
    proc = subprocess.Popen([sys.executable, "-m", "dashboard"], cwd=RAW.parent.parent, env=env, stdout=log,
                            stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.time() + timeout
    try:
        while time.time() < deadline:
            if proc.poll() is not None:
                log.seek(0)
                pytest.fail(f"app server exited early:\n{log.read()[-3000:]}")
            try:
                with urllib.request.urlopen(url + "/healthz", timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                time.sleep(0.3)
        else:
            pytest.fail(f"app server did not start within {timeout:.0f} s")
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()
