"""Bank transfer by VietQR and the collecting account's statement.

A VietQR transfer gives no callback: the applicant's payment (channel vietqr_transfer) is
created pending when the QR is made (`vietqr_payment`), and becomes paid only from the
bank's statement (`statement_import`: verified_by=statement) or an officer's match of a
statement line (`statement_match`). Each write is one transaction: the dossier's lock,
then the payment's, then the line's; a StatementLine per bank transaction (unique per
account: the same file twice credits nothing twice); a PaymentEvent.

Matching (`_credit`, the one function for both): the lines credited to a payment add up;
exactly the amount → paid, the dossier settles (6 → 4) through
dossiers.services.dossier_settle_payment; less → partial, queued, not settled; more →
paid and settled (the obligation is met: the fee is a fixed sum and the excess is not
the province's), the excess queued for an officer's refund decision (reference §1.8:
"amount mismatch" is a reconciliation outcome for staff). No reference, an unknown one,
or money for a payment already paid or a dossier that no longer waits → unmatched queue.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import re
import secrets
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone

from motcua.core import audit
from motcua.core.errors import IllegalTransition, NotFound, PermissionDenied, ValidationFailed
from motcua.core.text import nfc
from motcua.core.types import Actor, actor_user
from motcua.dossiers.access import applicant_id, staff_roles
from motcua.dossiers.enums import PaymentChannel, Status
from motcua.dossiers.models import Dossier
from motcua.dossiers.services import dossier_settle_payment
from motcua.org.enums import Role
from motcua.org.models import Agency

from .. import statement, vietqr
from ..models import (
    QUEUED,
    CollectingAccount,
    EventKind,
    LineStatus,
    Payment,
    PaymentStatus,
    Provider,
    StatementLine,
    VerifiedBy,
)
from ._common import _event, _lock_dossier, amount_outstanding, current_obligation, log
from .receipts import issue_receipt

# A transfer reference: "MC" and 8 characters without look-alikes (0/O, 1/I): short enough
# to type by hand, unambiguous once the bank app has dropped the spaces around it.
REF_PREFIX = "MC"
REF_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
REF_PATTERN = re.compile(rf"(?=({REF_PREFIX}[{REF_ALPHABET}]{{8}}))")
MATCHER_ROLES = frozenset({Role.COUNTER, Role.LEADER})


class TransferNotConfigured(ValidationFailed):
    pass


def transfer_account(agency_id: int | None = None) -> vietqr.Beneficiary:
    """The account transfers to agency `agency_id` go to: its own active collecting account
    (CollectingAccount, edited in the admin) when it has one, else the settings' account
    (MOTCUA_VIETQR_*, read on each use). The one rule the payment page, the VietQR payload,
    the request for payment and the statement matching call (through `dossier_account`)."""
    if agency_id is not None:
        row = (
            CollectingAccount.objects.filter(agency_id=agency_id, active=True)
            .only("bin", "account", "name")
            .first()
        )
        if row is not None:
            return vietqr.Beneficiary(row.bin, row.account, row.name[:25])
    bin_ = str(getattr(settings, "MOTCUA_VIETQR_BIN", "") or "")
    account = str(getattr(settings, "MOTCUA_VIETQR_ACCOUNT", "") or "")
    if not (bin_ and account):
        raise TransferNotConfigured(
            "transfer_not_configured",
            "Chưa cấu hình tài khoản nhận chuyển khoản. Vui lòng nộp phí tại bộ phận một cửa.",
            "No account for bank transfers is configured. Please pay at the counter.",
            field="channel",
            status=503,
        )
    name = vietqr.fold(str(getattr(settings, "MOTCUA_VIETQR_ACCOUNT_NAME", "") or ""))
    return vietqr.Beneficiary(bin_, account, name[:25])


def dossier_account(dossier: Dossier) -> vietqr.Beneficiary:
    """The account the dossier's fees are paid into: its collecting (settling) agency's."""
    return transfer_account(dossier.settling_agency_id)


def _dossier_account_number(dossier_id: int) -> str | None:
    dossier = Dossier.objects.only("pk", "settling_agency_id").get(pk=dossier_id)
    try:
        return dossier_account(dossier).account
    except TransferNotConfigured:
        return None


def transfer_payload(payment: Payment) -> str:
    """The VietQR payload of a transfer payment (amount and reference), to the account of
    the payment's dossier's collecting agency."""
    dossier = Dossier.objects.only("pk", "settling_agency_id").get(pk=payment.dossier_id)
    return vietqr.payload(
        dossier_account(dossier), amount_vnd=payment.amount_vnd, reference=payment.reference
    )


def _new_reference() -> str:
    while True:
        ref = REF_PREFIX + "".join(secrets.choice(REF_ALPHABET) for _ in range(8))
        if not Payment.objects.filter(reference=ref).exists():
            return ref


def _transfer_for(dossier: Dossier, obligation: int, amount: int, by: Any, at: dt.datetime):
    """The pending transfer payment of this obligation and amount (locked), or a new one."""
    live = (
        Payment.objects.select_for_update()
        .filter(
            dossier_id=dossier.pk,
            obligation=obligation,
            channel=PaymentChannel.VIETQR_TRANSFER,
            status=PaymentStatus.PENDING,
            amount_vnd=amount,
        )
        .order_by("-created_at")
        .first()
    )
    if live is not None:
        return live, False
    payment = Payment(
        dossier_id=dossier.pk,
        obligation=obligation,
        channel=PaymentChannel.VIETQR_TRANSFER,
        provider=Provider.BANK,
        reference=_new_reference(),
        amount_vnd=amount,
        created_at=at,
        created_by=by,
    )
    payment.save(force_insert=True)
    return payment, True


def _waiting_obligation(dossier: Dossier) -> tuple[int, int]:
    if dossier.status != Status.FINANCIAL_OBLIGATION:
        raise IllegalTransition(
            "not_waiting_for_payment",
            "Hồ sơ không ở trạng thái chờ thực hiện nghĩa vụ tài chính.",
            "The dossier is not waiting for a payment.",
            field="status",
        )
    obligation = current_obligation(dossier.pk)
    amount = amount_outstanding(dossier, obligation) if obligation is not None else 0
    if obligation is None or amount <= 0:
        raise IllegalTransition(
            "nothing_to_pay",
            "Hồ sơ không còn khoản nào phải nộp.",
            "Nothing is left to pay on this dossier.",
            field="amount_vnd",
        )
    return obligation, amount


def vietqr_payment(*, dossier_id: int, actor: Actor, at: dt.datetime | None = None) -> Payment:
    """The applicant's transfer by VietQR: create (or re-use) the pending vietqr_transfer
    payment of the dossier's obligation, with its transfer reference. Only the dossier's
    applicant, only in status 6. Nothing is paid here: the statement says when it is."""
    now = at or timezone.now()
    with transaction.atomic():
        dossier = _lock_dossier(dossier_id)
        dossier_account(dossier)  # no account, no transfer (a clear error)
        owner = applicant_id(actor)
        if owner is None or owner != dossier.owner_id:
            raise PermissionDenied(
                "Chỉ người nộp hồ sơ được thanh toán cho hồ sơ này.",
                "Only the dossier's applicant may pay for it.",
            )
        obligation, amount = _waiting_obligation(dossier)
        payment, created = _transfer_for(dossier, obligation, amount, actor_user(actor), now)
        if created:
            _event(payment, EventKind.START, "created", verified=True)
    return payment


def pending_transfer(dossier: Dossier) -> Payment | None:
    """The dossier's pending transfer payment for what is due now, if the QR was made."""
    obligation = current_obligation(dossier.pk)
    if obligation is None:
        return None
    return (
        Payment.objects.filter(
            dossier_id=dossier.pk,
            obligation=obligation,
            channel=PaymentChannel.VIETQR_TRANSFER,
            status=PaymentStatus.PENDING,
        )
        .order_by("-created_at")
        .first()
    )


