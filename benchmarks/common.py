"""Helpers shared by the benchmarks: results with the load average, statistics, the servers as
production runs them, Dash request building and error-payload checks, process memory."""
from __future__ import annotations

import atexit
import json
import os
import re
import shlex
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS: list[tuple[str, str]] = []  # (name, figure) collected for the final summary
# BENCH_QUICK=1 shortens every benchmark (fewer runs, shorter load test) to check that they run;
# its figures are not measurements. The default is the full measurement.
QUICK = os.environ.get("BENCH_QUICK", "") not in ("", "0")
# Browsers on HTTPS (the production case) advertise these; Flask-Compress picks one.
ACCEPT_ENCODING = "gzip, deflate, br, zstd"
# What a guarded callback or layout returns instead of a traceback (components/errors.APOLOGY),
# and Dash's own error responses: a callback answering with either is an error, not a success.
ERROR_MARKERS = ("could not be drawn", "notice--error")


def loadavg() -> str:
    try:
        a = os.getloadavg()
    except OSError:
        return "load n/a"
    return f"load {a[0]:.2f}/{a[1]:.2f}/{a[2]:.2f} on {os.cpu_count()} cores"


def record(name: str, figure: str) -> None:
    """Print a figure and keep it for the summary, with the load average when it was taken (the
    machine may be shared: a high load inflates every time)."""
    line = f"{figure} [{loadavg()}]"
    RESULTS.append((name, line))
    print(f"  {name}: {line}", flush=True)


def pct(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    s = sorted(values)
    k = (len(s) - 1) * p / 100
    lo, hi = int(k), min(int(k) + 1, len(s) - 1)
    return s[lo] + (s[hi] - s[lo]) * (k - lo)


def summary_ms(values_s: list[float]) -> str:
    ms = [v * 1000 for v in values_s]
    if not ms:
        return "no samples"
    return (f"p50 {pct(ms, 50):.1f} ms, p95 {pct(ms, 95):.1f} ms, p99 {pct(ms, 99):.1f} ms, "
            f"mean {statistics.fmean(ms):.1f} ms (n={len(ms)})")


def median_max(values: list[float], unit: str = "ms", scale: float = 1.0, digits: int = 0) -> str:
    if not values:
        return "no samples"
    v = [x * scale for x in values]
    return f"median {statistics.median(v):.{digits}f} {unit}, max {max(v):.{digits}f} {unit} (n={len(v)})"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_http(url: str, timeout: float = 120, proc=None) -> float:
    t0 = time.perf_counter()
    while time.perf_counter() - t0 < timeout:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode}{server_log_tail(proc)}")
        try:
            with urllib.request.urlopen(url, timeout=5) as r:
                if r.status == 200:
                    r.read()
                    return time.perf_counter() - t0
        except OSError:
            time.sleep(0.02)
    raise RuntimeError(f"{url} did not answer within {timeout} s{server_log_tail(proc)}")


# ----------------------------------------------------------------------------- servers

def procfile_command(port: int, workers: int | None = None) -> tuple[list[str], int]:
    """The Procfile's `web:` command with its variables filled, run by this interpreter's gunicorn
    (`python -m gunicorn`, the same program the Procfile's `gunicorn` names)."""
    line = next(l for l in (ROOT / "Procfile").read_text().splitlines() if l.startswith("web:"))
    workers = workers or int(os.environ.get("WEB_CONCURRENCY", "2"))
    cmd = line.split(":", 1)[1].strip()
    cmd = re.sub(r"\$\{WEB_CONCURRENCY:-\d+\}", str(workers), cmd)
    cmd = re.sub(r"\$\{PORT:-\d+\}", str(port), cmd).replace("0.0.0.0:", "127.0.0.1:")
    cmd = re.sub(r"\$\{HOST:-[^}]*\}", "127.0.0.1", cmd)
    args = shlex.split(cmd)
    if args[0] != "gunicorn":
        raise RuntimeError(f"the Procfile's web command is not gunicorn: {line}")
    return [sys.executable, "-m", "gunicorn", *args[1:]], workers


def dev_command() -> list[str]:
    return [sys.executable, "-m", "dashboard"]


_SCRATCH = Path(tempfile.mkdtemp(prefix="wb-bench-"))  # server logs and throw-away databases
atexit.register(shutil.rmtree, _SCRATCH, ignore_errors=True)


