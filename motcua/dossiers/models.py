"""Dossiers (hồ sơ), their append-only events, control-sheet handovers, clock pauses and
attachments."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q

from motcua.catalog.enums import Channel
from motcua.core.text import fold

from .enums import PaidOnline, Rating, Status, StepOutcome


class Dossier(models.Model):
    # Not columns: the values as locked (services._base._lock, to write only what changed)
    # and the mark of a submission replayed by its idempotency key.
    _locked_values: dict[str, Any]
    _replayed: bool

    code = models.CharField("mã hồ sơ", max_length=48, null=True, blank=True, unique=True)
    secret = models.CharField("mã tra cứu", max_length=16)
    procedure = models.ForeignKey(
        "catalog.Procedure",
        on_delete=models.PROTECT,
        related_name="dossiers",
        verbose_name="thủ tục",
    )
    procedure_version = models.ForeignKey(
        "catalog.ProcedureVersion",
        on_delete=models.PROTECT,
        related_name="dossiers",
        verbose_name="phiên bản thủ tục",
    )
    channel = models.PositiveSmallIntegerField("kênh nộp", choices=Channel.choices)
    status = models.PositiveSmallIntegerField("trạng thái", choices=Status.choices)
    version = models.PositiveIntegerField("phiên bản bản ghi", default=1)
    rule_set = models.CharField("quy định áp dụng", max_length=8, default="2025")

    # Who: the account that owns it (online) and the applicant's details as written.
    owner = models.ForeignKey(
        "org.Applicant",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="dossiers",
        verbose_name="tài khoản người nộp",
        db_index=False,  # dossier_owner_idx (owner, submitted_at) leads with it
    )
    applicant_name = models.CharField("người nộp", max_length=255)
    applicant_id_number = models.CharField("số định danh / mã số thuế", max_length=14, blank=True)
    applicant_phone = models.CharField("điện thoại", max_length=20, blank=True)
    applicant_email = models.EmailField("thư điện tử", blank=True)
    applicant_address = models.CharField("địa chỉ", max_length=255, blank=True)
    # Filing for someone else (đại diện theo ủy quyền): the principal's identity, checked;
    # the authorisation document is an attachment of kind "authorization". Empty when the
    # applicant files for themselves. The applicant_* fields stay the submitter's (for an
    # online submission, the account's person).
    principal_name = models.CharField("người ủy quyền", max_length=255, blank=True, default="")
    principal_id_number = models.CharField(
        "số định danh / mã số thuế của người ủy quyền", max_length=14, blank=True, default=""
    )
    request_summary = models.TextField("nội dung yêu cầu giải quyết", blank=True)
    # What the inbox search matches (selectors.inbox): see search_key_for().
    search_key = models.TextField(
        "khóa tìm kiếm (không dấu)", blank=True, default="", editable=False
    )

    # Where: received at (one-stop department), settled by (competent agency).
    receiving_agency = models.ForeignKey(
        "org.Agency",
        on_delete=models.PROTECT,
        related_name="received_dossiers",
        verbose_name="nơi tiếp nhận",
        db_index=False,  # dossier_recv_status_idx leads with it
    )
    settling_agency = models.ForeignKey(
        "org.Agency",
        on_delete=models.PROTECT,
        related_name="settled_dossiers",
        verbose_name="cơ quan giải quyết",
        db_index=False,  # dossier_settl_status_idx leads with it
    )

    # When (UTC in the database).
    submitted_at = models.DateTimeField("ngày nộp")
    received_at = models.DateTimeField("ngày tiếp nhận", null=True, blank=True)
    due_at = models.DateTimeField("ngày hẹn trả", null=True, blank=True)
    original_due_at = models.DateTimeField("ngày hẹn trả ban đầu", null=True, blank=True)
    finished_at = models.DateTimeField("ngày có kết quả", null=True, blank=True)
    returned_at = models.DateTimeField("ngày trả kết quả", null=True, blank=True)
    stopped_at = models.DateTimeField("ngày dừng xử lý", null=True, blank=True)
    paused_at = models.DateTimeField("tạm dừng tính giờ từ", null=True, blank=True)
    paused_seconds = models.BigIntegerField("thời gian tạm dừng (giây làm việc)", default=0)
    supplement_count = models.PositiveSmallIntegerField("số lần yêu cầu bổ sung", default=0)
    apology_count = models.PositiveSmallIntegerField("số lần xin lỗi, hẹn lại", default=0)

    # The internal process: the current step (None before receipt and after the last step).
    current_step = models.ForeignKey(
        "catalog.ProcessStep",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="bước hiện tại",
    )
    current_step_started_at = models.DateTimeField(null=True, blank=True)
    current_step_due_at = models.DateTimeField(null=True, blank=True)

    # Facts the indicators need (reference §4).
    fee_due_vnd = models.BigIntegerField("phí, lệ phí phải nộp (đồng)", default=0)
    fee_paid_vnd = models.BigIntegerField("đã nộp (đồng)", default=0)
    # The amount due as computed once at submission (catalog.fees.quote → FeeQuote.as_json:
    # lines, policies applied, total); None for dossiers from before it was kept.
    fee_assessment = models.JSONField("bảng tính phí, lệ phí", null=True, blank=True)
    paid_online = models.PositiveSmallIntegerField(
        "thanh toán trực tuyến", choices=PaidOnline.choices, default=PaidOnline.NO
    )
    paper_result_required = models.BooleanField("yêu cầu kết quả bản giấy", default=True)
    electronic_result = models.BooleanField("có kết quả điện tử", default=False)
    digitized = models.BooleanField("đã số hóa", default=False)
    reused = models.BooleanField("có tái sử dụng dữ liệu", default=False)
    rating = models.SmallIntegerField("đánh giá", choices=Rating.choices, null=True, blank=True)
    result_note = models.TextField("kết quả giải quyết", blank=True)
    refusal_reason = models.TextField("lý do từ chối", blank=True)

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # The hash of the dossier's last event (dossiers.chain, docs/adr/0010): written with
    # the row by the transition that appends the event, so a deleted last event shows.
    chain_head = models.CharField("mã băm sự kiện cuối", max_length=64, blank=True, default="")

    class Meta:
        verbose_name = "hồ sơ"
        verbose_name_plural = "hồ sơ"
        constraints = [
            models.CheckConstraint(
                condition=Q(status__gte=1, status__lte=10), name="dossier_status_national_code"
            ),
            models.CheckConstraint(condition=Q(channel__in=[1, 2, 3]), name="dossier_channel"),
            models.CheckConstraint(
                condition=Q(paid_online__in=[0, 1, 2]), name="dossier_paid_online"
            ),
            models.CheckConstraint(
                condition=Q(rating__isnull=True) | Q(rating__in=[-1, 0, 1]), name="dossier_rating"
            ),
            models.CheckConstraint(
                condition=Q(fee_due_vnd__gte=0) & Q(fee_paid_vnd__gte=0),
                name="dossier_money_nonnegative",
            ),
            # Received dossiers carry a code and an appointment; only 1, 3 and a withdrawal
            # before receipt (7, 8) may lack an appointment.
            models.CheckConstraint(
                condition=Q(status__in=[1, 3, 7, 8])
                | (Q(code__isnull=False) & Q(received_at__isnull=False) & Q(due_at__isnull=False)),
                name="dossier_received_has_code_and_due",
            ),
            # The code is given at submission (docs/rules.md); a received dossier always has
            # one. Dossiers imported without a code may lack one until received.
            models.CheckConstraint(
                condition=Q(received_at__isnull=True) | Q(code__isnull=False),
                name="dossier_received_has_code",
            ),
            models.CheckConstraint(
                condition=Q(principal_name="", principal_id_number="")
                | (~Q(principal_name="") & ~Q(principal_id_number="")),
                name="dossier_principal_complete",
            ),
            models.CheckConstraint(
                condition=~Q(status=5) | Q(paused_at__isnull=False),
                name="dossier_supplement_paused",
            ),
        ]
        indexes = [
            models.Index(fields=["receiving_agency", "status"], name="dossier_recv_status_idx"),
            models.Index(fields=["settling_agency", "status"], name="dossier_settl_status_idx"),
            models.Index(fields=["owner", "-submitted_at"], name="dossier_owner_idx"),
            models.Index(fields=["status", "due_at"], name="dossier_status_due_idx"),
            models.Index(fields=["received_at"], name="dossier_received_idx"),
            # The inbox walks open dossiers in due order (bench/pages.py: 50,000 open).
            models.Index(fields=["due_at", "id"], name="dossier_due_id_idx"),
            # On PostgreSQL only, trigram GIN indexes serve the inbox search's substring
            # matches on search_key and UPPER(code): migration 0005, outside the model
            # state so that SQLite never sees them.
        ]

    def __str__(self) -> str:
        return self.code or f"#{self.pk}"

    @property
    def applicant_display(self) -> str:
        """The submitter as forms and pages show them: "Name (đại diện theo ủy quyền của
        Principal)" when filing for someone else."""
        if self.principal_name:
            return f"{self.applicant_name} (đại diện theo ủy quyền của {self.principal_name})"
        return self.applicant_name


