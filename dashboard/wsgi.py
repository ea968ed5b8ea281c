"""WSGI entry point for gunicorn (see Procfile).

With `gunicorn --preload` this module is imported once in the master: the data are loaded and
the map caches warmed here, then every worker is forked with them already in memory."""
import os

os.environ.setdefault("WELLBEING_SYNC_WARM", "1")

from dashboard.app import create_app, prime  # noqa: E402
from dashboard.data import store  # noqa: E402

app = create_app()
prime(app)
server = app.server

if os.environ["WELLBEING_SYNC_WARM"] == "1":
    try:
        from dashboard.analysis import map_values

        store().observations, store().la_view  # noqa: B018 - load once before forking
        map_values.warm()
    except Exception:  # noqa: BLE001 - a cold cache is slower, never fatal
        pass