def start_server(cmd: list[str], port: int, env_extra: dict | None = None) -> subprocess.Popen:
    """Start a server on loopback with its own throw-away database; its output goes to a log file
    (read by `server_log_tail` and `server_exceptions`)."""
    env = dict(os.environ, PORT=str(port), SECRET_KEY="bench", **(env_extra or {}))
    env["DATABASE_URL"] = f"sqlite:///{_SCRATCH / f'bench-{port}.sqlite'}"  # never a user's database
    log = open(_SCRATCH / f"server-{port}.log", "w+b")
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    proc.log_path = Path(log.name)  # type: ignore[attr-defined]
    return proc


def start_procfile_server(timeout: float = 180) -> tuple[subprocess.Popen, str, int]:
    """The Procfile's gunicorn on a free loopback port, once /healthz answers: (process, base URL,
    workers). Stopped again when it does not answer; otherwise the caller stops it."""
    port = free_port()
    cmd, workers = procfile_command(port)
    proc = start_server(cmd, port)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_http(base + "/healthz", timeout=timeout, proc=proc)
    except BaseException:
        stop(proc)
        raise
    return proc, base, workers


def server_log(proc) -> str:
    p = getattr(proc, "log_path", None)
    return p.read_text(errors="replace") if p and p.exists() else ""


def server_log_tail(proc, n: int = 1500) -> str:
    text = server_log(proc) if proc is not None else ""
    return f"\n--- server log (end) ---\n{text[-n:]}" if text else ""


def server_exceptions(proc) -> int:
    """Tracebacks the server logged (a guarded callback logs one, then returns its apology)."""
    return server_log(proc).count("Traceback (most recent call last)")


def stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)


# ----------------------------------------------------------------------------- process memory

def children(pid: int) -> list[int]:
    out = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            out += [int(c) for c in (task / "children").read_text().split()]
        except OSError:
            pass
    return out


def memory_mb(pid: int) -> tuple[float, float]:
    """(RSS, PSS) in MB. Forked workers share the preloaded pages, so RSS counts them in every
    worker; PSS divides shared pages between the processes that share them."""
    rss = pss = float("nan")
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Rss:"):
                rss = int(line.split()[1]) / 1024
            elif line.startswith("Pss:"):
                pss = int(line.split()[1]) / 1024
    except OSError:
        pass
    return rss, pss


def wait_workers(proc, n: int, timeout: float = 30) -> int:
    """Wait until the gunicorn master has forked its n workers (the first may answer before the
    last is up); returns how many there are."""
    t0 = time.perf_counter()
    while len(children(proc.pid)) < n and time.perf_counter() - t0 < timeout:
        time.sleep(0.1)
    return len(children(proc.pid))


def gunicorn_memory(proc) -> str:
    parts = []
    rss, pss = memory_mb(proc.pid)
    parts.append(f"master RSS {rss:.0f} MB")
    for i, w in enumerate(sorted(children(proc.pid)), 1):
        rss, pss = memory_mb(w)
        parts.append(f"worker {i} RSS {rss:.0f} MB (PSS {pss:.0f} MB)")
    return ", ".join(parts)


# ----------------------------------------------------------------------------- Dash requests

def dash_config(html: str) -> dict:
    m = re.search(r'<script id="_dash-config" type="application/json">(.*?)</script>', html, re.S)
    return json.loads(m.group(1)) if m else {}


def callback_url(config: dict) -> str:
    """The renderer posts callbacks to `_dash-update-component?endId=<token from the page>`."""
    prefix = config.get("requests_pathname_prefix") or "/"
    end = config.get("end_id")
    return f"{prefix}_dash-update-component" + (f"?endId={urllib.parse.quote(end)}" if end else "")


def page_assets(html: str) -> list[str]:
    """The JavaScript and CSS files the page's HTML links (what a first visit downloads before
    anything runs)."""
    scripts = re.findall(r'<script[^>]+src="([^"]+)"', html)
    styles = re.findall(r'<link[^>]+rel="stylesheet"[^>]*href="([^"]+)"', html)
    styles += [h for h in re.findall(r'<link[^>]+href="([^"]+\.css[^"]*)"', html) if h not in styles]
    return list(dict.fromkeys(scripts + styles))


def find_dependency(deps: list[dict], output_prefix: str) -> dict:
    for d in deps:
        if d["output"].strip(".").startswith(output_prefix):
            return d
    raise RuntimeError(f"no callback with output {output_prefix!r} in _dash-dependencies")