def search_key_for(applicant_name: str, procedure_code: str, procedure_name: str) -> str:
    """The dossier's search key: the applicant's name, then the procedure's code and name
    (the version the dossier was submitted under), accent-folded and lower-cased.

    Set once, when the dossier is created, by every path that creates dossiers: none of these
    facts changes afterwards. The code is not in it (it has its own index). Personal numbers (ID card, tax code, phone) stay out: the inbox never searched
    them. " | " separates the parts, so a query never matches across two of them (fold()
    leaves no "|" in a query).
    """
    return f"{fold(applicant_name)} | {_procedure_key(procedure_code, procedure_name)}"


@lru_cache(maxsize=4096)
def _procedure_key(code: str, name: str) -> str:
    # Bulk paths (demo, import) fold the same few hundred procedures thousands of times.
    return fold(f"{code} {name}")


class DailySequence(models.Model):
    """The daily counter behind dossier codes: one row per receiving agency and day."""

    agency = models.ForeignKey("org.Agency", on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["agency", "day"], name="dailyseq_agency_day_uniq"),
        ]

    def __str__(self) -> str:
        return f"{self.agency_id} {self.day} {self.last}"


class AppendOnlyError(Exception):
    pass


class DossierEvent(models.Model):
    """Append-only log of every transition: actor, time, from, to, reason, data."""

    # event_dossier_seq_uniq (dossier, seq) serves lookups by dossier.
    dossier = models.ForeignKey(
        Dossier, on_delete=models.PROTECT, related_name="events", db_index=False
    )
    seq = models.PositiveIntegerField()
    action = models.CharField(max_length=32)
    at = models.DateTimeField()
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    actor_role = models.CharField(max_length=20, blank=True)
    actor_agency = models.ForeignKey(
        "org.Agency", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    from_status = models.PositiveSmallIntegerField(null=True, blank=True)
    to_status = models.PositiveSmallIntegerField()
    reason = models.TextField(blank=True)
    data = models.JSONField(default=dict, blank=True)
    # SHA-256 of the previous event's hash and this event's fields (dossiers.chain).
    hash = models.CharField("mã băm", max_length=64, blank=True, default="")

    class Meta:
        verbose_name = "sự kiện hồ sơ"
        verbose_name_plural = "sự kiện hồ sơ"
        ordering = ["dossier", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["dossier", "seq"], name="event_dossier_seq_uniq"),
        ]
        indexes = [models.Index(fields=["at"], name="event_at_idx")]

    def __str__(self) -> str:
        return f"{self.dossier_id}#{self.seq} {self.action}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None and not kwargs.get("force_insert"):
            raise AppendOnlyError("Dossier events are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError("Dossier events are append-only.")


class Handover(models.Model):
    """One row of the control sheet (phiếu kiểm soát quá trình giải quyết hồ sơ)."""

    dossier = models.ForeignKey(Dossier, on_delete=models.PROTECT, related_name="handovers")
    step = models.ForeignKey("catalog.ProcessStep", on_delete=models.PROTECT, related_name="+")
    agency = models.ForeignKey("org.Agency", on_delete=models.PROTECT, related_name="+")
    started_at = models.DateTimeField("nhận lúc")
    due_at = models.DateTimeField("hạn của bước")
    finished_at = models.DateTimeField("giao lúc", null=True, blank=True)
    finished_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    outcome = models.CharField("kết quả", max_length=8, choices=StepOutcome.choices, blank=True)
    note = models.TextField("ghi chú", blank=True)

    class Meta:
        verbose_name = "bàn giao"
        verbose_name_plural = "phiếu kiểm soát"
        ordering = ["dossier", "started_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["dossier"],
                condition=Q(finished_at__isnull=True),
                name="handover_one_open_per_dossier",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.dossier_id} {self.step_id} {self.outcome}"


class Pause(models.Model):
    """A clock pause: a supplement request until the applicant supplements."""

    dossier = models.ForeignKey(Dossier, on_delete=models.PROTECT, related_name="pauses")
    started_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)
    reason = models.TextField()
    missing_components = models.JSONField(default=list)
    working_seconds = models.BigIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["dossier", "started_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["dossier"],
                condition=Q(ended_at__isnull=True),
                name="pause_one_open_per_dossier",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.dossier_id} {self.started_at}"


