"""The cut-off hour of a same-day limit ("trong ngày"): a dossier received after it is due
at the close of the next working day (motcua.workcalendar.engine). The catalog's limits and
the calendar's API and command read it the same way."""

from __future__ import annotations

import datetime as dt
import re

from django.conf import settings

from motcua.core.errors import ValidationFailed


def default_cutoff() -> dt.time:
    """MOTCUA_SAME_DAY_CUTOFF (15:00): the cut-off of a same-day limit whose text names none."""
    return parse_cutoff(getattr(settings, "MOTCUA_SAME_DAY_CUTOFF", "15:00"), "cutoff")


def parse_cutoff(text: str | dt.time, field: str = "cutoff") -> dt.time:
    if isinstance(text, dt.time):
        return text.replace(second=0, microsecond=0)
    match = re.fullmatch(r"\s*(\d{1,2})(?:[:hg](\d{2})?)?\s*", str(text or ""))
    if match and int(match[1]) < 24 and int(match[2] or 0) < 60:
        return dt.time(int(match[1]), int(match[2] or 0))
    raise ValidationFailed(
        "invalid_cutoff",
        f"Giờ chốt '{text}' không hợp lệ (dạng 15:00).",
        f"Invalid cut-off hour '{text}' (use 15:00).",
        field=field,
    )
