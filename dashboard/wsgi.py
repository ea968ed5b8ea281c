"""WSGI entry point for gunicorn (see Procfile).

With `gunicorn --preload` this module is imported once in the master: the data are read and every
per-build cache warmed here, then every worker is forked with them already in memory."""
from dashboard.app import create_app, prime, warm

app = create_app()
prime(app)
warm()
server = app.server
