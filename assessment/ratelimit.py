"""Fixed-window rate limits on costly or abusable actions (emails sent on a visitor's request).

Counts live in the cache: per process with the default local-memory cache, shared by every app
server once REDIS_URL is set (see the README's deployment notes).
"""

import hashlib

from django.core.cache import cache


def allow(action: str, key: str, *, limit: int, window: int) -> bool:
    """Count one use of `action` by `key`; False once `limit` uses were counted in `window` seconds."""
    cache_key = "ratelimit:" + hashlib.sha256(f"{action}\0{key}".encode()).hexdigest()
    if cache.add(cache_key, 1, timeout=window):
        return True
    try:
        return cache.incr(cache_key) <= limit
    except ValueError:  # the window ran out between add and incr: this use opens a new one
        cache.add(cache_key, 1, timeout=window)
        return True
