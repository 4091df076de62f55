"""A Payment is one attempt to pay (or one payment recorded) for a dossier's obligation, on
one channel; PaymentEvent is the append-only log of everything received about it (every
IPN, query answer and return, verified or not, with the outcome).

Invariants in the database: the amount is a positive whole number of đồng; a merchant
reference is unique; at most one paid payment settles an obligation (a partial unique
index); a paid payment names the evidence that proved it. Nothing edits a paid payment.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from motcua.dossiers.enums import PaymentChannel
from motcua.dossiers.models import Dossier


class PaymentStatus(models.TextChoices):
    PENDING = "pending", "Chờ thanh toán"
    PAID = "paid", "Đã thanh toán"
    FAILED = "failed", "Thanh toán không thành công"
    CANCELLED = "cancelled", "Đã hủy giao dịch"
    EXPIRED = "expired", "Hết hạn thanh toán"
    # The provider proved the money was taken, but the obligation was already settled or the
    # dossier no longer waits for it (paid twice, withdrawn meanwhile): an officer refunds.
    PAID_UNMATCHED = "paid_unmatched", "Đã thu tiền, chờ cán bộ xử lý"


STATUS_EN = {
    "pending": "Waiting for payment",
    "paid": "Paid",
    "failed": "Payment failed",
    "cancelled": "Cancelled",
    "expired": "Expired",
    "paid_unmatched": "Money taken, waiting for an officer",
}
# Where an attempt may still be settled by later authoritative evidence (reference §1.8:
# a payment first marked failed must take a later "paid").
SETTLEABLE = frozenset(
    {
        PaymentStatus.PENDING,
        PaymentStatus.FAILED,
        PaymentStatus.CANCELLED,
        PaymentStatus.EXPIRED,
    }
)
FINAL = frozenset({PaymentStatus.PAID, PaymentStatus.PAID_UNMATCHED})


class VerifiedBy(models.TextChoices):
    IPN = "ipn", "Thông báo kết quả (IPN) đã xác thực chữ ký"
    QUERY = "query", "Truy vấn giao dịch đã xác thực chữ ký"
    STATEMENT = "statement", "Sao kê ngân hàng"
    RECEIPT = "receipt", "Phát hành biên lai"
    REFUND = "refund", "Hoàn trả"
    OFFICER = "officer", "Cán bộ thu tại quầy"


class Provider(models.TextChoices):
    VNPAY = "vnpay", "VNPay"
    NATIONAL_PLATFORM = "dvcqg", "Nền tảng thanh toán Cổng DVC quốc gia"
    BANK = "bank", "Ngân hàng"
    COUNTER = "counter", "Bộ phận một cửa"


class FrozenPayment(Exception):
    """A paid payment was about to be changed or deleted."""


class Payment(models.Model):
    dossier = models.ForeignKey(
        Dossier, on_delete=models.PROTECT, related_name="payments", verbose_name="hồ sơ"
    )
    # The obligation this pays: the seq of the dossier's request_payment event that set the
    # amount due (a dossier may be asked to pay more than once).
    obligation = models.PositiveIntegerField("lần yêu cầu nộp")
    channel = models.CharField("kênh", max_length=20, choices=PaymentChannel.choices)
    provider = models.CharField("đơn vị thanh toán", max_length=20, choices=Provider.choices)
    # vnp_TxnRef and its kind: unique per attempt, printable ASCII.
    reference = models.CharField("mã tham chiếu", max_length=100, unique=True)
    amount_vnd = models.BigIntegerField("số tiền (đồng)")
    status = models.CharField(
        "trạng thái", max_length=20, choices=PaymentStatus.choices, default=PaymentStatus.PENDING
    )
    provider_txn_no = models.CharField(
        "mã giao dịch của đơn vị thanh toán", max_length=64, blank=True
    )
    bank_code = models.CharField("ngân hàng", max_length=32, blank=True)
    card_type = models.CharField("loại thẻ", max_length=32, blank=True)
    provider_paid_at = models.DateTimeField("thời điểm thanh toán (đơn vị thanh toán)", null=True)
    response_code = models.CharField("mã kết quả", max_length=8, blank=True)
    expires_at = models.DateTimeField("hết hạn lúc", null=True)
    created_at = models.DateTimeField("tạo lúc", default=timezone.now)
    paid_at = models.DateTimeField("ghi nhận đã thanh toán lúc", null=True)
    verified_by = models.CharField(
        "căn cứ xác nhận", max_length=10, choices=VerifiedBy.choices, blank=True
    )
    verified_params = models.JSONField("tham số đã xác thực", default=dict, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="người tạo",
    )
    client_ip = models.CharField("địa chỉ IP", max_length=45, blank=True)

    class Meta:
        verbose_name = "thanh toán"
        verbose_name_plural = "thanh toán"
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=Q(amount_vnd__gt=0), name="payment_amount_positive"),
            models.CheckConstraint(
                condition=Q(status__in=PaymentStatus.values), name="payment_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(channel__in=PaymentChannel.values), name="payment_channel_valid"
            ),
            # A payment that took money names the evidence that proved it.
            models.CheckConstraint(
                condition=~Q(status__in=sorted(s.value for s in FINAL))
                | (Q(verified_by__in=VerifiedBy.values) & Q(paid_at__isnull=False)),
                name="payment_paid_is_verified",
            ),
            models.UniqueConstraint(
                fields=["dossier", "obligation"],
                condition=Q(status=PaymentStatus.PAID),
                name="payment_one_paid_per_obligation",
            ),
        ]
        indexes = [
            models.Index(fields=["dossier", "obligation"], name="payment_dossier_obl_idx"),
            models.Index(
                fields=["status", "created_at"],
                condition=Q(status=PaymentStatus.PENDING),
                name="payment_pending_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.amount_vnd} {self.status}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if getattr(self, "_stored_status", None) in FINAL:
            raise FrozenPayment("Thanh toán đã ghi nhận không được sửa (a paid payment is final).")
        super().save(*args, **kwargs)
        self._stored_status = self.status

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        if getattr(self, "_stored_status", None) in FINAL:
            raise FrozenPayment("Thanh toán đã ghi nhận không được xóa (a paid payment is final).")
        return super().delete(*args, **kwargs)

    @classmethod
    def from_db(cls, db: Any, field_names: Any, values: Any, **kwargs: Any) -> Payment:
        obj = super().from_db(db, field_names, values, **kwargs)
        obj._stored_status = obj.status
        return obj


class EventKind(models.TextChoices):
    START = "start", "Tạo giao dịch"
    IPN = "ipn", "Thông báo kết quả (IPN)"
    QUERY = "query", "Truy vấn giao dịch"
    RETURN = "return", "Trình duyệt quay về"
    EXPIRE = "expire", "Hết hạn"
    OFFICER = "officer", "Cán bộ ghi nhận"
    STATEMENT = "statement", "Sao kê ngân hàng"
    RECEIPT = "receipt", "Phát hành biên lai"
    REFUND = "refund", "Hoàn trả"


class PaymentEventQuerySet(models.QuerySet["PaymentEvent"]):
    def update(self, **kwargs: Any) -> int:
        raise FrozenPayment("Nhật ký thanh toán chỉ được ghi thêm (the payment log is append-only)")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise FrozenPayment("Nhật ký thanh toán chỉ được ghi thêm (the payment log is append-only)")


class PaymentEvent(models.Model):
    """One message received or one step taken about a payment, verified or not. The
    payment is null when the message names no known order."""

    payment = models.ForeignKey(
        Payment, on_delete=models.PROTECT, null=True, blank=True, related_name="events"
    )
    reference = models.CharField("mã tham chiếu nhận được", max_length=100, blank=True)
    kind = models.CharField("loại", max_length=10, choices=EventKind.choices)
    verified = models.BooleanField("chữ ký hợp lệ", default=False)
    # What we made of it: "paid", "failed", "duplicate", "bad_signature", "unknown_order", …
    outcome = models.CharField("kết quả xử lý", max_length=32)
    answer = models.CharField("trả lời", max_length=8, blank=True)  # the IPN's RspCode
    from_status = models.CharField(max_length=20, blank=True)
    to_status = models.CharField(max_length=20, blank=True)
    params = models.JSONField("tham số nhận được", default=dict, blank=True)
    at = models.DateTimeField("thời điểm", default=timezone.now)

    objects = PaymentEventQuerySet.as_manager()

    class Meta:
        verbose_name = "nhật ký thanh toán"
        verbose_name_plural = "nhật ký thanh toán"
        ordering = ["at", "pk"]
        indexes = [models.Index(fields=["reference"], name="payment_event_ref_idx")]

    def __str__(self) -> str:
        return f"{self.kind} {self.reference} {self.outcome}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise FrozenPayment(
                "Nhật ký thanh toán chỉ được ghi thêm (the payment log is append-only)"
            )
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise FrozenPayment("Nhật ký thanh toán chỉ được ghi thêm (the payment log is append-only)")


# ------------------------------------------------------- bank statement (VietQR transfers)


class LineStatus(models.TextChoices):
    """What became of one credit line of the collecting account's statement."""

    MATCHED = "matched", "Khớp đúng số tiền"
    OVERPAID = "overpaid", "Chuyển thừa, chờ quyết định hoàn trả"
    PARTIAL = "partial", "Chuyển thiếu, chờ cán bộ xử lý"
    UNMATCHED = "unmatched", "Không khớp được hồ sơ, chờ cán bộ xử lý"
    MANUAL = "manual", "Cán bộ đã khớp với hồ sơ"


