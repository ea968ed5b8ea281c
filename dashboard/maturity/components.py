"""Dash component builders for the maturity pages (no callbacks, no database access).

All user text is passed as plain strings/children, which Dash escapes; no raw HTML is used.
"""
from __future__ import annotations

from dash import ALL, Input, Output, State, dcc, html

from dashboard.maturity.model import LEVELS, Hallmark, Model
from dashboard.maturity.links import safe_links
from dashboard.maturity.rules import CELL_LABELS, overview

CELL_SYMBOL = {"reached": "\u2714", "partly": "\u25d0", "not_yet": "\u2013"}


UNAVAILABLE = "Sorry, this assessment could not be opened just now. Please try again shortly."


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


def copy_link(key: str, heading: str, url: str, button_label: str, href: str | None = None,
              link_id: str | None = None) -> html.P:
    """A shareable link with a "Copy" button (a real button: Tab reaches it, Enter/Space press it;
    assets/maturity.js copies ``data-copy`` and reports in the status element next to it)."""
    text_id = link_id or f"mm-link-{key}"
    status_id = f"mm-copy-status-{key}"
    link = (html.A(url, href=href, id=text_id, className="mm-code") if href
            else html.Code(url, id=text_id, className="mm-code"))
    return html.P(className="mm-linkrow", children=[
        html.Strong(heading), " ", link, " ",
        html.Button(button_label, type="button", className="mm-copy",
                    **{"data-copy": url, "data-status": status_id, "aria-describedby": text_id}),
        html.Span(id=status_id, className="mm-copy__status", role="status", **{"aria-live": "polite"}),
    ])


def rating_radios(model: Model, radio_id: dict, value) -> dcc.RadioItems:
    """The model's ratings as one inline row of radio buttons (a participant's or the consensus)."""
    return dcc.RadioItems(id=radio_id, value=value, className="mm-radios", inline=True,
                          options=[{"label": model.rating_labels[r], "value": r} for r in model.rating_labels])


def note_box(label: str, box_id: dict, value: str, max_length: int) -> html.Label:
    """A labelled two-row text box for notes or links (saved when the user leaves it)."""
    return html.Label(className="mm-textlabel", children=[
        html.Span(label),
        dcc.Textarea(id=box_id, value=value, maxLength=max_length, rows=2)])


def save_status(status_id: dict) -> html.P:
    """Where autosave reports on one criterion (announced politely to screen readers)."""
    return html.P(id=status_id, className="mm-status", role="status", **{"aria-live": "polite"})


def autosave_wiring(prefix: str, token_store: str) -> list:
    """The Outputs, Inputs and States of an autosave callback (participant ratings, prefix "mm-";
    consensus, "mm-c"). Per criterion: ``<prefix>rate``, ``<prefix>ev``, ``<prefix>links`` and
    ``<prefix>status``; per page: ``<prefix>sync``, ``<prefix>retry``, ``<prefix>save-banner``.
    The callback gets (rates, ev blurs, links blurs, retry tick, evs, links, ids, state, token)
    and returns (statuses, state, retry disabled, banner)."""
    def crit(kind: str) -> dict:
        return {"type": prefix + kind, "crit": ALL}

    return [Output(crit("status"), "children"), Output(prefix + "sync", "data"),
            Output(prefix + "retry", "disabled"), Output(prefix + "save-banner", "children"),
            Input(crit("rate"), "value"), Input(crit("ev"), "n_blur"), Input(crit("links"), "n_blur"),
            Input(prefix + "retry", "n_intervals"),
            State(crit("ev"), "value"), State(crit("links"), "value"), State(crit("rate"), "id"),
            State(prefix + "sync", "data"), State(token_store, "data")]


def agreement_line(model: Model, ag) -> html.P:
    from dashboard.maturity.rules import describe_agreement

    return html.P([html.Span(ag.label, className=f"mm-agree mm-agree--{ag.status}"), " ",
                   describe_agreement(ag, model.rating_labels)], className="mm-agree-line",
                  **{"data-agreement": ag.status})


