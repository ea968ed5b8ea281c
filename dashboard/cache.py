"""Shared counters with an expiry: in Redis when REDIS_URL is set (several instances then share
one count), otherwise in this process. Keys carry the build fingerprint, so a new build starts
fresh. Today their one user is the maturity write limit (`dashboard.security`).

Redis' client is imported only when REDIS_URL is set, so an instance without one starts without it.
"""
from __future__ import annotations

import os
import threading
import time

_LOCAL_LIMIT = 20_000  # counters kept in process memory before expired ones are swept


class _LocalCounters:
    def __init__(self):
        self._lock = threading.Lock()
        self._counts: dict[str, tuple[int, float]] = {}

    def incr(self, name: str, ttl: int) -> int:
        now = time.monotonic()
        with self._lock:
            if len(self._counts) > _LOCAL_LIMIT:
                self._counts = {k: v for k, v in self._counts.items() if v[1] > now}
            n, expires = self._counts.get(name, (0, 0.0))
            if expires <= now:
                n, expires = 0, now + ttl
            self._counts[name] = (n + 1, expires)
            return n + 1


class _RedisCounters:
    def __init__(self, url: str):
        import redis

        # short timeouts: an unreachable Redis costs a request at most a second or two (the write
        # limit then lets the request through) instead of hanging it
        self._r = redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2)

    def incr(self, name: str, ttl: int) -> int:
        pipe = self._r.pipeline()  # MULTI: the expiry is set once, with the counter's first count
        pipe.set(name, 0, ex=ttl, nx=True)
        pipe.incr(name)
        return int(pipe.execute()[1])


_counters: _LocalCounters | _RedisCounters = _LocalCounters()
_prefix = "wb-nobuild-"


def init(fingerprint: str) -> None:
    global _counters, _prefix
    _prefix = f"wb-{(fingerprint or 'nobuild')[:12]}-"
    url = os.environ.get("REDIS_URL")
    _counters = _RedisCounters(url) if url else _LocalCounters()


def incr(name: str, ttl: int) -> int:
    """Add one to the counter `name` (created with `ttl` seconds to live) and return its count.
    Raises if Redis cannot be reached."""
    return _counters.incr(_prefix + name, ttl)