LINE_STATUS_EN = {
    "matched": "Matched, exact amount",
    "overpaid": "Over-paid, waiting for a refund decision",
    "partial": "Under-paid, waiting for an officer",
    "unmatched": "No dossier found, waiting for an officer",
    "manual": "Matched by an officer",
}
# The officer's queue: lines not (fully) resolved.
QUEUED = frozenset({LineStatus.PARTIAL, LineStatus.OVERPAID, LineStatus.UNMATCHED})


class StatementLine(models.Model):
    """One credit to the collecting account, from the bank's statement file. The bank's
    transaction id is unique per account: importing the same file twice credits nothing
    twice. Written only by motcua.payments.services.statement."""

    account = models.CharField("tài khoản nhận", max_length=19)
    bank_txn_id = models.CharField("số bút toán / mã giao dịch ngân hàng", max_length=64)
    booked_at = models.DateTimeField("ngày giao dịch")
    amount_vnd = models.BigIntegerField("số tiền ghi có (đồng)")
    text = models.TextField("nội dung chuyển khoản", blank=True)
    balance_vnd = models.BigIntegerField("số dư (đồng)", null=True, blank=True)
    source = models.CharField("tệp sao kê", max_length=255, blank=True)
    imported_at = models.DateTimeField("nhập lúc", default=timezone.now)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="người nhập",
    )
    # The payment reference found in the text (folded), if any.
    reference = models.CharField("mã tham chiếu tìm thấy", max_length=25, blank=True)
    status = models.CharField("kết quả khớp", max_length=12, choices=LineStatus.choices)
    payment = models.ForeignKey(
        Payment,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="statement_lines",
        verbose_name="thanh toán",
    )
    # Over-paid: what is beyond the amount due (to refund or keep: an officer decides).
    excess_vnd = models.BigIntegerField("số tiền thừa (đồng)", default=0)
    note = models.CharField("ghi chú", max_length=255, blank=True)
    matched_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="cán bộ khớp",
    )
    matched_at = models.DateTimeField("khớp lúc", null=True, blank=True)
    match_reason = models.TextField("lý do khớp thủ công", blank=True)

    class Meta:
        verbose_name = "dòng sao kê"
        verbose_name_plural = "dòng sao kê"
        ordering = ["booked_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["account", "bank_txn_id"], name="statement_line_bank_txn_uniq"
            ),
            models.CheckConstraint(
                condition=Q(amount_vnd__gt=0), name="statement_line_amount_positive"
            ),
            models.CheckConstraint(
                condition=Q(status__in=LineStatus.values), name="statement_line_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(excess_vnd__gte=0), name="statement_line_excess_nonneg"
            ),
        ]
        indexes = [models.Index(fields=["status", "booked_at"], name="statement_line_status_idx")]

    def __str__(self) -> str:
        return f"{self.bank_txn_id} {self.amount_vnd} {self.status}"


