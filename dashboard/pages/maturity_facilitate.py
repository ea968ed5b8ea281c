"""/maturity/f/<token>: facilitator view - overview, agreement, consensus, exports, progress over time."""
from __future__ import annotations

import datetime as dt
import logging

import dash
from dash import ALL, Input, Output, State, callback, ctx, dcc, html
from flask import request

from dashboard.maturity import autosave
from dashboard.maturity import components as mc
from dashboard.maturity import db as mdb
from dashboard.maturity import export as mexport
from dashboard.maturity import repository as repo
from dashboard.maturity.model import LEVELS, load_model
from dashboard.maturity.rules import agreement, describe_agreement, level_reached

dash.register_page(__name__, path_template="/maturity/f/<token>",
                   title="Maturity self-assessment (facilitator) - Well-being Mission Dashboard")
log = logging.getLogger(__name__)


def _base() -> str:
    try:
        return request.host_url.rstrip("/")
    except RuntimeError:
        return ""


def _ratings_table(model, c, snap) -> html.Table | html.P:
    rows = []
    for p in snap["participants"]:
        r = p["ratings"].get(c.id) or {}
        rows.append(html.Tr([
            html.Th(p["name"], scope="row"),
            html.Td(model.rating_labels.get(r.get("rating"), "Not rated"),
                    className=f"mm-r mm-r--{r.get('rating') or 'none'}"),
            html.Td(r.get("evidence") or ""),
            html.Td(mc.links_list(r.get("links") or "")),
        ]))
    if not rows:
        return html.P("No participants have joined yet.", className="mm-hint")
    return html.Table(className="mm-ptable", children=[
        html.Thead(html.Tr([html.Th("Participant", scope="col"), html.Th("Rating", scope="col"),
                            html.Th("Evidence notes", scope="col"), html.Th("Links", scope="col")])),
        html.Tbody(rows)])


def _moderation_item(model, c, snap) -> html.Fieldset:
    ag = agreement((p["ratings"].get(c.id) or {}).get("rating") for p in snap["participants"])
    cons = snap["consensus"].get(c.id) or {}
    return html.Fieldset(className="mm-crit mm-crit--mod", id=f"mod-{c.id}", **{"data-agreement": ag.status},
                         children=[
        html.Legend([html.Span(c.id, className="mm-crit__id"), " ", c.text]),
        html.P([html.Span(ag.label, className=f"mm-agree mm-agree--{ag.status}"), " ",
                describe_agreement(ag, model.rating_labels)], className="mm-agree-line"),
        _ratings_table(model, c, snap),
        html.Fieldset(className="mm-consensus", children=[
            html.Legend("Consensus rating", className="mm-consensus__label"),
            dcc.RadioItems(id={"type": "mm-crate", "crit": c.id}, value=cons.get("rating"), inline=True,
                           className="mm-radios",
                           options=[{"label": model.rating_labels[r], "value": r} for r in model.rating_labels]),
            html.Label(className="mm-textlabel", children=[
                html.Span("Consensus notes and evidence"),
                dcc.Textarea(id={"type": "mm-cev", "crit": c.id}, value=cons.get("evidence", ""),
                             maxLength=mdb.MAX_NOTE, rows=2)]),
            html.Label(className="mm-textlabel", children=[
                html.Span("Consensus evidence links (one per line)"),
                dcc.Textarea(id={"type": "mm-clinks", "crit": c.id}, value=cons.get("links", ""),
                             maxLength=mdb.MAX_LINKS, rows=2)]),
            html.P(id={"type": "mm-cstatus", "crit": c.id}, className="mm-status", role="status",
                   **{"aria-live": "polite"}),
        ]),
    ])


def progress_table(model, series: list[dict]) -> html.Div:
    """Repeat assessments side by side: level reached per hallmark, then per-criterion ratings."""
    if len(series) < 2:
        return html.P("No repeat assessments yet. Start one below when you next review your strategy.",
                      className="mm-hint")
    effs = [repo.effective_ratings(s) for s in series]
    heads = [html.Th(scope="col", children=[
        s["assessment"]["date"] or "Undated", html.Br(), html.Span(s["assessment"]["strategy"] or "", className="mm-hint"),
        html.Br(), (html.Span("(this assessment)", className="mm-hint") if s.get("current") else
                    dcc.Link("open", href=f"/maturity/f/{s['facilitator_token']}"))]) for s in series]
    rows = []
    for h in model.hallmarks:
        cells = [html.Th(f"{h.id}. {h.title}", scope="row")]
        for e in effs:
            got = level_reached(h, e)
            cells.append(html.Td(model.level_labels[got] if got else "None yet"))
        rows.append(html.Tr(cells))
    crit_rows = []
    for c in model.criteria.values():
        crit_rows.append(html.Tr([html.Th(f"{c.id} {c.text}", scope="row")]
                                 + [html.Td(model.rating_labels.get(e.get(c.id), "Not rated")) for e in effs]))
    return html.Div([
        html.Table(className="mm-progress", children=[
            html.Caption("Level reached per hallmark, by assessment"),
            html.Thead(html.Tr([html.Th("Hallmark", scope="col")] + heads)), html.Tbody(rows)]),
        html.Details([html.Summary("Compare every criterion"), html.Table(className="mm-progress mm-progress--crit", children=[
            html.Caption("Agreed (effective) rating per criterion, by assessment"),
            html.Thead(html.Tr([html.Th("Criterion", scope="col")] + [h for h in heads])), html.Tbody(crit_rows)])]),
    ])


