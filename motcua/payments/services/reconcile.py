"""Reconciliation (đối soát, reference §1.8): compare every payment of a day with the
gateway's settlement file for that day (and the national platform's payments with its
get-bill answers: no file of it is known), and keep each difference as a
ReconciliationItem an officer resolves.

The settlement file never credits anything. No official reconciliation file was found for
the provinces' gateways (reference §1.8, UNCONFIRMED), the file is not signed, and a paid
dossier is a fact the province signs: so a line saying "paid" for an attempt we hold as
unpaid only triggers the gateway's signed query (querydr, `payment_query`), and only its
verified answer settles the dossier. What the query does not settle stays an open item.

One run: the file is fetched and the queries are made outside any transaction; then one
transaction writes the ReconciliationRun (its totals) and the items. Running a day twice
adds no item: an item is unique per (date, provider, reference, kind), and one found
again is left as it is (open or resolved).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import unicodedata
import urllib.request
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from motcua.core import audit
from motcua.core.errors import IllegalTransition, NotFound, PermissionDenied, ValidationFailed
from motcua.core.models import AuditAction
from motcua.core.types import Actor, actor_user
from motcua.dossiers.access import staff_roles

from .. import vnpay
from ..models import (
    FINAL,
    DiffKind,
    ItemStatus,
    Payment,
    Provider,
    ReconciliationItem,
    ReconciliationRun,
)
from ._common import gateway_config, log
from .evidence import payment_query

MATCHED = "matched"
KINDS = tuple(DiffKind.values)


class ReconciliationNotConfigured(ValidationFailed):
    pass


@dataclass(frozen=True)
class Ours:
    """What we hold about one reference."""

    reference: str
    payment_id: int
    status: str
    amount_vnd: int

    @property
    def paid(self) -> bool:
        return self.status in FINAL

    def as_json(self) -> dict[str, object]:
        return {"status": self.status, "amount_vnd": self.amount_vnd}


@dataclass(frozen=True)
class Line:
    """One line of the settlement file."""

    reference: str
    amount_vnd: int
    response_code: str
    transaction_status: str
    transaction_no: str = ""
    pay_date: str = ""

    @property
    def settled(self) -> bool:
        return (
            self.response_code == vnpay.RESPONSE_SUCCESS
            and self.transaction_status == vnpay.STATUS_SUCCESS
        )

    def as_json(self) -> dict[str, object]:
        return {
            "amount_vnd": self.amount_vnd,
            "response_code": self.response_code,
            "transaction_status": self.transaction_status,
            "transaction_no": self.transaction_no,
            "pay_date": self.pay_date,
        }


def classify(ours: Ours | None, theirs: Line | None) -> str:
    """The outcome for one reference: MATCHED or a DiffKind value. Both sides agree when
    both say paid with the same amount, or neither says paid."""
    if ours is None and theirs is None:
        raise ValueError("nothing to compare")
    if theirs is None:
        assert ours is not None  # noqa: S101 (for mypy)
        return DiffKind.MISSING_THERE if ours.paid else MATCHED
    if ours is None:
        return DiffKind.UNKNOWN_HERE
    if ours.amount_vnd != theirs.amount_vnd:
        return DiffKind.AMOUNT
    if theirs.settled == ours.paid:
        return MATCHED
    return DiffKind.MISSING_HERE if theirs.settled else DiffKind.STATUS


@dataclass
class Totals:
    """A run's counts: compared = matched + the differences of every kind."""

    lines: int = 0
    payments: int = 0
    matched: int = 0
    by_kind: dict[str, int] = field(default_factory=lambda: dict.fromkeys(KINDS, 0))
    resolved_by_query: int = 0
    new_items: int = 0

    @property
    def compared(self) -> int:
        return self.matched + sum(self.by_kind.values())

    def count(self, outcome: str) -> None:
        if outcome == MATCHED:
            self.matched += 1
        else:
            self.by_kind[outcome] += 1


def compare(ours: Mapping[str, Ours], lines: Mapping[str, Line]) -> tuple[dict[str, str], Totals]:
    """Every reference on either side, with its outcome, and the totals."""
    totals = Totals(lines=len(lines), payments=len(ours))
    outcomes: dict[str, str] = {}
    for ref in sorted(set(ours) | set(lines)):
        outcomes[ref] = classify(ours.get(ref), lines.get(ref))
        totals.count(outcomes[ref])
    return outcomes, totals


