"""gunicorn settings shared by the Procfile, `make run` and the deployment tests.

gunicorn writes ``Server: gunicorn`` on every response and has no setting for it; the header
is dropped here so responses do not advertise the server software to scanners.
"""
from gunicorn.http import wsgi as _wsgi

_default_headers = _wsgi.Response.default_headers


def _without_server(self):
    return [h for h in _default_headers(self) if not h.lower().startswith("server:")]


_wsgi.Response.default_headers = _without_server
