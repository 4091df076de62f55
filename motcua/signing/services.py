"""Signing a result, checking a result file, recording what was issued.

- `result_sign`: the competent person (a leader of the settling agency) signs the result in
  the system; the signed file is attached through the dossier's one attach service.
- `check_result` (registered with dossiers.hooks.result_check): every result file attached,
  by any path, is judged here; its facts decide the electronic result (indicator 4.1).
- `record_issued_result` (an in-transaction dossier listener): a validly signed result gets
  its row, its result code, and replaces the dossier's previous one.
- `issued_result_revoke`: a leader revokes an issued result (the verify page says so).
"""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from motcua.core import audit
from motcua.core.errors import IllegalTransition, NotFound, PermissionDenied, ValidationFailed
from motcua.core.types import Actor, actor_user
from motcua.dossiers import services as dossier_services
from motcua.dossiers.access import staff_roles
from motcua.dossiers.attachments import check_file
from motcua.dossiers.enums import TRANSITIONS, Action
from motcua.dossiers.models import Dossier, DossierEvent

from . import keys, pades
from .models import IssuedResult

SIGNER_ROLE = "leader"
# No 0/O, 1/I/L: a code read aloud or typed from paper.
_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"

PROBLEMS = {
    "unreadable": ("tệp không đọc được như một PDF", "the file cannot be read as a PDF"),
    "unsigned": ("tệp không có chữ ký số", "the file carries no digital signature"),
    "altered": (
        "nội dung đã bị thay đổi sau khi ký",
        "the content was changed after it was signed",
    ),
    "modified_after_signing": (
        "tệp đã bị sửa thêm sau khi ký",
        "the file was modified after it was signed",
    ),
    "revoked": ("chứng thư số của người ký đã bị thu hồi", "the signer's certificate is revoked"),
    "untrusted": (
        "chứng thư số không thuộc tổ chức chứng thực được tin cậy hoặc đã hết hạn khi ký",
        "the certificate does not chain to a trusted root or was not valid at signing time",
    ),
    "bad_timestamp": ("dấu thời gian không hợp lệ", "the timestamp is not valid"),
}


def problem_text(problem: str) -> tuple[str, str]:
    return PROBLEMS.get(problem.split(":")[0], ("chữ ký số bị hỏng", "the signature is malformed"))


def new_code() -> str:
    """A result code (mã kết quả): KQ- and 10 random characters, so a code cannot be
    guessed from another (the verification page is public)."""
    return "KQ-" + "".join(secrets.choice(_ALPHABET) for _ in range(10))


def verify_url(code: str) -> str:
    return f"{settings.MOTCUA_PUBLIC_URL.rstrip('/')}/xac-thuc/{code}/"


def signature_required(dossier: Dossier) -> bool:
    """A signed result is required province-wide (MOTCUA_SIGNED_RESULT_REQUIRED) or where
    the procedure gives no paper result: then the electronic result is the only result."""
    if settings.MOTCUA_SIGNED_RESULT_REQUIRED:
        return True
    return not dossier.procedure_version.paper_result_required


def check_result(content: bytes, *, dossier_id: int, code: str | None) -> dict[str, Any]:
    """Judge a result file: a broken or untrusted signature is always refused; an unsigned
    file is refused where a signed result is required, else kept as a plain attachment
    (not an electronic result). Returns the facts the attach event records."""
    verdict = pades.verify_pdf(content)
    if verdict.signed and not verdict.valid:
        vi, en = problem_text(verdict.problem)
        raise ValidationFailed(
            "result_signature_invalid",
            f"Chữ ký số trên tệp kết quả không hợp lệ: {vi}.",
            f"The result file's signature is not valid: {en}.",
            field="file",
            data={"problem": verdict.problem},
        )
    if not verdict.signed:
        dossier = Dossier.objects.select_related("procedure_version").filter(pk=dossier_id).first()
        if dossier is None:  # the transition's lock would say the same, after this check
            raise NotFound("hồ sơ", "Dossier", field="dossier_id")
        if signature_required(dossier):
            raise ValidationFailed(
                "result_not_signed",
                "Thủ tục này yêu cầu kết quả là tệp PDF đã ký số hợp lệ; tệp gửi lên chưa được ký số.",
                "This procedure requires a validly signed PDF result; the file is not signed.",
                field="file",
            )
        return verdict.facts()
    facts = verdict.facts()
    facts["code"] = code or new_code()
    facts["in_system"] = code is not None
    return facts


