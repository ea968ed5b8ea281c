"""Input hashing for the manifest and for skipping unchanged rebuilds."""
from __future__ import annotations

import hashlib
import json
from pathlib import Path

ETL_DIR = Path(__file__).parent


def sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def input_files(raw: Path, declared: list[str]) -> list[Path]:
    """Declared source inputs (optional ones only when present) plus the geography files."""
    from etl import geography

    files = []
    for rel in declared:
        optional = rel.endswith("?")
        p = raw / rel.rstrip("?")
        if optional and not p.exists():
            continue
        files.append(p)
    for rel in geography.config()["files"].values():
        p = raw / rel
        files.append(p)
        if p.suffix == ".shp":  # the shapefile's companions
            files.extend(q for q in sorted(p.parent.glob(p.stem + ".*")) if q != p)
    return sorted(set(files))


def code_fingerprint() -> str:
    """Hash of the ETL code and config, so a code change also triggers a rebuild."""
    h = hashlib.sha256()
    for p in sorted(ETL_DIR.rglob("*")):
        if p.suffix in (".py", ".yaml") and "__pycache__" not in p.parts:
            h.update(str(p.relative_to(ETL_DIR)).encode())
            h.update(p.read_bytes())
    return h.hexdigest()


def raw_fingerprint(raw: Path) -> str:
    """Hash of every file under the raw dir (path, size, content) and of the ETL code: any
    change anywhere triggers a rebuild. Needs no pandas, so the up-to-date check is quick."""
    h = hashlib.sha256()
    for p in sorted(q for q in raw.rglob("*") if q.is_file()):
        h.update(str(p.relative_to(raw)).encode())
        h.update(sha256(p).encode())
    h.update(code_fingerprint().encode())
    return h.hexdigest()


def fingerprint(raw: Path, declared: list[str]) -> tuple[str, dict]:
    inputs = {}
    for p in input_files(raw, declared):
        rel = str(p.relative_to(raw))
        inputs[rel] = {"sha256": sha256(p) if p.exists() else None, "bytes": p.stat().st_size if p.exists() else None}
    h = hashlib.sha256(json.dumps(inputs, sort_keys=True).encode())
    h.update(code_fingerprint().encode())
    return h.hexdigest(), inputs
