"""HTTP for the fetch: one session with retries, downloads that show progress, and checks that
refuse anything that is not the file we asked for (an HTML error page, an empty or cut-short
download, a file of the wrong kind). Nothing here writes into place: the caller does that once
every check has passed.
"""
from __future__ import annotations

import hashlib
import io
import json
import os
import sys
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

from etl.manifest import sha256 as sha256_of  # noqa: F401 - fetch checks downloads with it

USER_AGENT = "wellbeing-mission-dashboard-etl/1 (open data fetch)"
TIMEOUT = (15, 120)  # seconds to connect, seconds between bytes
MIN_BYTES = 64       # smaller than any publisher file here, larger than an empty/placeholder body


class FetchError(Exception):
    """A download or a discovery step failed; the message says why, for the closing table."""


def session(retries: int = 4, backoff: float = 1.0):
    """requests.Session with urllib3 Retry: connection errors, 429 and 5xx are retried with
    exponential backoff (backoff x 2^n seconds), honouring Retry-After."""
    import requests
    from requests.adapters import HTTPAdapter
    from urllib3.util.retry import Retry

    retry = Retry(total=retries, connect=retries, read=retries, status=retries, backoff_factor=backoff,
                  status_forcelist=(429, 500, 502, 503, 504), allowed_methods=frozenset({"GET", "HEAD"}),
                  respect_retry_after_header=True, raise_on_status=False)
    s = requests.Session()
    adapter = HTTPAdapter(max_retries=retry)
    s.mount("http://", adapter)
    s.mount("https://", adapter)
    s.headers["User-Agent"] = USER_AGENT
    return s


def get_json(sess, url: str, timeout=TIMEOUT):
    """GET a JSON document; a non-200 answer or a body that is not JSON is a FetchError."""
    import requests

    try:
        r = sess.get(url, timeout=timeout, headers={"Accept": "application/json"})
    except requests.RequestException as exc:
        raise FetchError(f"{url}: {type(exc).__name__}: {exc}") from None
    if r.status_code != 200:
        raise FetchError(f"{url}: HTTP {r.status_code}")
    try:
        return r.json()
    except ValueError:
        raise FetchError(f"{url}: the answer is not JSON ({r.headers.get('Content-Type', 'no content type')})") from None


@dataclass
class Downloaded:
    tmp: Path
    size: int
    sha256: str


def _human(n: float) -> str:
    for unit in ("B", "KB", "MB", "GB"):
        if n < 1024 or unit == "GB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    return f"{n:.1f} GB"


def _progress(got: int, total: int | None) -> str:
    return f"{_human(got)} of {_human(total)} ({got / total:.0%})" if total else f"{_human(got)} received"


def download(sess, url: str, dest: Path, *, expected_size: int | None = None, log=None,
             timeout=TIMEOUT, chunk: int = 1 << 16) -> Downloaded:
    """Stream `url` to a temporary file beside `dest`, printing progress (bytes, % of the size
    the server or the publisher's API announced). Raises FetchError (the temporary file removed)
    on a bad status, a connection failure, or a body shorter or longer than announced."""
    import requests

    log = log or (lambda msg: print(msg, file=sys.stderr, flush=True))
    dest.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(dir=dest.parent, prefix=f".{dest.name}.part-")
    tmp = Path(tmp_name)
    h = hashlib.sha256()
    got = 0
    try:
        try:
            with sess.get(url, stream=True, timeout=timeout) as r:
                if r.status_code != 200:
                    raise FetchError(f"HTTP {r.status_code} from {url}")
                ctype = r.headers.get("Content-Type", "")
                if "text/html" in ctype.lower():
                    raise FetchError(f"{url} answered with a web page (Content-Type {ctype}), not a data file")
                length = r.headers.get("Content-Length")
                exact = int(length) if length and length.isdigit() and "Content-Encoding" not in r.headers else None
                announced = exact or expected_size
                step = announced / 4 if announced else 4 << 20
                next_at = step
                with os.fdopen(fd, "wb") as f:
                    fd = None
                    for block in r.iter_content(chunk):
                        f.write(block)
                        h.update(block)
                        got += len(block)
                        if got >= next_at and got < (announced or float("inf")):
                            log("    " + _progress(got, announced))
                            next_at += step
                log("    " + _progress(got, announced))
        except requests.RequestException as exc:
            if got or "IncompleteRead" in str(exc):
                raise FetchError(f"cut short: the connection broke before the whole file arrived "
                                 f"({type(exc).__name__})") from None
            raise FetchError(f"{url}: {type(exc).__name__}: {exc}") from None
        if exact is not None and got != exact:
            raise FetchError(f"cut short: {got} of {exact} bytes announced by the server")
        if expected_size and got != expected_size:
            raise FetchError(f"size {got} bytes differs from the {expected_size} bytes the publisher lists")
        return Downloaded(tmp=tmp, size=got, sha256=h.hexdigest())
    except BaseException:
        if fd is not None:
            os.close(fd)
        tmp.unlink(missing_ok=True)
        raise


