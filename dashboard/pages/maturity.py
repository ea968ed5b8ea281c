"""/maturity: what the Maturity Model is, its citation, and starting (or importing) an assessment."""
from __future__ import annotations

import base64
import datetime as dt
import logging

import dash
from dash import Input, Output, State, callback, dcc, html

from dashboard.lazy_import import lazy
from dashboard.maturity import components as mc
from dashboard.maturity import links
from dashboard.maturity.model import load_model
from dashboard.components.errors import guarded, user_message

# the persistence layer (SQLAlchemy) is imported on the first use, not at start-up
mdb = lazy("dashboard.maturity.db")
repo = lazy("dashboard.maturity.repository")

dash.register_page(__name__, path="/maturity", title="Maturity self-assessment - Well-being Mission Dashboard")
log = logging.getLogger(__name__)


def _ltla_options() -> list[dict]:
    try:
        from dashboard.queries import areas
        return list(areas.ltla_choices())
    except Exception:  # missing build: free text still works
        log.exception("LTLA choices unavailable")
        return []


def _links_panel(tokens: dict, heading: str) -> html.Div:
    fpath, jpath = f"/maturity/f/{tokens['facilitator_token']}", f"/maturity/a/{tokens['join_token']}"
    return html.Div(className="mm-created", children=[
        html.H3(heading),
        mc.copy_link("created-facilitator", "Your facilitator link (keep it private):", links.absolute(fpath),
                     "Copy facilitator link", href=fpath, link_id="mm-created-facilitator"),
        mc.copy_link("created-join", "Link for participants to join:", links.absolute(jpath),
                     "Copy joining link", href=jpath, link_id="mm-created-join"),
        html.P("Save both links now. We do not list assessments anywhere, so these links are the only way "
               "back to it."),
    ])


def _field(label: str, control, hint: str | None = None) -> html.Div:
    return html.Div(className="mm-field", children=[
        html.Label(label, htmlFor=control.id), html.P(hint, className="mm-hint") if hint else None, control])


def layout(**_kwargs):
    model = load_model()
    opts = _ltla_options()
    area_picker = _field(
        "Local authority", dcc.Dropdown(id="mm-create-area", options=opts, searchable=True, clearable=True,
                                        placeholder="Type to search local authorities"),
        "Choose a local authority to link its well-being data as evidence." if opts
        else "The list of local authorities is not available right now; type the name below.")
    return html.Div(className="mm-page", children=[
        html.H1("Maturity self-assessment for wellbeing policy making"),
        html.P("The Maturity Model for Wellbeing Policy Making, from the What Works Centre for Wellbeing, helps "
               "teams judge how coherent their wellbeing policy is and where to improve. It has six hallmarks "
               "(the third split into 3a and 3b). For each, three increasingly mature levels are described: "
               "assuring, optimising and maximising wellbeing."),
        html.P("Use it alone or in a workshop: the facilitator starts an assessment and shares the joining link; "
               "each participant rates every criterion independently, with evidence; the facilitator reviews "
               "where people agree and differ, records the consensus, and prints a report. A year later, start "
               "a repeat assessment from the facilitator page to compare progress."),
        mc.citation_block(model),
        html.Section(className="mm-create", **{"aria-labelledby": "mm-create-h"}, children=[
            html.H2("Start an assessment", id="mm-create-h"),
            area_picker,
            _field("Organisation or area name", dcc.Input(id="mm-create-org", type="text", maxLength=mdb.MAX_NAME,
                                                          debounce=False),
                   "Required if no local authority is chosen, e.g. a county, ICB or partnership."),
            _field("Strategy or policy name", dcc.Input(id="mm-create-strategy", type="text", maxLength=mdb.MAX_NAME)),
            _field("Date of assessment", dcc.Input(id="mm-create-date", type="date",
                                                   value=dt.date.today().isoformat())),
            _field("Facilitator name", dcc.Input(id="mm-create-facilitator", type="text", maxLength=mdb.MAX_PERSON)),
            html.Button("Create assessment", id="mm-create-btn", className="mm-button", n_clicks=0),
            html.Div(id="mm-create-result", role="status", **{"aria-live": "polite"}),
        ]),
        html.Section(className="mm-import", **{"aria-labelledby": "mm-import-h"}, children=[
            html.H2("Import an exported assessment", id="mm-import-h"),
            html.P("Upload a JSON file (up to 700 KB) exported from this tool to continue working on it here. It becomes a new "
                   "assessment with new private links."),
            html.Label("JSON file to import", htmlFor="mm-import-upload"),
            dcc.Upload(id="mm-import-upload", className="mm-upload", max_size=700_000, multiple=False,
                       children=html.Div(["Drag and drop or ", html.Span("choose a file", className="mm-linkish")])),
            html.Div(id="mm-import-result", role="status", **{"aria-live": "polite"}),
        ]),
        html.Section(className="mm-model-sec", children=[
            html.H2("The hallmarks and their criteria"), mc.model_summary(model)]),
    ])


@callback(Output("mm-create-result", "children"),
          Input("mm-create-btn", "n_clicks"),
          State("mm-create-area", "value"), State("mm-create-area", "options"),
          State("mm-create-org", "value"), State("mm-create-strategy", "value"),
          State("mm-create-date", "value"), State("mm-create-facilitator", "value"),
          prevent_initial_call=True)
@guarded(user_message("Sorry, the assessment could not be created. Please try again.", "mm-error"))
def _create(n, area, options, org, strategy, date, facilitator):
    if not n:
        return dash.no_update
    org = (org or "").strip()
    if area and not org:
        label = next((o.get("label", "") for o in options or [] if o.get("value") == area), area)
        org = label.rsplit(" (", 1)[0] if label.endswith(")") else label
    tokens = repo.create_assessment(org, area, strategy or "", date, facilitator or "")
    return _links_panel(tokens, "Assessment created")


@callback(Output("mm-import-result", "children"), Input("mm-import-upload", "contents"), prevent_initial_call=True)
@guarded(user_message("Sorry, that file could not be imported.", "mm-error"))
def _import(contents):
    from dashboard.maturity.export import import_json

    if not contents or "," not in contents:
        return dash.no_update
    tokens = import_json(base64.b64decode(contents.split(",", 1)[1]))
    return _links_panel(tokens, "Assessment imported")
