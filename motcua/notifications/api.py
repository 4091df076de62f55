"""Notifications over the API: the applicant's channel choice (their own account only) and a
dossier's message log (officers who may see the dossier)."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from django.http import HttpRequest
from ninja import Path, Router, Schema
from pydantic import StrictBool

from motcua.api.auth import AUTH
from motcua.api.openapi import declare
from motcua.core.errors import NotFound
from motcua.dossiers import selectors as dossier_selectors
from motcua.dossiers.accesslog import staff_read
from motcua.org.selectors import staff_role_map

from . import selectors, services

router = Router(tags=["notifications"], auth=AUTH)
DossierId = Path(..., ge=1, le=2**63 - 1)


class PreferenceOut(Schema):
    """Kênh nhận thông báo (the channels the applicant is told on)."""

    email: bool
    sms: bool
    zalo: bool
    language: Literal["vi", "en"]
    chosen: bool
    known_email: str
    known_phone: str


class PreferenceIn(Schema):
    email: StrictBool
    sms: StrictBool
    zalo: StrictBool = False
    language: Literal["vi", "en"] = "vi"


class MessageOut(Schema):
    id: int
    created_at: dt.datetime
    event: str
    channel: str
    language: str
    recipient: str
    subject: str
    body: str
    status: Literal["queued", "sent", "failed", "dead"]
    attempts: int
    last_error: str
    sent_at: dt.datetime | None


@router.get(
    "/preferences",
    response=PreferenceOut,
    url_name="notification_preferences",
    openapi_extra=declare(not_found=True),
)
def preferences(request: HttpRequest) -> dict[str, Any]:
    if not hasattr(request.user, "applicant"):
        raise NotFound("tài khoản công dân", "Applicant account")
    return selectors.effective_preference(request.user)


@router.put("/preferences", response=PreferenceOut, openapi_extra=declare(forbidden=True))
def preferences_set(request: HttpRequest, body: PreferenceIn) -> dict[str, Any]:
    services.preference_set(
        actor=request.user,
        email=body.email,
        sms=body.sms,
        zalo=body.zalo,
        language=body.language,
    )
    return selectors.effective_preference(request.user)


@router.get("/dossiers/{dossier_id}/messages", response=list[MessageOut])
def dossier_messages(request: HttpRequest, dossier_id: int = DossierId) -> list[Any]:
    """Officers only: the applicant learns of their messages by receiving them."""
    if not (getattr(request.user, "is_staff", False) or staff_role_map(request.user)):
        raise NotFound("hồ sơ", "Dossier")
    d = dossier_selectors.dossier_get(user=request.user, dossier_id=dossier_id)
    staff_read(request, d, what="notifications")
    return [line.message for line in selectors.messages_for_dossier(d.pk)]
