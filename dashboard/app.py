"""App factory: the page shell, the page registry and the Flask server for gunicorn."""
from __future__ import annotations

import gc
import os

import dash
from dash import Dash, dcc, html
from flask import Flask

from dashboard import compression, config
from dashboard.components.search import search_box

NAV = [
    ("/", "Mission overview"),
    ("/map", "Map"),
    ("/compare", "Compare areas"),
    ("/drivers", "Drivers"),
    ("/maturity", "Maturity self-assessment"),
    ("/data", "Data and methods"),
]


def _header() -> html.Header:
    # On a phone the navigation folds behind a Menu button (assets/menu.js) and the search keeps
    # one line, so the page starts within the first screen.
    return html.Header(
        className="app-header",
        role="banner",
        children=[
            html.A("Skip to main content", href="#main", className="skip-link"),
            html.Div(
                className="app-header__inner",
                children=[
                    html.Div([
                        dcc.Link("Well-being Mission Dashboard", href="/", className="app-header__title"),
                        html.Button("Menu", id="app-menu-toggle", className="app-menu-toggle", type="button",
                                    **{"aria-expanded": "false", "aria-controls": "app-nav"}),
                    ], className="app-header__top"),
                    html.Div(search_box("header", label="Find an area", compact=True), className="app-header__search"),
                    html.Nav(
                        html.Ul([html.Li(dcc.Link(label, href=href, className="app-nav__link")) for href, label in NAV],
                                className="app-nav__list"),
                        className="app-nav", id="app-nav",
                        **{"aria-label": "Main"},
                    ),
                ],
            ),
        ],
    )


def _footer() -> html.Footer:
    return html.Footer(
        className="app-footer",
        children=[
            html.P([
                "Contains public sector information licensed under the ",
                html.A("Open Government Licence v3.0",
                       href="https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/"),
                ". Sources and methods are listed on the ",
                dcc.Link("data and methods page", href="/data"), ".",
            ]),
        ],
    )


def create_app() -> Dash:
    server = Flask(__name__)
    compression.configure(server)
    app = Dash(
        __name__,
        server=server,
        use_pages=True,
        pages_folder=str(config.ROOT / "dashboard" / "pages"),
        assets_folder=str(config.ROOT / "assets"),
        assets_path_ignore=["^vendor$"],  # served on demand (see assets/plotly_bundle.js), not as page scripts
        title="Well-being Mission Dashboard",
        suppress_callback_exceptions=True,
        update_title=None,
        compress=True,
    )
    app.index_string = app.index_string.replace("<html>", '<html lang="en">', 1)  # WCAG 3.1.1
    app.server.config["SECRET_KEY"] = os.environ.get("SECRET_KEY") or os.urandom(32)
    from dashboard import cache, routes
    from dashboard.queries import build

    cache.init(build.fingerprint())
    routes.register_all(app.server)
    from dashboard import maturity

    maturity.register_routes(app.server)
    app.layout = html.Div(
        className="app",
        children=[
            dcc.Location(id="url", refresh="callback-nav"),
            _header(),
            html.Main(id="main", className="app-main", tabIndex="-1", children=dash.page_container),
            _footer(),
        ],
    )
    from dashboard import not_found, security

    not_found.install(app.server)
    security.install(app)
    return app


def warm() -> float:
    """Read the build and fill the per-build caches (before forking, or before serving)."""
    import dashboard.analysis  # noqa: F401 - registers the view models' warmers
    from dashboard import queries

    return queries.warm()


def ready() -> Dash:
    """The app created, primed and warmed, ready to serve (or to fork workers that serve).

    Callers pause the cyclic garbage collector before importing the app: start-up creates many
    long-lived objects (modules, frames, warmed caches) that it would scan again and again for
    nothing. Once they are in place they are moved out of its view (`gc.freeze`), so no
    collection scans them again and forked workers keep sharing their memory pages instead of
    copying them when a collection touches them."""
    app = create_app()
    prime(app)
    warm()
    gc.freeze()
    gc.enable()
    return app


def prime(app: Dash) -> None:
    """Run Dash's lazy first-request setup now (it fills the callback map). Under threads, the
    first requests would otherwise race it and some could fail with 'callback not found'."""
    with app.server.test_client() as client:
        client.get("/_dash-dependencies")
    vendored = tuple(f"/assets/vendor/{f.name}" for f in (config.ROOT / "assets" / "vendor").glob("*.js"))
    compression.prime(app.server, vendored)
