"""Writes on feedback (PAKN). Each is one function: keyword-only arguments with the acting
user, one transaction, the row locked, the status checked against rules.TRANSITIONS, the
actor checked against rules.may_act, the change, and a FeedbackEvent appended."""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Any

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.utils import timezone

from motcua.catalog.models import Procedure
from motcua.core.errors import (
    DomainError,
    IllegalTransition,
    NotFound,
    PermissionDenied,
    ValidationFailed,
)
from motcua.core.text import fold, nfc
from motcua.core.types import Actor, actor_user
from motcua.dossiers.models import Dossier
from motcua.org.models import Agency, Applicant
from motcua.org.selectors import applicant_id, staff_role_map

from . import limiter, rules
from .enums import Action, Channel, Kind, Satisfaction, Status, Subject, Topic
from .models import Feedback, FeedbackEvent

CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud, typed by hand
MAX_CONTENT = 5000


def new_code() -> str:
    """A tracking code: PA- and ten random characters (32¹⁰ ≈ 10¹⁵: it cannot be guessed,
    and it is all a submitter without an account needs to follow the feedback)."""
    return "PA-" + "".join(secrets.choice(CODE_ALPHABET) for _ in range(10))


def _text(value: str | None, field: str, vi: str, en: str, *, required: bool, limit: int) -> str:
    text = (value or "").replace("\r\n", "\n")
    text = "\n".join(nfc(line) or "" for line in text.split("\n")).strip()
    if required and not text:
        raise ValidationFailed(
            f"{field}_required", f"Cần nhập {vi}.", f"The {en} is required.", field=field
        )
    if len(text) > limit:
        raise ValidationFailed(
            f"{field}_too_long",
            f"{vi.capitalize()} dài quá {limit} ký tự.",
            f"The {en} is longer than {limit} characters.",
            field=field,
        )
    return text


def _event(f: Feedback, action: str, actor: Actor, at: dt.datetime, before: str, **data: Any):
    FeedbackEvent.objects.create(
        feedback=f,
        action=action,
        at=at,
        actor=actor_user(actor),
        from_status=before,
        to_status=f.status,
        data=data,
    )


def _locked(feedback_id: int) -> Feedback:
    f = Feedback.objects.select_for_update().filter(pk=feedback_id).first()
    if f is None:
        raise NotFound("phản ánh, kiến nghị", "Feedback", field="feedback_id")
    return f


def _check(f: Feedback, action: str, actor: Actor, *, staff: bool = True) -> None:
    """The status first (who may act can depend on a handling agency not yet assigned),
    then the officer's right."""
    if not rules.allowed_from(action, f.status):
        raise IllegalTransition(
            "illegal_transition",
            f"Không thể '{Action(action).label}' khi phản ánh đang ở trạng thái "
            f"'{Status(f.status).label}'.",
            f"Cannot {action.replace('_', ' ')} feedback whose status is '{f.status}'.",
            field="status",
        )
    if staff and not rules.may_act(actor, f, action):
        raise PermissionDenied(
            f"Bạn không có quyền '{Action(action).label}' phản ánh này.",
            f"You may not {action.replace('_', ' ')} this feedback.",
        )


# ---------------------------------------------------------------------------- submission