# ------------------------------------------------------------ reconciliation (đối soát)
# A daily comparison of our payments with the provider's settlement file (reference §1.8);
# written only by motcua.payments.services.reconcile.


class DiffKind(models.TextChoices):
    MISSING_THERE = "missing_there", "Đã thu ở hệ thống, không có trong file đối soát"
    MISSING_HERE = "missing_here", "Có trong file đối soát, hệ thống chưa ghi nhận đã thu"
    UNKNOWN_HERE = "unknown_here", "Mã tham chiếu trong file đối soát không có ở hệ thống"
    AMOUNT = "amount", "Số tiền khác nhau"
    STATUS = "status", "Trạng thái khác nhau"


DIFF_KIND_EN = {
    "missing_there": "Paid here, missing from the settlement file",
    "missing_here": "In the settlement file, not paid here",
    "unknown_here": "Settlement line with a reference unknown here",
    "amount": "Amounts differ",
    "status": "Statuses differ",
}


class ItemStatus(models.TextChoices):
    OPEN = "open", "Chưa xử lý"
    RESOLVED = "resolved", "Đã xử lý"


class ReconciliationRun(models.Model):
    """One run of the reconciliation of one provider's day; its totals are the sum of its
    parts: compared = matched + differences, and every difference is one item."""

    date = models.DateField("ngày đối soát")
    provider = models.CharField("đơn vị thanh toán", max_length=20, choices=Provider.choices)
    started_at = models.DateTimeField("bắt đầu", default=timezone.now)
    finished_at = models.DateTimeField("kết thúc", null=True)
    trigger = models.CharField("chạy bởi", max_length=20, default="schedule")
    lines = models.PositiveIntegerField("số dòng file đối soát", default=0)
    payments = models.PositiveIntegerField("số giao dịch của hệ thống", default=0)
    compared = models.PositiveIntegerField("số mã tham chiếu đã so", default=0)
    matched = models.PositiveIntegerField("khớp", default=0)
    missing_there = models.PositiveIntegerField(default=0)
    missing_here = models.PositiveIntegerField(default=0)
    unknown_here = models.PositiveIntegerField(default=0)
    amount = models.PositiveIntegerField(default=0)
    status = models.PositiveIntegerField(default=0)
    resolved_by_query = models.PositiveIntegerField("đã xử lý bằng truy vấn", default=0)
    new_items = models.PositiveIntegerField("mục chênh lệch mới", default=0)

    class Meta:
        verbose_name = "lần đối soát"
        verbose_name_plural = "lần đối soát"
        ordering = ["-started_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(
                    compared=models.F("matched")
                    + models.F("missing_there")
                    + models.F("missing_here")
                    + models.F("unknown_here")
                    + models.F("amount")
                    + models.F("status")
                ),
                name="reconciliation_run_totals",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.provider} {self.date} {self.matched}/{self.compared}"

    @property
    def differences(self) -> int:
        return self.compared - self.matched