def transfer_for_request(*, dossier_id: int, obligation: int) -> tuple[Payment, str] | None:
    """The transfer the request for payment (the form, motcua.documents) prints as a
    VietQR: the first transfer payment of that obligation, whatever became of it (so the
    form renders the same bytes again), or — while the dossier still waits for that
    obligation — a new pending one, made here (one transaction, the dossier locked; no user:
    the agency's form asks for it). None when no collecting account is configured or the
    dossier no longer waits and no transfer was made."""
    try:
        account = dossier_account(
            Dossier.objects.only("pk", "settling_agency_id").get(pk=dossier_id)
        )
    except TransferNotConfigured:
        return None

    def first() -> Payment | None:
        return (
            Payment.objects.filter(
                dossier_id=dossier_id,
                obligation=obligation,
                channel=PaymentChannel.VIETQR_TRANSFER,
            )
            .order_by("created_at", "pk")
            .first()
        )

    payment = first()
    if payment is None:
        with transaction.atomic():
            dossier = _lock_dossier(dossier_id)
            payment = first()
            if payment is None:
                if (
                    dossier.status != Status.FINANCIAL_OBLIGATION
                    or current_obligation(dossier.pk) != obligation
                ):
                    return None
                amount = amount_outstanding(dossier, obligation)
                if amount <= 0:
                    return None
                payment, _created = _transfer_for(dossier, obligation, amount, None, timezone.now())
                _event(payment, EventKind.START, "created_for_form", verified=True)
    code = vietqr.payload(account, amount_vnd=payment.amount_vnd, reference=payment.reference)
    return payment, code