def feedback_submit(
    *,
    actor: Actor,
    subject: str,
    content: str,
    submitter_name: str,
    submitter_phone: str = "",
    submitter_email: str = "",
    submitter_address: str = "",
    consent_publish: bool = False,
    dossier_code: str = "",
    procedure_code: str = "",
    agency_code: str = "",
    about_officer: str = "",
    follows_code: str = "",
    channel: str = Channel.PORTAL,
    client: str | None = None,
    at: dt.datetime | None = None,
) -> Feedback:
    """Anyone sends feedback (no account needed; a signed-in citizen's is tied to their
    account). About a dossier (by its code; it goes to the dossier's settling agency), a
    procedure or an agency/officer (the agency chosen). A phone or an e-mail is needed to
    tell the submitter of the answer (Decision 31/2021, ch. VI). `follows_code` is the
    tracking code of an earlier feedback this one complains again about (indicator 5.3).
    The due moments are fixed on the work calendar (rules.due_moments). With `client`
    (the caller's address) submissions are counted: past MOTCUA_FEEDBACK_MAX_SUBMISSIONS
    within MOTCUA_FEEDBACK_WINDOW_SECONDS that client is refused (429)."""
    at = at or timezone.now()
    if client is not None:
        limiter.check("submit", client)
    if subject not in Subject.values:
        raise ValidationFailed(
            "invalid_subject",
            "Chọn phản ánh về hồ sơ, thủ tục hay cơ quan, cán bộ.",
            "Choose whether the feedback is about a dossier, a procedure or an agency.",
            field="subject",
        )
    content = _text(content, "content", "nội dung", "content", required=True, limit=MAX_CONTENT)
    name = _text(submitter_name, "submitter_name", "họ tên", "name", required=True, limit=255)
    phone = _text(
        submitter_phone, "submitter_phone", "điện thoại", "phone", required=False, limit=20
    )
    email = _text(
        submitter_email, "submitter_email", "thư điện tử", "e-mail", required=False, limit=254
    )
    address = _text(
        submitter_address, "submitter_address", "địa chỉ", "address", required=False, limit=255
    )
    officer = _text(
        about_officer, "about_officer", "tên cán bộ", "officer's name", required=False, limit=255
    )
    if not phone and not email:
        raise ValidationFailed(
            "contact_required",
            "Cần nhập số điện thoại hoặc thư điện tử để nhận thông báo trả lời.",
            "A phone number or an e-mail address is needed to tell you of the answer.",
            field="submitter_phone",
        )
    if phone and not phone.replace(" ", "").lstrip("+").isdigit():
        raise ValidationFailed(
            "invalid_phone",
            "Số điện thoại chỉ gồm chữ số.",
            "A phone number has digits only.",
            field="submitter_phone",
        )
    if email and ("@" not in email or "." not in email.rsplit("@", 1)[-1]):
        raise ValidationFailed(
            "invalid_email",
            "Địa chỉ thư điện tử không hợp lệ.",
            "The e-mail address is not valid.",
            field="submitter_email",
        )
    dossier: Dossier | None = None
    procedure: Procedure | None = None
    agency: Agency | None = None
    if subject == Subject.DOSSIER:
        code = (dossier_code or "").strip()
        dossier = (
            Dossier.objects.select_related("settling_agency", "procedure").filter(code=code).first()
            if code
            else None
        )
        if dossier is None:
            raise ValidationFailed(
                "dossier_not_found",
                f"Không tìm thấy hồ sơ có mã '{code}'.",
                f"No dossier has the code '{code}'.",
                field="dossier_code",
            )
        procedure = dossier.procedure
        agency = dossier.settling_agency
    else:
        if subject == Subject.PROCEDURE:
            pcode = (procedure_code or "").strip()
            procedure = Procedure.objects.filter(code=pcode).first() if pcode else None
            if procedure is None:
                raise ValidationFailed(
                    "procedure_not_found",
                    f"Không tìm thấy thủ tục có mã '{pcode}'.",
                    f"No procedure has the code '{pcode}'.",
                    field="procedure_code",
                )
        acode = (agency_code or "").strip()
        agency = Agency.objects.filter(code=acode).first() if acode else None
        if agency is None:
            raise ValidationFailed(
                "agency_not_found",
                "Chọn cơ quan nhận phản ánh.",
                "Choose the agency the feedback is for.",
                field="agency_code",
            )
    follows: Feedback | None = None
    if follows_code:
        follows = Feedback.objects.filter(code=follows_code.strip().upper()).first()
        if follows is None:
            raise ValidationFailed(
                "follows_not_found",
                f"Không tìm thấy phản ánh có mã theo dõi '{follows_code}'.",
                f"No feedback has the tracking code '{follows_code}'.",
                field="follows_code",
            )
    owner = applicant_id(actor)
    if owner is not None and follows is not None and follows.owner_id not in (None, owner):
        follows = None  # someone else's code: a new feedback, not a re-complaint of theirs
    for _attempt in range(5):
        try:
            with transaction.atomic():
                f = Feedback.objects.create(
                    code=new_code(),
                    channel=channel,
                    subject=subject,
                    dossier=dossier,
                    procedure=procedure,
                    about_officer=officer,
                    intake_agency=agency,
                    content=content,
                    submitter_name=name,
                    submitter_phone=phone,
                    submitter_email=email.lower(),
                    submitter_address=address,
                    owner_id=owner,
                    consent_publish=bool(consent_publish),
                    follows=follows,
                    received_at=at,
                    **rules.due_moments(at, agency.pk if agency else None),
                )
                _event(f, Action.SUBMIT, actor, at, "", channel=channel, subject=subject)
            if client is not None:
                limiter.count("submit", client)
            return f
        except IntegrityError:  # a tracking code drawn twice: draw again
            continue
    raise DomainError("code_exhausted", "Không tạo được mã theo dõi.", "No tracking code left.")