def after_queries(
    outcomes: Mapping[str, str], queried: set[str], *, lines: int, payments: int
) -> tuple[dict[str, str], set[str], Totals]:
    """The run's outcomes once the queries are applied (`outcomes` compared after them):
    a reference the file said paid and the verified query settled still counts as the
    difference found (missing_here, the IPN never came), resolved by the query. Returns
    the outcomes, the references resolved by query, and the totals."""
    found: dict[str, str] = {}
    by_query: set[str] = set()
    totals = Totals(lines=lines, payments=payments)
    for ref, outcome in outcomes.items():
        if ref in queried and outcome == MATCHED:
            outcome = DiffKind.MISSING_HERE
            by_query.add(ref)
        found[ref] = outcome
        totals.count(outcome)
    totals.resolved_by_query = len(by_query)
    return found, by_query, totals


# ------------------------------------------------------------------- the settlement file


def settlement_url(day: dt.date) -> str:
    """MOTCUA_VNPAY_SETTLEMENT_URL with {date} replaced by YYYYMMDD."""
    template = str(getattr(settings, "MOTCUA_VNPAY_SETTLEMENT_URL", "") or "")
    if not template:
        raise ReconciliationNotConfigured(
            "reconciliation_not_configured",
            "Chưa cấu hình địa chỉ file đối soát (MOTCUA_VNPAY_SETTLEMENT_URL).",
            "The settlement file's URL is not configured (MOTCUA_VNPAY_SETTLEMENT_URL).",
            field="date",
            status=503,
        )
    return template.replace("{date}", day.strftime("%Y%m%d"))


def parse_settlement(text: str, tmn_code: str) -> dict[str, Line]:
    """The lines of a settlement file (CSV with a header: TmnCode, TxnRef, TransactionNo,
    Amount in đồng, BankCode, CardType, PayDate, ResponseCode, TransactionStatus). A line
    of another terminal, a missing column or an amount that is not a whole number is an
    error naming the line: a file we cannot read is not reconciled."""
    reader = csv.DictReader(io.StringIO(unicodedata.normalize("NFC", text)))
    need = {"TmnCode", "TxnRef", "Amount", "ResponseCode", "TransactionStatus"}
    if reader.fieldnames is None or not need <= set(reader.fieldnames):
        raise ValidationFailed(
            "settlement_malformed",
            f"File đối soát thiếu cột: {', '.join(sorted(need - set(reader.fieldnames or [])))}.",
            "The settlement file lacks columns.",
            field="file",
        )
    lines: dict[str, Line] = {}
    for n, row in enumerate(reader, start=2):
        amount = (row.get("Amount") or "").strip()
        ref = (row.get("TxnRef") or "").strip()
        if row.get("TmnCode") != tmn_code or not ref or not amount.isdigit():
            raise ValidationFailed(
                "settlement_malformed",
                f"Dòng {n} của file đối soát không hợp lệ (mã đơn vị, mã tham chiếu, số tiền).",
                f"Line {n} of the settlement file is not valid (terminal, reference, amount).",
                field="file",
            )
        if ref in lines:
            raise ValidationFailed(
                "settlement_malformed",
                f"Dòng {n} của file đối soát lặp lại mã tham chiếu {ref}.",
                f"Line {n} of the settlement file repeats the reference {ref}.",
                field="file",
            )
        lines[ref] = Line(
            reference=ref,
            amount_vnd=int(amount),
            response_code=(row.get("ResponseCode") or "").strip(),
            transaction_status=(row.get("TransactionStatus") or "").strip(),
            transaction_no=(row.get("TransactionNo") or "").strip(),
            pay_date=(row.get("PayDate") or "").strip(),
        )
    return lines


def fetch_settlement(day: dt.date) -> dict[str, Line]:
    cfg = gateway_config()
    url = settlement_url(day)
    if not url.startswith(("http://", "https://")):
        raise ReconciliationNotConfigured(
            "reconciliation_not_configured",
            "Địa chỉ file đối soát phải là http(s).",
            "The settlement file's URL must be http(s).",
            field="date",
            status=503,
        )
    try:
        with urllib.request.urlopen(url, timeout=30) as r:  # noqa: S310 (scheme checked)
            text = r.read().decode("utf-8-sig")
    except (OSError, ValueError) as exc:
        log.warning("settlement file %s: %s", url, exc)
        raise ValidationFailed(
            "gateway_unreachable",
            "Chưa tải được file đối soát từ cổng thanh toán. Vui lòng thử lại sau.",
            "The settlement file could not be fetched. Please try again later.",
            status=503,
        ) from exc
    return parse_settlement(text, cfg.tmn_code)