class ReconciliationItem(models.Model):
    """One difference between our records and the provider's for one reference on one day,
    waiting for an officer (or resolved by a verified query). One per (date, reference,
    kind): a rerun finds it and adds nothing."""

    date = models.DateField("ngày đối soát")
    provider = models.CharField("đơn vị thanh toán", max_length=20, choices=Provider.choices)
    run = models.ForeignKey(
        ReconciliationRun, on_delete=models.PROTECT, related_name="items", verbose_name="lần"
    )
    payment = models.ForeignKey(
        Payment,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reconciliation_items",
        verbose_name="thanh toán",
    )
    reference = models.CharField("mã tham chiếu", max_length=100)
    kind = models.CharField("loại chênh lệch", max_length=20, choices=DiffKind.choices)
    ours = models.JSONField("hệ thống ghi nhận", default=dict, blank=True)
    theirs = models.JSONField("file đối soát ghi nhận", default=dict, blank=True)
    status = models.CharField(
        "trạng thái", max_length=10, choices=ItemStatus.choices, default=ItemStatus.OPEN
    )
    resolution = models.TextField("cách xử lý", blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="người xử lý",
    )
    resolved_at = models.DateTimeField("xử lý lúc", null=True, blank=True)
    created_at = models.DateTimeField("phát hiện lúc", default=timezone.now)

    class Meta:
        verbose_name = "chênh lệch đối soát"
        verbose_name_plural = "chênh lệch đối soát"
        ordering = ["date", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["date", "provider", "reference", "kind"],
                name="reconciliation_item_once",
            ),
            models.CheckConstraint(
                condition=Q(status="open")
                | (Q(status="resolved") & ~Q(resolution="") & Q(resolved_at__isnull=False)),
                name="reconciliation_item_resolved_says_how",
            ),
        ]
        indexes = [
            models.Index(
                fields=["date"], condition=Q(status="open"), name="reconciliation_open_idx"
            )
        ]

    def __str__(self) -> str:
        return f"{self.date} {self.reference} {self.kind} {self.status}"