# ---------------------------------------------------------------------------- intake


def feedback_accept(*, feedback_id: int, actor: Actor, at: dt.datetime | None = None) -> Feedback:
    """The intake agency accepts it as a PAKN (Decree 20/2008, Art. 7)."""
    at = at or timezone.now()
    with transaction.atomic():
        f = _locked(feedback_id)
        _check(f, Action.ACCEPT, actor)
        before = f.status
        f.status, f.accepted_at = Status.ACCEPTED, at
        f.save(update_fields=["status", "accepted_at"])
        _event(f, Action.ACCEPT, actor, at, before)
    return f


def feedback_reject(
    *, feedback_id: int, actor: Actor, reason: str, at: dt.datetime | None = None
) -> Feedback:
    """Not a PAKN (a complaint or denunciation, which have their own laws; Decree 20/2008,
    Art. 7(4)): refused with the reason the submitter reads, within rules.limits().reject."""
    at = at or timezone.now()
    reason = _text(reason, "reason", "lý do", "reason", required=True, limit=2000)
    with transaction.atomic():
        f = _locked(feedback_id)
        _check(f, Action.REJECT, actor)
        before = f.status
        f.status, f.rejected_at, f.reject_reason = Status.REJECTED, at, reason
        f.save(update_fields=["status", "rejected_at", "reject_reason"])
        _event(f, Action.REJECT, actor, at, before, reason=reason)
    return f


def feedback_classify(
    *, feedback_id: int, actor: Actor, kind: str, topic: str, at: dt.datetime | None = None
) -> Feedback:
    """Phản ánh or kiến nghị, and about the regulation/procedure or an officer's conduct
    (the classification indicator 5.1 counts). May be corrected until assignment."""
    at = at or timezone.now()
    if kind not in Kind.values:
        raise ValidationFailed(
            "invalid_kind", "Chọn phản ánh hay kiến nghị.", "Choose the kind.", field="kind"
        )
    if topic not in Topic.values:
        raise ValidationFailed(
            "invalid_topic", "Chọn nội dung phản ánh thuộc.", "Choose the topic.", field="topic"
        )
    with transaction.atomic():
        f = _locked(feedback_id)
        _check(f, Action.CLASSIFY, actor)
        before = f.status
        old = {"kind": f.kind, "topic": f.topic}
        f.status, f.kind, f.topic, f.classified_at = Status.CLASSIFIED, kind, topic, at
        f.save(update_fields=["status", "kind", "topic", "classified_at"])
        _event(f, Action.CLASSIFY, actor, at, before, previous=old, kind=kind, topic=topic)
    return f


