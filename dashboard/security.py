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
# Writes (saving self-assessment ratings, creating/joining/importing assessments) per client
# address per minute; shared across instances when the cache is Redis.
WRITE_LIMIT_PER_MINUTE = int(os.environ.get("WRITE_LIMIT_PER_MINUTE", "240"))


def _is_write() -> bool:
    if request.method != "POST":
        return False
    if request.path.startswith("/maturity"):
        return True
    if request.path == "/_dash-update-component":
        head = request.get_data(cache=True)[:4000]
        return b'"mm-' in head or b"mm-" in head[:400]
    return False


def _client() -> str:
    # behind a proxy, set the number of trusted hops with werkzeug's ProxyFix instead
    return request.remote_addr or "unknown"


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

    @server.before_request
    def _rate_limit_writes():
        if WRITE_LIMIT_PER_MINUTE <= 0 or not _is_write():
            return None
        from dashboard.cache import cache

        key = f"rl:{_client()}:{int(time.time() // 60)}"
        try:
            n = (cache.get(key) or 0) + 1
            cache.set(key, n, timeout=70)
        except Exception:  # noqa: BLE001 - never block saving because the cache is down
            return None
        if n > WRITE_LIMIT_PER_MINUTE:
            resp = jsonify(error="Too many saves from this address in the last minute; please wait a moment.")
            resp.status_code = 429
            resp.headers["Retry-After"] = "60"
            return resp
        return None

    from werkzeug.exceptions import HTTPException

    @server.errorhandler(Exception)
    def _unhandled(exc):
        """Malformed callback requests are the client's error (400), never a 500 with details."""
        if isinstance(exc, HTTPException):
            return exc
        server.logger.exception("unhandled error on %s", request.path)
        if request.path == "/_dash-update-component":
            resp = jsonify(error="malformed callback request")
            resp.status_code = 400
            return resp
        resp = jsonify(error="Something went wrong on our side; please try again or go back to the overview.")
        resp.status_code = 500
        return resp

    @server.after_request
    def _headers(resp):
        if resp.mimetype == "text/html":
            resp.headers.setdefault("Content-Security-Policy", csp())
        resp.headers.setdefault("X-Content-Type-Options", "nosniff")
        resp.headers.setdefault("X-Frame-Options", "DENY")
        resp.headers.setdefault("Referrer-Policy", "same-origin")
        resp.headers.setdefault("Permissions-Policy", "geolocation=(), camera=(), microphone=()")
        return resp
