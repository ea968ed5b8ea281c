"""Test helpers: a throw-away copy of data/raw (symlinks) with chosen files replaced."""
from __future__ import annotations

import os
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