# ----------------------------------------------------------------------- the statement


def find_reference(text: str) -> list[str]:
    """The known transfer references in a transfer's text (folded as reference_for folds,
    since bank apps drop accents, spaces and punctuation)."""
    candidates = {m.group(1) for m in REF_PATTERN.finditer(vietqr.fold(text))}
    if not candidates:
        return []
    return sorted(
        Payment.objects.filter(
            reference__in=candidates, channel=PaymentChannel.VIETQR_TRANSFER
        ).values_list("reference", flat=True)
    )


def _credit(
    dossier: Dossier,
    payment: Payment,
    line: StatementLine,
    *,
    verified_by_officer: Actor = None,
    reason: str = "",
) -> None:
    """The one matching rule: credit `line` to `payment` (both locked, the dossier too)."""
    params: dict[str, Any] = {
        "bank_txn_id": line.bank_txn_id,
        "amount_vnd": line.amount_vnd,
        "text": line.text[:200],
        "line_id": line.pk,
    }
    if verified_by_officer is not None:
        params |= {"officer": audit.actor_label(verified_by_officer), "reason": reason}
    line.payment = payment
    before = payment.status
    if payment.status != PaymentStatus.PENDING:
        line.status = LineStatus.UNMATCHED
        line.note = "Thanh toán này đã được ghi nhận trước đó: chờ quyết định hoàn trả."
        line.save()
        _event(payment, EventKind.STATEMENT, "already_paid", verified=True, params=params)
        return
    earlier = list(
        StatementLine.objects.select_for_update()
        .filter(payment=payment, status=LineStatus.PARTIAL)
        .exclude(pk=line.pk)
    )
    total = sum(x.amount_vnd for x in earlier) + line.amount_vnd
    if total < payment.amount_vnd:
        line.status = LineStatus.PARTIAL
        line.note = f"Đã nhận {total:,} / {payment.amount_vnd:,} đồng.".replace(",", ".")
        line.save()
        _event(
            payment,
            EventKind.STATEMENT,
            "partial",
            verified=True,
            params=params,
            from_status=before,
        )
        return
    now = timezone.now()
    waits = (
        dossier.status == Status.FINANCIAL_OBLIGATION
        and current_obligation(dossier.pk) == payment.obligation
        and not Payment.objects.filter(
            dossier_id=dossier.pk, obligation=payment.obligation, status=PaymentStatus.PAID
        ).exists()
    )
    payment.status = PaymentStatus.PAID if waits else PaymentStatus.PAID_UNMATCHED
    payment.verified_by = VerifiedBy.STATEMENT
    payment.verified_params = {
        "lines": [x.bank_txn_id for x in earlier] + [line.bank_txn_id],
        "total_vnd": total,
        **({"officer": params["officer"], "reason": reason} if verified_by_officer else {}),
    }
    payment.provider_txn_no = line.bank_txn_id[:64]
    payment.provider_paid_at = line.booked_at
    payment.paid_at = now
    payment.save()
    issue_receipt(payment)  # money was taken: its receipt, numbered in this transaction
    for x in earlier:
        x.status = LineStatus.MATCHED
        x.save(update_fields=["status"])
    if not waits:
        line.status = LineStatus.UNMATCHED
        line.note = "Hồ sơ không còn chờ khoản nộp này: chờ quyết định hoàn trả."
        line.save()
        _event(
            payment,
            EventKind.STATEMENT,
            "paid_unmatched",
            verified=True,
            params=params,
            from_status=before,
        )
        log.warning(
            "transfer %s: paid but dossier %s no longer waits", payment.reference, dossier.pk
        )
        return
    excess = total - payment.amount_vnd
    line.excess_vnd = excess
    if excess:
        line.status = LineStatus.OVERPAID
        line.note = f"Chuyển thừa {excess:,} đồng: chờ quyết định hoàn trả.".replace(",", ".")
    else:
        line.status = LineStatus.MANUAL if verified_by_officer is not None else LineStatus.MATCHED
    line.save()
    dossier_settle_payment(
        dossier_id=dossier.pk,
        amount_vnd=total,
        channel=payment.channel,
        reference=payment.reference,
        payment_id=payment.pk,
        verified_by=VerifiedBy.STATEMENT,
        at=now,
    )
    _event(
        payment,
        EventKind.STATEMENT,
        "overpaid" if excess else "paid",
        verified=True,
        params=params,
        from_status=before,
    )