class AttachmentKind(models.TextChoices):
    SUBMITTED = "submitted", "Hồ sơ nộp"
    AUTHORIZATION = "authorization", "Giấy ủy quyền"
    SUPPLEMENT = "supplement", "Hồ sơ bổ sung"
    RESULT = "result", "Kết quả giải quyết"


class AttachmentSource(models.TextChoices):
    """Where an attachment's bytes came from: uploaded or scanned for this dossier, or taken
    from the applicant's document store (kho dữ liệu, motcua.store). Which of these count
    as reuse of digitized data (indicator 4.3) is decided by dossiers.reuse.is_reuse."""

    UPLOAD = "upload", "Tải lên / quét cho hồ sơ này"
    STORE_RESULT = "store_result", "Kho dữ liệu: kết quả điện tử đã cấp"
    STORE_COMPONENT = "store_component", "Kho dữ liệu: thành phần đã số hóa"
    STORE_UPLOAD = "store_upload", "Kho dữ liệu: giấy tờ công dân tự tải lên"


def attachment_path(instance: Attachment, filename: str) -> str:
    return f"dossiers/{instance.dossier_id}/{instance.sha256[:2]}/{instance.sha256}"


class Attachment(models.Model):
    dossier = models.ForeignKey(Dossier, on_delete=models.PROTECT, related_name="attachments")
    component = models.ForeignKey(
        "catalog.Component", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(max_length=16, choices=AttachmentKind.choices)
    file = models.FileField(upload_to=attachment_path, max_length=255)
    original_name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,  # attachment_uploader_at_idx leads with it
    )
    uploaded_at = models.DateTimeField()
    digitized = models.BooleanField("số hóa", default=False)
    reused = models.BooleanField("tái sử dụng", default=False)
    # The OCR text of a digitized scan (motcua.digitization), accent-folded (core.text.fold):
    # what the inbox search matches besides the dossier's own search key (selectors.inbox).
    text_key = models.TextField(
        "nội dung nhận dạng (không dấu)", blank=True, default="", editable=False
    )
    # The malware scan's answer (dossiers/scanner.py): when clamd said the file was clean and
    # its VERSION (engine/signature database/date). Empty: kept with no scanner configured.
    scanned_at = models.DateTimeField("quét mã độc lúc", null=True, blank=True)
    scan_engine = models.CharField("bộ quét mã độc", max_length=200, blank=True, default="")
    # Taken from the applicant's store (issue 12): the source, the attachment it copies (a
    # result or a digitized component of an earlier dossier) or the id of the store's own
    # upload (motcua.store.StoreDocument, which may be deleted later: the copy stays), and
    # what the officer reads ("Kết quả hồ sơ X…"). Written by the submission only.
    source = models.CharField(
        "nguồn", max_length=16, choices=AttachmentSource.choices, default=AttachmentSource.UPLOAD
    )
    source_attachment = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="tệp gốc trong kho",
    )
    source_document_id = models.PositiveBigIntegerField(
        "giấy tờ trong kho (mã)", null=True, blank=True
    )
    source_label = models.CharField("mô tả nguồn", max_length=500, blank=True, default="")

    class Meta:
        verbose_name = "tệp đính kèm"
        verbose_name_plural = "tệp đính kèm"
        ordering = ["dossier", "pk"]
        indexes = [
            # An account's uploads of the day (services._files._check_volume).
            models.Index(fields=["uploaded_by", "uploaded_at"], name="attachment_uploader_at_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(
                    source="upload", source_attachment__isnull=True, source_document_id__isnull=True
                )
                | Q(
                    source__in=["store_result", "store_component"],
                    source_attachment__isnull=False,
                )
                | Q(source="store_upload", source_document_id__isnull=False),
                name="attachment_source_named",
            ),
        ]

    def __str__(self) -> str:
        return self.original_name


