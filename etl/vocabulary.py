"""The product's vocabulary as data: geographies, nations and the headline measures.

Geographies and nations come from `etl/config/geographies.yaml`; the headline measures (which
share pairs with which mean, and their polarity) from the metrics catalogue. The build writes
them as `geographies.parquet`, `nations.parquet` and the `measure`/`role` columns of
`metrics.parquet`, so the app reads the same words the ETL uses and declares none of its own.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import pandas as pd
import yaml

from etl.errors import InputError

LABELS_PATH = Path(__file__).parent / "config" / "labels.yaml"
LABEL_GROUPS = ("availability", "status", "kind", "polarity", "comparison")
GEO_FIELDS = ("order", "label", "short", "noun", "plural", "article", "map", "prefixes", "value_label",
              "inherited", "inherited_named")
ARTICLES = {"a", "an", "the"}


@dataclass(frozen=True)
class Geography:
    id: str
    order: int
    label: str
    short: str
    noun: str
    plural: str
    article: str
    map: bool
    prefixes: tuple[str, ...]
    value_label: str
    inherited: str | None
    inherited_named: str | None


def _config() -> tuple[dict, str]:
    from etl.geography import CONFIG_PATH, config

    return config(), CONFIG_PATH.name


@lru_cache(maxsize=1)
def geographies() -> dict[str, Geography]:
    """Every geography the product knows, in display order."""
    cfg, name = _config()
    block = cfg.get("geographies")
    if not isinstance(block, dict) or not block:
        raise InputError(name, "block 'geographies'", "a mapping of geography id to its words", block)
    out = {}
    for gid, spec in block.items():
        if not isinstance(spec, dict):
            raise InputError(name, f"geographies.{gid}", "a mapping of fields", spec)
        missing = [f for f in GEO_FIELDS if f not in spec]
        if missing:
            raise InputError(name, f"geographies.{gid}", f"fields {list(GEO_FIELDS)}", f"no {missing[0]!r}")
        unknown = sorted(set(spec) - set(GEO_FIELDS))
        if unknown:
            raise InputError(name, f"geographies.{gid}.{unknown[0]}", f"only the fields {list(GEO_FIELDS)}", unknown[0])
        if spec["article"] not in ARTICLES:
            raise InputError(name, f"geographies.{gid}.article", f"one of {sorted(ARTICLES)}", spec["article"])
        prefixes = spec["prefixes"]
        if not isinstance(prefixes, list) or not all(isinstance(p, str) and len(p) == 3 for p in prefixes):
            raise InputError(name, f"geographies.{gid}.prefixes", "a list of 3-character GSS code prefixes", prefixes)
        out[gid] = Geography(id=gid, order=int(spec["order"]), label=str(spec["label"]), short=str(spec["short"]),
                             noun=str(spec["noun"]), plural=str(spec["plural"]), article=str(spec["article"]),
                             map=bool(spec["map"]), prefixes=tuple(prefixes), value_label=str(spec["value_label"]),
                             inherited=spec["inherited"], inherited_named=spec["inherited_named"])
    return dict(sorted(out.items(), key=lambda kv: kv[1].order))


def geography_ids() -> tuple[str, ...]:
    return tuple(geographies())


@lru_cache(maxsize=1)
def nations() -> dict[str, dict]:
    """Nation code -> {name, letter, benchmark, has_regions}, in display order."""
    cfg, name = _config()
    block = cfg.get("countries")
    if not isinstance(block, dict) or not block:
        raise InputError(name, "block 'countries'", "a mapping of nation GSS code to its name", block)
    prefixes = geographies()["country"].prefixes
    uk = uk_code()
    out = {}
    for code, spec in block.items():
        if not isinstance(spec, dict) or not {"name", "letter", "benchmark", "has_regions"} <= set(spec):
            raise InputError(name, f"countries.{code}", "name, letter, benchmark and has_regions", spec)
        if not (isinstance(code, str) and len(code) == 9 and code[:3] in prefixes):
            raise InputError(name, f"countries.{code}", f"a nation GSS code starting {'/'.join(prefixes)}", code)
        if spec["benchmark"] not in (uk, *block):
            raise InputError(name, f"countries.{code}.benchmark", "the UK or a nation code", spec["benchmark"])
        out[code] = dict(spec)
    return out


def uk_code() -> str:
    cfg, name = _config()
    block = cfg.get("uk")
    if not isinstance(block, dict) or len(block) != 1:
        raise InputError(name, "block 'uk'", "one entry: the UK's GSS code and name", block)
    return next(iter(block))


def national_level(code: str) -> str | None:
    """'uk', 'country' or 'region' for a UK, nation or English region GSS code, else None."""
    for gid in ("uk", "country", "region"):
        if str(code)[:3] in geographies()[gid].prefixes:
            return gid
    return None


def is_ltla_code(code: str) -> bool:
    return str(code)[:3] in geographies()["ltla"].prefixes


def nation_of(code: str) -> str | None:
    """The nation a GSS code belongs to, by its first letter (None for the UK and non-GSS codes)."""
    letter = str(code)[:1]
    for ncode, spec in nations().items():
        if spec["letter"] == letter:
            return ncode
    return None


def geographies_frame() -> pd.DataFrame:
    rows = [{"id": g.id, "order": g.order, "label": g.label, "short": g.short, "noun": g.noun, "plural": g.plural,
             "article": g.article, "map": g.map, "prefixes": ",".join(g.prefixes), "value_label": g.value_label,
             "inherited": g.inherited, "inherited_named": g.inherited_named} for g in geographies().values()]
    return pd.DataFrame(rows)


def nations_frame() -> pd.DataFrame:
    rows = [{"code": c, "name": s["name"], "letter": s["letter"], "benchmark": s["benchmark"],
             "has_regions": bool(s["has_regions"]), "order": i + 1, "is_uk": False}
            for i, (c, s) in enumerate(nations().items())]
    cfg, _ = _config()
    rows.insert(0, {"code": uk_code(), "name": cfg["uk"][uk_code()], "letter": "K", "benchmark": uk_code(),
                    "has_regions": False, "order": 0, "is_uk": True})
    return pd.DataFrame(rows)


# --------------------------------------------------------------------------- headline measures
def headline(catalogue: pd.DataFrame) -> pd.DataFrame:
    """One row per headline measure (life satisfaction, worthwhile, happiness, anxiety) from the
    catalogue: measure, label, share_id, mean_id, share_polarity, mean_polarity, band, order."""
    h = catalogue[catalogue["measure"].notna()] if "measure" in catalogue else catalogue.iloc[0:0]
    rows = []
    for measure, g in h.groupby("measure", sort=False):
        share = g[g["role"] == "share"]
        mean = g[g["role"] == "mean"]
        if len(share) != 1 or len(mean) != 1:
            raise InputError("etl/config/metrics/", f"headline measure {measure!r}",
                             "exactly one 'share' and one 'mean' metric", g["id"].tolist())
        s, m = share.iloc[0], mean.iloc[0]
        rows.append({"measure": measure, "label": m["measure_label"], "share_id": s["id"], "mean_id": m["id"],
                     "share_polarity": s["polarity"], "mean_polarity": m["polarity"], "band": s["band"],
                     "order": int(min(s["sort"], m["sort"]))})
    return pd.DataFrame(rows, columns=["measure", "label", "share_id", "mean_id", "share_polarity", "mean_polarity",
                                       "band", "order"]).sort_values("order").reset_index(drop=True)


def higher_is_worse(polarity: str) -> bool:
    """For ranking 'worse': lower-is-better metrics are worse when higher."""
    return polarity == "lower_better"


# --------------------------------------------------------------------------- labels
@lru_cache(maxsize=1)
def labels() -> dict[str, dict[str, dict]]:
    """group -> code -> {label, text}, from labels.yaml."""
    name = LABELS_PATH.name
    try:
        data = yaml.load(LABELS_PATH.read_text(), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except yaml.YAMLError as exc:
        raise InputError(name, "file", "valid YAML", str(exc)[:200]) from exc
    if not isinstance(data, dict):
        raise InputError(name, "top level", f"the groups {list(LABEL_GROUPS)}", type(data).__name__)
    for group in LABEL_GROUPS:
        block = data.get(group)
        if not isinstance(block, dict) or not block:
            raise InputError(name, f"group {group!r}", "a mapping of code to label and text", block)
        for code, spec in block.items():
            if not isinstance(spec, dict) or set(spec) != {"label", "text"}:
                raise InputError(name, f"{group}.{code}", "exactly the fields 'label' and 'text'", spec)
    return data


def codes(group: str) -> tuple[str, ...]:
    """The codes of a label group, e.g. the observation statuses."""
    return tuple(labels()[group])


def write_tables(directory: Path) -> None:
    """The vocabulary as build artefacts: geographies, nations and labels (parquet)."""
    geographies_frame().to_parquet(directory / "geographies.parquet", index=False)
    nations_frame().to_parquet(directory / "nations.parquet", index=False)
    labels_frame().to_parquet(directory / "labels.parquet", index=False)


def labels_frame() -> pd.DataFrame:
    rows = [{"group": g, "code": c, "label": s["label"], "text": s["text"]}
            for g in LABEL_GROUPS for c, s in labels()[g].items()]
    return pd.DataFrame(rows)
