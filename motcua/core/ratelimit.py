"""Per-client counters in a fixed window, in the cache (Redis, shared by the server
processes, with MOTCUA_CACHE_URL): the one limiter of the public pages that take no login
(the status lookup /tra-cuu/ counts failed lookups, the verification page /xac-thuc/ counts
every check).

When the cache cannot be read or written the request goes on, logged: an outage gives a
guesser minutes, refusing would turn every citizen away.
"""

from __future__ import annotations

import hashlib
import logging

from django.core.cache import cache

log = logging.getLogger(__name__)


def key(scope: str, client: str) -> str:
    """The counter's cache key: the scope (`lookup`, `verify`) and the client's address
    hashed (addresses are personal data; the cache need not hold them)."""
    return f"motcua:{scope}-limit:" + hashlib.sha256(client.encode()).hexdigest()[:32]


def over_limit(scope: str, client: str, limit: int) -> bool:
    """True when `client` has been counted `limit` times or more in the current window
    (a limit of 0 turns the limiter off)."""
    if not limit:
        return False
    try:
        count = cache.get(key(scope, client)) or 0
    except Exception:
        log.warning("%s limiter: cache unreadable, not counting", scope, exc_info=True)
        return False
    return bool(count >= limit)


def count(scope: str, client: str, window: int) -> None:
    """Count one more for `client`; the window starts at the first count."""
    k = key(scope, client)
    try:
        cache.add(k, 0, timeout=window)
        try:
            cache.incr(k)
        except ValueError:  # expired between add and incr
            cache.set(k, 1, timeout=window)
    except Exception:
        log.warning("%s limiter: cache unwritable, not counted", scope, exc_info=True)
