"""Preconditions beyond the transition table, in one place: the services enforce them and
the pages and API use them to offer only the actions that will succeed.

Each function returns the refusal (an IllegalTransition) or None. See docs/rules.md for the
settings and their legal status.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings

from motcua.core.errors import IllegalTransition


def _setting(name: str, default: int) -> int:
    return int(getattr(settings, name, default))


def supplement_refusal(dossier) -> IllegalTransition | None:
    """At most MOTCUA_MAX_SUPPLEMENT_REQUESTS supplement requests (default 1)."""
    limit = _setting("MOTCUA_MAX_SUPPLEMENT_REQUESTS", 1)
    if dossier.supplement_count < limit:
        return None
    return IllegalTransition(
        "supplement_limit",
        f"Hồ sơ đã được yêu cầu bổ sung {dossier.supplement_count} lần (tối đa {limit}).",
        f"The dossier was already asked to supplement {dossier.supplement_count} "
        f"time(s) (limit {limit}).",
        field="action",
    )


def apology_refusal(dossier, at: dt.datetime) -> IllegalTransition | None:
    """At most MOTCUA_MAX_APOLOGIES apologies (default 1), made at least
    MOTCUA_APOLOGY_MIN_LEAD_MINUTES (default 0) before the appointment."""
    limit = _setting("MOTCUA_MAX_APOLOGIES", 1)
    if dossier.apology_count >= limit:
        return IllegalTransition(
            "apology_limit",
            f"Hồ sơ đã được hẹn lại {dossier.apology_count} lần (tối đa {limit}).",
            f"The dossier was already re-appointed {dossier.apology_count} time(s) "
            f"(limit {limit}).",
            field="action",
        )
    lead = dt.timedelta(minutes=_setting("MOTCUA_APOLOGY_MIN_LEAD_MINUTES", 0))
    if dossier.due_at is None or at + lead >= dossier.due_at:
        return IllegalTransition(
            "deadline_passed",
            "Đã quá thời điểm được xin lỗi, hẹn lại: phải thực hiện trước hạn trả kết quả.",
            "Too late to apologize and re-appoint: it must be done before the deadline.",
            field="at",
        )
    return None


def rating_refusal(dossier) -> IllegalTransition | None:
    if dossier.rating is None:
        return None
    return IllegalTransition(
        "already_rated",
        "Hồ sơ đã được đánh giá.",
        "The dossier was already rated.",
        field="rating",
    )
