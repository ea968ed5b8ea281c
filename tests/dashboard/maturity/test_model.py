"""The model as data: structure, citation and paraphrase checks."""
from __future__ import annotations

import hashlib
import re
from pathlib import Path

import pytest
import yaml

from dashboard.config import ROOT
from dashboard.maturity.model import HALLMARK_IDS, LEVELS, MODEL_PATH, ModelError, load_model, parse_model

CITATION = ("Smithson, J. (2022) Maturity Model for Wellbeing Policy Making [PDF] What Works Centre for "
            "Wellbeing, available at: https://whatworkswellbeing.org/resources/maturity-model-for-wellbeing-policy-making")


def test_structure():
    m = load_model()
    assert tuple(h.id for h in m.hallmarks) == HALLMARK_IDS == ("1", "2", "3a", "3b", "4", "5", "6")
    for h in m.hallmarks:
        for lv in LEVELS:
            assert h.level_criteria(lv), (h.id, lv)
            assert all(c.hallmark == h.id and c.level == lv for c in h.level_criteria(lv))
    counts = {h.id: [len(h.level_criteria(lv)) for lv in LEVELS] for h in m.hallmarks}
    assert counts == {"1": [2, 2, 1], "2": [2, 2, 3], "3a": [3, 4, 4], "3b": [3, 3, 3],
                      "4": [2, 2, 3], "5": [2, 2, 2], "6": [4, 3, 4]}
    assert len(m.criteria) == 56
    assert m.hallmark("3a").evidence_links and m.hallmark("5").evidence_links


def test_citation_verbatim():
    assert load_model().citation == CITATION


def test_descriptors_are_paraphrased():
    """No descriptor copies a run of 7 words from the source text (shared facts/names are fine).
    The source's 7-word runs are kept as hashes beside this test, not as text."""
    known = {line for line in (Path(__file__).parent / "model_source_shingles.txt").read_text().split()
             if not line.startswith("#") and len(line) == 16}
    assert len(known) > 1000  # the whole source, not an empty file
    words = lambda t: re.findall(r"[a-z0-9]+", t.lower())  # noqa: E731

    def hashes(ws):
        return {hashlib.sha256(" ".join(ws[i:i + 7]).encode()).hexdigest()[:16] for i in range(len(ws) - 6)}

    for c in load_model().criteria.values():
        assert not hashes(words(c.text)) & known, c.id


def test_validation_rejects_bad_models():
    raw = yaml.safe_load(MODEL_PATH.read_text())
    raw["hallmarks"][0]["levels"]["assuring"] = []
    with pytest.raises(ModelError):
        parse_model(raw)
    raw = yaml.safe_load(MODEL_PATH.read_text())
    raw["hallmarks"][1]["levels"]["assuring"][0]["id"] = "h1.a1"
    with pytest.raises(ModelError):
        parse_model(raw)
