"""The words the build wrote for its codes: geographies, nations, statuses and other labels.

Nothing in the app declares a geography noun, a nation code or a status label of its own; they
come from here, and here from the build (geographies.parquet, nations.parquet, labels.parquet).
"""
from __future__ import annotations

from dataclasses import dataclass

from dashboard.queries.build import current, per_build


@dataclass(frozen=True)
class Geography:
    id: str
    order: int
    label: str          # the map layer's name, e.g. "Integrated care boards (ICB)"
    short: str          # a type label, e.g. "Integrated care board"
    noun: str           # "integrated care board"
    plural: str         # "integrated care boards"
    article: str        # "a", "an" or "the"
    map: bool
    prefixes: tuple[str, ...]
    value_label: str    # "ICB-level value"
    inherited: str | None
    inherited_named: str | None

    def a(self) -> str:
        """The noun with its article: 'an integrated care board'."""
        return f"{self.article} {self.noun}"

    def count(self, n: int) -> str:
        """'1 integrated care board', '3 integrated care boards'."""
        return f"{n:,} {self.noun if n == 1 else self.plural}"


def _text(v) -> str | None:
    return v if isinstance(v, str) and v else None


@per_build
def geographies() -> dict[str, Geography]:
    """Every geography in display order."""
    g = current().frame("geographies")
    out = {}
    if g.empty:
        return out
    for r in g.sort_values("order").to_dict("records"):
        out[r["id"]] = Geography(
            id=r["id"], order=int(r["order"]), label=r["label"], short=r["short"], noun=r["noun"],
            plural=r["plural"], article=r["article"], map=bool(r["map"]),
            prefixes=tuple(p for p in str(r["prefixes"]).split(",") if p), value_label=r["value_label"],
            inherited=_text(r.get("inherited")), inherited_named=_text(r.get("inherited_named")))
    return out


def geography(gid: str) -> Geography | None:
    return geographies().get(gid)


def noun(gid: str) -> str:
    g = geography(gid)
    return g.noun if g else "area"


def map_geographies() -> list[str]:
    """Geographies the map can draw (flagged in the vocabulary and with geometry in the build)."""
    return [gid for gid, g in geographies().items() if g.map and current().has(f"geo_{gid}.geojson")]


@per_build
def nations() -> list[dict]:
    """The four nations in display order: code, name, letter, benchmark, has_regions."""
    n = current().frame("nations")
    if n.empty:
        return []
    return n[~n["is_uk"].astype(bool)].sort_values("order").to_dict("records")


@per_build
def uk() -> dict:
    n = current().frame("nations")
    if n.empty:
        return {"code": None, "name": "United Kingdom"}
    return n[n["is_uk"].astype(bool)].iloc[0].to_dict()


def uk_code() -> str | None:
    return uk()["code"]


@per_build
def nation_codes() -> tuple[str, ...]:
    return tuple(n["code"] for n in nations())


@per_build
def _nation_by_letter() -> dict[str, dict]:
    return {n["letter"]: n for n in nations()}


def nation_of(code: str | None) -> dict | None:
    """The nation an area code belongs to (by the code's first letter)."""
    if not code:
        return None
    return _nation_by_letter().get(str(code)[:1])


def england_code() -> str | None:
    """The nation whose areas have regions (England)."""
    for n in nations():
        if bool(n["has_regions"]):
            return n["code"]
    return None


def benchmark_code(code: str | None) -> str | None:
    """The national benchmark of an area: its nation's benchmark (England for English areas, the
    UK elsewhere); the UK for the UK and for codes of no nation."""
    n = nation_of(code)
    if code == uk_code() or n is None:
        return uk_code()
    return n["benchmark"]


def place_name(code: str | None) -> str:
    """Name of a nation or the UK by code ('' if it is neither)."""
    if code == uk_code():
        return uk()["name"]
    for n in nations():
        if n["code"] == code:
            return n["name"]
    return ""


@per_build
def labels() -> dict[str, dict[str, dict]]:
    """group -> code -> {label, text} (groups: availability, status, kind, polarity, comparison)."""
    lab = current().frame("labels")
    out: dict[str, dict[str, dict]] = {}
    for r in lab.to_dict("records"):
        out.setdefault(r["group"], {})[r["code"]] = {"label": r["label"], "text": r["text"]}
    return out


def label(group: str, code: str | None, default: str | None = None) -> str:
    got = labels().get(group, {}).get(code or "")
    if got:
        return got["label"]
    return default if default is not None else str(code or "")


def label_text(group: str, code: str | None, default: str = "") -> str:
    got = labels().get(group, {}).get(code or "")
    return got["text"] if got else default