# --------------------------------------------------------------------------- content checks
def kind_of(dest: str) -> str:
    name = dest.lower()
    for ext in ("csv", "xlsx", "ods", "parquet", "json", "zip"):
        if name.endswith("." + ext):
            return ext
    return "other"


def check_content(path: Path, kind: str, *, min_bytes: int = MIN_BYTES, header: list[str] | None = None) -> None:
    """Refuse a file that is empty, an HTML page, truncated, or not of the declared kind."""
    size = path.stat().st_size
    with open(path, "rb") as f:
        head = f.read(4096)
        f.seek(max(0, size - 4096))
        tail = f.read()
    if head.startswith(b"version https://git-lfs.github.com/spec/"):
        raise FetchError("a Git LFS pointer, not the file itself")
    start = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if start.startswith((b"<!doctype html", b"<html", b"<head", b"<body")) or b"<html" in start[:512]:
        raise FetchError("the body is a web page (HTML), not a data file")
    if size < min_bytes:
        raise FetchError(f"only {size} bytes (expected at least {min_bytes}): an empty or placeholder answer")
    if kind == "csv":
        _check_csv(head, tail, header)
    elif kind in ("xlsx", "ods", "zip"):
        _check_zip(path, kind)
    elif kind == "parquet":
        if not (head.startswith(b"PAR1") and tail.endswith(b"PAR1")):
            raise FetchError("not a complete Parquet file (PAR1 markers missing: cut short or another format)")
    elif kind == "json":
        try:
            json.loads(path.read_bytes().decode("utf-8-sig"))
        except (ValueError, UnicodeDecodeError) as exc:
            raise FetchError(f"not valid JSON ({exc})") from None


def _check_csv(head: bytes, tail: bytes, header: list[str] | None) -> None:
    import csv

    cut = head if len(head) < 4096 else (head[: head.rfind(b"\n") + 1] or head)  # whole lines only
    try:
        text = cut.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise FetchError("not UTF-8 text, so not the publisher's CSV") from None
    lines = text.splitlines()
    cols = [c.strip() for c in next(csv.reader(io.StringIO(lines[0] if lines else "")), [])]
    if len(cols) < 2:
        raise FetchError(f"no CSV header row (first line {(lines[0] if lines else '')[:80]!r})")
    missing = [c for c in (header or []) if c not in cols]
    if missing:
        raise FetchError(f"CSV header lacks {missing} (found {cols[:12]}): not the expected file")
    if len(lines) < 2:
        raise FetchError("a header and no data rows")
    if not tail.endswith((b"\n", b"\r")):
        # publishers end their CSVs with a line break; a missing one means the body was cut short
        raise FetchError("the last line has no line break: the download was cut short")


def _check_zip(path: Path, kind: str) -> None:
    try:
        with zipfile.ZipFile(path) as z:
            names = set(z.namelist())
            bad = z.testzip()
            if bad is not None:
                raise FetchError(f"damaged member {bad} in the {kind} file")
            if kind == "xlsx" and "[Content_Types].xml" not in names:
                raise FetchError("a zip file but not an Excel workbook")
            if kind == "ods" and (b"opendocument.spreadsheet" not in z.read("mimetype")
                                  if "mimetype" in names else True):
                raise FetchError("a zip file but not an OpenDocument spreadsheet")
    except zipfile.BadZipFile:
        raise FetchError(f"not a complete {kind} file (cut short, or a different format)") from None


