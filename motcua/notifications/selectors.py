"""Reads of notifications: a dossier's message log (officers' dossier page and API) and an
account's effective channel choice (portal account page and API)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from motcua.core.templatetags.bilingual import pick

from .enums import CHANNEL_EN, EVENT_EN, STATUS_EN, Channel, Event, Language, Status
from .models import Message, Preference


@dataclass(frozen=True)
class LogLine:
    message: Message
    event: str
    channel: str
    status: str


def messages_for_dossier(dossier_id: int, limit: int = 200) -> list[LogLine]:
    """The dossier's messages, newest first, with their labels in the page's language."""
    rows = Message.objects.filter(dossier_id=dossier_id).order_by("-created_at", "-id")[:limit]
    return [
        LogLine(
            message=m,
            event=pick(Event(m.event).label, EVENT_EN[m.event]),
            channel=pick(Channel(m.channel).label, CHANNEL_EN[m.channel]),
            status=pick(Status(m.status).label, STATUS_EN[m.status]),
        )
        for m in rows
    ]


def effective_preference(user: Any) -> dict[str, Any]:
    """What the account gets now: its choice, or the default (e-mail if an address is
    known, SMS if a phone is: rules.channels_for), with the addresses known."""
    applicant = getattr(user, "applicant", None)
    email = applicant.email if applicant is not None else ""
    phone = applicant.phone if applicant is not None else ""
    pref = Preference.objects.filter(user_id=user.pk).first()
    if pref is None:
        return {
            "email": bool(email),
            "sms": bool(phone),
            "zalo": False,
            "language": Language.VI.value,
            "chosen": False,
            "known_email": email,
            "known_phone": phone,
        }
    return {
        "email": pref.email,
        "sms": pref.sms,
        "zalo": pref.zalo,
        "language": pref.language,
        "chosen": True,
        "known_email": email,
        "known_phone": phone,
    }