# ---------------------------------------------------------------------------- our side


def _day_bounds(day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """The day in GMT+7 (the gateway's day), as aware datetimes."""
    start = dt.datetime.combine(day, dt.time.min, tzinfo=vnpay.GMT7)
    return start, start + dt.timedelta(days=1)


def our_side(day: dt.date, references: Iterable[str]) -> dict[str, Ours]:
    """The gateway's payments of the day (created or paid on it, GMT+7) and every payment
    a settlement line names."""
    start, end = _day_bounds(day)
    rows = Payment.objects.filter(provider=Provider.VNPAY).filter(
        Q(created_at__gte=start, created_at__lt=end)
        | Q(provider_paid_at__gte=start, provider_paid_at__lt=end)
        | Q(reference__in=list(references))
    )
    return {
        p.reference: Ours(p.reference, p.pk, p.status, p.amount_vnd)
        for p in rows.only("pk", "reference", "status", "amount_vnd")
    }


# ------------------------------------------------------------------------------ the run


def reconcile(day: dt.date, *, trigger: str = "schedule") -> ReconciliationRun:
    """Reconcile the gateway's day `day` (GMT+7): fetch its settlement file, compare every
    reference, ask the gateway (querydr, verified) about every line that says paid where we
    do not, and record the run and its differences. Idempotent per day."""
    _not_future(day)
    started = timezone.now()
    lines = fetch_settlement(day)
    ours = our_side(day, lines)
    outcomes, _ = compare(ours, lines)
    queried: set[str] = set()
    for ref, outcome in outcomes.items():
        if outcome == DiffKind.MISSING_HERE:
            try:
                payment_query(payment_id=ours[ref].payment_id)
            except ValidationFailed as exc:  # the gateway is unreachable: the item stays open
                log.warning("reconcile %s: querydr of %s failed: %s", day, ref, exc)
                continue
            queried.add(ref)
    if queried:
        ours = our_side(day, lines)
        outcomes, _ = compare(ours, lines)
    found, resolved, totals = after_queries(outcomes, queried, lines=len(lines), payments=len(ours))
    return _record(
        day,
        Provider.VNPAY,
        started=started,
        trigger=trigger,
        found=found,
        resolved=resolved,
        totals=totals,
        ours=ours,
        lines=lines,
    )


_RESOLVED_BY_QUERY = {
    Provider.VNPAY: (
        "Đã xác nhận bằng truy vấn giao dịch (querydr) có chữ ký: đã thanh "
        "toán. (Settled by the gateway's signed query.)"
    ),
    Provider.NATIONAL_PLATFORM: (
        "Đã xác nhận bằng truy vấn biên lai (get bill) có mã xác thực của Nền tảng thanh "
        "toán quốc gia: đã thanh toán. (Settled by the national platform's verified query.)"
    ),
}


def _record(
    day: dt.date,
    provider: str,
    *,
    started: dt.datetime,
    trigger: str,
    found: Mapping[str, str],
    resolved: set[str],
    totals: Totals,
    ours: Mapping[str, Ours],
    lines: Mapping[str, Line],
) -> ReconciliationRun:
    """One transaction: the run (its totals) and one item per difference not yet known
    (unique per date, provider, reference, kind; one found again is left as it is)."""
    with transaction.atomic():
        run = ReconciliationRun(
            date=day, provider=provider, started_at=started, trigger=trigger[:20]
        )
        _fill(run, totals)
        run.save(force_insert=True)
        for ref, outcome in sorted(found.items()):
            if outcome == MATCHED:
                continue
            o, t = ours.get(ref), lines.get(ref)
            by_query = ref in resolved
            item, created = ReconciliationItem.objects.get_or_create(
                date=day,
                provider=provider,
                reference=ref,
                kind=outcome,
                defaults={
                    "run": run,
                    "payment_id": o.payment_id if o else None,
                    "ours": o.as_json() if o else {},
                    "theirs": t.as_json() if t else {},
                    "status": ItemStatus.RESOLVED if by_query else ItemStatus.OPEN,
                    "resolution": _RESOLVED_BY_QUERY[Provider(provider)] if by_query else "",
                    "resolved_at": timezone.now() if by_query else None,
                },
            )
            totals.new_items += int(created)
        run.new_items = totals.new_items
        run.finished_at = timezone.now()
        run.save(update_fields=["new_items", "finished_at"])
    log.info(
        "reconcile %s %s: %s compared, %s matched, %s new items",
        provider,
        day,
        run.compared,
        run.matched,
        run.new_items,
    )
    return run


# ------------------------------------------------------------- the national platform


def _national_side(day: dt.date) -> dict[str, Ours]:
    """The national platform's payments of the day (created or paid on it, GMT+7)."""
    start, end = _day_bounds(day)
    rows = Payment.objects.filter(provider=Provider.NATIONAL_PLATFORM).filter(
        Q(created_at__gte=start, created_at__lt=end)
        | Q(provider_paid_at__gte=start, provider_paid_at__lt=end)
    )
    return {
        p.reference: Ours(p.reference, p.pk, p.status, p.amount_vnd)
        for p in rows.only("pk", "reference", "status", "amount_vnd")
    }


def _bills(day: dt.date, ours: Mapping[str, Ours]) -> dict[str, Line]:
    """The platform's verified get-bill answer about each of our references, as a line
    (none where it knows no transaction: MaLoi 01). An answer that does not verify, or a
    platform that cannot be reached, makes the run fail: what we cannot read is not
    reconciled."""
    from ..adapters import BadSignature, NationalPlatformAdapter, national_config

    cfg = national_config()
    if cfg is None or not cfg.query_url:
        raise ReconciliationNotConfigured(
            "reconciliation_not_configured",
            "Chưa cấu hình Nền tảng thanh toán quốc gia (MOTCUA_DVCQG_*, địa chỉ truy vấn).",
            "The national payment platform (MOTCUA_DVCQG_*, its query URL) is not configured.",
            field="provider",
            status=503,
        )
    adapter = NationalPlatformAdapter(cfg)
    lines: dict[str, Line] = {}
    for ref in sorted(ours):
        try:
            notice = adapter.query(reference=ref, created_at=timezone.now(), client_ip="")
        except (BadSignature, vnpay.ProtocolError) as exc:
            log.warning("reconcile dvcqg %s: get bill of %s: %s", day, ref, exc)
            raise ValidationFailed(
                "reconciliation_bad_answer",
                f"Trả lời truy vấn của Nền tảng thanh toán quốc gia về {ref} không hợp lệ "
                "(mã xác thực hoặc nội dung); chưa đối soát ngày này.",
                f"The national platform's get-bill answer about {ref} is not valid "
                "(checksum or content); the day was not reconciled.",
                field="provider",
                status=502,
            ) from exc
        except (OSError, ValueError) as exc:
            log.warning("reconcile dvcqg %s: get bill of %s failed: %s", day, ref, exc)
            raise ValidationFailed(
                "gateway_unreachable",
                "Chưa liên hệ được Nền tảng thanh toán quốc gia. Vui lòng thử lại sau.",
                "The national payment platform could not be reached. Please try again later.",
                status=503,
            ) from exc
        if notice is None:
            continue
        if notice.txn_ref != ref:
            raise ValidationFailed(
                "reconciliation_bad_answer",
                f"Nền tảng thanh toán quốc gia trả lời về {notice.txn_ref[:40]} khi được hỏi "
                f"về {ref}; chưa đối soát ngày này.",
                f"The national platform answered about {notice.txn_ref[:40]} when asked about "
                f"{ref}; the day was not reconciled.",
                field="provider",
                status=502,
            )
        lines[ref] = Line(
            reference=notice.txn_ref,
            amount_vnd=notice.amount_vnd,
            response_code=notice.response_code,
            transaction_status=notice.transaction_status,
            transaction_no=notice.transaction_no,
            pay_date=notice.pay_date.isoformat() if notice.pay_date else "",
        )
    return lines


def reconcile_national(day: dt.date, *, trigger: str = "schedule") -> ReconciliationRun:
    """Reconcile the national platform's day `day` (GMT+7). No settlement file of the
    platform is known (reference §1.8), so each of our payments of the day is compared
    with the platform's verified get-bill answer about it, as the gateway's lines are:
    where the platform says paid and we do not, the answer is applied through the one
    query path (payment_query: verified, locked, once) and the item kept resolved; every
    other difference (paid here and not there, amounts, status) is an open item on the
    same officer list. Idempotent per day."""
    _not_future(day)
    started = timezone.now()
    ours = _national_side(day)
    lines = _bills(day, ours)
    outcomes, _ = compare(ours, lines)
    queried: set[str] = set()
    for ref, outcome in outcomes.items():
        if outcome == DiffKind.MISSING_HERE:
            try:
                payment_query(payment_id=ours[ref].payment_id)
            except ValidationFailed as exc:  # unreachable now: the item stays open
                log.warning("reconcile dvcqg %s: get bill of %s failed: %s", day, ref, exc)
                continue
            queried.add(ref)
    if queried:
        ours = _national_side(day)
        outcomes, _ = compare(ours, lines)
    found, resolved, totals = after_queries(outcomes, queried, lines=len(lines), payments=len(ours))
    return _record(
        day,
        Provider.NATIONAL_PLATFORM,
        started=started,
        trigger=trigger,
        found=found,
        resolved=resolved,
        totals=totals,
        ours=ours,
        lines=lines,
    )


def reconcile_configured(day: dt.date, *, trigger: str = "schedule") -> list[ReconciliationRun]:
    """The day reconciled for every configured provider: the gateway when its settlement
    file's URL is set, the national platform when its contract is."""
    from ..adapters import national_config

    runs = []
    if getattr(settings, "MOTCUA_VNPAY_SETTLEMENT_URL", ""):
        runs.append(reconcile(day, trigger=trigger))
    if national_config() is not None:
        runs.append(reconcile_national(day, trigger=trigger))
    return runs


def _not_future(day: dt.date) -> None:
    if day >= timezone.now().astimezone(vnpay.GMT7).date() + dt.timedelta(days=1):
        raise ValidationFailed(
            "date_in_future",
            "Không đối soát ngày trong tương lai.",
            "A day in the future cannot be reconciled.",
            field="date",
        )


def _fill(run: ReconciliationRun, totals: Totals) -> None:
    run.lines = totals.lines
    run.payments = totals.payments
    run.matched = totals.matched
    run.missing_there = totals.by_kind[DiffKind.MISSING_THERE]
    run.missing_here = totals.by_kind[DiffKind.MISSING_HERE]
    run.unknown_here = totals.by_kind[DiffKind.UNKNOWN_HERE]
    run.amount = totals.by_kind[DiffKind.AMOUNT]
    run.status = totals.by_kind[DiffKind.STATUS]
    run.resolved_by_query = totals.resolved_by_query
    run.compared = totals.compared


# ------------------------------------------------------------------------- resolving

AUDITED = ("status", "resolution", "resolved_by", "resolved_at")


def reconciliation_resolve(*, item_id: int, actor: Actor, resolution: str) -> ReconciliationItem:
    """An officer closes an open difference, saying how (required: what was checked, what
    was done — a refund asked, a receipt found). One transaction, the item's row lock, the
    state check, an audit entry."""
    user = actor_user(actor)
    if user is None or not (getattr(user, "is_superuser", False) or staff_roles(user)):
        raise PermissionDenied(
            "Chỉ cán bộ được xử lý chênh lệch đối soát.",
            "Only staff may resolve reconciliation differences.",
        )
    text = " ".join(unicodedata.normalize("NFC", resolution or "").split())
    if len(text) < 10:
        raise ValidationFailed(
            "resolution_required",
            "Vui lòng ghi rõ cách xử lý (ít nhất 10 ký tự).",
            "Say how the difference was resolved (at least 10 characters).",
            field="resolution",
        )
    if len(text) > 2000:
        raise ValidationFailed(
            "resolution_too_long",
            "Nội dung xử lý dài quá 2000 ký tự.",
            "The resolution is longer than 2000 characters.",
            field="resolution",
        )
    with transaction.atomic():
        item = ReconciliationItem.objects.select_for_update().filter(pk=item_id).first()
        if item is None:
            raise NotFound("chênh lệch đối soát", "Reconciliation item", field="item_id")
        if item.status != ItemStatus.OPEN:
            raise IllegalTransition(
                "already_resolved",
                "Chênh lệch này đã được xử lý.",
                "This difference was already resolved.",
                field="status",
            )
        before = audit.snapshot(item, AUDITED)
        item.status = ItemStatus.RESOLVED
        item.resolution = text
        item.resolved_by = user
        item.resolved_at = timezone.now()
        item.save(update_fields=list(AUDITED))
        audit.record(
            actor=user,
            action=AuditAction.CHANGED,
            operation="reconciliation_resolve",
            obj=item,
            before=before,
            after=audit.snapshot(item, AUDITED),
            reason=text,
        )
    return item
