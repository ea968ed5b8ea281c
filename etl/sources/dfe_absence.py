"""DfE overall school absence rate (% of half-day sessions missed), from DfE LAIT.

Annex B, "Educational participation": school absence rates.

Input: the DfE Local Authority Interactive Tool table `dfe-absence/bds_long_0.parquet`,
Short Desc 'TotAbs' ("Total absence from School - % half days missed": state-funded primary,
secondary and special schools). `Years` '2016'..'2025' is the academic year ENDING that year,
labelled here '2015/16'..'2024/25'. '-' = no data (2019/20 was not collected for the full year
because of COVID-19, so every 2019/20 row is 'not available').

LAIT uses DfE 3-digit LA numbers; they are mapped to GSS codes with the rule in
etl.sources._lait (one DfE LA number = the code DfE's latest CLA edition gives it; England 970
-> E92000001; regions by name; Inner/Outer London dropped; pre-2019 Bournemouth/Poole/Dorset
dropped; an unknown number stops the build). Values are kept exactly as stored (LAIT text such
as '19.649999999999999' is the published 19.65 with a float artefact); display decimals come
from the catalogue. Persistent absence is parsed elsewhere (ONS ELS file), not here.
"""
from __future__ import annotations

import re

import pandas as pd

from etl import periods, readers
from etl.context import Context
from etl.errors import InputError
from etl.schema import finalise
from etl.sources._lait import DFE_MARKERS, LA_NUMBER_INPUTS, LAIT, lait_rows

INPUTS = [LAIT, "dfe-absence/la_code_list.xlsx", "dfe-absence/lait_data_dictionary.csv", *LA_NUMBER_INPUTS]
METRIC = "school_absence_rate"
SHORT_DESC = "TotAbs"


def academic_label(year_end: str, source: str, row) -> str:
    if not re.fullmatch(r"\d{4}", str(year_end)):
        raise InputError(source, f"row {row}, column 'Years'", "an academic year end like 2025", year_end)
    return periods.academic_year(int(year_end) - 1)


def parse(ctx: Context) -> pd.DataFrame:
    rows = lait_rows(ctx, SHORT_DESC)
    vals, status = readers.to_number(rows["Values"], LAIT, "Values", rows=rows["lait_row"], markers=DFE_MARKERS,
                                     allow_negative=False)
    bad = vals.notna() & ~vals.between(0, 100)
    if bad.any():
        r = rows[bad].iloc[0]
        raise InputError(LAIT, f"row {r['lait_row']}, column 'Values'", "a percentage between 0 and 100", r["Values"])
    label = [academic_label(y, LAIT, r) for y, r in zip(rows["Years"], rows["lait_row"])]
    out = pd.DataFrame({"metric_id": METRIC, "area_code": rows["area_code"], "area_name": rows["area_name"],
                        "geography": rows["geography"], "period": label, "value": vals, "status": status,
                        "note": rows["note"]})
    covid = out["period"] == "2019/20"
    out.loc[covid & (out["status"] != "ok"), "note"] = "2019/20 not collected for the full year (COVID-19)"
    readers.check_unique(out, ["area_code", "period"], LAIT)
    return finalise(out, source_file=LAIT)


# Fetch: DfE publishes the LAIT data table in the tool's public repository (01_data/02_prod);
# the branch head is the current release. The ELS persistent-absence file is fetched by
# ons_els_indicators.
LAIT_REPO = "dfe-analytical-services/local-authority-interactive-tool"
FETCH = [
    {"kind": "github_raw", "repo": LAIT_REPO, "path": "01_data/02_prod/bds_long_0.parquet", "dest": LAIT,
     "note": "DfE Local Authority Interactive Tool data table (long format)."},
    {"kind": "github_raw", "repo": LAIT_REPO, "path": "01_data/02_prod/la_code_list.xlsx",
     "dest": "dfe-absence/la_code_list.xlsx", "note": "LAIT's local authority list."},
    {"kind": "github_raw", "repo": LAIT_REPO, "path": "01_data/02_prod/lait_data_dictionary.csv",
     "dest": "dfe-absence/lait_data_dictionary.csv", "note": "LAIT's data dictionary."},
]