def _layout(token: str, snap: dict) -> html.Div:
    model = load_model()
    a = snap["assessment"]
    eff = repo.effective_ratings(snap)
    base = _base()
    join = f"/maturity/a/{snap['join_token']}"
    names = ", ".join(p["name"] for p in snap["participants"]) or "none yet"
    sections = []
    for h in model.hallmarks:
        sections.append(html.Section(className="mm-hallmark", id=f"hallmark-{h.id}", children=[
            html.H3(f"Hallmark {h.id}: {h.title}"), mc.area_evidence(h, a),
            *[html.Div(className="mm-level", children=[html.H4(model.level_labels[lv]),
                                                       *[_moderation_item(model, c, snap) for c in h.level_criteria(lv)]])
              for lv in LEVELS]]))
    try:
        series = repo.series_for_facilitator(token)
    except Exception:
        log.exception("series failed")
        series = []
    return html.Div(className="mm-page", children=[
        dcc.Store(id="mm-ftoken", data=token),
        dcc.Store(id="mm-csync", data=autosave.initial_state(snap["consensus"])),
        dcc.Interval(id="mm-cretry", interval=autosave.RETRY_MS, disabled=True),
        html.H1(f"Facilitator: {a['organisation']}"),
        mc.details_list(a),
        html.Div(className="mm-share", children=[
            html.P([html.Strong("Send this link to participants: "), html.Code(base + join, className="mm-code",
                                                                              id="mm-join-link")]),
            html.P("This facilitator page's own link lets anyone moderate and export: keep it private."),
            html.P(f"Participants ({len(snap['participants'])}): {names}", id="mm-participants"),
            html.Div(className="mm-actions", children=[
                html.A("Refresh to see the latest ratings", href=f"/maturity/f/{token}", className="mm-button mm-button--secondary"),
                dcc.Link("Printable report", href=f"/maturity/r/{token}", className="mm-button mm-button--secondary",
                         id="mm-report-link"),
                html.Button("Download CSV", id="mm-dl-csv-btn", className="mm-button", n_clicks=0),
                html.Button("Download JSON", id="mm-dl-json-btn", className="mm-button", n_clicks=0),
                dcc.Download(id="mm-download"),
            ]),
            html.P(id="mm-dl-status", role="status", **{"aria-live": "polite"}),
        ]),
        html.H2("Overview"),
        html.P("The grid uses the consensus where you have recorded one, otherwise the participants' rating "
               "where they all agree; anything else counts as not yet in place."),
        html.Div(id="mm-fac-overview", children=[mc.grid(model, eff), mc.next_steps_block(model, eff)]),
        html.H2("Moderate: where participants agree and differ"),
        html.Fieldset(className="mm-field mm-filter", children=[
            html.Legend("Show criteria"),
            dcc.RadioItems(id="mm-filter", value="all", inline=True, className="mm-radios",
                           options=[{"label": "All", "value": "all"},
                                    {"label": "Only where participants differ", "value": "differ"}])]),
        html.Div(id="mm-mod", className="mm-mod", children=sections),
        html.P(id="mm-csave-banner", className="mm-save-banner", role="status", **{"aria-live": "polite"}),
        html.H2("Progress over time"),
        html.Div(progress_table(model, series), id="mm-progress"),
        html.Div(className="mm-repeat", children=[
            html.H3("Start a repeat assessment"),
            html.P("A repeat assessment of the same organisation, compared side by side with this one. It gets its "
                   "own new links."),
            html.Div(className="mm-field", children=[
                html.Label("Date of the repeat assessment", htmlFor="mm-repeat-date"),
                dcc.Input(id="mm-repeat-date", type="date", value=dt.date.today().isoformat())]),
            html.Button("Start repeat assessment", id="mm-repeat-btn", className="mm-button", n_clicks=0),
            html.Div(id="mm-repeat-result", role="status", **{"aria-live": "polite"}),
        ]),
        mc.citation_block(model),
    ])


