"""App start to first served page, with an existing build: the Procfile's gunicorn (`--preload`:
the master reads the build and warms the caches, then forks the workers) and `python -m
dashboard`. Two figures per start: the HTML of / answered, and the page's content answered (the
page-content callback a browser fires next), both from process start."""
from __future__ import annotations

import json
import statistics
import time
import urllib.request

from benchmarks.common import (QUICK, callback_error, callback_url, cpu_seconds, dash_config, dev_command,
                               free_port, page_content_body, page_content_dependency, post, procfile_command,
                               record, server_log_tail, start_server, stop)


def _poll_html(url: str, proc, timeout: float = 180) -> str:
    t0 = time.perf_counter()
    while time.perf_counter() - t0 < timeout:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode}{server_log_tail(proc)}")
        try:
            with urllib.request.urlopen(url, timeout=30) as r:
                if r.status == 200:
                    return r.read().decode()
        except OSError:
            time.sleep(0.02)
    raise RuntimeError(f"{url} did not answer within {timeout} s{server_log_tail(proc)}")


def one_start(cmd_of) -> tuple[float, float, float]:
    port = free_port()
    cmd = cmd_of(port)
    base = f"http://127.0.0.1:{port}"
    t0 = time.perf_counter()
    proc = start_server(cmd, port)
    try:
        html = _poll_html(base + "/", proc)
        t_html = time.perf_counter() - t0
        with urllib.request.urlopen(base + "/_dash-dependencies", timeout=60) as r:
            deps = json.loads(r.read())
        status, body, _ = post(base + callback_url(dash_config(html)),
                               page_content_body(page_content_dependency(deps), "/"))
        err = callback_error(status, body)
        if err:
            raise RuntimeError(f"the first page's content failed ({err}){server_log_tail(proc)}")
        t_content = time.perf_counter() - t0
        return t_html, t_content, cpu_seconds(proc.pid)
    finally:
        stop(proc)


def main(runs: int | None = None) -> None:
    runs = runs or (1 if QUICK else 3)
    print("App start to first served page")
    for label, cmd_of in (("gunicorn --preload (Procfile)", lambda port: procfile_command(port)[0]),
                          ("python -m dashboard", lambda port: dev_command())):
        html, content, cpu = zip(*(one_start(cmd_of) for _ in range(runs)))
        record(f"start to first served page, {label}",
               f"HTML of / median {statistics.median(html):.2f} s (runs {', '.join(f'{x:.2f}' for x in html)}); "
               f"its content answered median {statistics.median(content):.2f} s "
               f"(runs {', '.join(f'{x:.2f}' for x in content)}) (target <= 2 s); server CPU used by then "
               f"median {statistics.median(cpu):.1f} s")


if __name__ == "__main__":
    main()
