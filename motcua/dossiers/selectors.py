"""Reads on dossiers, always through the caller's visibility (motcua.dossiers.access)."""

from __future__ import annotations

import datetime as dt
import hmac
import logging

from django.conf import settings
from django.db.models import Q, QuerySet
from django.utils import timezone

from motcua.core import ratelimit
from motcua.core.errors import DomainError, NotFound, ValidationFailed
from motcua.core.text import fold
from motcua.core.types import Actor

from . import deadlines
from .access import can_view, visible_dossiers
from .accesslog import hidden_refusal
from .enums import OPEN, Status
from .models import Attachment, Dossier

log = logging.getLogger(__name__)

DUE_FILTERS = {
    "overdue": deadlines.OVERDUE,
    "soon": deadlines.SOON,
    "ok": deadlines.IN_TIME,
    "paused": deadlines.PAUSED,
}
LIST_RELATED = ("procedure", "receiving_agency", "settling_agency", "current_step")


def dossier_get(*, user: Actor, dossier_id: int) -> Dossier:
    """One dossier the user may see; others look exactly like missing ones (404)."""
    try:
        dossier = Dossier.objects.select_related(*LIST_RELATED, "procedure_version").get(
            pk=dossier_id
        )
    except (Dossier.DoesNotExist, ValueError, TypeError):
        raise NotFound("hồ sơ", "Dossier", field="dossier_id") from None
    if not can_view(user, dossier):
        hidden_refusal(user, dossier)
        raise NotFound("hồ sơ", "Dossier", field="dossier_id")
    return dossier


def dossier_lookup(*, code: str, secret: str, client: str | None = None) -> Dossier:
    """Public status lookup: the code plus the secret printed on the receipt.

    A wrong code and a wrong secret give the same answer, so codes alone reveal nothing.
    With `client` (the caller's address), failed lookups are counted: past
    MOTCUA_LOOKUP_MAX_FAILURES within MOTCUA_LOOKUP_WINDOW_SECONDS that client is refused
    (429) until the window ends, so secrets cannot be guessed by trying (docs/rules.md).
    """
    if client is not None:
        _lookup_check(client)
    code = (code or "").strip()
    secret = (secret or "").strip().upper()
    dossier = Dossier.objects.select_related(*LIST_RELATED).filter(code=code).first()
    expected = dossier.secret if dossier else "x" * 8
    if not hmac.compare_digest(expected.encode(), secret.encode()) or dossier is None:
        if client is not None:
            _lookup_failed(client)
        raise NotFound(
            "hồ sơ với mã và mã tra cứu này", "Dossier with this code and secret", field="secret"
        )
    return dossier


def _lookup_key(client: str) -> str:
    return ratelimit.key(_LOOKUP_SCOPE, client)


_LOOKUP_SCOPE = "lookup"


def _lookup_limits() -> tuple[int, int]:
    return (
        int(getattr(settings, "MOTCUA_LOOKUP_MAX_FAILURES", 20)),
        int(getattr(settings, "MOTCUA_LOOKUP_WINDOW_SECONDS", 600)),
    )


def _lookup_check(client: str) -> None:
    """Refuse a client past the limit (motcua.core.ratelimit: the counters live in the
    cache; when it cannot be read the lookup goes on, logged)."""
    limit, window = _lookup_limits()
    if ratelimit.over_limit(_LOOKUP_SCOPE, client, limit):
        minutes = max(1, round(window / 60))
        raise DomainError(
            "too_many_lookups",
            f"Tra cứu sai quá nhiều lần. Vui lòng thử lại sau {minutes} phút.",
            f"Too many failed lookups. Try again in {minutes} minutes.",
            field="secret",
            status=429,
        )


def _lookup_failed(client: str) -> None:
    _limit, window = _lookup_limits()
    ratelimit.count(_LOOKUP_SCOPE, client, window)


def my_dossiers(*, user: Actor, status: int | None = None) -> QuerySet[Dossier]:
    from .access import applicant_id

    owner = applicant_id(user)
    qs = Dossier.objects.filter(owner_id=owner) if owner else Dossier.objects.none()
    if status is not None:
        qs = qs.filter(status=status)
    return qs.select_related(*LIST_RELATED).order_by("-submitted_at", "-pk")


def inbox(
    *,
    user: Actor,
    agency_id: int | None = None,
    status: int | None = None,
    step_order: int | None = None,
    role: str | None = None,
    due: str | None = None,
    q: str | None = None,
    now: dt.datetime | None = None,
) -> QuerySet[Dossier]:
    """The officer's inbox: open dossiers of the user's agencies, filtered.

    due: the verdict while open (motcua.dossiers.deadlines): "overdue", "soon" (due within
    one working day), "ok" (in time, more than a working day left), "paused" (waiting for
    the applicant, not overdue).
    q: a piece of the dossier code, or of the applicant's name or the procedure's code or
    name (Dossier.search_key), or words of the OCR text of its digitized components
    (Attachment.text_key), accents and case ignored.
    """
    now = now or timezone.now()
    qs = visible_dossiers(user).select_related(*LIST_RELATED)
    if agency_id is not None:
        qs = qs.filter(Q(receiving_agency_id=agency_id) | Q(settling_agency_id=agency_id))
    if status is not None:
        if status not in Status.values:
            raise ValidationFailed(
                "invalid_status",
                "Trạng thái không hợp lệ (1–10).",
                "Invalid status (1–10).",
                field="status",
            )
        qs = qs.filter(status=status)
    else:
        qs = qs.filter(status__in=[*OPEN, Status.SUBMITTED])
    if step_order is not None:
        qs = qs.filter(current_step__order=step_order)
    if role is not None:
        qs = qs.filter(current_step__role=role)
    if due is not None:
        state = DUE_FILTERS.get(due)
        if state is None:
            raise ValidationFailed(
                "invalid_due",
                "Bộ lọc hạn phải là overdue, soon, ok hoặc paused.",
                "The due filter must be overdue, soon, ok or paused.",
                field="due",
            )
        qs = qs.filter(deadlines.verdict_q(state, now))
    if q and q.strip():
        # The code as typed; the applicant and the procedure through the folded search key
        # (accents and case ignored). Both sides have a trigram index on PostgreSQL.
        q = q.strip()
        found = Q(code__icontains=q)
        key = fold(q)
        if key:
            found |= Q(search_key__contains=key)
            # Words of a digitized component's OCR text (Attachment.text_key, folded).
            found |= Q(
                pk__in=Attachment.objects.filter(text_key__contains=key).values("dossier_id")
            )
        qs = qs.filter(found)
    return qs.order_by("due_at", "pk")


def due_signal(dossier: Dossier, now: dt.datetime | None = None) -> str | None:
    """The dossier's verdict (deadlines.verdict): "overdue" / "soon" / "in_time" / "paused"
    while open, "early" / "on_time" / "late" once processing ended, None before receipt.
    Pages and the API show it; the inbox filter is the same rule as a query."""
    return deadlines.verdict(dossier, now or timezone.now())
