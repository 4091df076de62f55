"""Writes of fee items and fee policies (the admin's), each checked and audited
(motcua.core.audit). A dossier's assessment, kept at submission, is never touched by them.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction

from motcua.core.audit import AuditAction, record, snapshot
from motcua.core.errors import ValidationFailed
from motcua.core.text import nfc
from motcua.core.types import Actor

from .enums import PolicyEffect, PolicyScope, ProofKind
from .fees import fee_item_problems
from .models import FeeItem, FeePolicy

# What an administrator may change on a fee item in place: how it is computed and its legal
# basis. Its name and note are the record's wording (a changed record is a new version).
FEE_ITEM_CHANGEABLE = (
    "kind",
    "computation",
    "amount_vnd",
    "unit",
    "answer_key",
    "multiplier_key",
    "bands",
    "minimum_vnd",
    "maximum_vnd",
    "channels",
    "legal_basis_number",
    "legal_basis_text",
)
FEE_POLICY_FIELDS = (
    "code",
    "name",
    "legal_basis_number",
    "legal_basis_text",
    "confidence",
    "source_url",
    "valid_from",
    "valid_to",
    "active",
    "scope",
    "procedure_codes",
    "fee_kind",
    "effect",
    "percent",
    "rounding",
    "subject",
    "proof_kind",
    "proof_key",
    "note",
)


def _refuse(problems: list[tuple[str, str, str]]) -> None:
    field, vi, en = problems[0]
    raise ValidationFailed(
        "invalid_fee_item" if field in FEE_ITEM_CHANGEABLE else "invalid_input",
        vi,
        en,
        field=field,
        data={"errors": [{"field": f, "message": v, "message_en": e} for f, v, e in problems]},
    )


def fee_item_change(
    *, item: FeeItem, actor: Actor = None, reason: str = "", **changes: Any
) -> FeeItem:
    """Change how a fee item is computed or its legal basis (`FEE_ITEM_CHANGEABLE`); the
    whole item is checked as the import checks it (catalog.fees.fee_item_problems). Only
    the fields that change go to the audit trail. Dossiers already submitted keep their
    assessment."""
    unknown = set(changes) - set(FEE_ITEM_CHANGEABLE)
    if unknown:
        field = sorted(unknown)[0]
        raise ValidationFailed(
            "field_not_changeable",
            f"Không sửa trực tiếp trường '{field}' của khoản phí (nguyên văn bản ghi).",
            f"The fee item's field '{field}' is the record's wording: not changed here.",
            field=field,
        )
    with transaction.atomic():
        item = FeeItem.objects.select_for_update().get(pk=item.pk)
        names = sorted(changes)
        before = snapshot(item, names)
        for field, value in changes.items():
            setattr(item, field, nfc(value) or "" if isinstance(value, str) else value)
        problems = fee_item_problems({k: getattr(item, k) for k in FEE_ITEM_CHANGEABLE})
        if problems:
            _refuse(problems)
        item.save(update_fields=names or None)
        record(
            actor=actor,
            action=AuditAction.CHANGED,
            operation="fee_item_change",
            obj=item,
            before=before,
            after=snapshot(item, names),
            reason=nfc(reason) or "",
        )
    return item


def _policy_problems(p: FeePolicy) -> list[tuple[str, str, str]]:
    out = []
    if not p.code or not p.name or not p.legal_basis_text:
        for field in ("code", "name", "legal_basis_text"):
            if not getattr(p, field):
                out.append((field, "Trường này là bắt buộc.", "This field is required."))
    if not isinstance(p.percent, int) or not 1 <= p.percent <= 100:
        out.append(("percent", "Tỷ lệ giảm từ 1 đến 100 (%).", "percent must be 1..100."))
    if p.valid_to is not None and p.valid_from is not None and p.valid_to < p.valid_from:
        out.append(
            ("valid_to", "Ngày hết hiệu lực trước ngày có hiệu lực.", "valid_to before valid_from.")
        )
    codes = p.procedure_codes
    if not isinstance(codes, list) or not all(isinstance(c, str) and c for c in codes):
        out.append(
            ("procedure_codes", "Danh sách mã thủ tục không hợp lệ.", "Bad procedure codes.")
        )
    elif p.scope == PolicyScope.PROCEDURES and not codes:
        out.append(
            ("procedure_codes", "Cần ít nhất một mã thủ tục.", "At least one procedure code.")
        )
    if p.scope == PolicyScope.FEE_KIND and not p.fee_kind:
        out.append(("fee_kind", "Chọn loại khoản thu.", "Choose the fee kind."))
    if p.effect == PolicyEffect.SUBJECT and (
        p.proof_kind not in ProofKind.values or not p.proof_key
    ):
        out.append(
            (
                "proof_key",
                "Miễn, giảm theo đối tượng phải nêu cách chứng minh (giấy tờ hoặc thuộc tính).",
                "A subject's exemption names its proof (component or attribute).",
            )
        )
    return out


def fee_policy_save(*, policy: FeePolicy, actor: Actor = None, reason: str = "") -> FeePolicy:
    """Create or change a fee policy, checked (`_policy_problems`, then the database's
    constraints) and audited (before → after). Dossiers already submitted keep their
    assessment: a policy change applies to submissions from then on."""
    for field in ("name", "legal_basis_text", "subject", "note", "proof_key"):
        setattr(policy, field, nfc(getattr(policy, field)) or "")
    problems = _policy_problems(policy)
    if problems:
        _refuse(problems)
    with transaction.atomic():
        before = None
        if policy.pk is not None:
            old = FeePolicy.objects.select_for_update().get(pk=policy.pk)
            before = snapshot(old, FEE_POLICY_FIELDS)
        policy.save()
        record(
            actor=actor,
            action=AuditAction.CHANGED if before is not None else AuditAction.CREATED,
            operation="fee_policy_save",
            obj=policy,
            before=before,
            after=snapshot(policy, FEE_POLICY_FIELDS),
            reason=nfc(reason) or "",
        )
    return policy
