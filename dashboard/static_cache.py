"""Static files answered from memory, in front of Flask.

A first visit downloads about twenty scripts and style sheets, so most requests a server answers
are for these few files. Through Flask each costs its routing, its request hooks and the
compression lookup; answered from here it costs a dictionary lookup. The first answer Flask gives
for a file (with its headers, compressed for the client's Accept-Encoding) is kept and replayed
for the same address, Accept-Encoding and scheme. Conditional and range requests, other methods
and anything but a 200 go to Flask as before. Every static address carries its version (Dash's
`?m=` or a versioned file name), so a changed file is a new address.
"""
from __future__ import annotations

import threading

MAX_ITEMS = 800
MAX_BODY = 8 * 1024 * 1024  # larger answers are not kept
PASS_THROUGH = ("HTTP_IF_NONE_MATCH", "HTTP_IF_MODIFIED_SINCE", "HTTP_RANGE", "HTTP_IF_RANGE")


class StaticResponses:
    def __init__(self, app, prefixes: tuple[str, ...]):
        self.app = app
        self.prefixes = prefixes
        self._items: dict[tuple, tuple[str, list, bytes]] = {}
        self._lock = threading.Lock()

    def _cacheable(self, environ) -> bool:
        return (environ.get("REQUEST_METHOD") == "GET" and environ.get("PATH_INFO", "").startswith(self.prefixes)
                and not any(h in environ for h in PASS_THROUGH))

    def __call__(self, environ, start_response):
        if not self._cacheable(environ):
            return self.app(environ, start_response)
        key = (environ.get("PATH_INFO"), environ.get("QUERY_STRING", ""), environ.get("HTTP_ACCEPT_ENCODING", ""),
               environ.get("wsgi.url_scheme"), environ.get("HTTP_X_FORWARDED_PROTO"))
        hit = self._items.get(key)
        if hit is not None:
            status, headers, body = hit
            start_response(status, list(headers))
            return [body]
        seen: dict = {}

        def capture(status, headers, exc_info=None):
            seen["status"], seen["headers"] = status, list(headers)
            return start_response(status, headers, exc_info)

        result = self.app(environ, capture)
        try:
            body = b"".join(result)
        finally:
            if hasattr(result, "close"):
                result.close()
        headers = seen.get("headers", [])
        if (seen.get("status", "").startswith("200 ") and len(body) <= MAX_BODY
                and not any(k.lower() == "set-cookie" for k, _ in headers)):
            with self._lock:
                if len(self._items) < MAX_ITEMS:
                    self._items[key] = (seen["status"], headers, body)
        return [body]

    def __len__(self) -> int:
        return len(self._items)
