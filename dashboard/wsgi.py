"""WSGI entry point for gunicorn (see Procfile)."""
from dashboard.app import create_app

app = create_app()
server = app.server
