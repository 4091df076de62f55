"""Anti-abuse for the public feedback pages, the way the dossier lookup (/tra-cuu/) does it:
counters per client address in the cache (Redis with MOTCUA_CACHE_URL, shared by the server
processes), refused with 429 past the limit until the window ends. Submissions are counted
all (a flood of feedback is the abuse); tracking-code lookups only when they fail."""

from __future__ import annotations

import hashlib
import logging

from django.conf import settings
from django.core.cache import cache

from motcua.core.errors import DomainError

log = logging.getLogger(__name__)

LIMITS = {
    # what: (setting of the count, its default, setting of the window, its default)
    "submit": ("MOTCUA_FEEDBACK_MAX_SUBMISSIONS", 5, "MOTCUA_FEEDBACK_WINDOW_SECONDS", 3600),
    "track": ("MOTCUA_LOOKUP_MAX_FAILURES", 20, "MOTCUA_LOOKUP_WINDOW_SECONDS", 600),
}


def _limits(what: str) -> tuple[int, int]:
    count_name, count_default, window_name, window_default = LIMITS[what]
    return (
        int(getattr(settings, count_name, count_default)),
        int(getattr(settings, window_name, window_default)),
    )


def _key(what: str, client: str) -> str:
    return f"motcua:feedback-{what}:" + hashlib.sha256(client.encode()).hexdigest()[:32]


def check(what: str, client: str) -> None:
    """Refuse a client past the limit; when the cache cannot be read, go on (logged), as the
    lookup does: refusing would turn every citizen away."""
    limit, window = _limits(what)
    if not limit:
        return
    try:
        used = cache.get(_key(what, client)) or 0
    except Exception:
        log.warning("feedback limiter: cache unreadable, not counting", exc_info=True)
        return
    if used >= limit:
        minutes = max(1, round(window / 60))
        vi, en = (
            ("Bạn đã gửi quá nhiều phản ánh", "You have sent too much feedback")
            if what == "submit"
            else ("Tra cứu sai quá nhiều lần", "Too many failed lookups")
        )
        raise DomainError(
            f"too_many_{what}",
            f"{vi}. Vui lòng thử lại sau {minutes} phút.",
            f"{en}. Try again in {minutes} minutes.",
            field="code" if what == "track" else None,
            status=429,
        )


def count(what: str, client: str) -> None:
    _limit, window = _limits(what)
    key = _key(what, client)
    try:
        cache.add(key, 0, timeout=window)  # the window starts at the first count
        try:
            cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.set(key, 1, timeout=window)
    except Exception:
        log.warning("feedback limiter: cache unwritable, not counted", exc_info=True)
