"""`python -m etl fetch`: bring the publishers' latest releases into data/raw (online only).

For each entry of every source module's `FETCH` list (see `etl.fetch_discover` for the kinds):
discover the latest release from the publisher's index, download it to a temporary file with
progress, check it (size as announced, not an HTML page, not empty or cut short, the declared
kind of file, the expected CSV header), then either leave the existing copy alone (same bytes:
"unchanged") or move the new file into place and record url, version, size and sha256 in the
folder's SOURCE.md ("new version"). Any failure leaves the previous copy exactly as it was. A
closing table lists every entry with its result and reason, and the sources that are not
fetched automatically (their SOURCE.md says why and what a maintainer does).
"""
from __future__ import annotations

import os
import re
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from etl import sources
from etl.fetch_discover import describe, discover
from etl.fetch_http import MIN_BYTES, FetchError, check_content, download, kind_of, session, sha256_of

LOG_HEADING = "## Fetch log"
SAFE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._() -]{0,200}$")


@dataclass
class Outcome:
    source: str
    dest: str
    result: str        # "new version" | "unchanged" | "failed" | "manual"
    detail: str


def entries(only: list[str] | None = None):
    """(source name, module, FETCH item) for every declared file, in source order."""
    mods = sources.load_all()
    names = [m.__name__.rsplit(".", 1)[-1] for m in mods]
    unknown = sorted(set(only or []) - set(names))
    if unknown:
        raise SystemExit(f"fetch: unknown source(s) {unknown}; sources are {names}")
    for name, mod in zip(names, mods):
        if only and name not in only:
            continue
        yield name, mod, list(getattr(mod, "FETCH", []))


def dest_path(raw: Path, item: dict, filename: str | None) -> Path:
    """The declared destination inside `raw`; `{filename}` takes the publisher's (checked) name."""
    dest = item["dest"]
    if "{filename}" in dest:
        if not filename or not SAFE_NAME.fullmatch(filename):
            raise FetchError(f"publisher's file name {filename!r} is not a safe local file name")
        dest = dest.replace("{filename}", filename)
    rel = Path(dest)
    if rel.is_absolute() or ".." in rel.parts:
        raise FetchError(f"destination {dest!r} is outside the raw data directory")
    return raw / rel


def record(dest: Path, raw: Path, url: str, version: str, size: int, digest: str, note: str) -> None:
    """Append a provenance line to the folder's SOURCE.md, under its fetch log."""
    folder = raw / dest.relative_to(raw).parts[0]  # files in sub-folders share their source's SOURCE.md
    src = folder / "SOURCE.md"
    text = src.read_text() if src.exists() else f"# {folder.name}\n"
    if LOG_HEADING not in text:
        text = text.rstrip("\n") + f"\n\n{LOG_HEADING}\n\nWritten by the ETL's fetch step (newest last).\n"
    stamp = datetime.now(timezone.utc).isoformat(timespec="seconds")
    line = (f"- {stamp}: `{dest.relative_to(raw)}` <- {url}; {version}; {size:,} bytes; sha256 {digest}."
            + (f" {note}" if note else ""))
    if src.is_symlink():  # never write through a link into another tree
        src.unlink()
    src.write_text(text.rstrip("\n") + "\n" + line + "\n")


def fetch_one(raw: Path, name: str, item: dict, sess, bases: dict | None, log) -> Outcome:
    """Discover, download, check and place one declared file; the fallback route (if any) is
    tried when the first fails at any step."""
    attempts = [item] + ([{**item, **item["fallback"]}] if item.get("fallback") else [])
    reasons = []
    for attempt in attempts:
        try:
            return _attempt(raw, name, attempt, sess, bases, log, reasons)
        except FetchError as exc:
            reasons.append(str(exc))
    raise FetchError("; then ".join(reasons))


def _attempt(raw: Path, name: str, item: dict, sess, bases: dict | None, log, reasons: list[str]) -> Outcome:
    rel = discover(item, sess, bases)
    dest = dest_path(raw, item, rel.filename)
    log(f"  latest: {rel.version}\n  from {rel.url}")
    dl = download(sess, rel.url, dest, expected_size=rel.size, log=log)
    try:
        check_content(dl.tmp, item.get("format") or kind_of(dest.name), min_bytes=item.get("min_bytes", MIN_BYTES),
                      header=item.get("header"))
        shown = str(dest.relative_to(raw))
        via = f" (first route failed: {reasons[0]})" if reasons else ""
        if dest.exists() and sha256_of(dest) == dl.sha256:
            return Outcome(name, shown, "unchanged", f"{rel.version}; same {dl.size:,} bytes{via}")
        os.replace(dl.tmp, dest)
        record(dest, raw, rel.url, rel.version, dl.size, dl.sha256, item.get("note", ""))
        return Outcome(name, shown, "new version", f"{rel.version}; {dl.size:,} bytes, sha256 {dl.sha256[:12]}{via}")
    finally:
        dl.tmp.unlink(missing_ok=True)


def manual_note(mod, raw: Path | None = None) -> str:
    """Where a source that declares no FETCH entry says why (its main input's SOURCE.md)."""
    inputs = getattr(mod, "INPUTS", [])
    folder = inputs[0].split("/", 1)[0] if inputs else None
    if folder and raw is not None and (raw / folder / "SOURCE.md").exists():
        return f"not fetched automatically; see data/raw/{folder}/SOURCE.md"
    return "not fetched automatically; see the README (ETL section)"


def fetch(raw: Path, only: list[str] | None = None, *, bases: dict | None = None, sess=None, log=print) -> int:
    """Fetch every declared file (or those of the sources in `only`). Returns 1 if any failed."""
    raw = Path(raw)
    sess = sess or session()
    outcomes: list[Outcome] = []
    for name, mod, items in entries(only):
        if not items:
            outcomes.append(Outcome(name, "-", "manual", manual_note(mod, raw)))
            continue
        for item in items:
            log(f"fetch {name}: {item['dest']}\n  via {describe(item)}")
            try:
                outcomes.append(fetch_one(raw, name, item, sess, bases, log))
            except FetchError as exc:
                outcomes.append(Outcome(name, item["dest"], "failed", f"{exc}; the previous copy is kept"))
            except Exception as exc:  # an unforeseen fault in one entry must not stop the others
                outcomes.append(Outcome(name, item["dest"], "failed",
                                        f"{type(exc).__name__}: {exc}; the previous copy is kept"))
            log(f"  -> {outcomes[-1].result}")
    log(table(outcomes))
    return 1 if any(o.result == "failed" for o in outcomes) else 0


def table(outcomes: list[Outcome]) -> str:
    head = ("source", "file", "result", "version / reason")
    rows = [head] + [(o.source, o.dest, o.result, o.detail) for o in outcomes]
    w = [max(len(r[i]) for r in rows) for i in range(3)]
    lines = ["", "fetch summary"] + ["  ".join(r[i].ljust(w[i]) for i in range(3)) + "  " + r[3] for r in rows]
    counts = {k: sum(o.result == k for o in outcomes) for k in ("new version", "unchanged", "failed", "manual")}
    lines.append(", ".join(f"{v} {k}" for k, v in counts.items()))
    return "\n".join(lines)


def listing(raw: Path, only: list[str] | None = None) -> str:
    """What each source fetches and how it finds the latest release (no network)."""
    out = []
    for name, mod, items in entries(only):
        if not items:
            out.append(f"{name}: {manual_note(mod, Path(raw))}")
        for item in items:
            out.append(f"{name}: {item['dest']} <- {describe(item)}")
    return "\n".join(out)