# --------------------------------------------------------------- receipts and refunds
# (motcua.payments.services.receipts and .refunds write these; docs/payments.md
# "Biên lai điện tử", "Hoàn trả".)


class ReceiptSequence(models.Model):
    """The last number given in one receipt series (template + series) of a collecting
    agency in a year: taken under its row lock in the transaction that makes the payment
    paid, so a rollback gives the number back (no gaps, no duplicates)."""

    agency = models.ForeignKey(
        "org.Agency", on_delete=models.PROTECT, related_name="+", verbose_name="đơn vị thu"
    )
    template = models.CharField("mẫu số", max_length=20)
    series = models.CharField("ký hiệu", max_length=20)
    year = models.PositiveSmallIntegerField("năm")
    last = models.PositiveIntegerField("số cuối đã cấp", default=0)

    class Meta:
        verbose_name = "dãy số biên lai"
        verbose_name_plural = "dãy số biên lai"
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "template", "series", "year"], name="receipt_sequence_uniq"
            )
        ]

    def __str__(self) -> str:
        return f"{self.template} {self.series} {self.year}: {self.last}"


class FrozenReceipt(Exception):
    """An issued receipt was about to be changed or deleted."""


class Receipt(models.Model):
    """Biên lai thu phí, lệ phí: one per payment that took money, issued in the transaction
    that made it paid. Immutable once issued; only its PDF (rendered after commit by
    motcua.documents, byte-identical each time) is attached once."""

    payment = models.OneToOneField(
        Payment, on_delete=models.PROTECT, related_name="receipt", verbose_name="thanh toán"
    )
    dossier = models.ForeignKey(
        Dossier, on_delete=models.PROTECT, related_name="fee_receipts", verbose_name="hồ sơ"
    )
    agency = models.ForeignKey(
        "org.Agency", on_delete=models.PROTECT, related_name="+", verbose_name="đơn vị thu"
    )
    template = models.CharField("mẫu số", max_length=20)
    series = models.CharField("ký hiệu", max_length=20)
    year = models.PositiveSmallIntegerField("năm")
    number = models.PositiveIntegerField("số")
    issued_at = models.DateTimeField("ngày lập")
    payer_name = models.CharField("người nộp", max_length=255)
    payer_id_number = models.CharField("số định danh / mã số thuế", max_length=14, blank=True)
    payer_address = models.CharField("địa chỉ", max_length=500, blank=True)
    # [{"name": …, "amount_vnd": …}], summing to amount_vnd.
    fee_lines = models.JSONField("các khoản thu", default=list)
    amount_vnd = models.BigIntegerField("số tiền (đồng)")
    amount_words = models.CharField("số tiền bằng chữ", max_length=400)
    channel = models.CharField("hình thức thanh toán", max_length=20)
    provider_txn_no = models.CharField("mã giao dịch", max_length=64, blank=True)
    # A counter payment keeps the number of the paper receipt the officer gave.
    paper_receipt_number = models.CharField("số biên lai giấy", max_length=100, blank=True)
    file = models.FileField("tệp PDF", upload_to="receipts", max_length=255, blank=True)
    sha256 = models.CharField(max_length=64, blank=True)
    size = models.PositiveIntegerField("dung lượng (byte)", default=0)
    # The e-receipt proper (Decree 123/2020 art. 33): the receipt's data as XML signed by
    # the collecting agency (XMLDSig; motcua.documents.ereceipt), attached after commit.
    xml_file = models.FileField(
        "biên lai điện tử (XML có chữ ký số)", upload_to="receipts", max_length=255, blank=True
    )
    xml_sha256 = models.CharField(max_length=64, blank=True)

    class Meta:
        verbose_name = "biên lai thu phí, lệ phí"
        verbose_name_plural = "biên lai thu phí, lệ phí"
        ordering = ["-issued_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "template", "series", "year", "number"],
                name="receipt_number_uniq",
            ),
            models.CheckConstraint(condition=Q(number__gt=0), name="receipt_number_positive"),
            models.CheckConstraint(condition=Q(amount_vnd__gt=0), name="receipt_amount_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.template} {self.series} {self.number:07d}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            fields = set(kwargs.get("update_fields") or ())
            # Only its files are attached, each once: the PDF, the signed XML.
            pdf_once = fields <= {"file", "sha256", "size"} and not self._had_file
            xml_once = fields <= {"xml_file", "xml_sha256"} and not self._had_xml
            if not fields or not (pdf_once or xml_once):
                raise FrozenReceipt(
                    "Biên lai đã phát hành không được sửa (an issued receipt is final)."
                )
        super().save(*args, **kwargs)
        self._had_file = bool(self.sha256)
        self._had_xml = bool(self.xml_sha256)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise FrozenReceipt("Biên lai đã phát hành không được xóa (an issued receipt is final).")

    @classmethod
    def from_db(cls, db: Any, field_names: Any, values: Any, **kwargs: Any) -> Receipt:
        obj = super().from_db(db, field_names, values, **kwargs)
        # Only the loaded fields (reading a deferred one would load it, recursively).
        obj._had_file = bool(obj.__dict__.get("sha256", ""))
        obj._had_xml = bool(obj.__dict__.get("xml_sha256", ""))
        return obj

    _had_file = False
    _had_xml = False

    @property
    def number_text(self) -> str:
        return f"{self.number:07d}"


class RefundStatus(models.TextChoices):
    REQUESTED = "requested", "Đề nghị hoàn trả"
    RECORDED = "recorded", "Đã hoàn trả"
    RECONCILED = "reconciled", "Đã đối soát"


REFUND_STATUS_EN = {
    "requested": "Refund requested",
    "recorded": "Refunded",
    "reconciled": "Reconciled",
}


class RefundMethod(models.TextChoices):
    TRANSFER = "transfer", "Chuyển khoản"
    CASH = "cash", "Tiền mặt"
    GATEWAY = "gateway", "Hoàn qua cổng thanh toán"


class Refund(models.Model):
    """Money a payment took, to be given back: requested (by the rule when a paid dossier
    is refused, withdrawn or stopped, or by an officer for a paid_unmatched payment) →
    recorded (how it was returned) → reconciled (seen on the statement)."""

    payment = models.OneToOneField(
        Payment, on_delete=models.PROTECT, related_name="refund", verbose_name="thanh toán"
    )
    dossier = models.ForeignKey(
        Dossier, on_delete=models.PROTECT, related_name="refunds", verbose_name="hồ sơ"
    )
    amount_vnd = models.BigIntegerField("số tiền hoàn (đồng)")
    reason = models.CharField("lý do", max_length=500)
    status = models.CharField(
        "trạng thái",
        max_length=12,
        choices=RefundStatus.choices,
        default=RefundStatus.REQUESTED,
    )
    requested_at = models.DateTimeField("đề nghị lúc", default=timezone.now)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="người đề nghị",
    )
    method = models.CharField(
        "hình thức hoàn", max_length=10, choices=RefundMethod.choices, blank=True
    )
    method_reference = models.CharField("số chứng từ hoàn", max_length=100, blank=True)
    recorded_at = models.DateTimeField("hoàn lúc", null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="người ghi nhận hoàn",
    )
    reconciled_at = models.DateTimeField("đối soát lúc", null=True, blank=True)
    reconciled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="người đối soát",
    )

    class Meta:
        verbose_name = "hoàn trả"
        verbose_name_plural = "hoàn trả"
        ordering = ["-requested_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(amount_vnd__gt=0), name="refund_amount_positive"),
            models.CheckConstraint(
                condition=Q(status__in=RefundStatus.values), name="refund_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(status=RefundStatus.REQUESTED)
                | (~Q(method="") & Q(recorded_at__isnull=False)),
                name="refund_recorded_has_method",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.payment_id} {self.amount_vnd} {self.status}"


class CollectingAccount(models.Model):
    """Tài khoản thu của đơn vị thu phí: the bank account a collecting agency (a dossier's
    settling agency) receives transfers on — the VietQR payload, the payment page, the
    request for payment and the statement matching use it (reference §7.3: beneficiary
    accounts per agency). An agency without one collects on the settings' account
    (MOTCUA_VIETQR_*). Edited in the admin; the values are checked as the QR needs them."""

    agency = models.OneToOneField(
        "org.Agency",
        on_delete=models.PROTECT,
        related_name="collecting_account",
        verbose_name="đơn vị thu",
    )
    bin = models.CharField("mã BIN ngân hàng (6 chữ số)", max_length=6)
    account = models.CharField("số tài khoản", max_length=19)
    name = models.CharField("tên chủ tài khoản (không dấu, ≤ 25 ký tự)", max_length=25, blank=True)
    active = models.BooleanField("đang dùng", default=True)

    class Meta:
        verbose_name = "tài khoản thu của đơn vị"
        verbose_name_plural = "tài khoản thu của đơn vị"
        constraints = [
            models.CheckConstraint(
                condition=Q(bin__regex=r"^[0-9]{6}$"), name="collecting_account_bin_6_digits"
            ),
            models.CheckConstraint(
                condition=Q(account__regex=r"^[0-9A-Za-z]{1,19}$"),
                name="collecting_account_number_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.bin} {self.account}"

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        from motcua.core.errors import ValidationFailed

        from . import vietqr

        try:
            vietqr.Beneficiary(self.bin, self.account, self.name)
        except ValidationFailed as exc:
            raise ValidationError(
                {exc.field or "account": f"{exc.message} ({exc.message_en})"}
            ) from None
        # As the bank app shows it: without accents, upper case (the EMV common set).
        self.name = " ".join(vietqr.fold(w) for w in self.name.split())[:25]