@dataclass
class Imported:
    lines: int = 0
    duplicates: int = 0
    by_status: dict[str, int] = field(default_factory=dict)


def _import_line(line: statement.Line, account: str, source: str, by: Any) -> str | None:
    """One line, one transaction. Returns its status, or None for a line seen before."""
    refs = find_reference(line.text)
    payment = (
        Payment.objects.filter(reference=refs[0]).only("pk", "dossier_id").first()
        if len(refs) == 1
        else None
    )
    elsewhere = payment is not None and _dossier_account_number(payment.dossier_id) != account
    if elsewhere:
        payment = None  # money for that dossier goes to its own agency's account
    row = StatementLine(
        account=account,
        bank_txn_id=line.txn_id,
        booked_at=line.booked_at,
        amount_vnd=line.amount_vnd,
        text=nfc(line.text) or "",
        balance_vnd=line.balance_vnd,
        source=source[:255],
        imported_by=by,
        reference=refs[0] if len(refs) == 1 else "",
        status=LineStatus.UNMATCHED,
    )
    try:
        with transaction.atomic():
            dossier = _lock_dossier(payment.dossier_id) if payment is not None else None
            locked = (
                Payment.objects.select_for_update().get(pk=payment.pk)
                if payment is not None
                else None
            )
            if StatementLine.objects.filter(account=account, bank_txn_id=line.txn_id).exists():
                return None
            if locked is None:
                row.note = (
                    "Mã tham chiếu thuộc hồ sơ thu vào tài khoản khác."
                    if elsewhere
                    else "Nội dung có nhiều mã tham chiếu."
                    if refs
                    else "Không tìm thấy mã tham chiếu."
                )
            row.save(force_insert=True)
            if dossier is not None and locked is not None:
                _credit(dossier, locked, row)
            else:
                _event(
                    None,
                    EventKind.STATEMENT,
                    "unmatched",
                    verified=True,
                    params={"bank_txn_id": line.txn_id, "amount_vnd": line.amount_vnd},
                    reference=",".join(refs)[:100],
                )
    except IntegrityError:
        return None  # the same line imported at the same moment by another process
    return row.status


def statement_import(
    data: bytes, *, name: str = "", actor: Actor = None, account: str | None = None
) -> Imported:
    """Import a statement file of collecting account `account` (the settings' account when
    not given): each credit becomes a StatementLine (a line already imported is skipped)
    and is matched at once — only to a payment of a dossier collected on that account."""
    account = account or transfer_account().account
    aliases = statement.columns_from_setting(
        str(getattr(settings, "MOTCUA_STATEMENT_COLUMNS", "") or "")
    )
    parsed = statement.parse(data, name, aliases)
    result = Imported()
    by = actor_user(actor)
    for line in parsed:
        status = _import_line(line, account, name, by)
        if status is None:
            result.duplicates += 1
            continue
        result.lines += 1
        result.by_status[status] = result.by_status.get(status, 0) + 1
    return result


# ---------------------------------------------------------------------- the officer


def collecting_agency() -> Agency | None:
    code = str(getattr(settings, "MOTCUA_VIETQR_AGENCY", "") or "")
    return Agency.objects.filter(code=code).first() if code else None


def matchable_accounts(actor: Actor) -> list[str]:
    """The collecting accounts whose statements `actor` imports and matches: those of the
    agencies where the actor is a counter officer or leader, and the settings' account for
    the officers of its agency (MOTCUA_VIETQR_AGENCY)."""
    agencies = {pk for pk, roles in staff_roles(actor).items() if roles & MATCHER_ROLES}
    if not agencies:
        return []
    accounts = set(
        CollectingAccount.objects.filter(agency_id__in=agencies, active=True).values_list(
            "account", flat=True
        )
    )
    fallback = collecting_agency()
    if fallback is not None and fallback.pk in agencies:
        with contextlib.suppress(TransferNotConfigured):
            accounts.add(transfer_account().account)
    return sorted(accounts)


