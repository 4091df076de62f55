"""Writes of notifications: messages written with the dossier event that causes them, their
delivery outcome, the applicant's channel choice, and the early warnings to officers.

A message is a `Message` row (the log officers see) and an outbox message pointing at it,
both written in the dossier service's transaction by `on_dossier_event` (a dossiers hook),
so a rolled-back transition tells nobody and a committed one always tells (ADR 0020).
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from motcua.catalog.fees import vnd
from motcua.core import audit
from motcua.core.errors import ValidationFailed
from motcua.dossiers import deadlines
from motcua.dossiers.enums import STATUS_EN, Status
from motcua.dossiers.timing import VN
from motcua.integration import outbox

from . import rendering, rules
from .enums import DESTINATION, EVENT_OF_ACTION, Channel, Event, Language
from .enums import Status as MessageStatus
from .models import EarlyWarning, Message, Preference, Template

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

    from motcua.dossiers.models import Dossier, DossierEvent

    Actor = AbstractBaseUser | AnonymousUser

log = logging.getLogger(__name__)
PREF_FIELDS = ("email", "sms", "zalo", "language")


# ---------------------------------------------------------------------------- the facts


def _day(value: dt.datetime | None) -> str:
    return value.astimezone(VN).strftime("%d/%m/%Y") if value else ""


def _moment(value: dt.datetime | None) -> str:
    return value.astimezone(VN).strftime("%H:%M %d/%m/%Y") if value else ""


def lookup_url(dossier: Dossier) -> str:
    """MOTCUA_PUBLIC_URL + /tra-cuu/?code=…: the public lookup page, the code filled in (the
    lookup secret stays on the applicant's receipt)."""
    base = str(getattr(settings, "MOTCUA_PUBLIC_URL", "")).rstrip("/")
    return f"{base}/tra-cuu/?code={dossier.code or ''}"


def context_for(
    dossier: Dossier, language: str, event: DossierEvent | None = None
) -> dict[str, str]:
    """What a template may say: plain strings only (rendering's sandbox)."""
    procedure = dossier.procedure
    status = Status(dossier.status)
    return {
        "applicant_name": dossier.applicant_name,
        "dossier_code": dossier.code or "",
        "procedure_name": procedure.name,
        "procedure_code": procedure.code,
        "status": status.label if language == Language.VI else STATUS_EN[status.value],
        "received_date": _day(dossier.received_at),
        "due_date": _day(dossier.due_at),
        "due_moment": _moment(deadlines.judged_due(dossier)),
        "fee_due": vnd(max(dossier.fee_due_vnd - dossier.fee_paid_vnd, 0)),
        "reason": (event.reason if event is not None else "") or "",
        "agency_name": dossier.settling_agency.name if dossier.settling_agency_id else "",
        "lookup_url": lookup_url(dossier),
    }


# ---------------------------------------------------------------------------- writing


def _templates(event: str, channels: set[str], language: str) -> dict[str, Template]:
    """The event's template per channel in `language`, else in Vietnamese (one query)."""
    found: dict[tuple[str, str], Template] = {
        (t.channel, t.language): t
        for t in Template.objects.filter(
            event=event, channel__in=channels, language__in={language, Language.VI.value}
        )
    }
    out = {}
    for channel in channels:
        template = found.get((channel, language)) or found.get((channel, Language.VI.value))
        if template is not None:
            out[channel] = template
    return out


def _zalo_params(context: dict[str, str], next_step: str) -> dict[str, str]:
    """ZNS template_data, each parameter within Zalo's cap (reference §3.4)."""
    return {
        "customer_name": rendering.cap(context["applicant_name"], 30),
        "dossier_code": rendering.cap(context["dossier_code"], 30),
        "status": rendering.cap(context["status"], 30),
        "due_date": context["due_date"],
        "next_step": rendering.cap(next_step, 200),
        "lookup_url": context["lookup_url"],
    }


@dataclass(frozen=True)
class Recipient:
    channel: str
    address: str
    dedup_id: str
    user_id: int | None = None


def _render(template: Template, channel: str, context: dict[str, str]) -> tuple[str, str, dict]:
    """(subject, body, Zalo parameters) of one message."""
    if channel == Channel.EMAIL:
        subject = rendering.render(template.subject, context)
        return subject[:255], rendering.render_mail(template.body, context), {}
    if channel == Channel.SMS:
        return "", rendering.sms_text(rendering.render(template.body, context)), {}
    body = rendering.render(template.body, context)
    return "", body, _zalo_params(context, body)


def messages_queue(
    *,
    event: str,
    language: str,
    recipients: list[Recipient],
    context: dict[str, str],
    dossier: Dossier | None = None,
    event_ref: int | None = None,
) -> list[Message]:
    """Render the event's template for each recipient's channel, log the messages (queued)
    and put each on the outbox, in the caller's transaction: one query for the templates,
    one INSERT for the log, one per outbox message. A channel without a template for the
    event (the province removed it) sends nothing there."""
    templates = _templates(event, {r.channel for r in recipients}, language)
    rendered: dict[str, tuple[str, str, dict]] = {}
    messages = []
    for r in recipients:
        template = templates.get(r.channel)
        if template is None:
            continue
        if r.channel not in rendered:
            rendered[r.channel] = _render(template, r.channel, context)
        subject, body, params = rendered[r.channel]
        messages.append(
            Message(
                dossier=dossier,
                event_id_ref=event_ref,
                event=event,
                channel=r.channel,
                language=template.language,
                user_id=r.user_id,
                recipient=r.address,
                subject=subject,
                body=body,
                params=params,
                dedup_id=r.dedup_id,
            )
        )
    if not messages:
        return []
    Message.objects.bulk_create(messages)
    for m in messages:
        outbox.enqueue(
            destination=DESTINATION[m.channel],
            # One recipient's messages in order (a receipt before its supplement request).
            key=f"{m.channel}:{m.recipient}"[:120],
            dedup_id=m.dedup_id,
            payload={"message_id": m.pk},
        )
    return messages


def _addresses(dossier: Dossier) -> tuple[str, str, Preference | None, int | None]:
    """(e-mail, phone, the account's preference, the account's user id) of the applicant:
    the dossier's own contact first, the account's profile otherwise (one query)."""
    from motcua.org.models import Applicant

    email, phone = dossier.applicant_email, dossier.applicant_phone
    if dossier.owner_id is None:
        return email, phone, None, None
    pref = "user__notification_preference__"
    row = (
        Applicant.objects.filter(pk=dossier.owner_id)
        .values("user_id", "email", "phone", f"{pref}id", *(f"{pref}{n}" for n in PREF_FIELDS))
        .first()
    )
    if row is None:
        return email, phone, None, None
    preference = None
    if row[f"{pref}id"] is not None:
        preference = Preference(
            pk=row[f"{pref}id"],
            user_id=row["user_id"],
            **{n: row[f"{pref}{n}"] for n in PREF_FIELDS},
        )
    return email or row["email"], phone or row["phone"], preference, row["user_id"]


def on_dossier_event(event: DossierEvent, dossier: Dossier) -> None:
    """A dossiers in-transaction hook: the applicant's messages for the event (if it is one
    they are told about), on the channels `rules.channels_for` gives, in their language."""
    kind = EVENT_OF_ACTION.get(event.action)
    if kind is None:
        return
    email, phone, preference, user_id = _addresses(dossier)
    targets = rules.channels_for(preference, email=email, phone=phone)
    if not targets:
        return
    language = rules.language_for(preference)
    messages_queue(
        event=kind,
        language=language,
        recipients=[
            Recipient(channel, address, f"dossier-event:{event.pk}:{channel}", user_id)
            for channel, address in targets
        ],
        context=context_for(dossier, language, event),
        dossier=dossier,
        event_ref=event.pk,
    )


# ---------------------------------------------------------------------------- delivery


def delivery_begin(message_id: int) -> Message | None:
    """The logged message to send, or None when it is already sent (a repeat delivery after
    a worker died between the send and the outbox's mark: do not send it twice)."""
    message = Message.objects.filter(pk=message_id).first()
    if message is None or message.status == MessageStatus.SENT:
        return None
    return message


def delivery_record(
    *, message_id: int, status: str, provider_id: str = "", error: str = ""
) -> None:
    """Record one delivery attempt's outcome on the log row (locked)."""
    with transaction.atomic():
        message = Message.objects.select_for_update().get(pk=message_id)
        if message.status == MessageStatus.SENT:
            return
        message.attempts += 1
        message.status = status
        if status == MessageStatus.SENT:
            message.sent_at = timezone.now()
            message.provider_id = provider_id[:100]
            message.last_error = ""
        else:
            message.last_error = error[:2000]
        message.save(update_fields=["attempts", "status", "sent_at", "provider_id", "last_error"])


# ---------------------------------------------------------------------------- preferences


def preference_set(
    *,
    actor: Actor,
    email: bool,
    sms: bool,
    zalo: bool,
    language: str,
) -> Preference:
    """The applicant's own choice of channels and language (only their own account)."""
    if not getattr(actor, "is_authenticated", False) or not hasattr(actor, "applicant"):
        raise ValidationFailed(
            "not_an_applicant",
            "Chỉ tài khoản công dân, doanh nghiệp chọn kênh nhận thông báo.",
            "Only a citizen's or business's account chooses its notification channels.",
            status=403,
        )
    if language not in Language.values:
        raise ValidationFailed(
            "language_unknown",
            "Ngôn ngữ không hỗ trợ (vi hoặc en).",
            "Unsupported language (vi or en).",
            field="language",
        )
    user_id = actor.pk  # an authenticated account (checked above)
    assert user_id is not None
    names = ("email", "sms", "zalo", "language")
    after = dict(zip(names, (email, sms, zalo, language), strict=True))
    with transaction.atomic():
        preference = Preference.objects.select_for_update().filter(user_id=user_id).first()
        if preference is None:
            preference = Preference.objects.create(user_id=user_id, **after)
            audit.record(
                actor=actor,
                action=audit.AuditAction.CREATED,
                operation="notification_preference_set",
                obj=preference,
                before=None,
                after=after,
            )
            return preference
        before = {name: getattr(preference, name) for name in names}
        for name, value in after.items():
            setattr(preference, name, value)
        preference.save()
        audit.record(
            actor=actor,
            action=audit.AuditAction.CHANGED,
            operation="notification_preference_set",
            obj=preference,
            before=before,
            after=after,
        )
    return preference


def preference_of(user: Any) -> Preference | None:
    return Preference.objects.filter(user_id=user.pk).first()


# ---------------------------------------------------------------------------- early warnings


# The actions that set or move the appointment (or end the pause that moved it): receipt
# (a counter intake's too: its receive follows the intake),
# the end of a supplement's or a payment's pause, an apology. A test runs every transition
# and checks the row of the current appointment exists (test_early_warning).
APPOINTMENT_ACTIONS = frozenset({"receive", "supplement", "confirm_payment", "apologize"})


def track_early_warning(event: DossierEvent, dossier: Dossier) -> None:
    """A dossiers in-transaction hook: keep one EarlyWarning row for the dossier's current
    appointment (a new appointment — apology, or a pause that moved it — gets its own row;
    the rows of an earlier appointment stay, so each is warned about once). One INSERT …
    ON CONFLICT DO NOTHING, only on the actions that move the appointment."""
    if event.action not in APPOINTMENT_ACTIONS or dossier.paused_at is not None:
        return
    warn_at = rules.early_warning_at(dossier)
    due = deadlines.judged_due(dossier)
    if warn_at is None or due is None:
        return
    EarlyWarning.objects.bulk_create(
        [EarlyWarning(dossier=dossier, due_at=due, warn_at=warn_at)], ignore_conflicts=True
    )


def _officers(dossier: Dossier) -> list[tuple[int, str]]:
    """(user id, e-mail) of the officers to warn: those holding the current step's role at
    its agency, and the agency's leaders; the settling agency's leaders without a step."""
    from motcua.dossiers.models import Handover
    from motcua.org.enums import Role
    from motcua.org.models import StaffRole
    from motcua.org.selectors import staff_roles_in_force

    handover = (
        Handover.objects.filter(dossier=dossier, finished_at__isnull=True)
        .select_related("step")
        .first()
    )
    if handover is not None:
        agency_id, roles = handover.agency_id, {handover.step.role, Role.LEADER.value}
    else:
        agency_id, roles = dossier.settling_agency_id, {Role.LEADER.value}
    rows = (
        StaffRole.objects.filter(staff_roles_in_force(), agency_id=agency_id, role__in=roles)
        .exclude(user__email="")
        .values_list("user_id", "user__email")
        .distinct()
        .order_by("user_id")
    )
    return [(uid, mail) for uid, mail in rows]


def early_warnings_send(*, now: dt.datetime | None = None, limit: int = 500) -> int:
    """Warn officers about the dossiers whose early-warning moment has come (the beat task):
    once per dossier and appointment; a dossier ended, paused, re-appointed or already
    overdue by then is not warned (the overdue list shows it). Returns the warnings given."""
    from motcua.dossiers.models import Dossier

    now = now or timezone.now()
    given = 0
    pending = list(
        EarlyWarning.objects.filter(warned_at__isnull=True, warn_at__lte=now)
        .order_by("warn_at")
        .values_list("pk", flat=True)[:limit]
    )
    for pk in pending:
        with transaction.atomic():
            row = (
                EarlyWarning.objects.select_for_update(skip_locked=True)
                .filter(pk=pk, warned_at__isnull=True)
                .first()
            )
            if row is None:
                continue
            row.warned_at = now
            row.save(update_fields=["warned_at"])
            dossier = Dossier.objects.select_related("procedure", "settling_agency").get(
                pk=row.dossier_id
            )
            verdict = deadlines.verdict(dossier, now)
            if verdict not in (deadlines.IN_TIME, deadlines.SOON):
                continue
            if deadlines.judged_due(dossier) != row.due_at:
                continue
            messages_queue(
                event=Event.EARLY_WARNING,
                language=Language.VI.value,
                recipients=[
                    Recipient(Channel.EMAIL, address, f"early-warning:{row.pk}:{uid}", uid)
                    for uid, address in _officers(dossier)
                ],
                context=context_for(dossier, Language.VI.value),
                dossier=dossier,
            )
            given += 1
    return given
