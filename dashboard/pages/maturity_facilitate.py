"""/maturity/f/<token>: facilitator view - overview, agreement, consensus, exports, progress over time."""
from __future__ import annotations

import datetime as dt
import logging

import dash
from dash import ALL, Input, Output, State, callback, ctx, dcc, html
from dash.exceptions import PreventUpdate
from dashboard.lazy_import import lazy
from dashboard.maturity import autosave
from dashboard.maturity import components as mc
from dashboard.maturity import facilitation, links
from dashboard.maturity.model import LEVELS, load_model
from dashboard.components.errors import guarded, user_message

# the persistence layer (SQLAlchemy) is imported on the first use, not at start-up
mdb = lazy("dashboard.maturity.db")
repo = lazy("dashboard.maturity.repository")
mexport = lazy("dashboard.maturity.export")

dash.register_page(__name__, path_template="/maturity/f/<token>",
                   title="Maturity self-assessment (facilitator) - Well-being Mission Dashboard")
log = logging.getLogger(__name__)


LIVE_MS = 5000  # how often the page asks whether anything changed (one cheap query)


def _moderation_item(model, c, snap, ag, show: bool) -> html.Div:
    cons = snap["consensus"].get(c.id) or {}
    return html.Div(id={"type": "mm-modcrit", "crit": c.id}, hidden=not show, children=html.Fieldset(
        className="mm-crit mm-crit--mod", id=f"mod-{c.id}", children=[
            html.Legend([html.Span(c.id, className="mm-crit__id"), " ", c.text]),
            # participants' ratings: re-rendered as they arrive, without touching the consensus form
            html.Div(id={"type": "mm-indiv", "crit": c.id}, children=[mc.agreement_line(model, ag),
                                                                      mc.ratings_table(model, c, snap)]),
            html.Fieldset(className="mm-consensus", children=[
                html.Legend("Consensus rating", className="mm-consensus__label"),
                mc.rating_radios(model, {"type": "mm-crate", "crit": c.id}, cons.get("rating")),
                mc.note_box("Consensus notes and evidence", {"type": "mm-cev", "crit": c.id},
                            cons.get("evidence", ""), mdb.MAX_NOTE),
                mc.note_box("Consensus evidence links (one per line)", {"type": "mm-clinks", "crit": c.id},
                            cons.get("links", ""), mdb.MAX_LINKS),
                mc.save_status({"type": "mm-cstatus", "crit": c.id}),
            ]),
        ]))


def progress_table(model, series: list[dict]) -> html.Div:
    """Repeat assessments side by side: level reached per hallmark, then per-criterion ratings,
    each change from the previous assessment written out."""
    if len(series) < 2:
        return html.P("No repeat assessments yet. Start one below when you next review your strategy.",
                      className="mm-hint")
    return mc.progress_tables(model, series, [repo.effective_ratings(s) for s in series])


