"""WSGI entry point for gunicorn (see Procfile).

With `gunicorn --preload` this module is imported once in the master: the data are read and every
per-build cache warmed here, then every worker is forked with them already in memory."""
import gc

gc.disable()  # until the app is ready (see dashboard.app.ready)

from dashboard.app import ready  # noqa: E402

app = ready()
server = app.server
