"""/maturity/a/<token>: join an assessment (join token) or rate it individually (participant token)."""
from __future__ import annotations

import logging

import dash
from dash import ALL, Input, Output, State, callback, dcc, html

from dashboard.lazy_import import lazy
from dashboard.maturity import autosave
from dashboard.maturity import components as mc
from dashboard.maturity import links
from dashboard.maturity.model import LEVELS, load_model
from dashboard.components.errors import guarded, user_message

# the persistence layer (SQLAlchemy) is imported on the first use, not at start-up
mdb = lazy("dashboard.maturity.db")
repo = lazy("dashboard.maturity.repository")

dash.register_page(__name__, path_template="/maturity/a/<token>",
                   title="Maturity self-assessment - Well-being Mission Dashboard")
log = logging.getLogger(__name__)


def _join_layout(token: str, a: dict) -> html.Div:
    return html.Div(className="mm-page", children=[
        html.H1("Join the self-assessment"),
        mc.details_list(a),
        html.P("You will rate each criterion on your own. The facilitator will see everyone's ratings side by "
               "side and agree a consensus with the group."),
        dcc.Store(id="mm-join-token", data=token),
        html.Div(className="mm-field", children=[
            html.Label("Your name or initials", htmlFor="mm-join-name"),
            dcc.Input(id="mm-join-name", type="text", maxLength=mdb.MAX_PERSON)]),
        html.Button("Join assessment", id="mm-join-btn", className="mm-button", n_clicks=0),
        html.Div(id="mm-join-result", role="status", **{"aria-live": "polite"}),
        dcc.Location(id="mm-join-location", refresh=True),
    ])


def _criterion(c, saved: dict) -> html.Fieldset:
    model = load_model()
    cur = saved.get(c.id) or {}
    return html.Fieldset(className="mm-crit", id=f"crit-{c.id}", children=[
        html.Legend([html.Span(c.id, className="mm-crit__id"), " ", c.text]),
        mc.rating_radios(model, {"type": "mm-rate", "crit": c.id}, cur.get("rating")),
        html.Div(className="mm-crit__notes", children=[
            mc.note_box("Evidence notes", {"type": "mm-ev", "crit": c.id}, cur.get("evidence", ""), mdb.MAX_NOTE),
            mc.note_box("Evidence links (one per line)", {"type": "mm-links", "crit": c.id}, cur.get("links", ""),
                        mdb.MAX_LINKS),
        ]),
        mc.save_status({"type": "mm-status", "crit": c.id}),
    ])


def _rate_layout(token: str, view: dict) -> html.Div:
    model = load_model()
    a, saved = view["assessment"], view["ratings"]
    own = {cid: (v or {}).get("rating") for cid, v in saved.items()}
    sections = []
    for h in model.hallmarks:
        levels = [html.Div(className="mm-level", children=[
            html.H3(f"{model.level_labels[lv]}"),
            *[_criterion(c, saved) for c in h.level_criteria(lv)]]) for lv in LEVELS]
        sections.append(html.Section(className="mm-hallmark", id=f"hallmark-{h.id}", children=[
            html.H2(f"Hallmark {h.id}: {h.title}"), html.P(h.note) if h.note else None,
            mc.area_evidence(h, a), *levels]))
    return html.Div(className="mm-page", children=[
        dcc.Store(id="mm-ptoken", data=token),
        dcc.Store(id="mm-sync", data=autosave.initial_state(saved)),
        dcc.Interval(id="mm-retry", interval=autosave.RETRY_MS, disabled=True),
        html.H1(f"Your ratings, {view['participant']['name']}"),
        mc.details_list(a),
        mc.copy_link("personal", "Your personal link (bookmark it to come back later):",
                     links.absolute(f"/maturity/a/{token}"), "Copy your personal link", link_id="mm-personal-link"),
        html.P("Each change is saved automatically: ratings as soon as you pick them, notes and links when you "
               "leave the box. Rate each criterion: is it in place in your strategy or policy?"),
        html.Div(id="mm-own-grid", children=mc.grid(model, own, "Your own ratings: level reached per hallmark")),
        *sections,
        html.P(id="mm-save-banner", className="mm-save-banner", role="status", **{"aria-live": "polite"}),
        mc.citation_block(model),
    ])


@guarded(lambda *_a, **_k: mc.not_found(mc.UNAVAILABLE))
def layout(token: str | None = None, **_kwargs):
    found = repo.resolve(token)
    if found is None:
        return mc.not_found()
    if found["kind"] == "join":
        return _join_layout(token, found["assessment"])
    if found["kind"] == "facilitator":
        return html.Div(className="mm-page", children=[
            html.H1("This is a facilitator link"),
            html.P(dcc.Link("Open the facilitator page", href=f"/maturity/f/{token}"))])
    view = repo.participant_view(token)
    return mc.not_found() if view is None else _rate_layout(token, view)


@callback(Output("mm-join-result", "children"), Output("mm-join-location", "href"),
          Input("mm-join-btn", "n_clicks"), State("mm-join-name", "value"), State("mm-join-token", "data"),
          prevent_initial_call=True)
@guarded(user_message("Sorry, you could not join just now. Please try again.", "mm-error"), dash.no_update)
def _join(n, name, token):
    if not n:
        return dash.no_update, dash.no_update
    ptoken = repo.join(token, name or "")
    href = f"/maturity/a/{ptoken}"
    return html.P(["Joined. Opening your rating form: ", dcc.Link("continue", href=href)]), href


def autosave_step(token: str, current: dict, state: dict | None) -> tuple[dict, dict, bool, str]:
    """Save every pending field of this participant's form (see `dashboard.maturity.autosave`)."""
    return autosave.sync(current, state, lambda cid, fields: repo.save_rating(token, cid, **fields))


form_values = autosave.form_values  # the page's form as the autosave sees it (tests call it here)


@callback(*mc.autosave_wiring("mm-", "mm-ptoken"), prevent_initial_call=True)
@guarded(autosave.unchanged_statuses, dash.no_update, False, autosave.FAILED)
def _autosave(rates, _b1, _b2, _tick, evs, links, ids, state, token):
    """Ratings save on change, notes and links on leaving the box; anything not yet saved (the
    database was unavailable) stays on the page and is retried every few seconds."""
    statuses, state, retry, msg = autosave_step(token, form_values(ids, rates, evs, links), state)
    return ([statuses.get(i["crit"], dash.no_update) for i in ids], state, not retry, msg)


@callback(Output("mm-own-grid", "children"),
          Input({"type": "mm-rate", "crit": ALL}, "value"), State({"type": "mm-rate", "crit": ALL}, "id"),
          prevent_initial_call=True)
@guarded(dash.no_update)
def _own_grid(values, ids):
    ratings = {i["crit"]: v for i, v in zip(ids, values)}
    return mc.grid(load_model(), ratings, "Your own ratings: level reached per hallmark")
