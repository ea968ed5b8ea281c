"""Autosave that survives database outages (no Dash, no database: pure and unit-testable).

The page keeps a small client-side state (a ``dcc.Store``)::

    {"saved":    {criterion_id: {"rating", "evidence", "links"}},   # last values known to be stored
     "rejected": {criterion_id: {field: value}}}                     # values refused as invalid

Whatever is on the page and differs from ``saved`` (and was not rejected) is *pending*. Every
save attempt - on a change, and on a timer while anything is pending - computes the pending
fields from the form and writes them, field by field, through ``save(criterion_id, fields)``.
If the database is unavailable nothing is dropped: the values stay on the page, stay pending,
and are written by the next attempt once the database is back. Because the pending set is
derived from the form itself (not from which input fired), a lost or discarded response can
never lose an answer; saves are idempotent field-level upserts, so repeating one is harmless.
"""
from __future__ import annotations

import datetime as dt
import logging
from typing import Any, Callable

from dashboard.user_errors import UserInputError

log = logging.getLogger(__name__)

FIELDS = ("rating", "evidence", "links")
RETRY_MS = 5000
UNAVAILABLE = ("Not saved: the database is unavailable. Your answer is kept on this page and will be saved "
               "when the connection returns.")
def unchanged_statuses(_exc, *args, **_kwargs) -> list:
    """A fallback for the autosave callbacks: leave every criterion's status as it is (their ids
    are the callback's seventh argument)."""
    import dash

    ids = args[6] if len(args) > 6 else []
    return [dash.no_update for _ in ids]


FAILED = ("Not saved: something went wrong on our side. Your answer is kept on this page and we will keep "
          "trying to save it.")


def banner(n_pending: int, unavailable: bool) -> str:
    if not n_pending:
        return ""
    what = "1 answer is" if n_pending == 1 else f"{n_pending} answers are"
    why = "the database is unavailable" if unavailable else "saving failed"
    return (f"{what} not saved yet because {why}. Keep this page open: your answers are kept here and "
            f"will be saved automatically when the connection returns (we retry every {RETRY_MS // 1000} s).")


def is_unavailable(exc: BaseException) -> bool:
    """Errors meaning "the database cannot be reached or is locked right now"."""
    from sqlalchemy import exc as sa_exc  # here, not at start-up: only saving needs SQLAlchemy

    if isinstance(exc, (sa_exc.OperationalError, sa_exc.InterfaceError, sa_exc.DisconnectionError,
                        sa_exc.TimeoutError, ConnectionError, TimeoutError)):
        return True
    return isinstance(exc, sa_exc.DBAPIError) and bool(getattr(exc, "connection_invalidated", False))


def _norm(field: str, value: Any) -> Any:
    if field == "rating":
        return value or None
    return "" if value is None else str(value)


def initial_state(ratings: dict) -> dict:
    """State for a freshly rendered page from the stored values ``{criterion_id: fields}``."""
    saved = {cid: {f: _norm(f, (v or {}).get(f)) for f in FIELDS} for cid, v in (ratings or {}).items()}
    return {"saved": saved, "rejected": {}}


def form_values(ids, rates, evs, links) -> dict:
    """``{criterion_id: fields}`` from an autosave callback's per-criterion values (see `pending`)."""
    return {i["crit"]: {"rating": r, "evidence": e or "", "links": lk or ""}
            for i, r, e, lk in zip(ids, rates, evs, links)}


def pending(current: dict, state: dict | None) -> dict:
    """``{criterion_id: {field: value}}`` for every field on the page that still needs saving."""
    state = state or {}
    saved, rejected = state.get("saved") or {}, state.get("rejected") or {}
    out: dict[str, dict] = {}
    for cid, fields in current.items():
        for f in FIELDS:
            if f not in fields:
                continue
            val = _norm(f, fields[f])
            if val == _norm(f, (saved.get(cid) or {}).get(f)):
                continue
            rej = rejected.get(cid) or {}
            if f in rej and _norm(f, rej[f]) == val:
                continue
            out.setdefault(cid, {})[f] = val
    return out


def sync(current: dict, state: dict | None, save: Callable[[str, dict], Any],
         saved_label: str = "Saved") -> tuple[dict, dict, bool, str]:
    """Write all pending fields. Returns (status per touched criterion, new state, retry?, banner).

    ``current``: ``{criterion_id: {"rating"?, "evidence"?, "links"?}}`` as on the page.
    ``save(criterion_id, fields)`` writes one criterion (raises UserInputError for invalid input).
    After the first unavailable/failed save the remaining criteria are not tried (the database
    is down; each attempt could wait for the busy timeout) but stay pending.
    """
    state = {"saved": {k: dict(v) for k, v in ((state or {}).get("saved") or {}).items()},
             "rejected": {k: dict(v) for k, v in ((state or {}).get("rejected") or {}).items()}}
    todo = pending(current, state)
    statuses: dict[str, str] = {}
    failure: str | None = None
    unavailable = False
    for cid, fields in todo.items():
        if failure is not None:
            statuses[cid] = failure
            continue
        try:
            save(cid, dict(fields))
        except UserInputError as exc:
            state["rejected"].setdefault(cid, {}).update(fields)
            statuses[cid] = f"Not saved: {exc}"
            continue
        except Exception as exc:  # noqa: BLE001 - never a traceback on the page
            unavailable = is_unavailable(exc)
            if unavailable:
                log.warning("maturity autosave: database unavailable (%s)", type(exc).__name__)
            else:
                log.exception("maturity autosave failed")
            failure = UNAVAILABLE if unavailable else FAILED
            statuses[cid] = failure
            continue
        state["saved"].setdefault(cid, {f: _norm(f, None) for f in FIELDS}).update(fields)
        for f in fields:
            (state["rejected"].get(cid) or {}).pop(f, None)
        statuses[cid] = f"{saved_label} at {dt.datetime.now():%H:%M:%S}"
    left = len(pending(current, state)) if failure is not None else 0
    return statuses, state, left > 0, banner(left, unavailable)
