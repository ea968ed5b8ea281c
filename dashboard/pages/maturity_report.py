"""/maturity/r/<facilitator_token>: printable report of an assessment, fit to share with a board."""
from __future__ import annotations

import datetime as dt
import logging

import dash
from dash import dcc, html

from dashboard.lazy_import import lazy
from dashboard.maturity import components as mc
from dashboard.maturity.model import LEVELS, load_model
from dashboard.maturity.rules import agreement
from dashboard.components.errors import guarded

# the persistence layer (SQLAlchemy) is imported on the first use, not at start-up
repo = lazy("dashboard.maturity.repository")

dash.register_page(__name__, path_template="/maturity/r/<token>",
                   title="Maturity self-assessment report - Well-being Mission Dashboard")
log = logging.getLogger(__name__)


def _evidence_cell(snap: dict, cid: str) -> list:
    out = []
    cons = snap["consensus"].get(cid) or {}
    if cons.get("evidence") or cons.get("links"):
        out += [html.P([html.Strong("Consensus: "), cons.get("evidence") or ""]), mc.links_list(cons.get("links") or "")]
    for p in snap["participants"]:
        r = p["ratings"].get(cid) or {}
        if r.get("evidence") or r.get("links"):
            out += [html.P([html.Strong(f"{p['name']}: "), r.get("evidence") or ""]), mc.links_list(r.get("links") or "")]
    return out


def _basis(consensus: bool, effective, ag) -> str:
    """Why the agreed rating is what it is (or why there is none)."""
    if consensus:
        return "(consensus)"
    if effective:
        return f"(all {ag.n} participants who rated it agreed)"
    if ag.status == "single":
        return "(only one rating: agreement needs at least two)"
    return ""


def _layout(token: str, snap: dict) -> html.Div:
    model = load_model()
    a = snap["assessment"]
    eff = repo.effective_ratings(snap)
    sections = []
    for h in model.hallmarks:
        rows = []
        for lv in LEVELS:
            for c in h.level_criteria(lv):
                indiv = [(p["ratings"].get(c.id) or {}).get("rating") for p in snap["participants"]]
                ag = agreement(indiv)
                counts = ", ".join(f"{model.rating_labels[r]}: {n}" for r, n in ag.counts.items() if n)
                cons = (snap["consensus"].get(c.id) or {}).get("rating")
                rows.append(html.Tr([
                    html.Td(model.level_labels[lv]),
                    html.Td([html.Span(c.id, className="mm-crit__id"), " ", c.text]),
                    html.Td([model.rating_labels.get(eff.get(c.id), "Not agreed"),
                             html.Br(), html.Span(_basis(bool(cons), eff.get(c.id), ag), className="mm-hint")],
                            className=f"mm-r mm-r--{eff.get(c.id) or 'none'}"),
                    html.Td([ag.label, html.Br(), html.Span(counts, className="mm-hint")]),
                    html.Td(_evidence_cell(snap, c.id)),
                ]))
        sections.append(html.Section(className="mm-report__hallmark", children=[
            html.H3(f"Hallmark {h.id}: {h.title}"),
            html.Table(className="mm-rtable", children=[
                html.Thead(html.Tr([html.Th(x, scope="col") for x in
                                    ("Level", "Criterion", "Agreed rating", "Individual ratings", "Evidence")])),
                html.Tbody(rows)])]))
    names = ", ".join(p["name"] for p in snap["participants"]) or "none"
    return html.Div(className="mm-page mm-report", children=[
        html.Div(className="mm-noprint mm-actions", children=[
            dcc.Link("Back to the facilitator page", href=f"/maturity/f/{token}", className="mm-button mm-button--secondary"),
            html.P("To print or save as PDF, use your browser's Print command (Ctrl+P or Cmd+P): the page is "
                   "laid out for A4 paper without the site's menus.", className="mm-hint"),
        ]),
        html.H1(f"Wellbeing policy maturity self-assessment: {a['organisation']}"),
        mc.details_list(a),
        html.P(f"Participants ({len(snap['participants'])}): {names}. Report produced "
               f"{dt.date.today().isoformat()}."),
        html.P("Ratings use the Maturity Model for Wellbeing Policy Making. The agreed rating is the facilitator's "
               "moderated consensus where recorded, otherwise the participants' rating where at least two rated it "
               "and all agreed. A level "
               "counts as reached when all its criteria and all lower levels' criteria are fully in place."),
        html.H2("Overview"),
        mc.grid(model, eff),
        mc.next_steps_block(model, eff),
        html.H2("Ratings and evidence by hallmark", className="mm-pagebreak"),
        *sections,
        mc.citation_block(model),
    ])


@guarded(lambda *_a, **_k: mc.not_found("Sorry, this report could not be produced just now. Please try again "
                                         "shortly."))
def layout(token: str | None = None, **_kwargs):
    snap = repo.facilitator_view(token)
    return mc.not_found() if snap is None else _layout(token, snap)

