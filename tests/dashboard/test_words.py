"""Generated texts read as English: every geography's article and plural, every count's noun,
every headline share's band, for every geography and metric the build holds.

The checks run over texts the view models and components generate (search results, the compare
page's group lines, the drivers page's sentences, the profile's geography notice, the vocabulary
itself), so a new geography, metric or authority type is covered without editing this file."""
from __future__ import annotations

import re

import pytest

from dashboard import formatting
from dashboard.analysis import compare_view as cv
from dashboard.analysis import drivers as drv
from dashboard.analysis import drivers_view as dv
from dashboard.analysis import profile_view as pv
from dashboard.components import search
from dashboard.queries import areas, catalogue
from dashboard.queries import vocabulary as vocab

# "a" before a vowel sound (a unitary / a user are fine), "an" before a consonant (an NHS is fine)
A_BEFORE_VOWEL = re.compile(r"\b[Aa]\s+(?:[aeio]|u(?!ni|s[eu]))[a-z-]*")
AN_BEFORE_CONSONANT = re.compile(r"\b[Aa]n\s+(?![aeiou]|h(?:our|onest))[a-z][a-z-]*")
ONE_PLURAL = re.compile(r"(?<![\d.,])\b1 (?:[a-z-]+ )?[a-z]+(?<![siu])s\b")  # "1 areas", not "1 class"
NAIVE_PLURAL = re.compile(r"\b[a-z]{3,}[b-df-hj-np-tv-z]ys\b")  # "authoritys" (not a name such as Powys)
DOUBLED = re.compile(r"\b(a|an|the|of|and)\s+\1\b", re.I)
LEFTOVERS = re.compile(r"\bnan\b|\bNone\b|\{[a-z_]+\}")
TRUNCATED_SHARE = re.compile(r"\blow (?:life|feeling) \(", re.I)
RAW_IDS = re.compile(r"\b(?:ltla|utla|icb|aq_zone|cauth|no_judgement|lower_better|higher_better)\b")  # codes, not words


def problems(text: str) -> list[str]:
    out = []
    for rx in (A_BEFORE_VOWEL, AN_BEFORE_CONSONANT, ONE_PLURAL, NAIVE_PLURAL, DOUBLED, LEFTOVERS, TRUNCATED_SHARE,
               RAW_IDS):
        out += [m.group(0) for m in rx.finditer(text)]
    return out


def check(texts) -> None:
    bad = {t: problems(t) for t in texts if t and problems(t)}
    assert not bad, bad


def test_the_checker_catches_what_the_issue_saw():
    for wrong in ("a upper-tier authority", "a integrated care board", "a air-quality zone", "1 areas",
                  "Unitary authoritys", "Share of adults with low life (0-4)", "an local authority", "a a",
                  "values shared across districts (utla)"):
        assert problems(wrong), wrong
    for right in ("an upper-tier authority", "an integrated care board", "a unitary authority", "1 area", "3 areas",
                  "an NHS trust", "2.1 months", "Local authorities", "in 1 local authority", "Powys", "1 class"):
        assert not problems(right), right


def test_vocabulary_articles_and_plurals(app):
    texts = []
    for g in vocab.geographies().values():
        texts += [g.a(), g.count(1), g.count(2), g.count(1_000), f"This is {g.a()} profile", g.label, g.short,
                  g.value_label, g.inherited or "", (g.inherited_named or "").replace("{name}", "Kent")]
        assert g.count(1) == f"1 {g.noun}" and g.count(2) == f"2 {g.plural}"
    check(texts)
    assert formatting.plural(1, "area") == "1 area" and formatting.plural(2, "area") == "2 areas"


def _one_area_per_kind() -> list[dict]:
    """A current area of every geography and of every kind of local authority, and a former area."""
    a = areas.areas()
    cur = a[a["active"].astype(bool)]
    picks = list(cur.drop_duplicates("geography")["code"]) + list(
        cur[cur["geography"] == "ltla"].drop_duplicates("la_type")["code"])
    old = a[~a["active"].astype(bool)].drop_duplicates("geography")["code"].tolist()
    return [areas.resolve(c) for c in dict.fromkeys(picks + old)]


def test_profile_and_search_texts_for_every_geography(app):
    texts = []
    for info in _one_area_per_kind():
        if info["status"] == "current":
            page = pv.page(info)
            texts += [page["lead"]] + [str(p) for n in page["notes"] for p in n.parts]
        for o in search.options_for(info.get("name", "")):
            texts.append(o["label"])
    check(texts)


def test_headline_share_labels_name_the_catalogue_measure_and_band(app):
    for h in catalogue.headline():
        label = catalogue.share_label(h)
        m = catalogue.metric(h["share_id"])
        assert label.endswith(f"(score {m['band']})"), label
        assert label == "Share of " + m["title"][:1].lower() + m["title"][1:], label
        assert label.count(m["band"]) == 1, label
        check([label])


def test_compare_texts_for_every_metric_and_group(app):
    metrics = [o["value"] for o in cv.metric_options()]
    assert metrics
    texts = []
    la_types = areas.current_ltla().drop_duplicates("la_type")["code"].tolist()
    for metric in metrics:
        for group, area, chosen in [("areas", None, ["E08000025"]), ("areas", None, ["E08000025", "E09000002"]),
                                    ("region", "E08000025", []), ("neighbours", "E08000025", [])]:
            v = cv.view(area, group, chosen, metric, None, "england")
            texts += [v.get(k, "") for k in ("heading", "group_count", "summary_line", "chart_summary",
                                             "inherited_text", "missing_line", "label", "note", "message")]
            if group == "areas" and len(chosen) == 1 and "group_count" in v:
                assert v["group_count"] == ": 1 area. "
    for code in la_types:  # every kind of authority, for one metric
        v = cv.view(code, "la_type", [], metrics[0], None, "england")
        texts += [v.get("label", ""), v.get("note", ""), v.get("group_count", "")]
    check(texts)


def test_drivers_texts_for_every_driver_and_headline_measure(app):
    xs = [o["value"] for o in dv.options(drv.DRIVER_KINDS)]
    heads = {o["value"] for o in dv.options(drv.HEADLINE_KINDS)}
    # one share and one mean: their periods differ (the shares end earlier), so both kinds of note show
    ys = [m for m in (catalogue.share_ids()[:1] + catalogue.mean_ids()[:1]) if m in heads]
    assert xs and ys
    texts = []
    for x in xs:
        for y in ys:
            v = dv.scatter_view(x, y, None, None, "E08000025", None, True)
            note = v.get("period_note")
            texts += [v.get(k) or "" for k in ("r_text", "inherited_text", "selected_text", "scatter_summary",
                                               "table_caption", "message")]
            texts += [str(p) for p in (note.parts if note else [])]
            if "table" in v:
                texts += [str(c) for c in v["table"].columns] + list(v["table"]["Driver value shared from a larger area"])
    d = dv.differences_view(None)
    texts += [d.get("headline_text", ""), d.get("chart_summary", "")]
    texts += [str(x) for col in ("Reading", "Caveat") for x in d["table"][col]]
    check(texts)


@pytest.mark.parametrize("n", [1, 2])
def test_small_counts_in_sentences(app, n):
    res = {"r": 0.5, "lower": 0.1, "upper": 0.8, "n": n, "p": 0.01}
    check([drv.describe_r(res)])
    assert f"n = {formatting.plural(n, 'area')}" in drv.describe_r(res)
