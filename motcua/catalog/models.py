"""Catalog of administrative procedures (thủ tục hành chính), as in the national record.

A procedure is versioned: each `ProcedureVersion` has an effective range and carries the
whole record (reference §6). A dossier keeps the version it was received under.
"""

from __future__ import annotations

import datetime as dt
import secrets
from decimal import Decimal

from django.db import models
from django.db.models import Q

from motcua.core.text import fold
from motcua.org.enums import AgencyKind, Role

from .enums import (
    AgencyRole,
    Channel,
    Confidence,
    FeeComputation,
    FeeKind,
    Level,
    LinkedStart,
    OnlineLevel,
    PolicyEffect,
    PolicyScope,
    ProofKind,
    Rounding,
    TimeUnit,
)


class Field(models.Model):
    """Lĩnh vực."""

    code = models.CharField("mã lĩnh vực", max_length=40, unique=True)
    name = models.CharField("tên lĩnh vực", max_length=255)

    class Meta:
        verbose_name = "lĩnh vực"
        verbose_name_plural = "lĩnh vực"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Procedure(models.Model):
    code = models.CharField("mã thủ tục", max_length=40, unique=True)
    # Real names run to ~570 characters (GPXD cấp III/IV lists every sub-case).
    name = models.CharField("tên thủ tục", max_length=1000)
    search_key = models.TextField("khóa tìm kiếm (không dấu)", blank=True, editable=False)
    field = models.ForeignKey(
        Field, on_delete=models.PROTECT, related_name="procedures", verbose_name="lĩnh vực"
    )
    level = models.CharField("cấp thực hiện", max_length=4, choices=Level.choices)
    active = models.BooleanField("đang áp dụng", default=True)

    class Meta:
        verbose_name = "thủ tục hành chính"
        verbose_name_plural = "thủ tục hành chính"
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} — {self.name}"

    def save(self, *args, **kwargs) -> None:
        # The accent-folded key that `selectors.procedure_search` matches on.
        self.search_key = fold(f"{self.name} {self.code} {self.field.name}")
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "search_key"}
        super().save(*args, **kwargs)

    def version_on(self, day: dt.date | None = None) -> ProcedureVersion | None:
        from motcua.core import rows

        # Precompiled (docs/adr/0003): a submission asks for it; bench/rows.py measures it.
        day = day or dt.date.today()
        procedure, start, end, number = (
            rows.column(ProcedureVersion, name, "t0")
            for name in ("procedure", "effective_from", "effective_to", "number")
        )
        found = rows.select(
            ProcedureVersion,
            f"{procedure} = %s AND {start} <= %s AND ({end} IS NULL OR {end} >= %s)",
            [self.pk, day, day],
            tail=f"ORDER BY {start} DESC, {number} DESC LIMIT 1",
        )
        return found[0] if found else None


def new_limits_stamp() -> int:
    return secrets.randbits(62)