def page_content_dependency(deps: list[dict]) -> dict:
    """Dash pages' router: inputs from `_pages_location` (pathname, search), output the page
    container; it fires on every page load."""
    for d in deps:
        ids = {i["id"] for i in d["inputs"]}
        if "_pages_location" in ids and d["output"].strip(".").startswith("_pages_content."):
            return d
    raise RuntimeError("the page-content callback (_pages_location -> _pages_content) is not in _dash-dependencies")


def _outputs(dep: dict) -> list[dict]:
    out = dep["output"]
    parts = out[2:-2].split("...") if out.startswith("..") else [out]
    return [{"id": p.rsplit(".", 1)[0], "property": p.rsplit(".", 1)[1]} for p in parts]


def callback_body(dep: dict, values: list, changed: list[str] | None = None) -> dict:
    """A callback request as the renderer builds it: every input with its value, the changed
    props (on a page load, all the inputs), no state."""
    inputs = [{"id": i["id"], "property": i["property"], "value": v} for i, v in zip(dep["inputs"], values)]
    changed = changed if changed is not None else [f"{i['id']}.{i['property']}" for i in dep["inputs"]]
    body = {"output": dep["output"], "outputs": _outputs(dep), "inputs": inputs, "changedPropIds": changed,
            "parsedChangedPropsIds": changed}
    if dep.get("state"):
        body["state"] = [{"id": s["id"], "property": s["property"], "value": None} for s in dep["state"]]
    return body


def page_content_body(dep: dict, pathname: str, search: str = "") -> dict:
    values = {"pathname": pathname, "search": search, "hash": "", "href": None}
    return callback_body(dep, [values.get(i["property"]) for i in dep["inputs"]])


def callback_error(status, body: bytes) -> str | None:
    """Why a callback response is an error, or None when it is a real answer: a non-200 status,
    a body that is not Dash's {"response": ...}, or the app's apology inside the answer."""
    if status != 200:
        return f"HTTP {status}"
    try:
        data = json.loads(body)
    except ValueError:
        return "not JSON"
    if not isinstance(data, dict) or "response" not in data:
        return "no response"
    text = body.decode("utf-8", "replace")
    for marker in ERROR_MARKERS:
        if marker in text:
            return "apology"
    return None


def build_frame(name: str):
    """A table of the build the app serves (WELLBEING_BUILD_DIR or data/build), read directly."""
    import pandas as pd

    build = Path(os.environ.get("WELLBEING_BUILD_DIR", ROOT / "data" / "build"))
    return pd.read_parquet(build / f"{name}.parquet")


def map_pairs(geography: str = "ltla") -> list[tuple[str, str]]:
    """(metric, period) pairs the map can draw for a geography (LTLAs: every metric expressed on
    them, the la_view)."""
    df = build_frame("la_view" if geography == "ltla" else "observations")
    df = df[df["value"].notna() & (df["geography"] == geography)]
    return sorted(set(zip(df["metric_id"], df["period"])))


def sample_ltlas(n: int, seed: int = 11) -> list[str]:
    """n current LTLA codes spread over the nations and regions (deterministic)."""
    import random

    a = build_frame("areas")
    a = a[(a["geography"] == "ltla") & a["active"]].sort_values(["country_code", "region_code", "code"])
    codes = a["code"].tolist()
    rng = random.Random(seed)
    step = max(1, len(codes) // max(n, 1))
    return [codes[min(len(codes) - 1, i * step + rng.randrange(step))] for i in range(n)]


def http_json(url: str, timeout: float = 30):
    with urllib.request.urlopen(url, timeout=timeout) as r:
        return json.loads(r.read())


def post(url: str, body: dict, timeout: float = 60) -> tuple[int, bytes, float]:
    req = urllib.request.Request(url, data=json.dumps(body).encode(), method="POST",
                                 headers={"Content-Type": "application/json"})
    t = time.perf_counter()
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            data = r.read()
            return r.status, data, time.perf_counter() - t
    except urllib.error.HTTPError as e:
        return e.code, e.read(), time.perf_counter() - t



def cpu_seconds(pid: int) -> float:
    """CPU time (user + system) a process and its live children have used so far: unlike wall
    time, it is barely inflated when other work shares the cores."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for p in [pid, *children(pid)]:
        try:
            fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
            total += sum(int(x) for x in fields[11:15]) / tick  # utime, stime, cutime, cstime
        except (OSError, IndexError, ValueError):
            pass
    return total
