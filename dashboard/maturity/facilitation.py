"""What the facilitator page shows, computed without Dash: agreement per criterion, which
criteria, levels and hallmarks the "only where participants differ" filter keeps, and what changed
between repeat assessments.
"""
from __future__ import annotations

import hashlib
import json

from dashboard.maturity.model import LEVELS, Model
from dashboard.maturity.rules import Agreement, agreement, level_reached

DIFFER = ("differ", "differ_widely")


def agreements(model: Model, snapshot: dict) -> dict[str, Agreement]:
    """criterion id -> agreement between the participants' individual ratings."""
    return {cid: agreement((p["ratings"].get(cid) or {}).get("rating") for p in snapshot["participants"])
            for cid in model.criteria}


def level_key(hallmark_id: str, level: str) -> str:
    return f"{hallmark_id}-{level}"


def visibility(model: Model, agreed: dict[str, Agreement], only_differ: bool) -> dict:
    """Which criteria, level headings and hallmark sections to show.

    With the filter on, a criterion is shown only where participants differ; a level heading
    only if one of its criteria is shown, a hallmark only if one of its levels is. Returns
    ``{"criteria": {cid: bool}, "levels": {level_key: bool}, "hallmarks": {hid: bool},
    "shown": n, "summary": text}``.
    """
    crit, levels, hallmarks = {}, {}, {}
    for h in model.hallmarks:
        any_level = False
        for lv in LEVELS:
            any_crit = False
            for c in h.level_criteria(lv):
                show = not only_differ or agreed[c.id].status in DIFFER
                crit[c.id] = show
                any_crit = any_crit or show
            levels[level_key(h.id, lv)] = any_crit
            any_level = any_level or any_crit
        hallmarks[h.id] = any_level
    shown = sum(crit.values())
    if not only_differ:
        summary = ""
    elif shown == 0:
        summary = "Participants do not differ on any criterion yet."
    else:
        summary = (f"Showing the {shown} {'criterion' if shown == 1 else 'criteria'} where participants differ "
                   f"(of {len(crit)}).")
    return {"criteria": crit, "levels": levels, "hallmarks": hallmarks, "shown": shown, "summary": summary}


def _change(before, after, labels: dict, order: tuple, none_label: str) -> dict:
    """One progress cell: its text and, from the second assessment on, what changed."""
    text = labels.get(after, none_label) if after else none_label
    if before is _FIRST:
        return {"text": text, "change": None, "note": ""}
    rank = {k: i for i, k in enumerate(order)}
    b, a = rank.get(before, -1), rank.get(after, -1)
    if a == b:
        return {"text": text, "change": None, "note": "no change"}
    was = labels.get(before, none_label) if before else none_label
    direction = "up" if a > b else "down"
    return {"text": text, "change": direction, "note": f"{direction} from {was}"}


_FIRST = object()


def progress(model: Model, effective: list[dict]) -> dict:
    """Repeat assessments side by side (oldest first), each cell marked with its change from the
    previous assessment: ``{"hallmarks": [(hallmark, [cell, ...])], "criteria": [(criterion,
    [cell, ...])], "changed": {"hallmarks": n, "criteria": n}}``; a cell is ``{"text", "change":
    None|"up"|"down", "note"}``."""
    hallmarks, criteria = [], []
    n_h = n_c = 0
    for h in model.hallmarks:
        reached = [level_reached(h, e) for e in effective]
        cells = [_change(reached[i - 1] if i else _FIRST, r, model.level_labels, LEVELS, "None yet")
                 for i, r in enumerate(reached)]
        n_h += sum(1 for c in cells if c["change"])
        hallmarks.append((h, cells))
    ratings = tuple(model.rating_labels)
    for c in model.criteria.values():
        vals = [e.get(c.id) for e in effective]
        cells = [_change(vals[i - 1] if i else _FIRST, v, model.rating_labels, ratings, "Not agreed")
                 for i, v in enumerate(vals)]
        n_c += sum(1 for x in cells if x["change"])
        criteria.append((c, cells))
    return {"hallmarks": hallmarks, "criteria": criteria, "changed": {"hallmarks": n_h, "criteria": n_c}}


def criterion_signature(cid: str, snapshot: dict) -> str:
    """A short fingerprint of everything the facilitator sees for one criterion's ratings, so a
    refresh re-renders only the criteria that changed (re-rendering all of them is slow in the
    browser)."""
    seen = [(p["id"], p["name"], (p["ratings"].get(cid) or {}).get("rating"),
             (p["ratings"].get(cid) or {}).get("evidence") or "", (p["ratings"].get(cid) or {}).get("links") or "")
            for p in snapshot["participants"] if any((p["ratings"].get(cid) or {}).values())]
    return hashlib.sha1(json.dumps(seen, ensure_ascii=False).encode()).hexdigest()[:16]


def signatures(model: Model, snapshot: dict, vis: dict) -> dict:
    """What the page currently shows: per-criterion fingerprints and every hidden flag."""
    hidden = {f"c:{k}": not v for k, v in vis["criteria"].items()}
    hidden.update({f"l:{k}": not v for k, v in vis["levels"].items()})
    hidden.update({f"h:{k}": not v for k, v in vis["hallmarks"].items()})
    return {"indiv": {cid: criterion_signature(cid, snapshot) for cid in model.criteria}, "hidden": hidden}


def changes(before: dict | None, after: dict) -> tuple[set, set]:
    """(criteria whose ratings changed, hidden-flag keys that changed) between two signatures."""
    before = before if isinstance(before, dict) else {}
    old_i, old_h = before.get("indiv") or {}, before.get("hidden") or {}
    return ({c for c, s in after["indiv"].items() if old_i.get(c) != s},
            {k for k, v in after["hidden"].items() if old_h.get(k) != v})