class ProcedureVersion(models.Model):
    procedure = models.ForeignKey(Procedure, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField("phiên bản")
    effective_from = models.DateField("hiệu lực từ")
    effective_to = models.DateField("hiệu lực đến", null=True, blank=True)
    name = models.CharField("tên thủ tục", max_length=1000)
    steps_text = models.TextField("trình tự thực hiện", blank=True)
    channels = models.JSONField("cách thức thực hiện (kênh)", default=list)
    # The limits themselves are `ProcedureTimeLimit` rows, one per channel; this is the
    # record's wording, kept verbatim.
    time_limit_text = models.TextField("thời hạn (nguyên văn)", blank=True)
    # Changes whenever the version's limits change (`limits.py` caches them per process
    # under (pk, stamp), so a receipt reads them without a query). Random, not a counter:
    # a primary key reused after a rollback must not meet a stale cache entry.
    time_limits_stamp = models.BigIntegerField(
        "dấu phiên bản thời hạn", default=new_limits_stamp, editable=False
    )
    subjects = models.JSONField("đối tượng thực hiện", default=list)
    result = models.TextField("kết quả", blank=True)
    paper_result_required = models.BooleanField("yêu cầu kết quả bản giấy", default=True)
    conditions = models.TextField("yêu cầu, điều kiện", blank=True)
    legal_basis = models.JSONField("căn cứ pháp lý", default=list)
    online_level = models.CharField(
        "mức độ dịch vụ công trực tuyến",
        max_length=10,
        choices=OnlineLevel.choices,
        default=OnlineLevel.NONE,
    )
    eligible_full_online = models.BooleanField("đủ điều kiện toàn trình", default=False)
    # Whether waiting for the applicant's payment (status 6) pauses the clock; empty = the
    # setting MOTCUA_PAYMENT_PAUSES_CLOCK (default: land procedures only). docs/rules.md.
    payment_pauses_clock = models.BooleanField(
        "tạm dừng tính thời gian khi chờ thực hiện nghĩa vụ tài chính",
        null=True,
        blank=True,
        default=None,
    )
    deciding_agency_text = models.TextField("cơ quan có thẩm quyền", blank=True)
    receiving_agency_text = models.TextField("cơ quan tiếp nhận", blank=True)
    settling_agency_text = models.TextField("cơ quan thực hiện", blank=True)
    publication_decision = models.CharField("quyết định công bố", max_length=255, blank=True)
    # Indicators 1.1 and 1.2 (Decision 766 group 1, motcua.indicators.computed): the date of
    # the publication decision, the date the legal text that the decision implements takes
    # effect, and the date the procedure was made public (updated on the national TTHC
    # database / this catalog). Empty = unknown: the version is not counted (docs/indicators.md).
    publication_decision_date = models.DateField("ngày quyết định công bố", null=True, blank=True)
    legal_basis_effective_date = models.DateField(
        "ngày hiệu lực của văn bản quy định thủ tục", null=True, blank=True
    )
    published_on = models.DateField("ngày công khai thủ tục", null=True, blank=True)
    source = models.JSONField("nguồn dữ liệu", default=dict, blank=True)

    class Meta:
        verbose_name = "phiên bản thủ tục"
        verbose_name_plural = "phiên bản thủ tục"
        constraints = [
            models.UniqueConstraint(fields=["procedure", "number"], name="procversion_uniq"),
            models.CheckConstraint(
                condition=Q(effective_to__isnull=True)
                | Q(effective_to__gte=models.F("effective_from")),
                name="procversion_valid_range",
            ),
            # At most one open-ended version per procedure: a new version closes the last.
            models.UniqueConstraint(
                fields=["procedure"],
                condition=Q(effective_to__isnull=True),
                name="procversion_one_open",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.procedure.code} v{self.number}"

    @property
    def fee_total_vnd(self) -> int:
        """The sum of the figures the record states, every channel together — not what a
        dossier owes: that is catalog.fees.quote's, kept on the dossier at submission."""
        return sum(f.amount_vnd or 0 for f in self.fees.all())


class ProcedureTimeLimit(models.Model):
    """Thời hạn giải quyết of a version for one channel (cách thức thực hiện).

    The national record states the limit per channel when they differ ("Trực tuyến: 17 Ngày
    làm việc; Dịch vụ bưu chính: 20 Ngày làm việc; Trực tiếp: 27 Ngày làm việc"); the
    appointment of a dossier uses the row of its channel. A channel without a row has no
    limit: the version takes no dossiers by that channel (`limits.limit_for`). Written only
    by the importer (with a new version) and by `services.time_limit_set`; both write
    the audit trail (motcua.core.audit).
    """

    version = models.ForeignKey(
        ProcedureVersion, on_delete=models.CASCADE, related_name="time_limits"
    )
    channel = models.PositiveSmallIntegerField("cách thức thực hiện", choices=Channel.choices)
    value = models.DecimalField("thời hạn", max_digits=7, decimal_places=2, null=True, blank=True)
    unit = models.CharField("đơn vị", max_length=20, choices=TimeUnit.choices)
    # Same-day limits only: received after this hour, due at the close of the next working
    # day (chứng thực: 15 giờ, Nghị định 23/2015/NĐ-CP Điều 7).
    cutoff = models.TimeField("giờ chốt tiếp nhận trong ngày", null=True, blank=True)

    class Meta:
        verbose_name = "thời hạn giải quyết"
        verbose_name_plural = "thời hạn giải quyết"
        ordering = ["version", "channel"]
        constraints = [
            models.UniqueConstraint(
                fields=["version", "channel"], name="timelimit_one_per_channel"
            ),
            models.CheckConstraint(
                condition=Q(channel__in=Channel.values), name="timelimit_channel_valid"
            ),
            models.CheckConstraint(
                condition=Q(unit__in=TimeUnit.values), name="timelimit_unit_valid"
            ),
            # A same-day limit has a cut-off and no number; every other limit a positive
            # number and no cut-off.
            models.CheckConstraint(
                condition=(
                    Q(unit=TimeUnit.SAME_DAY, value__isnull=True, cutoff__isnull=False)
                    | (
                        ~Q(unit=TimeUnit.SAME_DAY)
                        & Q(value__isnull=False, value__gt=0, cutoff__isnull=True)
                    )
                ),
                name="timelimit_value_matches_unit",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.version_id}/{self.channel}: {self.value} {self.unit}"


class Component(models.Model):
    """Thành phần hồ sơ."""

    version = models.ForeignKey(
        ProcedureVersion, on_delete=models.CASCADE, related_name="components"
    )
    order = models.PositiveIntegerField("thứ tự")
    name = models.TextField("tên giấy tờ")
    original_count = models.PositiveSmallIntegerField("số bản chính", default=0)
    copy_count = models.PositiveSmallIntegerField("số bản sao", default=0)
    required = models.BooleanField("bắt buộc", default=True)
    form = models.CharField("mẫu đơn, tờ khai", max_length=500, blank=True)
    # Case headings are verbatim and can exceed 600 characters.
    group = models.TextField("nhóm (tiêu đề nguyên văn)", blank=True)
    # The case in which the component applies ("" = always): derived from the name and the
    # group by motcua.catalog.cases.derive_cases; required only if the applicant declares it.
    case = models.TextField("trường hợp áp dụng", blank=True)

    class Meta:
        verbose_name = "thành phần hồ sơ"
        verbose_name_plural = "thành phần hồ sơ"
        ordering = ["version", "order"]
        constraints = [
            models.UniqueConstraint(fields=["version", "order"], name="component_order_uniq"),
        ]

    def __str__(self) -> str:
        return self.name[:80]


class FeeItem(models.Model):
    """Phí, lệ phí of a version: its kind, legal basis and how its amount is computed
    (motcua.catalog.fees, the one place that computes it).

    `amount_vnd` is None when the record gives no VND figure: the amount is unknown and the
    officer sets it at the request for payment. Per computation:
    - fixed: `amount_vnd`;
    - per_unit: `amount_vnd` × the applicant's answer `answer_key` (copies, pages, people);
    - tiered: the answer's units priced by `bands` (units numbered from 1; a unit n falls in
      the band with from ≤ n < to, each band's `amount_vnd` per unit);
    - band: the band [from, to) that holds the answer (e.g. an area in m²) gives the amount.
    Then `minimum_vnd` / `maximum_vnd` bound it, and a `multiplier_key` answer (e.g. the
    number of copies when the bound is per copy) multiplies it. `channels` empty = every
    channel; otherwise the record prices this item for those channels only.
    """

    version = models.ForeignKey(ProcedureVersion, on_delete=models.CASCADE, related_name="fees")
    order = models.PositiveIntegerField("thứ tự", default=0)
    name = models.CharField("tên khoản thu", max_length=500)
    kind = models.CharField(
        "loại khoản thu", max_length=8, choices=FeeKind.choices, default="", blank=True
    )
    computation = models.CharField(
        "cách tính", max_length=10, choices=FeeComputation.choices, default=FeeComputation.FIXED
    )
    amount_vnd = models.BigIntegerField(
        "số tiền / đơn giá (đồng)",
        null=True,
        blank=True,
        help_text="Để trống khi chưa rõ số tiền: cán bộ nhập khi yêu cầu nộp phí.",
    )
    unit = models.CharField("đơn vị tính", max_length=40, blank=True)
    answer_key = models.SlugField(
        "khóa câu trả lời của người nộp",
        max_length=40,
        blank=True,
        help_text="Ví dụ: so_ban, so_trang, so_nguoi, dien_tich_m2.",
    )
    multiplier_key = models.SlugField(
        "khóa hệ số nhân", max_length=40, blank=True, help_text="Ví dụ: so_ban (tối đa mỗi bản)."
    )
    bands = models.JSONField(
        "bảng bậc / khung",
        default=list,
        blank=True,
        help_text='[{"from": 0, "to": 3, "amount_vnd": 2000}, {"from": 3, "to": null, …}]',
    )
    minimum_vnd = models.BigIntegerField("mức tối thiểu (đồng)", null=True, blank=True)
    maximum_vnd = models.BigIntegerField("mức tối đa (đồng)", null=True, blank=True)
    channels = models.JSONField(
        "áp dụng cho cách thức", default=list, blank=True, help_text="Trống: mọi cách thức."
    )
    legal_basis_number = models.CharField("số hiệu văn bản căn cứ", max_length=60, blank=True)
    legal_basis_text = models.TextField("căn cứ (nguyên văn)", blank=True)
    note = models.TextField("ghi chú", blank=True)

    class Meta:
        verbose_name = "phí, lệ phí"
        verbose_name_plural = "phí, lệ phí"
        ordering = ["version", "order"]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount_vnd__isnull=True) | Q(amount_vnd__gte=0), name="fee_nonnegative"
            ),
            models.CheckConstraint(condition=Q(kind__in=FeeKind.values), name="fee_kind_valid"),
            models.CheckConstraint(
                condition=Q(computation__in=FeeComputation.values), name="fee_computation_valid"
            ),
            # Every computation but a fixed amount reads an answer of the applicant.
            models.CheckConstraint(
                condition=Q(computation=FeeComputation.FIXED) | ~Q(answer_key=""),
                name="fee_answer_key_needed",
            ),
            models.CheckConstraint(
                condition=(Q(minimum_vnd__isnull=True) | Q(minimum_vnd__gte=0))
                & (Q(maximum_vnd__isnull=True) | Q(maximum_vnd__gte=0))
                & (
                    Q(minimum_vnd__isnull=True)
                    | Q(maximum_vnd__isnull=True)
                    | Q(maximum_vnd__gte=models.F("minimum_vnd"))
                ),
                name="fee_bounds_valid",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class FeePolicy(models.Model):
    """A reduction or exemption of fees, effective-dated, with its legal basis.

    In force on day D when `active` and valid_from ≤ D ≤ valid_to (both inclusive: the texts
    say "đến hết ngày …"; no valid_to = open). It applies to the fee items in its scope:
    - online: `percent` off for dossiers submitted online — only on items priced for every
      channel (an item the record prices per channel already carries its channel's rate);
    - subject: `percent` off (100 = exemption) for a subject (hộ nghèo, người có công…),
      only when PROVEN: by a component handed in whose name holds `proof_key` (folded), or
      by a verified attribute `proof_key` of the applicant (org.VerifiedAttribute).
    Rates are data (fixtures/fee_policies.json); `confidence` keeps the reference's label.
    """

    code = models.SlugField("mã chính sách", max_length=80, unique=True)
    name = models.CharField("tên chính sách", max_length=255)
    legal_basis_number = models.CharField("số hiệu văn bản", max_length=60, blank=True)
    legal_basis_text = models.TextField("căn cứ pháp lý")
    confidence = models.CharField(
        "mức xác nhận", max_length=12, choices=Confidence.choices, default=Confidence.UNCONFIRMED
    )
    source_url = models.URLField("nguồn", max_length=500, blank=True)
    valid_from = models.DateField("hiệu lực từ (tính cả ngày này)")
    valid_to = models.DateField("hiệu lực đến (tính cả ngày này)", null=True, blank=True)
    active = models.BooleanField("đang áp dụng", default=True)
    scope = models.CharField("phạm vi", max_length=12, choices=PolicyScope.choices)
    # Codes of the national record (mã TTHC), not keys: policies are loaded before or
    # after the catalog, and a procedure's code outlives its rows.
    procedure_codes = models.JSONField(
        "mã các thủ tục", default=list, blank=True, help_text='Ví dụ: ["1.001456", "2.000815"]'
    )
    fee_kind = models.CharField(
        "loại khoản thu", max_length=8, choices=FeeKind.choices, default="", blank=True
    )
    effect = models.CharField("tác động", max_length=10, choices=PolicyEffect.choices)
    percent = models.PositiveSmallIntegerField(
        "tỷ lệ giảm (%)", help_text="100 = miễn; 50 = giảm 50%."
    )
    rounding = models.CharField(
        "làm tròn", max_length=10, choices=Rounding.choices, default=Rounding.HALF_UP
    )
    subject = models.CharField("đối tượng", max_length=255, blank=True)
    proof_kind = models.CharField(
        "cách chứng minh", max_length=10, choices=ProofKind.choices, blank=True
    )
    proof_key = models.CharField(
        "giấy tờ / thuộc tính chứng minh",
        max_length=120,
        blank=True,
        help_text="Giấy tờ: cụm từ trong tên thành phần hồ sơ (ví dụ 'hộ nghèo'); "
        "thuộc tính: tên thuộc tính đã xác minh (ví dụ 'ho_ngheo').",
    )
    note = models.TextField("ghi chú", blank=True)

    class Meta:
        verbose_name = "chính sách miễn, giảm phí"
        verbose_name_plural = "chính sách miễn, giảm phí"
        ordering = ["valid_from", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(percent__gte=1, percent__lte=100), name="feepolicy_percent_range"
            ),
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=models.F("valid_from")),
                name="feepolicy_valid_range",
            ),
            models.CheckConstraint(
                condition=Q(scope__in=PolicyScope.values), name="feepolicy_scope_valid"
            ),
            models.CheckConstraint(
                condition=~Q(scope=PolicyScope.FEE_KIND) | ~Q(fee_kind=""),
                name="feepolicy_kind_scope_has_kind",
            ),
            models.CheckConstraint(
                condition=Q(effect__in=PolicyEffect.values), name="feepolicy_effect_valid"
            ),
            models.CheckConstraint(
                condition=Q(rounding__in=Rounding.values), name="feepolicy_rounding_valid"
            ),
            # A subject's exemption is applied only when proven: it names its proof.
            models.CheckConstraint(
                condition=Q(effect=PolicyEffect.ONLINE_REDUCTION)
                | (Q(proof_kind__in=ProofKind.values) & ~Q(proof_key="")),
                name="feepolicy_subject_has_proof",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class ProcedureAgency(models.Model):
    """Which agencies of the province receive, settle or decide a procedure."""

    procedure = models.ForeignKey(Procedure, on_delete=models.CASCADE, related_name="agencies")
    agency = models.ForeignKey("org.Agency", on_delete=models.CASCADE, related_name="procedures")
    role = models.CharField("vai trò", max_length=12, choices=AgencyRole.choices)

    class Meta:
        verbose_name = "cơ quan thực hiện thủ tục"
        verbose_name_plural = "cơ quan thực hiện thủ tục"
        constraints = [
            models.UniqueConstraint(fields=["procedure", "agency", "role"], name="procagency_uniq"),
        ]

    def __str__(self) -> str:
        return f"{self.procedure_id}/{self.agency_id}/{self.role}"


class ProcessStep(models.Model):
    """One step of the internal process (quy trình nội bộ) of a procedure version.

    `agency_role` says whose step it is: the receiving agency (the one-stop counter) or the
    settling agency. Durations are in working hours; a working day counts
    `enums.WORKING_HOURS_PER_DAY` (7.5 h) hours, the same day as the work calendar.
    """

    version = models.ForeignKey(ProcedureVersion, on_delete=models.CASCADE, related_name="steps")
    order = models.PositiveIntegerField("thứ tự")
    name = models.CharField("tên bước", max_length=255)
    role = models.CharField("vai trò thực hiện", max_length=20, choices=Role.choices)
    agency_role = models.CharField(
        "đơn vị thực hiện",
        max_length=12,
        choices=[
            (AgencyRole.RECEIVING, "Bộ phận một cửa"),
            (AgencyRole.SETTLING, "Cơ quan giải quyết"),
        ],
    )
    duration_hours = models.DecimalField("thời gian (giờ làm việc)", max_digits=7, decimal_places=2)

    class Meta:
        verbose_name = "bước quy trình nội bộ"
        verbose_name_plural = "bước quy trình nội bộ"
        ordering = ["version", "order"]
        constraints = [
            models.UniqueConstraint(fields=["version", "order"], name="step_order_uniq"),
            models.CheckConstraint(
                condition=Q(duration_hours__gt=Decimal("0")), name="step_duration_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.order}. {self.name}"


class LinkedProcedure(models.Model):
    """A linked procedure (thủ tục liên thông): one application, several member procedures
    settled by different agencies in a defined order (motcua.linked runs it; docs/linked.md).

    `procedure` is the catalog record of the linked procedure itself (2.000986 for birth +
    permanent residence + health insurance card of a child under six); the members are the
    procedures whose dossiers are created, each in its own agency."""

    procedure = models.OneToOneField(
        Procedure,
        on_delete=models.PROTECT,
        related_name="linked",
        verbose_name="thủ tục liên thông",
    )
    active = models.BooleanField("đang áp dụng", default=True)
    source = models.TextField("nguồn quy định", blank=True)
    confidence = models.CharField(
        "độ tin cậy", max_length=12, choices=Confidence.choices, default=Confidence.UNCONFIRMED
    )

    class Meta:
        verbose_name = "thủ tục liên thông"
        verbose_name_plural = "thủ tục liên thông"
        ordering = ["procedure__code"]

    def __str__(self) -> str:
        return str(self.procedure)


class LinkedMember(models.Model):
    """One member procedure of a linked procedure, in order: which kind of agency settles
    it, when it starts, and what passes to it (keys of the application's data, and the
    previous member's result)."""

    linked = models.ForeignKey(
        LinkedProcedure, on_delete=models.CASCADE, related_name="members", verbose_name="liên thông"
    )
    order = models.PositiveSmallIntegerField("thứ tự")
    procedure = models.ForeignKey(
        Procedure, on_delete=models.PROTECT, related_name="+", verbose_name="thủ tục thành phần"
    )
    agency_kind = models.CharField(
        "loại cơ quan giải quyết", max_length=30, choices=AgencyKind.choices
    )
    start = models.CharField(
        "bắt đầu", max_length=16, choices=LinkedStart.choices, default=LinkedStart.AFTER_PREVIOUS
    )
    data_keys = models.JSONField(
        "dữ liệu chuyển sang (khóa)",
        default=list,
        blank=True,
        help_text="Các khóa của dữ liệu tờ khai chuyển cho hồ sơ này; rỗng: không chuyển.",
    )
    takes_previous_result = models.BooleanField("nhận kết quả của thủ tục trước", default=True)
    # The component of this member's version that the previous member's electronic result
    # fills (its name, as in the catalog); empty: the result passes as data only.
    result_component = models.TextField("thành phần do kết quả trước thay thế", blank=True)

    class Meta:
        verbose_name = "thủ tục thành phần"
        verbose_name_plural = "thủ tục thành phần (theo thứ tự)"
        ordering = ["linked", "order"]
        constraints = [
            models.UniqueConstraint(fields=["linked", "order"], name="linkedmember_order_uniq"),
            models.UniqueConstraint(
                fields=["linked", "procedure"], name="linkedmember_procedure_uniq"
            ),
            models.CheckConstraint(
                condition=Q(order__gt=1) | Q(start=LinkedStart.AT_ONCE),
                name="linkedmember_first_at_once",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.order}. {self.procedure_id}"