class SubmissionKey(models.Model):
    """An idempotency key of an online submission, per account: the same key with the same
    request gives back the same dossier; with a different request it is refused
    (services.dossier_submit). The portal uses one key per draft."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=255)
    fingerprint = models.CharField("dấu vân tay yêu cầu (SHA-256)", max_length=64)
    dossier = models.ForeignKey(
        Dossier, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    created_at = models.DateTimeField()

    class Meta:
        verbose_name = "khóa nộp hồ sơ"
        verbose_name_plural = "khóa nộp hồ sơ"
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="submissionkey_user_key_uniq"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.key}"


class ReceivedSource(models.TextChoices):
    COUNTER = "counter", "Nộp tại quầy / bưu chính"
    ONLINE = "online", "Nộp trực tuyến"
    SUPPLEMENT = "supplement", "Bổ sung"


class ReceivedComponent(models.Model):
    """What was actually handed in, per component: the originals and copies counted at the
    counter, the files uploaded online, the supplements. Written in the transaction of the
    submission, intake or supplement; the receipt (Mẫu 01) lists the rows of that act."""

    dossier = models.ForeignKey(Dossier, on_delete=models.PROTECT, related_name="received")
    component = models.ForeignKey(
        "catalog.Component", on_delete=models.PROTECT, related_name="+", verbose_name="thành phần"
    )
    source = models.CharField("nguồn", max_length=12, choices=ReceivedSource.choices)
    originals = models.PositiveSmallIntegerField("số bản chính", default=0)
    copies = models.PositiveSmallIntegerField("số bản sao", default=0)
    files = models.PositiveSmallIntegerField("số tệp", default=0)
    at = models.DateTimeField("thời điểm")

    class Meta:
        verbose_name = "thành phần hồ sơ đã nhận"
        verbose_name_plural = "thành phần hồ sơ đã nhận"
        ordering = ["dossier", "pk"]
        indexes = [models.Index(fields=["dossier", "source"], name="received_dossier_source")]
        constraints = [
            models.CheckConstraint(
                condition=Q(originals__gt=0) | Q(copies__gt=0) | Q(files__gt=0),
                name="received_something",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.dossier_id} {self.component_id} {self.originals}/{self.copies}/{self.files}"


class Book(models.TextChoices):
    """The agency's numbered books of forms (Số: NNNN/TNHS …), one sequence per year."""

    RECEIPT = "TNHS", "Giấy tiếp nhận hồ sơ và hẹn trả kết quả"
    SUPPLEMENT = "HDHS", "Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ"
    REFUSAL = "TCHS", "Phiếu từ chối tiếp nhận giải quyết hồ sơ"
    APOLOGY = "PXL", "Phiếu xin lỗi / văn bản đề nghị gia hạn"
    STOP_NOTICE = "TB", "Thông báo dừng giải quyết hồ sơ"


# The book each numbered act writes in (the services assign the number; the demo's
# synthesized history numbers its events the same way).
BOOK_OF_ACTION = {
    "receive": Book.RECEIPT,
    "request_supplement": Book.SUPPLEMENT,
    "refuse": Book.REFUSAL,
    "apologize": Book.APOLOGY,
    "stop": Book.STOP_NOTICE,
}


class BookSequence(models.Model):
    """The counter of one book of one agency in one year (like DailySequence: one upsert)."""

    agency = models.ForeignKey("org.Agency", on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField()
    book = models.CharField(max_length=8, choices=Book.choices)
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["agency", "year", "book"], name="bookseq_uniq"),
        ]

    def __str__(self) -> str:
        return f"{self.agency_id} {self.year} {self.book} {self.last}"
