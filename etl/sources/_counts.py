"""LTLA harmonisation for count-based measures (temporary accommodation, fly-tipping).

Where a publisher gives the counts behind a rate, a retired district's successor is derived by
summing the counts (and denominators) of all its predecessors and recomputing the rate, rather
than by the population-weighted mean of rates that `Context.harmonise` applies to other series.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from etl.context import Context
from etl.errors import InputError
from etl.geography import successor_map


def _leaves(code: str, preds: dict[str, list[str]]) -> set[str]:
    if code not in preds:
        return {code}
    out: set[str] = set()
    for p in preds[code]:
        out |= _leaves(p, preds)
    return out


def harmonise_counts(ctx: Context, df: pd.DataFrame, sum_cols: list[str], value_of, what: str,
                     source: str = "?") -> pd.DataFrame:
    """LTLA rows of ONE period onto current LTLAs: pure recodes are relabelled; a successor that
    the file does not publish is derived by summing `sum_cols` over ALL its predecessors and
    recomputing the value with value_of(sums) (flagged derived). If any predecessor is missing
    or unpublished the successor is 'not available' with a note. Columns used: area_code,
    area_name, period, value, status, note, plus sum_cols."""
    changes = ctx.changes
    is_recode = changes["type"] == "new_code"
    recodes = dict(zip(changes.loc[is_recode, "old_code"], changes.loc[is_recode, "new_code"]))
    df = df.copy()
    moved = df["area_code"].map(recodes)
    if "note" not in df:
        df["note"] = None
    df["note"] = np.where(moved.notna(), "published under former code " + df["area_code"], df["note"])
    df["area_code"] = moved.fillna(df["area_code"])
    current = ctx.current_ltla
    direct = df[df["area_code"].isin(current)].assign(derived=False)
    succ = successor_map(changes)
    # a code that is neither current nor a known predecessor (e.g. a letter O for a zero)
    # stops the build rather than vanishing
    unknown = ~df["area_code"].isin(current) & ~df["area_code"].isin(succ)
    if unknown.any():
        r = df[unknown].iloc[0]
        where = f"row {int(r['file_row'])}, " if "file_row" in df.columns and pd.notna(r.get("file_row")) else ""
        raise InputError(source, f"{where}area code {r['area_code']!r} ({r['period']})",
                         "a current or former lower-tier local authority GSS code", r["area_code"])
    preds: dict[str, list[str]] = {}
    for o, n in zip(changes.loc[~is_recode, "old_code"], changes.loc[~is_recode, "new_code"]):
        preds.setdefault(n, []).append(o)
    retired = df[~df["area_code"].isin(current) & df["area_code"].isin(succ)]
    have = set(direct["area_code"])
    rows = []
    for successor, grp in retired.groupby(retired["area_code"].map(succ)):
        if successor not in current or successor in have:
            continue  # the publisher's own successor value wins
        names = "; ".join(grp["area_code"])
        covered = set().union(*[_leaves(c, preds) for c in grp["area_code"]])
        complete = covered == _leaves(successor, preds)
        ok = bool(grp[sum_cols].notna().all().all()) and bool((grp["status"] == "ok").all())
        base = {"area_code": successor, "area_name": None, "period": grp["period"].iloc[0], "derived": False}
        if complete and ok:
            sums = {c: float(grp[c].sum()) for c in sum_cols}
            rows.append({**base, **sums, "value": value_of(sums), "status": "ok", "derived": True,
                         "note": f"derived: {what} summed over predecessor areas {names}"})
        else:
            why = "not all predecessor areas are in the file" if not complete else \
                "a predecessor area has no published figure"
            rows.append({**base, **{c: np.nan for c in sum_cols}, "value": np.nan,
                         "status": "not available", "note": f"not derivable from predecessors {names} ({why})"})
    if rows:
        direct = pd.concat([direct, pd.DataFrame(rows)], ignore_index=True)
    return direct
