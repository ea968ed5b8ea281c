"""Shared response cache: Redis when REDIS_URL is set (several instances share it), otherwise an
in-process cache. Keys carry the build fingerprint, so a new build never serves stale entries.
Today its only user is the maturity write limit (`dashboard.security`): with Redis, its counters
are one per participant across every instance."""
from __future__ import annotations

import os

from flask_caching import Cache

cache = Cache()


def init(server, fingerprint: str) -> None:
    url = os.environ.get("REDIS_URL")
    config = {"CACHE_DEFAULT_TIMEOUT": 3600, "CACHE_KEY_PREFIX": f"wb-{(fingerprint or 'nobuild')[:12]}-"}
    if url:
        # short timeouts: an unreachable Redis costs a request at most a second or two (the write
        # limit then lets the request through) instead of hanging it
        config.update(CACHE_TYPE="RedisCache", CACHE_REDIS_URL=url,
                      CACHE_OPTIONS={"socket_timeout": 2, "socket_connect_timeout": 2})
    else:
        config.update(CACHE_TYPE="SimpleCache", CACHE_THRESHOLD=2000)
    cache.init_app(server, config)
