"""Dash component builders for the maturity pages (no callbacks, no database access).

All user text is passed as plain strings/children, which Dash escapes; no raw HTML is used.
"""
from __future__ import annotations

from dash import dcc, html

from dashboard.maturity.model import LEVELS, Hallmark, Model
from dashboard.maturity.repository import safe_links
from dashboard.maturity.rules import CELL_LABELS, overview

CELL_SYMBOL = {"reached": "\u2714", "partly": "\u25d0", "not_yet": "\u2013"}


def not_found(message: str = "") -> html.Div:
    return html.Div(className="mm-page mm-notfound", children=[
        html.H1("Assessment not found"),
        html.P(message or "We could not find an assessment at this link. Check that you copied the "
                          "whole link, or ask your facilitator to send it again."),
        html.P(dcc.Link("Start a new self-assessment", href="/maturity")),
    ])


def citation_block(model: Model) -> html.Div:
    return html.Div(className="mm-citation", children=[
        html.H2("Suggested citation", className="mm-citation__title"),
        html.P(model.citation, className="mm-citation__text"),
        html.P(["This tool paraphrases the model's criteria in our own words; see the original at ",
                html.A(model.source.get("url", ""), href=model.source.get("url", ""), rel="noreferrer noopener",
                       target="_blank"), "."]),
    ])


def details_list(a: dict) -> html.Dl:
    items = [("Organisation or area", a.get("organisation") + (f" ({a['area_code']})" if a.get("area_code") else "")),
             ("Strategy or policy", a.get("strategy") or "Not given"),
             ("Date", a.get("date") or "Not given"),
             ("Facilitator", a.get("facilitator") or "Not given")]
    children = []
    for k, v in items:
        children += [html.Dt(k), html.Dd(v)]
    return html.Dl(children, className="mm-details")


def grid(model: Model, ratings: dict, caption: str = "Level reached per hallmark") -> html.Div:
    """Hallmarks x levels table; each cell carries text ("Reached"/"Partly"/"Not yet") and colour."""
    rows = overview(model, ratings)
    head = html.Thead(html.Tr([html.Th("Hallmark", scope="col")]
                              + [html.Th(model.level_labels[lv], scope="col") for lv in LEVELS]
                              + [html.Th("Level reached", scope="col")]))
    body = []
    for row in rows:
        h = row["hallmark"]
        cells = [html.Th([html.Span(f"{h.id}. ", className="mm-hid"), h.title], scope="row")]
        for lv in LEVELS:
            st = row["cells"][lv]
            cells.append(html.Td(className=f"mm-cell mm-cell--{st}", children=[
                html.Span(CELL_SYMBOL[st], className="mm-cell__sym", **{"aria-hidden": "true"}),
                html.Span(CELL_LABELS[st], className="mm-cell__text")]))
        cells.append(html.Td(model.level_labels[row["reached"]] if row["reached"] else "None yet",
                             className="mm-reached"))
        body.append(html.Tr(cells, **{"data-hallmark": h.id}))
    return html.Div(className="mm-grid-wrap", children=[
        html.Table(className="mm-grid", children=[html.Caption(caption), head, html.Tbody(body)]),
        html.P(className="mm-grid__key", children=[
            "Key: ", html.Strong("Reached"), " = every criterion of this level and the levels before it is fully in "
            "place; ", html.Strong("Partly"), " = some criteria of this level are partly or fully in place; ",
            html.Strong("Not yet"), " = none are."]),
    ])


def next_steps_block(model: Model, ratings: dict) -> html.Div:
    items = []
    for row in overview(model, ratings):
        h = row["hallmark"]
        if row["next_level"] is None:
            items.append(html.Li([html.Strong(f"Hallmark {h.id}: "), "maximising reached - keep it up."]))
            continue
        items.append(html.Li([
            html.Strong(f"Hallmark {h.id} ({h.title}) - towards {model.level_labels[row['next_level']]}:"),
            html.Ul([html.Li(c.text) for c in row["next_steps"]]),
        ]))
    return html.Div(className="mm-next", children=[
        html.H2("Next steps"),
        html.P("For each hallmark: the criteria of the next level that are not yet fully in place."),
        html.Ul(items, className="mm-next__list"),
    ])


def area_evidence(hallmark: Hallmark, assessment: dict) -> html.Div | None:
    """Links to the area's profile and map views for the evidence hallmarks (3a, 5)."""
    if not hallmark.evidence_links:
        return None
    code = assessment.get("area_code")
    if code:
        links = [
            html.Li(dcc.Link(f"Profile of {assessment.get('organisation')}: ONS4 personal well-being, trends and "
                             "benchmarks against England, region and similar areas", href=f"/area/{code}")),
            html.Li(dcc.Link("Map: how low life satisfaction is distributed across local authorities, with this "
                             "area highlighted", href=f"/map?metric=low_life_satisfaction&area={code}")),
        ]
    else:
        links = [html.Li(["No local authority was chosen for this assessment. Use the ",
                          dcc.Link("map", href="/map?metric=low_life_satisfaction"),
                          " to find your area's ONS4 measures."])]
    return html.Aside(className="mm-evidence", children=[
        html.H4("Evidence from this dashboard"), html.Ul(links)])


def links_list(links: str) -> html.Ul | None:
    items = [html.Li(html.A(t, href=t, rel="noreferrer noopener", target="_blank") if ok else t)
             for t, ok in safe_links(links)]
    return html.Ul(items, className="mm-links") if items else None


def model_summary(model: Model) -> html.Div:
    """The whole model as collapsible sections (used on the landing page)."""
    parts = []
    for h in model.hallmarks:
        levels = []
        for lv in LEVELS:
            levels.append(html.Div(className="mm-model__level", children=[
                html.H4(model.level_labels[lv]),
                html.Ul([html.Li(c.text) for c in h.level_criteria(lv)])]))
        parts.append(html.Details(className="mm-model__hallmark", children=[
            html.Summary(f"Hallmark {h.id}: {h.title}"),
            html.P(h.note) if h.note else None,
            html.Div(levels, className="mm-model__levels")]))
    return html.Div(parts, className="mm-model")
