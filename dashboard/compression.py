"""Response compression (gzip/brotli/zstd via Flask-Compress) with the compressed bytes of
static files kept in memory: Dash's JavaScript bundles (plotly.js is 4.8 MB) would otherwise be
compressed again for every new visitor."""
from __future__ import annotations

import threading

STATIC_PREFIXES = ("/_dash-component-suites/", "/assets/", "/_favicon.ico")


class _StaticOnlyCache:
    """A tiny in-process cache that stores only keys marked static; everything else is a miss."""

    def __init__(self, max_items: int = 400):
        self._items: dict[str, bytes] = {}
        self._lock = threading.Lock()
        self._max = max_items

    @staticmethod
    def _static(key: str) -> bool:
        return key.split(";", 1)[-1].startswith("static:")

    def get(self, key: str):
        return self._items.get(key) if self._static(key) else None

    def set(self, key: str, value: bytes) -> None:
        if self._static(key):
            with self._lock:
                if len(self._items) < self._max:
                    self._items[key] = value


def _cache_key(request) -> str:
    if request.method == "GET" and request.path.startswith(STATIC_PREFIXES):
        return "static:" + request.full_path
    return "dynamic"


def configure(server) -> None:
    server.config["COMPRESS_CACHE_BACKEND"] = _StaticOnlyCache
    server.config["COMPRESS_CACHE_KEY"] = _cache_key
