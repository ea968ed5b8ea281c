"""Security headers and request limits, compatible with Dash.

Dash renders one inline bootstrap script; its hash (from Dash itself) is allowed in the CSP
instead of 'unsafe-inline'. Plotly needs 'unsafe-eval' for some trace types, and Dash components
set inline styles, so styles allow 'unsafe-inline'.
"""
from __future__ import annotations

import os
import time

from flask import jsonify, request

MAX_REQUEST_BYTES = 1_000_000
# Maturity writes (saves, joins, creating/importing assessments) per participant, facilitator or
# joining link (see dashboard.maturity.write_limit) per window; shared across instances when the
# cache is Redis. 0 disables the limit.
WRITE_LIMIT_PER_MINUTE = int(os.environ.get("WRITE_LIMIT_PER_MINUTE", "240"))
# A coarser flood guard per client address over all maturity writes: high enough for a whole
# workshop behind one office address or proxy. 0 disables it.
WRITE_LIMIT_PER_ADDRESS = int(os.environ.get("WRITE_LIMIT_PER_ADDRESS", "3000"))
WRITE_LIMIT_WINDOW_S = max(1, int(os.environ.get("WRITE_LIMIT_WINDOW_S", "60")))
# Number of reverse proxies in front of the app whose X-Forwarded-For/-Proto are trusted
# (werkzeug's ProxyFix). 0 (default): none, the socket's peer address is the client.
TRUSTED_PROXY_HOPS = max(0, int(os.environ.get("TRUSTED_PROXY_HOPS", "0") or 0))
# Strict-Transport-Security max-age on responses served over HTTPS (0 disables; HSTS=always also
# sends it over plain HTTP, for a TLS terminator that does not set X-Forwarded-Proto).
HSTS_MAX_AGE = int(os.environ.get("HSTS_MAX_AGE", "31536000"))


def _client() -> str:
    # with ProxyFix installed (TRUSTED_PROXY_HOPS > 0) this is the address the proxy saw
    return request.remote_addr or "unknown"