def feedback_assign(
    *,
    feedback_id: int,
    actor: Actor,
    agency_id: int,
    officer_id: int | None = None,
    at: dt.datetime | None = None,
) -> Feedback:
    """Hand it to the competent agency (forwarding outside the receiver's competence, within
    5 working days per the electronic process) and, optionally, to one of its officers.
    The handling agency may forward it again."""
    at = at or timezone.now()
    agency = Agency.objects.filter(pk=agency_id).first()
    if agency is None:
        raise ValidationFailed(
            "agency_not_found", "Chọn cơ quan xử lý.", "Choose the handling agency.", field="agency"
        )
    if officer_id is not None:
        officer = get_user_model().objects.filter(pk=officer_id).first()
        if officer is None or agency.pk not in staff_role_map(officer):
            raise ValidationFailed(
                "officer_not_in_agency",
                f"Cán bộ được chọn không thuộc {agency.name}.",
                f"The officer chosen is not on the staff of {agency.name}.",
                field="officer",
            )
    with transaction.atomic():
        f = _locked(feedback_id)
        _check(f, Action.ASSIGN, actor)
        before = f.status
        old = {"agency": f.agency_id, "officer": f.officer_id}
        f.status, f.agency_id, f.officer_id, f.assigned_at = (
            Status.ASSIGNED,
            agency.pk,
            officer_id,
            at,
        )
        f.save(update_fields=["status", "agency", "officer", "assigned_at"])
        _event(
            f, Action.ASSIGN, actor, at, before, previous=old, agency=agency.pk, officer=officer_id
        )
    return f


# ---------------------------------------------------------------------------- handling


def feedback_request_info(
    *, feedback_id: int, actor: Actor, request: str, at: dt.datetime | None = None
) -> Feedback:
    """Ask the submitter for more information (the first request is due within
    rules.limits().info working days; later ones are not timed)."""
    at = at or timezone.now()
    text = _text(request, "request", "nội dung đề nghị", "request", required=True, limit=2000)
    with transaction.atomic():
        f = _locked(feedback_id)
        _check(f, Action.REQUEST_INFO, actor)
        before = f.status
        f.status, f.info_request = Status.AWAITING_INFO, text
        if f.info_requested_at is None:
            f.info_requested_at = at
        f.save(update_fields=["status", "info_request", "info_requested_at"])
        _event(f, Action.REQUEST_INFO, actor, at, before, request=text)
    return f


def _submitter_or_403(f: Feedback, actor: Actor, code: str) -> None:
    """The submitter proves it by the tracking code (or is the account that sent it)."""
    owner = applicant_id(actor)
    if code.strip().upper() == f.code or (owner is not None and owner == f.owner_id):
        return
    raise PermissionDenied(
        "Chỉ người gửi phản ánh mới làm được việc này.",
        "Only the person who sent the feedback can do this.",
    )


def feedback_provide_info(
    *, code: str, actor: Actor, response: str, at: dt.datetime | None = None
) -> Feedback:
    """The submitter answers the request for information; handling resumes."""
    at = at or timezone.now()
    text = _text(response, "response", "thông tin bổ sung", "response", required=True, limit=5000)
    with transaction.atomic():
        f = Feedback.objects.select_for_update().filter(code=code.strip().upper()).first()
        if f is None:
            raise NotFound("phản ánh với mã theo dõi này", "Feedback with this code", field="code")
        _submitter_or_403(f, actor, code)
        _check(f, Action.PROVIDE_INFO, actor, staff=False)
        before = f.status
        sep = "\n\n" if f.info_response else ""
        f.status, f.info_provided_at = Status.ASSIGNED, at
        f.info_response = f.info_response + sep + text
        f.save(update_fields=["status", "info_provided_at", "info_response"])
        _event(f, Action.PROVIDE_INFO, actor, at, before, response=text)
    return f


