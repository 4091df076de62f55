"""The two rules of notifications, each in one function:

- `early_warning_at`: when officers are warned before a dossier turns late;
- `channels_for`: on which channels an applicant is told.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import TYPE_CHECKING

from django.conf import settings

from motcua.catalog.enums import TimeUnit
from motcua.dossiers import deadlines, timing

from .enums import Channel, Language

if TYPE_CHECKING:
    from motcua.dossiers.models import Dossier

    from .models import Preference


def early_warning_share() -> Decimal:
    """MOTCUA_EARLY_WARNING_SHARE (default 0.75): the share of a dossier's time limit after
    which officers are warned. UNCONFIRMED: no legal text sets it; the province chooses."""
    share = Decimal(str(getattr(settings, "MOTCUA_EARLY_WARNING_SHARE", "0.75")))
    return min(max(share, Decimal("0.01")), Decimal("1"))


def early_warning_at(d: Dossier, share: Decimal | None = None) -> dt.datetime | None:
    """The moment a share of the dossier's time limit is used, or None (not received, ended,
    or no appointment).

    The time limit is the working time from receipt to the appointment the dossier is
    judged against (deadlines.judged_due: the same rule as "overdue") less the clock pauses
    that moved it (paused_seconds); the share of it is counted from receipt, pauses added
    back, on the settling agency's calendar. An apology's new appointment under
    MOTCUA_REAPPOINTMENT_JUDGED_AGAINST=new, or a pause, gives a new moment.
    """
    if d.received_at is None or deadlines.processing_end(d) is not None:
        return None
    due = deadlines.judged_due(d)
    if due is None:
        return None
    share = early_warning_share() if share is None else share
    calendar = timing.calendar_for(d.settling_agency_id)
    total = calendar.working_seconds_between(d.received_at, due)
    limit = max(total - d.paused_seconds, 0)
    if limit == 0:
        return None
    seconds = d.paused_seconds + int(Decimal(limit) * share)
    return calendar.add(d.received_at, Decimal(seconds) / Decimal(3600), TimeUnit.WORKING_HOURS)


def channels_for(preference: Preference | None, *, email: str, phone: str) -> list[tuple[str, str]]:
    """[(channel, address)] an applicant is told on: the channels the account chose, among
    those it has an address for; without a choice, e-mail if an address is known and SMS if
    a phone is (Zalo only when chosen: it needs the applicant's Zalo account on that phone).
    A channel this deployment has no provider for (MOTCUA_SMS_URL, MOTCUA_ZALO_URL unset)
    is left out: nothing is queued that could only wait in the outbox."""
    wanted = (
        {Channel.EMAIL: True, Channel.SMS: True, Channel.ZALO: False}
        if preference is None
        else {
            Channel.EMAIL: preference.email,
            Channel.SMS: preference.sms,
            Channel.ZALO: preference.zalo,
        }
    )
    out: list[tuple[str, str]] = []
    sms = bool(getattr(settings, "MOTCUA_SMS_URL", ""))
    zalo = bool(getattr(settings, "MOTCUA_ZALO_URL", ""))
    if wanted[Channel.EMAIL] and email:
        out.append((Channel.EMAIL.value, email))
    if wanted[Channel.SMS] and phone and sms:
        out.append((Channel.SMS.value, phone))
    if wanted[Channel.ZALO] and phone and zalo:
        out.append((Channel.ZALO.value, phone))
    return out


def language_for(preference: Preference | None) -> str:
    return preference.language if preference is not None else Language.VI.value