def record_issued_result(event: DossierEvent, dossier: Dossier) -> None:
    """In the attach transaction: a validly signed result becomes an IssuedResult with its
    code; the dossier's previous current result is marked replaced by it."""
    if event.action != Action.ATTACH_RESULT:
        return
    data = event.data or {}
    facts = data.get("signature") or {}
    if not facts.get("valid"):
        return
    issued = IssuedResult.objects.create(
        code=facts["code"],
        dossier_id=dossier.pk,
        attachment_id=data["attachment"],
        sha256=data["sha256"],
        signer_name=facts.get("signer", "")[:255],
        signer_organization=facts.get("organization", "")[:255],
        signed_at=dt.datetime.fromisoformat(facts["signed_at"]) if facts.get("signed_at") else None,
        timestamped=bool(facts.get("timestamped")),
        signed_in_system=bool(facts.get("in_system")),
        issued_at=event.at,
        issued_by_id=event.actor_id,
    )
    IssuedResult.objects.filter(
        dossier_id=dossier.pk, replaced_by__isnull=True, revoked_at__isnull=True
    ).exclude(pk=issued.pk).update(replaced_by=issued)


def _signer_name(actor: Actor) -> str:
    user = actor_user(actor)
    if user is None:
        return ""
    return user.get_full_name().strip() or user.get_username()


def result_sign(
    *,
    dossier_id: int,
    actor: Actor,
    file: Any,
    at: dt.datetime | None = None,
    expected_version: int | None = None,
) -> Dossier:
    """The competent person (a leader of the settling agency) signs the result PDF with
    their key (PAdES-B-LT, timestamped, a visible stamp and a QR to the verification page;
    Law on Electronic Transactions 2023: a digital signature equals a wet signature) and
    it is attached as the electronic result, in the attach service's one transaction."""
    dossier = Dossier.objects.select_related("settling_agency").filter(pk=dossier_id).first()
    if dossier is None:
        raise NotFound("hồ sơ", "Dossier")
    if SIGNER_ROLE not in staff_roles(actor).get(dossier.settling_agency_id, set()):
        raise PermissionDenied(
            "Chỉ lãnh đạo cơ quan giải quyết hồ sơ được ký số kết quả.",
            "Only a leader of the settling agency may sign the result.",
        )
    if dossier.status not in TRANSITIONS[Action.ATTACH_RESULT][0]:
        raise IllegalTransition(
            "illegal_transition",
            "Hồ sơ chưa ở bước có thể ký kết quả.",
            "The dossier is not at a step where its result can be signed.",
        )
    checked = check_file(file, field="file")
    if checked.content_type != "application/pdf":
        raise ValidationFailed(
            "result_not_pdf",
            "Kết quả để ký số phải là tệp PDF.",
            "The result to sign must be a PDF file.",
            field="file",
        )
    if pades.verify_pdf(checked.content).signed:
        raise ValidationFailed(
            "result_already_signed",
            "Tệp đã có chữ ký số; hãy dùng chức năng đính kèm kết quả đã ký.",
            "The file is already signed; attach it as a signed result instead.",
            field="file",
        )
    code = new_code()
    agency = dossier.settling_agency.name
    name = _signer_name(actor)
    signed = pades.sign_pdf(
        checked.content,
        keys.signer_for(name, agency),
        signer_name=name,
        agency=agency,
        code=code,
        url=verify_url(code),
    )
    return dossier_services.dossier_attach_signed_result(
        dossier_id=dossier_id,
        actor=actor,
        file=(f"ket-qua-{code}.pdf", signed),
        at=at,
        expected_version=expected_version,
        result_code=code,
    )


def issued_result_revoke(*, code: str, actor: Actor, reason: str) -> IssuedResult:
    """A leader of the dossier's settling agency revokes an issued result (the public page
    then says it is revoked). Revoking twice is refused."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed(
            "reason_required", "Cần nêu lý do thu hồi.", "A reason is required.", field="reason"
        )
    with transaction.atomic():
        issued = (
            IssuedResult.objects.select_for_update()
            .select_related("dossier")
            .filter(code=code)
            .first()
        )
        if issued is None:
            raise NotFound("kết quả", "Result")
        agency = issued.dossier.settling_agency_id
        if SIGNER_ROLE not in staff_roles(actor).get(agency, set()):
            raise PermissionDenied()
        if issued.revoked_at is not None:
            raise IllegalTransition(
                "already_revoked", "Kết quả đã bị thu hồi.", "The result is already revoked."
            )
        before = {"revoked_at": None, "revoked_reason": ""}
        issued.revoked_at = timezone.now()
        issued.revoked_reason = reason
        issued.save(update_fields=["revoked_at", "revoked_reason"])
        audit.record(
            actor=actor,
            action=audit.AuditAction.CHANGED,
            operation="issued_result_revoke",
            obj=issued,
            before=before,
            after={"revoked_at": issued.revoked_at, "revoked_reason": reason},
            reason=reason,
        )
    return issued
