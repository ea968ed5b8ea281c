"""Why an area has no value, in words: the publisher's status, a merged council whose
predecessors were not all published, or a value that is not in this data at all."""
from __future__ import annotations

import re

from dashboard import queries as q
from dashboard.queries import vocabulary as vocab

NOT_PUBLISHED_HERE = "not published for this area and period in this data"
_CODE = re.compile(r"\b[A-Z]\d{8}\b")


def merged_hole(note) -> str:
    """'' unless the note says a merged council's value could not be derived; then a sentence
    naming the predecessor councils that were not published."""
    if not isinstance(note, str) or not note.startswith("not derivable"):
        return ""
    codes = _CODE.findall(note.split(":", 1)[-1]) if "without a published value" in note else []
    if codes:
        names = ", ".join(f"{q.areas.name(c)} ({c})" for c in codes)
        verb = "was" if len(codes) == 1 else "were"
        return (f"no honest combined value exists for this merged council: the estimate for {names} {verb} not "
                f"published for this period")
    return "no honest combined value exists for this merged council from its predecessors' published values"


def why(status, note, published_here: bool = True, geography: str | None = None) -> str:
    """The reason a value is missing (status and note as the build has them)."""
    hole = merged_hole(note)
    if hole:
        return hole
    if isinstance(status, str) and status and status != "ok" and status in vocab.labels().get("status", {}):
        return vocab.label_text("status", status)
    if published_here:
        return NOT_PUBLISHED_HERE
    g = vocab.geography(geography) if geography else None
    return f"not published for any {g.noun if g else 'area of this kind'} in this data"