def _over_limit(key: str, limit: int) -> int:
    """Count one write for ``key`` in the current window; seconds to wait if over ``limit``, else 0.
    SET NX + INCR are atomic on Redis, so every instance shares one count."""
    from dashboard import cache

    now = time.time()
    bucket = int(now // WRITE_LIMIT_WINDOW_S)
    n = cache.incr(f"rl:{key}:{bucket}", WRITE_LIMIT_WINDOW_S + 5)
    if n > limit:
        return max(1, int((bucket + 1) * WRITE_LIMIT_WINDOW_S - now) + 1)
    return 0


def _raised_in_app(exc: BaseException) -> bool:
    """Whether the exception was raised inside this project's code (not in Dash's parsing)."""
    from dashboard import config

    ours = str(config.ROOT / "dashboard")
    tb = exc.__traceback__
    while tb is not None:
        name = tb.tb_frame.f_code.co_filename
        if name.startswith(ours) and not name.endswith("security.py"):
            return True
        tb = tb.tb_next
    return False


def _is_maturity_path(path: str) -> bool:
    return path == "/maturity" or path.startswith("/maturity/")


def quiet_request_handler():
    """A werkzeug request handler for `python -m dashboard` that sends no Server header (it
    would name Werkzeug and Python with their versions). gunicorn: scripts/gunicorn_conf.py."""
    from werkzeug.serving import WSGIRequestHandler

    class QuietHandler(WSGIRequestHandler):
        def send_header(self, keyword: str, value: str) -> None:
            if keyword.lower() != "server":
                super().send_header(keyword, value)

    return QuietHandler


def trust_proxies(server, hops: int) -> None:
    """Take the client address and scheme from ``hops`` trusted reverse proxies (werkzeug's
    ProxyFix). Only X-Forwarded-For and -Proto: shareable links use PUBLIC_BASE_URL, never Host."""
    if hops <= 0 or getattr(server.wsgi_app, "wb_proxy_fix", False):
        return
    from werkzeug.middleware.proxy_fix import ProxyFix

    server.wsgi_app = ProxyFix(server.wsgi_app, x_for=hops, x_proto=hops, x_host=0, x_port=0, x_prefix=0)
    server.wsgi_app.wb_proxy_fix = True


def install(app) -> None:
    server = app.server
    server.config["MAX_CONTENT_LENGTH"] = MAX_REQUEST_BYTES
    server.config["SESSION_COOKIE_HTTPONLY"] = True
    server.config["SESSION_COOKIE_SAMESITE"] = "Lax"
    def csp() -> str:
        # Computed per response: Dash pages adds an inline script on the first request, so
        # the hashes are only complete then. csp_hashes() returns already-quoted sources.
        try:
            hashes = " ".join(app.csp_hashes())
        except Exception:  # noqa: BLE001
            hashes = ""
        return "; ".join([
            "default-src 'self'",
            f"script-src 'self' 'unsafe-eval' {hashes}".strip(),
            "style-src 'self' 'unsafe-inline'",
            "img-src 'self' data: blob:",
            "font-src 'self' data:",
            "connect-src 'self'",
            "worker-src 'self' blob:",
            "frame-ancestors 'none'",
            "base-uri 'self'",
            "form-action 'self'",
            "object-src 'none'",
        ])

    trust_proxies(server, TRUSTED_PROXY_HOPS)

    @server.before_request
    def _rate_limit_writes():
        if WRITE_LIMIT_PER_MINUTE <= 0 and WRITE_LIMIT_PER_ADDRESS <= 0:
            return None
        from dashboard.maturity.write_limit import key_for

        body = request.get_data(cache=True) if request.method == "POST" else b""
        key = key_for(request.method, request.path, body, _client())
        if key is None:
            return None
        try:
            wait = _over_limit(key, WRITE_LIMIT_PER_MINUTE) if WRITE_LIMIT_PER_MINUTE > 0 else 0
            if not wait and WRITE_LIMIT_PER_ADDRESS > 0:
                wait = _over_limit(f"all:{_client()}", WRITE_LIMIT_PER_ADDRESS)
        except Exception:  # noqa: BLE001 - never block saving because the cache is down
            server.logger.warning("write limit unavailable (cache error); request allowed")
            return None
        if wait:
            resp = jsonify(error="Too many saves in a short time; they will be sent again in a moment.")
            resp.status_code = 429
            resp.headers["Retry-After"] = str(wait)
            return resp
        return None

    from dash.exceptions import DependencyException
    from werkzeug.exceptions import HTTPException

    @server.errorhandler(Exception)
    def _unhandled(exc):
        """Malformed callback requests are the client's error (400), never a 500 with details."""
        if isinstance(exc, HTTPException):
            return exc
        if isinstance(exc, DependencyException):
            # an unknown /_dash-component-suites/ file: the client's mistake, one line in the log
            server.logger.warning("404 unknown Dash component file: %s", request.path[:200])
            resp = jsonify(error="not found")
            resp.status_code = 404
            return resp
        if request.path == "/_dash-update-component":
            if _raised_in_app(exc):  # a bug of ours inside a callback: keep the whole traceback
                server.logger.exception("callback failed on %s", request.path)
            else:  # Dash could not even parse the request: the client's mistake, one line
                server.logger.warning("400 malformed callback request: %s: %s", type(exc).__name__,
                                      " ".join(str(exc).split())[:200])
            resp = jsonify(error="malformed callback request")
            resp.status_code = 400
            return resp
        server.logger.exception("unhandled error on %s", request.path)
        resp = jsonify(error="Something went wrong on our side; please try again or go back to the overview.")
        resp.status_code = 500
        return resp

    @server.after_request
    def _headers(resp):
        if resp.mimetype == "text/html":
            resp.headers.setdefault("Content-Security-Policy", csp())
        resp.headers.setdefault("X-Content-Type-Options", "nosniff")
        resp.headers.setdefault("X-Frame-Options", "DENY")
        # assessment links carry secret tokens: maturity pages never send a Referer at all
        resp.headers["Referrer-Policy"] = "no-referrer" if _is_maturity_path(request.path) else \
            resp.headers.get("Referrer-Policy", "same-origin")
        if HSTS_MAX_AGE > 0 and (request.is_secure or os.environ.get("HSTS", "").lower() == "always"):
            resp.headers.setdefault("Strict-Transport-Security", f"max-age={HSTS_MAX_AGE}; includeSubDomains")
        resp.headers.setdefault("Permissions-Policy", "geolocation=(), camera=(), microphone=()")
        return resp
