"""Organisation: administrative units, agencies, staff roles, applicant accounts.

Units and agencies are effective-dated with successor links (reference §11): the units
abolished on 01/07/2025 (e.g. Bắc Giang province, Yên Thế district) stay in the table so
that historic dossiers keep the unit they were received in.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q

from .enums import AgencyKind, ApplicantKind, Role, UnitKind


class AdministrativeUnit(models.Model):
    code = models.CharField("mã đơn vị hành chính", max_length=16)
    name = models.CharField("tên", max_length=200)
    kind = models.CharField("loại", max_length=20, choices=UnitKind.choices)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    valid_from = models.DateField("hiệu lực từ", default=dt.date(2025, 7, 1))
    valid_to = models.DateField("hiệu lực đến", null=True, blank=True)
    successor = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="predecessors",
        verbose_name="đơn vị kế thừa",
    )

    class Meta:
        verbose_name = "đơn vị hành chính"
        verbose_name_plural = "đơn vị hành chính"
        constraints = [
            models.UniqueConstraint(
                fields=["code", "valid_from"], name="unit_code_valid_from_uniq"
            ),
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=models.F("valid_from")),
                name="unit_valid_range",
            ),
        ]
        indexes = [models.Index(fields=["code"], name="unit_code_idx")]

    def __str__(self) -> str:
        return self.name

    def is_valid_on(self, day: dt.date) -> bool:
        return self.valid_from <= day and (self.valid_to is None or day <= self.valid_to)

    def current(self) -> AdministrativeUnit:
        """Follow successor links to the unit in force today."""
        unit, seen = self, set()
        while unit.successor is not None and unit.pk not in seen:
            seen.add(unit.pk)
            unit = unit.successor
        return unit


class Agency(models.Model):
    code = models.CharField("mã định danh điện tử", max_length=32, unique=True)
    name = models.CharField("tên cơ quan", max_length=255)
    short_name = models.CharField("tên viết tắt", max_length=100, blank=True)
    kind = models.CharField("loại cơ quan", max_length=30, choices=AgencyKind.choices)
    unit = models.ForeignKey(
        AdministrativeUnit,
        on_delete=models.PROTECT,
        related_name="agencies",
        verbose_name="đơn vị hành chính",
    )
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
        verbose_name="cơ quan cấp trên",
    )
    address = models.CharField("địa chỉ", max_length=255, blank=True)
    phone = models.CharField("điện thoại", max_length=30, blank=True)
    valid_from = models.DateField("hiệu lực từ", default=dt.date(2025, 7, 1))
    valid_to = models.DateField("hiệu lực đến", null=True, blank=True)
    successor = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="predecessors",
        verbose_name="cơ quan kế thừa",
    )

    class Meta:
        verbose_name = "cơ quan"
        verbose_name_plural = "cơ quan"
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=models.F("valid_from")),
                name="agency_valid_range",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def receives_dossiers(self) -> bool:
        return self.kind in (AgencyKind.PROVINCIAL_CENTER, AgencyKind.COMMUNE_CENTER)


class StaffRole(models.Model):
    """A staff member's role in one agency. A person may hold several."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="staff_roles"
    )
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="staff_roles")
    role = models.CharField("vai trò", max_length=20, choices=Role.choices)
    title = models.CharField("chức danh", max_length=120, blank=True)
    active = models.BooleanField("đang hoạt động", default=True)
    # The role's own validity (an appointment, a secondment): empty = open-ended. Rights end
    # at the end of valid_to, or earlier when the agency's own validity ends
    # (motcua.org.selectors.staff_role_map).
    valid_from = models.DateField("hiệu lực từ", null=True, blank=True)
    valid_to = models.DateField("hiệu lực đến", null=True, blank=True)

    class Meta:
        verbose_name = "vai trò cán bộ"
        verbose_name_plural = "vai trò cán bộ"
        constraints = [
            models.UniqueConstraint(fields=["user", "agency", "role"], name="staffrole_uniq"),
            models.CheckConstraint(
                condition=Q(valid_from__isnull=True)
                | Q(valid_to__isnull=True)
                | Q(valid_to__gte=models.F("valid_from")),
                name="staffrole_valid_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()} — {self.agency}"


class Applicant(models.Model):
    """A citizen or business account: identified by the 12-digit personal number or the tax code."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="applicant"
    )
    kind = models.CharField("loại", max_length=10, choices=ApplicantKind.choices)
    full_name = models.CharField("họ tên / tên tổ chức", max_length=255)
    personal_id = models.CharField("số định danh cá nhân", max_length=12, blank=True)
    tax_code = models.CharField("mã số thuế", max_length=14, blank=True)
    phone = models.CharField("điện thoại", max_length=20, blank=True)
    email = models.EmailField("thư điện tử", blank=True)
    address = models.CharField("địa chỉ", max_length=255, blank=True)

    class Meta:
        verbose_name = "người nộp hồ sơ"
        verbose_name_plural = "người nộp hồ sơ"
        constraints = [
            models.UniqueConstraint(
                fields=["personal_id"], condition=~Q(personal_id=""), name="applicant_pid_uniq"
            ),
            models.UniqueConstraint(
                fields=["tax_code"], condition=~Q(tax_code=""), name="applicant_tax_uniq"
            ),
            models.CheckConstraint(
                condition=(Q(kind="person") & ~Q(personal_id=""))
                | (Q(kind="business") & ~Q(tax_code="")),
                name="applicant_has_identifier",
            ),
        ]

    def __str__(self) -> str:
        return self.full_name

    @property
    def identifier(self) -> str:
        return self.personal_id if self.kind == ApplicantKind.PERSON else self.tax_code


class ApplicantIdentity(models.Model):
    """Where an applicant's identity was proven: one row per (issuer, subject) binding.

    Written only by the OpenID Connect login (`motcua.org.identity.applicant_from_oidc`),
    from the claims of an ID token whose signature, issuer, audience, expiry and nonce were
    checked: it is a fact from the login, not a field anyone edits (read-only in the admin).
    `number` is the personal number or tax code the provider asserted, kept to show that
    the account's identifier came from the provider and not from a form.
    """

    applicant = models.ForeignKey(
        Applicant, on_delete=models.CASCADE, related_name="identities", verbose_name="người nộp"
    )
    issuer = models.CharField("nhà cung cấp định danh (issuer)", max_length=255)
    subject = models.CharField("mã định danh tại nhà cung cấp (sub)", max_length=255)
    number = models.CharField("số định danh / mã số thuế đã xác thực", max_length=14)
    acr = models.CharField("mức xác thực (acr)", max_length=64, blank=True)
    verified_at = models.DateTimeField("xác thực lần đầu")
    last_login_at = models.DateTimeField("đăng nhập gần nhất")
    # How the binding was made: a new account, or a local account linked by the rule
    # in docs/security.md ("Đăng nhập bằng định danh quốc gia").
    linked_local = models.BooleanField("gắn vào tài khoản có sẵn", default=False)

    class Meta:
        verbose_name = "định danh đã xác thực"
        verbose_name_plural = "định danh đã xác thực"
        constraints = [
            models.UniqueConstraint(fields=["issuer", "subject"], name="identity_issuer_sub_uniq"),
            # One binding per applicant and provider: a second subject never takes over.
            models.UniqueConstraint(
                fields=["applicant", "issuer"], name="identity_applicant_issuer_uniq"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.issuer} / {self.subject}"


class VerifiedAttribute(models.Model):
    """A fact about an applicant that a process proved (hộ nghèo, người có công, người
    khuyết tật…), read by the fee policies (catalog.fees) to grant an exemption.

    Written only by `org.services.applicant_attribute_verify`: by an identity login that
    received the attribute from the identity provider (source `identity`), or by an
    officer who saw the evidence (source `officer`, with the evidence noted). The applicant
    never sets it; there is no form of the applicant's that writes it.
    """

    class Source(models.TextChoices):
        IDENTITY = "identity", "Đăng nhập định danh điện tử"
        OFFICER = "officer", "Cán bộ xác minh"

    applicant = models.ForeignKey(
        Applicant, on_delete=models.CASCADE, related_name="verified_attributes"
    )
    name = models.SlugField("thuộc tính", max_length=60)
    source = models.CharField("nguồn xác minh", max_length=10, choices=Source.choices)
    evidence = models.TextField("căn cứ xác minh", blank=True)
    verified_at = models.DateTimeField("thời điểm xác minh")
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="người xác minh",
    )
    valid_to = models.DateField("hiệu lực đến (tính cả ngày này)", null=True, blank=True)

    class Meta:
        verbose_name = "thuộc tính đã xác minh"
        verbose_name_plural = "thuộc tính đã xác minh"
        constraints = [
            models.UniqueConstraint(fields=["applicant", "name"], name="verifiedattr_uniq"),
            models.CheckConstraint(
                condition=Q(source__in=["identity", "officer"]), name="verifiedattr_source"
            ),
            # An officer's verification names the officer and what was seen.
            models.CheckConstraint(
                condition=Q(source="identity") | (Q(verified_by__isnull=False) & ~Q(evidence="")),
                name="verifiedattr_officer_evidence",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.applicant_id}: {self.name}"
