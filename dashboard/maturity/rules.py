"""Pure functions: level reached per hallmark, next steps, and agreement between participants.

Ratings are one of ``not_in_place`` < ``partly`` < ``fully`` (ordinal 0, 1, 2); a missing rating
counts as ``not_in_place`` for the level rule.

Level rule (cumulative)
-----------------------
A level of a hallmark is *reached* when every criterion of that level **and** every criterion of
all lower levels is rated ``fully`` in place. The hallmark's level reached is the highest reached
level (``None`` if assuring is not reached). "Partly in place" never counts towards a level: it
shows progress but not achievement.

Each cell of the overview grid (hallmark x level) gets one status:
- ``reached``: the level is reached under the rule above;
- ``partly``: not reached, but at least one of the level's criteria is rated partly or fully;
- ``not_yet``: none of the level's criteria is partly or fully in place.

Next steps
----------
The *next level* of a hallmark is its lowest level that is not reached; the next steps are that
level's criteria not yet fully in place (in model order). A hallmark at maximising has none.
Because the rule is cumulative, if a lower level is incomplete the next steps point there first.

Agreement (per criterion, across participants' individual ratings)
------------------------------------------------------------------
- ``n``: number of participants who rated the criterion;
- ``counts``: number of ratings per value;
- ``modal``: the most common rating(s) (ties listed in order of the scale);
- ``modal_share``: share of raters on the modal rating (max count / n), 0..1;
- ``range``: spread on the ordinal scale, max - min (0, 1 or 2);
- ``status``: ``no_ratings`` (n = 0), ``single`` (n = 1), ``agree`` (n >= 2 and range 0),
  ``differ`` (range 1: neighbouring ratings) or ``differ_widely`` (range 2: both "not in place"
  and "fully in place" were given).

Effective rating (what the group overview uses)
-----------------------------------------------
The facilitator's moderated consensus where recorded; otherwise the participants' rating if at
least two rated it and all of them agree; otherwise none (treated as not in place). One person's
rating alone is never an agreement.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Iterable, Mapping

from dashboard.maturity.model import LEVELS, RATINGS, Hallmark, Model

ORDINAL = {r: i for i, r in enumerate(RATINGS)}
MIN_AGREEING = 2  # ratings needed before participants can be said to agree
CELL_LABELS = {"reached": "Reached", "partly": "Partly", "not_yet": "Not yet"}
AGREEMENT_LABELS = {
    "no_ratings": "No ratings yet",
    "single": "Only one rating",
    "agree": "Agree",
    "differ": "Differ",
    "differ_widely": "Differ widely",
}


def _norm(rating: str | None) -> str | None:
    return rating if rating in ORDINAL else None


def level_reached(hallmark: Hallmark, ratings: Mapping[str, str | None]) -> str | None:
    """Highest level whose criteria and all lower levels' criteria are all ``fully`` in place."""
    reached = None
    for lv in LEVELS:
        if all(_norm(ratings.get(c.id)) == "fully" for c in hallmark.level_criteria(lv)):
            reached = lv
        else:
            break
    return reached


def cell_status(hallmark: Hallmark, level: str, ratings: Mapping[str, str | None]) -> str:
    """Grid cell status for one hallmark x level: ``reached``, ``partly`` or ``not_yet``."""
    got = level_reached(hallmark, ratings)
    if got is not None and LEVELS.index(got) >= LEVELS.index(level):
        return "reached"
    if any(_norm(ratings.get(c.id)) in ("partly", "fully") for c in hallmark.level_criteria(level)):
        return "partly"
    return "not_yet"


def next_level(hallmark: Hallmark, ratings: Mapping[str, str | None]) -> str | None:
    """Lowest level not reached (``None`` when maximising is reached)."""
    got = level_reached(hallmark, ratings)
    idx = 0 if got is None else LEVELS.index(got) + 1
    return LEVELS[idx] if idx < len(LEVELS) else None


def next_steps(hallmark: Hallmark, ratings: Mapping[str, str | None]) -> list:
    """Criteria of the next level that are not yet fully in place, in model order."""
    lv = next_level(hallmark, ratings)
    if lv is None:
        return []
    return [c for c in hallmark.level_criteria(lv) if _norm(ratings.get(c.id)) != "fully"]


def overview(model: Model, ratings: Mapping[str, str | None]) -> list[dict]:
    """One row per hallmark: level reached, per-level cell status, next level and next steps."""
    rows = []
    for h in model.hallmarks:
        rows.append({
            "hallmark": h,
            "reached": level_reached(h, ratings),
            "cells": {lv: cell_status(h, lv, ratings) for lv in LEVELS},
            "next_level": next_level(h, ratings),
            "next_steps": next_steps(h, ratings),
        })
    return rows


@dataclass(frozen=True)
class Agreement:
    n: int
    counts: dict = field(default_factory=dict)
    modal: tuple = ()
    modal_share: float = 0.0
    range: int = 0
    status: str = "no_ratings"

    @property
    def label(self) -> str:
        return AGREEMENT_LABELS[self.status]


def agreement(ratings: Iterable[str | None]) -> Agreement:
    """Agreement measure for one criterion from participants' ratings (missing ones ignored)."""
    vals = [r for r in (_norm(x) for x in ratings) if r is not None]
    counts = Counter(vals)
    full_counts = {r: counts.get(r, 0) for r in RATINGS}
    n = len(vals)
    if n == 0:
        return Agreement(0, full_counts, (), 0.0, 0, "no_ratings")
    top = max(counts.values())
    modal = tuple(r for r in RATINGS if counts.get(r, 0) == top)
    ords = [ORDINAL[v] for v in vals]
    rng = max(ords) - min(ords)
    if n == 1:
        status = "single"
    else:
        status = {0: "agree", 1: "differ", 2: "differ_widely"}[rng]
    return Agreement(n, full_counts, modal, top / n, rng, status)


def effective_rating(consensus: str | None, individual: Iterable[str | None]) -> str | None:
    """Consensus if recorded; else the rating all raters gave (at least two of them); else ``None``."""
    if _norm(consensus):
        return consensus
    given = [r for r in (_norm(x) for x in individual) if r is not None]
    return given[0] if len(given) >= MIN_AGREEING and len(set(given)) == 1 else None


def describe_agreement(a: Agreement, rating_labels: Mapping[str, str]) -> str:
    """Plain-language summary, e.g. '3 of 4 (75%) said Fully in place; the ratings span 1 step.'
    (the agreement's label, e.g. 'Differ', is shown beside it, so it is not repeated here)."""
    if a.n == 0:
        return "No ratings yet."
    if a.n == 1:
        return (f"Only one rating so far ({rating_labels.get(a.modal[0], a.modal[0])}): agreement needs at "
                f"least two.")
    modal = " / ".join(rating_labels.get(m, m) for m in a.modal)
    top = a.counts[a.modal[0]]
    tie = " (tie)" if len(a.modal) > 1 else ""
    span = "all the same rating" if a.range == 0 else f"the ratings span {a.range} step{'s' if a.range != 1 else ''}"
    return f"{top} of {a.n} ({a.modal_share:.0%}) said {modal}{tie}; {span}."
