"""Load and validate the maturity model (model.yaml) into immutable objects.

The model is data: hallmarks 1, 2, 3a, 3b, 4, 5, 6; each with levels assuring, optimising,
maximising (in that order of maturity); each level with its own criteria.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

MODEL_PATH = Path(__file__).with_name("model.yaml")
LEVELS: tuple[str, ...] = ("assuring", "optimising", "maximising")
RATINGS: tuple[str, ...] = ("not_in_place", "partly", "fully")
HALLMARK_IDS: tuple[str, ...] = ("1", "2", "3a", "3b", "4", "5", "6")


@dataclass(frozen=True)
class Criterion:
    id: str
    hallmark: str
    level: str
    text: str


@dataclass(frozen=True)
class Hallmark:
    id: str
    title: str
    note: str
    evidence_links: bool
    criteria: dict  # level id -> tuple[Criterion, ...]

    def level_criteria(self, level: str) -> tuple[Criterion, ...]:
        return self.criteria[level]

    @property
    def all_criteria(self) -> tuple[Criterion, ...]:
        return tuple(c for lv in LEVELS for c in self.criteria[lv])


@dataclass(frozen=True)
class Model:
    citation: str
    source: dict
    level_labels: dict  # level id -> label
    level_summaries: dict
    rating_labels: dict  # rating id -> label
    hallmarks: tuple[Hallmark, ...]

    @property
    def criteria(self) -> dict:
        """criterion id -> Criterion, in model order."""
        return {c.id: c for h in self.hallmarks for c in h.all_criteria}

    def hallmark(self, hid: str) -> Hallmark:
        for h in self.hallmarks:
            if h.id == hid:
                return h
        raise KeyError(hid)


class ModelError(ValueError):
    pass


def parse_model(raw: dict) -> Model:
    """Validate the raw YAML structure and build a Model; raises ModelError on any problem."""
    if not isinstance(raw, dict):
        raise ModelError("model must be a mapping")
    levels = raw.get("levels") or []
    if [lv.get("id") for lv in levels] != list(LEVELS):
        raise ModelError(f"levels must be {LEVELS}")
    ratings = raw.get("ratings") or []
    if [r.get("id") for r in ratings] != list(RATINGS):
        raise ModelError(f"ratings must be {RATINGS}")
    citation = " ".join(str(raw.get("citation", "")).split())
    if not citation:
        raise ModelError("citation is required")
    seen: set[str] = set()
    hallmarks = []
    for h in raw.get("hallmarks") or []:
        hid = str(h.get("id"))
        crit = {}
        for lv in LEVELS:
            items = (h.get("levels") or {}).get(lv) or []
            if not items:
                raise ModelError(f"hallmark {hid} level {lv} has no criteria")
            out = []
            for item in items:
                cid, text = str(item.get("id", "")), " ".join(str(item.get("text", "")).split())
                if not cid or not text:
                    raise ModelError(f"hallmark {hid} level {lv}: criterion needs id and text")
                if cid in seen:
                    raise ModelError(f"duplicate criterion id {cid}")
                if not cid.startswith(f"h{hid}.{lv[0]}"):
                    raise ModelError(f"criterion id {cid} does not match hallmark {hid} level {lv}")
                seen.add(cid)
                out.append(Criterion(cid, hid, lv, text))
            crit[lv] = tuple(out)
        hallmarks.append(Hallmark(hid, str(h.get("title", "")).strip(), str(h.get("note", "") or ""),
                                  bool(h.get("evidence_links", False)), crit))
    if tuple(h.id for h in hallmarks) != HALLMARK_IDS:
        raise ModelError(f"hallmarks must be {HALLMARK_IDS}")
    return Model(
        citation=citation,
        source=dict(raw.get("source") or {}),
        level_labels={lv["id"]: lv["label"] for lv in levels},
        level_summaries={lv["id"]: lv.get("summary", "") for lv in levels},
        rating_labels={r["id"]: r["label"] for r in ratings},
        hallmarks=tuple(hallmarks),
    )


def read_model(path) -> Model:
    with open(path, encoding="utf-8") as fh:
        return parse_model(yaml.load(fh, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)))  # C parser: ~10x faster


MODEL = read_model(MODEL_PATH)  # the model is part of the code: read once, when the app starts


def load_model(path: str | None = None) -> Model:
    """The maturity model (from `path`, or the bundled one)."""
    return MODEL if path is None else read_model(path)
