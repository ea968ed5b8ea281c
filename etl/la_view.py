"""Every metric expressed on current LTLAs, keeping the native geography of each value.

Rule: a metric published for LTLAs is used as is. Otherwise the LTLA takes the value of the
area it sits in at the metric's native geography: its upper-tier authority (county or unitary)
for 'utla' metrics, its ICB (by the stated split rule) for 'icb', its air-quality zone for
'aq_zone', its region for 'region', its nation for 'country'. The native geography and area
are kept in `native_geography` / `native_area_code` so the app can say "county-level value".
"""
from __future__ import annotations

import pandas as pd

from etl import vocabulary

PARENT_COLUMN = {"utla": "utla_code", "icb": "icb_code", "aq_zone": "aq_zone_code",
                 "region": "region_code", "country": "country_code"}


def _order() -> list[str]:
    """Finest to coarsest, without the UK (a UK-only metric has no local value)."""
    return [g for g in vocabulary.geography_ids() if g != "uk"]


def build(obs: pd.DataFrame, areas: pd.DataFrame, catalogue: pd.DataFrame) -> pd.DataFrame:
    ltla = areas[(areas["geography"] == "ltla") & areas["active"]].set_index("code")
    native = dict(zip(catalogue["id"], catalogue["native_geography"]))
    frames = []
    for metric, grp in obs.groupby("metric_id", sort=False):
        geo = native.get(metric)
        # Use the finest geography the metric is actually published on.
        present = [g for g in _order() if (grp["geography"] == g).any()]
        chosen = "ltla" if "ltla" in present else (geo if geo in present else (present[0] if present else None))
        if chosen is None or chosen == "uk":
            continue
        sub = grp[grp["geography"] == chosen]
        if chosen == "ltla":
            out = sub.assign(native_geography="ltla", native_area_code=sub["area_code"])
        else:
            col = PARENT_COLUMN[chosen]
            if col not in ltla.columns:
                continue
            link = ltla[col].dropna().rename("native_area_code").reset_index().rename(columns={"code": "ltla_code"})
            out = link.merge(sub, left_on="native_area_code", right_on="area_code", how="inner")
            out = out.assign(native_geography=chosen, area_code=out["ltla_code"]).drop(columns="ltla_code")
        out = out.assign(geography="ltla", area_name=out["area_code"].map(ltla["name"]))
        frames.append(out)
    if not frames:
        return pd.DataFrame()
    return pd.concat(frames, ignore_index=True)