def layout(token: str | None = None, **_kwargs):
    try:
        snap = repo.facilitator_view(token)
        return mc.not_found() if snap is None else _layout(token, snap)
    except Exception:
        log.exception("maturity facilitator page failed")
        return mc.not_found("Sorry, this assessment could not be opened just now. Please try again shortly.")


def consensus_step(token: str, current: dict, state: dict | None) -> tuple[dict, dict, bool, str]:
    """Save every pending consensus field (facilitator token checked server-side by the repository)."""
    return autosave.sync(current, state, lambda cid, fields: repo.save_consensus(token, cid, **fields),
                         saved_label="Consensus saved")


@callback(Output({"type": "mm-cstatus", "crit": ALL}, "children"),
          Output("mm-csync", "data"), Output("mm-cretry", "disabled"), Output("mm-csave-banner", "children"),
          Input({"type": "mm-crate", "crit": ALL}, "value"),
          Input({"type": "mm-cev", "crit": ALL}, "n_blur"),
          Input({"type": "mm-clinks", "crit": ALL}, "n_blur"),
          Input("mm-cretry", "n_intervals"),
          State({"type": "mm-cev", "crit": ALL}, "value"),
          State({"type": "mm-clinks", "crit": ALL}, "value"),
          State({"type": "mm-crate", "crit": ALL}, "id"),
          State("mm-csync", "data"), State("mm-ftoken", "data"),
          prevent_initial_call=True)
def _autosave_consensus(rates, _b1, _b2, _tick, evs, links, ids, state, token):
    try:
        current = {i["crit"]: {"rating": r, "evidence": e or "", "links": lk or ""}
                   for i, r, e, lk in zip(ids, rates, evs, links)}
        statuses, state, retry, msg = consensus_step(token, current, state)
        return ([statuses.get(i["crit"], dash.no_update) for i in ids], state, not retry, msg)
    except Exception:  # pragma: no cover - sync() already catches everything
        log.exception("consensus autosave failed")
        return [dash.no_update for _ in ids], dash.no_update, False, autosave.FAILED


@callback(Output("mm-fac-overview", "children"),
          Input({"type": "mm-crate", "crit": ALL}, "value"), State({"type": "mm-crate", "crit": ALL}, "id"),
          State("mm-ftoken", "data"), prevent_initial_call=True)
def _overview(values, ids, token):
    try:
        snap = repo.facilitator_view(token)
        if snap is None:
            return dash.no_update
        for i, v in zip(ids, values):  # the browser's consensus choices are the newest truth
            if v:
                snap["consensus"].setdefault(i["crit"], {})["rating"] = v
        model = load_model()
        eff = repo.effective_ratings(snap)
        return [mc.grid(model, eff), mc.next_steps_block(model, eff)]
    except Exception:
        log.exception("overview failed")
        return dash.no_update


@callback(Output("mm-mod", "className"), Input("mm-filter", "value"))
def _filter(value):
    return "mm-mod mm-mod--differ-only" if value == "differ" else "mm-mod"


@callback(Output("mm-download", "data"), Output("mm-dl-status", "children"),
          Input("mm-dl-csv-btn", "n_clicks"), Input("mm-dl-json-btn", "n_clicks"),
          State("mm-ftoken", "data"), prevent_initial_call=True)
def _download(_c, _j, token):
    try:
        snap = repo.facilitator_view(token)
        if snap is None:
            return dash.no_update, "Assessment not found."
        if ctx.triggered_id == "mm-dl-json-btn":
            return dcc.send_string(mexport.to_json(snap), mexport.filename(snap, "json")), "JSON download started."
        return dcc.send_string(mexport.to_csv(snap), mexport.filename(snap, "csv")), "CSV download started."
    except Exception:
        log.exception("export failed")
        return dash.no_update, "Sorry, the export failed. Please try again."


@callback(Output("mm-repeat-result", "children"), Input("mm-repeat-btn", "n_clicks"),
          State("mm-repeat-date", "value"), State("mm-ftoken", "data"), prevent_initial_call=True)
def _repeat(n, date, token):
    try:
        if not n:
            return dash.no_update
        t = repo.start_repeat(token, date)
        base = _base()
        f, j = f"/maturity/f/{t['facilitator_token']}", f"/maturity/a/{t['join_token']}"
        return html.Div([html.P([html.Strong("Repeat created. Facilitator link (private): "), html.A(base + f, href=f)]),
                         html.P([html.Strong("Link for participants: "), html.Code(base + j, className="mm-code")])])
    except repo.InputError as exc:
        return html.P(str(exc), className="mm-error")
    except Exception:
        log.exception("repeat failed")
        return html.P("Sorry, the repeat assessment could not be created.", className="mm-error")