def feedback_answer(
    *, feedback_id: int, actor: Actor, answer: str, at: dt.datetime | None = None
) -> Feedback:
    """The handling agency's answer, which the submitter reads with the tracking code.
    With the submitter's consent it is then due for publication within
    rules.limits().publish working days."""
    at = at or timezone.now()
    text = _text(answer, "answer", "nội dung trả lời", "answer", required=True, limit=10000)
    with transaction.atomic():
        f = _locked(feedback_id)
        _check(f, Action.ANSWER, actor)
        before = f.status
        f.status, f.answer, f.answered_at, f.answered_by = (
            Status.ANSWERED,
            text,
            at,
            actor_user(actor),
        )
        f.publish_due_at = rules.publish_due(at, f.agency_id) if f.consent_publish else None
        f.save(update_fields=["status", "answer", "answered_at", "answered_by", "publish_due_at"])
        _event(f, Action.ANSWER, actor, at, before)
    return f


def feedback_publish(
    *,
    feedback_id: int,
    actor: Actor,
    public_content: str = "",
    public_answer: str = "",
    at: dt.datetime | None = None,
) -> Feedback:
    """Publish the answer on the public page (Decree 20/2008, Art. 19) — only when the
    submitter consented (also a database constraint). What is shown is the officer's
    wording or the original, with personal data hidden (rules.redact): never the name,
    contact, address or dossier code of the submitter."""
    at = at or timezone.now()
    with transaction.atomic():
        f = _locked(feedback_id)
        _check(f, Action.PUBLISH, actor)
        if not f.consent_publish:
            raise DomainError(
                "no_consent",
                "Người gửi không đồng ý công khai: không thể công khai phản ánh này.",
                "The submitter did not consent to publication: this feedback cannot be published.",
                field="consent_publish",
                status=409,
            )
        names = [f.submitter_name, *f.submitter_name.split()[-1:]]
        shown_content = _text(
            public_content or f.content,
            "public_content",
            "nội dung công khai",
            "public content",
            required=True,
            limit=MAX_CONTENT,
        )
        shown_answer = _text(
            public_answer or f.answer,
            "public_answer",
            "trả lời công khai",
            "public answer",
            required=True,
            limit=10000,
        )
        before = f.status
        f.public_content = rules.redact(shown_content, names)
        f.public_answer = rules.redact(shown_answer, names)
        f.search_key = fold(f"{f.public_content} {f.public_answer}")
        f.status, f.published_at = Status.PUBLISHED, at
        f.save(
            update_fields=[
                "status",
                "published_at",
                "public_content",
                "public_answer",
                "search_key",
            ]
        )
        _event(f, Action.PUBLISH, actor, at, before)
    return f


def feedback_rate(
    *, code: str, actor: Actor, satisfaction: str, at: dt.datetime | None = None
) -> Feedback:
    """The submitter says whether the answer satisfied them, once (indicator 5.3 counts the
    unsatisfied)."""
    at = at or timezone.now()
    if satisfaction not in Satisfaction.values:
        raise ValidationFailed(
            "invalid_satisfaction",
            "Chọn hài lòng hoặc không hài lòng.",
            "Choose satisfied or unsatisfied.",
            field="satisfaction",
        )
    with transaction.atomic():
        f = Feedback.objects.select_for_update().filter(code=code.strip().upper()).first()
        if f is None:
            raise NotFound("phản ánh với mã theo dõi này", "Feedback with this code", field="code")
        _submitter_or_403(f, actor, code)
        _check(f, Action.RATE, actor, staff=False)
        if f.rated_at is not None:
            raise IllegalTransition(
                "already_rated",
                "Bạn đã đánh giá câu trả lời này.",
                "You have already rated this answer.",
                field="satisfaction",
            )
        f.satisfaction, f.rated_at = satisfaction, at
        f.save(update_fields=["satisfaction", "rated_at"])
        _event(f, Action.RATE, actor, at, f.status, satisfaction=satisfaction)
    return f


def prefill(actor: Actor) -> dict[str, str]:
    """A signed-in citizen's name and contact, for the form."""
    owner = applicant_id(actor)
    a = Applicant.objects.filter(pk=owner).first() if owner else None
    if a is None:
        return {}
    return {
        "submitter_name": a.full_name,
        "submitter_phone": a.phone,
        "submitter_email": a.email,
        "submitter_address": a.address,
    }
