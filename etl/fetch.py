"""`python -m etl fetch`: download the latest publications into data/raw (online only).

Each source module may declare FETCH = [{"url", "dest", "note"}]. Files are downloaded to a
temporary name, checked to be non-empty, then moved into place, and a provenance line is
appended to the folder's SOURCE.md. The same parsers then read them at the next build.
"""
from __future__ import annotations

import hashlib
import os
import sys
import tempfile
from datetime import datetime, timezone
from pathlib import Path

from etl import sources


def _download(url: str, dest: Path, timeout: int = 120) -> str:
    import requests

    dest.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=dest.parent, prefix=dest.name + ".part-")
    h = hashlib.sha256()
    try:
        with requests.get(url, stream=True, timeout=timeout, headers={"User-Agent": "wellbeing-mission-dashboard"}) as r:
            r.raise_for_status()
            with os.fdopen(fd, "wb") as f:
                for chunk in r.iter_content(1 << 20):
                    f.write(chunk)
                    h.update(chunk)
        if os.path.getsize(tmp) == 0:
            raise OSError("empty download")
        os.replace(tmp, dest)
    except BaseException:
        if os.path.exists(tmp):
            os.remove(tmp)
        raise
    return h.hexdigest()


def fetch(raw: Path, only: list[str] | None = None) -> int:
    failures = 0
    for mod in sources.load_all():
        name = mod.__name__.rsplit(".", 1)[-1]
        if only and name not in only:
            continue
        for item in getattr(mod, "FETCH", []):
            dest = raw / item["dest"]
            print(f"fetch {name}: {item['url']} -> {dest}")
            try:
                digest = _download(item["url"], dest)
            except Exception as exc:  # network errors are reported, the old file is kept
                failures += 1
                print(f"  failed: {exc}; kept any existing copy", file=sys.stderr)
                continue
            stamp = datetime.now(timezone.utc).isoformat(timespec="seconds")
            with open(dest.parent / "SOURCE.md", "a") as f:
                f.write(f"\n- Fetched {stamp} by `python -m etl fetch`: {item['url']} -> `{dest.name}` "
                        f"(sha256 {digest[:16]}). {item.get('note', '')}\n")
    print("fetch finished" + (f" with {failures} failure(s)" if failures else ""))
    return 1 if failures else 0
