"""The one methods text (docs/methods.md), split into its sections for the /data page.

Each section starts with a line `## Title {#anchor}`; everything up to the next such line is its
Markdown body. The README links to the same file, so the methods are written once.
"""
from __future__ import annotations

import re

from dashboard import config

PATH = config.ROOT / "docs" / "methods.md"
HEADING = re.compile(r"^## (.+?)\s*\{#([a-z0-9-]+)\}\s*$")


def read_sections(path=PATH) -> list[dict]:
    """[{title, anchor, body}] in file order (empty if the file is missing)."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError:
        return []
    text = re.sub(r"<!--.*?-->", "", text, flags=re.S)
    out, cur = [], None
    for line in text.splitlines():
        m = HEADING.match(line)
        if m:
            cur = {"title": m.group(1), "anchor": m.group(2), "body": []}
            out.append(cur)
        elif cur is not None:
            cur["body"].append(line)
    for s in out:
        s["body"] = "\n".join(s["body"]).strip()
    return out


SECTIONS = read_sections()  # part of the code: read once, when the app starts


def sections() -> list[dict]:
    return SECTIONS


def anchors() -> list[str]:
    return [s["anchor"] for s in sections()]