def _layout(token: str, snap: dict) -> html.Div:
    model = load_model()
    a = snap["assessment"]
    eff = repo.effective_ratings(snap)
    join = f"/maturity/a/{snap['join_token']}"
    agreed = facilitation.agreements(model, snap)
    vis = facilitation.visibility(model, agreed, only_differ=False)
    sections = []
    for h in model.hallmarks:
        levels = [html.Div(className="mm-level", id={"type": "mm-modlevel", "key": facilitation.level_key(h.id, lv)},
                           children=[html.H4(model.level_labels[lv]),
                                     *[_moderation_item(model, c, snap, agreed[c.id], True)
                                       for c in h.level_criteria(lv)]])
                  for lv in LEVELS]
        sections.append(html.Div(id={"type": "mm-modhall", "hid": h.id}, children=html.Section(
            className="mm-hallmark", id=f"hallmark-{h.id}",
            children=[html.H3(f"Hallmark {h.id}: {h.title}"), mc.area_evidence(h, a), *levels])))
    try:
        series = repo.series_for_facilitator(token)
    except Exception:
        log.exception("series failed")
        series = []
    try:
        stamp = repo.version_stamp(token)
    except Exception:
        log.exception("version stamp failed")
        stamp = None
    return html.Div(className="mm-page", children=[
        dcc.Store(id="mm-ftoken", data=token),
        dcc.Store(id="mm-csync", data=autosave.initial_state(snap["consensus"])),
        dcc.Store(id="mm-version", data=stamp),
        dcc.Store(id="mm-mod-shown", data=facilitation.signatures(model, snap, vis)),
        dcc.Interval(id="mm-cretry", interval=autosave.RETRY_MS, disabled=True),
        dcc.Interval(id="mm-live", interval=LIVE_MS),
        html.H1(f"Facilitator: {a['organisation']}"),
        mc.details_list(a),
        html.Div(className="mm-share", children=[
            mc.copy_link("join", "Send this link to participants:", links.absolute(join), "Copy joining link",
                         link_id="mm-join-link"),
            html.P("This facilitator page's own link lets anyone moderate and export: keep it private."),
            html.P(mc.participants_line(snap), id="mm-participants"),
            html.P(f"New ratings appear on this page as participants save them (checked every {LIVE_MS // 1000} "
                   "seconds); there is no need to reload.", className="mm-hint"),
            html.P(id="mm-live-status", className="mm-hint", role="status"),
            html.Div(className="mm-actions", children=[
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
               "where at least two rated a criterion and all agree; anything else counts as not yet in place."),
        html.Div(id="mm-fac-overview", children=[mc.grid(model, eff), mc.next_steps_block(model, eff)]),
        html.H2("Moderate: where participants agree and differ"),
        html.Fieldset(className="mm-field mm-filter", children=[
            html.Legend("Show criteria"),
            dcc.RadioItems(id="mm-filter", value="all", inline=True, className="mm-radios",
                           options=[{"label": "All", "value": "all"},
                                    {"label": "Only where participants differ", "value": "differ"}])]),
        html.P(vis["summary"], id="mm-filter-summary", role="status"),
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


@guarded(lambda *_a, **_k: mc.not_found(mc.UNAVAILABLE))
def layout(token: str | None = None, **_kwargs):
    snap = repo.facilitator_view(token)
    return mc.not_found() if snap is None else _layout(token, snap)


def consensus_step(token: str, current: dict, state: dict | None) -> tuple[dict, dict, bool, str]:
    """Save every pending consensus field (facilitator token checked server-side by the repository)."""
    return autosave.sync(current, state, lambda cid, fields: repo.save_consensus(token, cid, **fields),
                         saved_label="Consensus saved")


@callback(*mc.autosave_wiring("mm-c", "mm-ftoken"), prevent_initial_call=True)
@guarded(autosave.unchanged_statuses, dash.no_update, False, autosave.FAILED)
def _autosave_consensus(rates, _b1, _b2, _tick, evs, links, ids, state, token):
    statuses, state, retry, msg = consensus_step(token, autosave.form_values(ids, rates, evs, links), state)
    return ([statuses.get(i["crit"], dash.no_update) for i in ids], state, not retry, msg)


def live_step(token: str, known: str | None):
    """The new version stamp if the assessment changed since ``known``, else None (no re-render)."""
    stamp = repo.version_stamp(token)
    return stamp if stamp is not None and stamp != known else None


@callback(Output("mm-version", "data"), Input("mm-live", "n_intervals"),
          State("mm-version", "data"), State("mm-ftoken", "data"), prevent_initial_call=True)
def _live(_n, known, token):
    try:
        stamp = live_step(token, known)
        return dash.no_update if stamp is None else stamp
    except Exception:  # the database is away: try again on the next tick
        log.warning("facilitator live check failed", exc_info=True)
        return dash.no_update


def moderation_view(token: str, only_differ: bool, shown: dict | None = None) -> dict | None:
    """What the moderation section must re-render, given what the page ``shown`` so far (its
    signatures; None: everything): per-criterion agreement and ratings that changed, hidden flags
    that changed, the participants line and the new signatures. None for an unknown token."""
    snap = repo.facilitator_view(token)
    if snap is None:
        return None
    model = load_model()
    agreed = facilitation.agreements(model, snap)
    vis = facilitation.visibility(model, agreed, only_differ)
    sig = facilitation.signatures(model, snap, vis)
    changed, flags = facilitation.changes(shown, sig)
    indiv = {cid: [mc.agreement_line(model, agreed[cid]), mc.ratings_table(model, model.criteria[cid], snap)]
             for cid in changed}
    return {"indiv": indiv, "hidden": {k: sig["hidden"][k] for k in flags}, "visibility": vis,
            "participants": mc.participants_line(snap), "signatures": sig}


@callback(Output({"type": "mm-indiv", "crit": ALL}, "children"),
          Output({"type": "mm-modcrit", "crit": ALL}, "hidden"),
          Output({"type": "mm-modlevel", "key": ALL}, "hidden"),
          Output({"type": "mm-modhall", "hid": ALL}, "hidden"),
          Output("mm-filter-summary", "children"), Output("mm-participants", "children"),
          Output("mm-live-status", "children"), Output("mm-mod-shown", "data"),
          Input("mm-filter", "value"), Input("mm-version", "data"), State("mm-ftoken", "data"),
          State("mm-mod-shown", "data"), prevent_initial_call=True)
def _moderation(value, _stamp, token, shown):
    """The filter and newly arrived ratings: re-render only what changed on the participants'
    side (never the consensus form the facilitator may be typing in)."""
    try:
        view = moderation_view(token, value == "differ", shown)
    except Exception:
        log.exception("moderation refresh failed")
        view = None
    specs = ctx.outputs_list
    if view is None or not isinstance(specs, list) or not all(isinstance(x, list) for x in specs[:4]):
        raise PreventUpdate  # unknown token, database away, or a malformed request: keep the page as it is
    nu = dash.no_update
    indiv = [view["indiv"].get(o["id"]["crit"], nu) for o in specs[0]]
    flags = [[view["hidden"].get(f"{p}:{o['id'][k]}", nu) for o in specs[i]]
             for i, p, k in ((1, "c", "crit"), (2, "l", "key"), (3, "h", "hid"))]
    live = (f"Latest ratings shown (updated {dt.datetime.now():%H:%M:%S})."
            if ctx.triggered_id == "mm-version" else nu)
    return (indiv, *flags, view["visibility"]["summary"], view["participants"], live, view["signatures"])


@callback(Output("mm-fac-overview", "children"),
          Input({"type": "mm-crate", "crit": ALL}, "value"), Input("mm-version", "data"),
          State({"type": "mm-crate", "crit": ALL}, "id"),
          State("mm-ftoken", "data"), prevent_initial_call=True)
@guarded(dash.no_update)
def _overview(values, _stamp, ids, token):
    snap = repo.facilitator_view(token)
    if snap is None:
        return dash.no_update
    for i, v in zip(ids, values):  # the browser's consensus choices are the newest truth
        if v:
            snap["consensus"].setdefault(i["crit"], {})["rating"] = v
    model = load_model()
    eff = repo.effective_ratings(snap)
    return [mc.grid(model, eff), mc.next_steps_block(model, eff)]


@callback(Output("mm-download", "data"), Output("mm-dl-status", "children"),
          Input("mm-dl-csv-btn", "n_clicks"), Input("mm-dl-json-btn", "n_clicks"),
          State("mm-ftoken", "data"), prevent_initial_call=True)
@guarded(dash.no_update, "Sorry, the export failed. Please try again.")
def _download(_c, _j, token):
    snap = repo.facilitator_view(token)
    if snap is None:
        return dash.no_update, "Assessment not found."
    if ctx.triggered_id == "mm-dl-json-btn":
        return dcc.send_string(mexport.to_json(snap), mexport.filename(snap, "json")), "JSON download started."
    return dcc.send_string(mexport.to_csv(snap), mexport.filename(snap, "csv")), "CSV download started."


@callback(Output("mm-repeat-result", "children"), Input("mm-repeat-btn", "n_clicks"),
          State("mm-repeat-date", "value"), State("mm-ftoken", "data"), prevent_initial_call=True)
@guarded(user_message("Sorry, the repeat assessment could not be created.", "mm-error"))
def _repeat(n, date, token):
    if not n:
        return dash.no_update
    t = repo.start_repeat(token, date)
    f, j = f"/maturity/f/{t['facilitator_token']}", f"/maturity/a/{t['join_token']}"
    return html.Div([
        mc.copy_link("repeat-facilitator", "Repeat created. Facilitator link (private):", links.absolute(f),
                     "Copy the repeat's facilitator link", href=f, link_id="mm-repeat-facilitator"),
        mc.copy_link("repeat-join", "Link for participants:", links.absolute(j),
                     "Copy the repeat's participant link", link_id="mm-repeat-join")])