def can_match(actor: Actor, account: str | None = None) -> bool:
    """A counter officer or leader of a collecting agency (of the one owning `account`)."""
    accounts = matchable_accounts(actor)
    return bool(accounts) if account is None else account in accounts


def statement_queue(accounts: list[str] | None = None) -> list[StatementLine]:
    qs = StatementLine.objects.filter(status__in=QUEUED)
    if accounts is not None:
        qs = qs.filter(account__in=accounts)
    return list(qs.select_related("payment__dossier").order_by("booked_at", "pk"))


def statement_match(*, line_id: int, dossier_code: str, actor: Actor, reason: str) -> StatementLine:
    """An officer of the collecting agency credits an unmatched or partial line to a
    dossier waiting for its payment (the applicant mistyped the reference, the bank app
    cut it): one transaction, a reason, an audit entry, a PaymentEvent; then the one rule
    (`_credit`) decides paid, partial or over-paid."""
    if not can_match(actor):
        raise PermissionDenied(
            "Chỉ cán bộ một cửa hoặc lãnh đạo của cơ quan thu phí được khớp sao kê.",
            "Only counter officers or leaders of the collecting agency may match statements.",
        )
    reason = (nfc(reason) or "").strip()
    if not reason:
        raise ValidationFailed(
            "reason_required",
            "Cần nhập lý do khớp thủ công.",
            "A reason for the manual match is required.",
            field="reason",
        )
    code = (dossier_code or "").strip()
    found = Dossier.objects.filter(code=code).values_list("pk", flat=True).first() if code else None
    if found is None:
        raise NotFound("hồ sơ", "Dossier", field="dossier_code")
    with transaction.atomic():
        dossier = _lock_dossier(found)
        line = StatementLine.objects.select_for_update().filter(pk=line_id).first()
        if line is None or not can_match(actor, line.account):
            raise NotFound("dòng sao kê", "Statement line", field="line_id")
        try:
            theirs: str | None = dossier_account(dossier).account
        except TransferNotConfigured:
            theirs = None
        if theirs != line.account:
            raise IllegalTransition(
                "other_collecting_account",
                "Hồ sơ này thu phí vào tài khoản khác: không khớp được với dòng sao kê này.",
                "This dossier's fees are paid into another account: it cannot be matched "
                "with this statement line.",
                field="dossier_code",
            )
        if line.status not in (LineStatus.UNMATCHED, LineStatus.PARTIAL):
            raise IllegalTransition(
                "line_not_open",
                "Dòng sao kê này đã được khớp.",
                "This statement line is already matched.",
                field="line_id",
            )
        if line.payment_id is not None and line.status == LineStatus.UNMATCHED:
            raise IllegalTransition(
                "line_to_refund",
                "Khoản này thuộc một thanh toán đã ghi nhận: cần quyết định hoàn trả.",
                "This money belongs to a payment already recorded: it needs a refund decision.",
                field="line_id",
            )
        obligation, amount = _waiting_obligation(dossier)
        payment, created = _transfer_for(
            dossier, obligation, amount, actor_user(actor), timezone.now()
        )
        if created:
            _event(payment, EventKind.START, "created_by_officer", verified=True)
        before = audit.snapshot(line, ["status", "payment", "reference"])
        line.matched_by = actor_user(actor)
        line.matched_at = timezone.now()
        line.match_reason = reason
        _credit(dossier, payment, line, verified_by_officer=actor, reason=reason)
        _event(
            payment,
            EventKind.OFFICER,
            "manual_match",
            verified=True,
            params={"line_id": line.pk, "bank_txn_id": line.bank_txn_id, "reason": reason},
        )
        audit.record(
            actor=actor,
            action="changed",
            operation="statement_match",
            obj=line,
            before=before,
            after=audit.snapshot(line, ["status", "payment", "reference"]),
            reason=reason,
        )
    return line


def statement_totals() -> dict[str, int]:
    """The sum of the lines per status (for the queue page and the tests)."""
    rows = StatementLine.objects.values("status").annotate(total=Sum("amount_vnd"))
    return {r["status"]: int(r["total"] or 0) for r in rows}
