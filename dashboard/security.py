"""Security headers and request limits, compatible with Dash.

Dash renders one inline bootstrap script; its hash (from Dash itself) is allowed in the CSP
instead of 'unsafe-inline'. Plotly needs 'unsafe-eval' for some trace types, and Dash components
set inline styles, so styles allow 'unsafe-inline'.
"""
from __future__ import annotations

MAX_REQUEST_BYTES = 1_000_000


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

    @server.after_request
    def _headers(resp):
        if resp.mimetype == "text/html":
            resp.headers.setdefault("Content-Security-Policy", csp())
        resp.headers.setdefault("X-Content-Type-Options", "nosniff")
        resp.headers.setdefault("X-Frame-Options", "DENY")
        resp.headers.setdefault("Referrer-Policy", "same-origin")
        resp.headers.setdefault("Permissions-Policy", "geolocation=(), camera=(), microphone=()")
        return resp