def ratings_table(model: Model, c, snap: dict) -> html.Table | html.P:
    """The rating, notes and links of every participant who has answered this criterion (people
    who have not are left out, so someone joining changes no table)."""
    rows = []
    for p in snap["participants"]:
        r = p["ratings"].get(c.id) or {}
        if not (r.get("rating") or r.get("evidence") or r.get("links")):
            continue
        rows.append(html.Tr([
            html.Th(p["name"], scope="row"),
            html.Td(model.rating_labels.get(r.get("rating"), "Not rated"),
                    className=f"mm-r mm-r--{r.get('rating') or 'none'}"),
            html.Td(r.get("evidence") or ""),
            html.Td(links_list(r.get("links") or "")),
        ]))
    if not rows:
        return html.P("Nobody has rated this criterion yet." if snap["participants"]
                      else "No participants have joined yet.", className="mm-hint")
    return html.Table(className="mm-ptable", children=[
        html.Thead(html.Tr([html.Th("Participant", scope="col"), html.Th("Rating", scope="col"),
                            html.Th("Evidence notes", scope="col"), html.Th("Links", scope="col")])),
        html.Tbody(rows)])


def participants_line(snap: dict) -> str:
    names = ", ".join(p["name"] for p in snap["participants"]) or "none yet"
    return f"Participants ({len(snap['participants'])}): {names}"


def progress_tables(model: Model, series: list[dict], effective: list[dict]) -> html.Div:
    """Repeat assessments side by side; every change from the previous assessment is written out
    ("up from Assuring"), with an arrow and colour only as extras."""
    from dashboard.maturity.facilitation import progress

    prog = progress(model, effective)
    heads = [html.Th(scope="col", children=[
        s["assessment"]["date"] or "Undated", html.Br(), html.Span(s["assessment"]["strategy"] or "", className="mm-hint"),
        html.Br(), (html.Span("(this assessment)", className="mm-hint") if s.get("current") else
                    dcc.Link("open", href=f"/maturity/f/{s['facilitator_token']}"))]) for s in series]

    def cell(x: dict) -> html.Td:
        if not x["change"]:
            return html.Td(x["text"], className="mm-pcell")
        arrow = "\u25b2" if x["change"] == "up" else "\u25bc"
        return html.Td(className=f"mm-pcell mm-pcell--{x['change']}", children=[
            x["text"], html.Br(),
            html.Span([html.Span(arrow + " ", **{"aria-hidden": "true"}), "Changed: " + x["note"]],
                      className=f"mm-change mm-change--{x['change']}")])

    rows = [html.Tr([html.Th(f"{h.id}. {h.title}", scope="row")] + [cell(x) for x in cells],
                    **{"data-hallmark": h.id}) for h, cells in prog["hallmarks"]]
    crit_rows = [html.Tr([html.Th(f"{c.id} {c.text}", scope="row")] + [cell(x) for x in cells],
                         **{"data-criterion": c.id}) for c, cells in prog["criteria"]]
    n_h, n_c = prog["changed"]["hallmarks"], prog["changed"]["criteria"]
    summary = (f"Changes from the previous assessment are written in each cell: {n_h} hallmark "
               f"level{'s' if n_h != 1 else ''} and {n_c} agreed criterion rating{'s' if n_c != 1 else ''} changed.")
    return html.Div([
        html.P(summary, className="mm-progress__summary", id="mm-progress-summary"),
        html.Table(className="mm-progress", children=[
            html.Caption("Level reached per hallmark, by assessment"),
            html.Thead(html.Tr([html.Th("Hallmark", scope="col")] + heads)), html.Tbody(rows)]),
        html.Details([html.Summary("Compare every criterion"), html.Table(className="mm-progress mm-progress--crit", children=[
            html.Caption("Agreed (effective) rating per criterion, by assessment"),
            html.Thead(html.Tr([html.Th("Criterion", scope="col")] + list(heads))), html.Tbody(crit_rows)])]),
    ])
