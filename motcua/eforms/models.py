"""Electronic forms: versioned definitions, which procedure version uses which form, and
the filled form of a dossier (docs/adr/0016-form-definitions-are-immutable-versions.md).

A definition row is never changed once stored: an edit is a new row with the next version
(services.definition_save). A dossier's form names the exact row it was filled against,
and its data is written once at submission.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q


class FormDefinition(models.Model):
    key = models.SlugField("mã tờ khai", max_length=80)
    version = models.PositiveIntegerField("phiên bản")
    document = models.JSONField("định nghĩa (JSON)")
    sha256 = models.CharField("SHA-256 của định nghĩa", max_length=64)
    published = models.BooleanField("đang dùng", default=True)
    created_at = models.DateTimeField("tạo lúc")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="người tạo",
    )

    class Meta:
        verbose_name = "định nghĩa tờ khai điện tử"
        verbose_name_plural = "định nghĩa tờ khai điện tử"
        ordering = ["key", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["key", "version"], name="formdef_key_version_uniq"),
            # One version of a form in use at a time.
            models.UniqueConstraint(
                fields=["key"], condition=Q(published=True), name="formdef_one_published"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.key} v{self.version}"

    @property
    def title(self) -> str:
        return str(self.document.get("title", {}).get("vi", self.key))


class ProcedureForm(models.Model):
    """A procedure version's electronic form, by key: the version in use (published) of
    that key is what applicants fill."""

    procedure_version = models.OneToOneField(
        "catalog.ProcedureVersion",
        on_delete=models.CASCADE,
        related_name="eform",
        verbose_name="phiên bản thủ tục",
    )
    form_key = models.SlugField("mã tờ khai", max_length=80)

    class Meta:
        verbose_name = "tờ khai của thủ tục"
        verbose_name_plural = "tờ khai của thủ tục"

    def __str__(self) -> str:
        return f"{self.procedure_version} → {self.form_key}"


class DossierForm(models.Model):
    """The filled form of a dossier: the definition row it was filled against and the
    clean data, frozen at submission (written once by services.dossier_form_attach)."""

    dossier = models.OneToOneField(
        "dossiers.Dossier", on_delete=models.PROTECT, related_name="eform", verbose_name="hồ sơ"
    )
    definition = models.ForeignKey(
        FormDefinition, on_delete=models.PROTECT, related_name="+", verbose_name="tờ khai"
    )
    data = models.JSONField("dữ liệu tờ khai")
    sha256 = models.CharField("SHA-256 của dữ liệu", max_length=64)
    submitted_at = models.DateTimeField("nộp lúc")
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="người nộp",
    )

    class Meta:
        verbose_name = "tờ khai điện tử của hồ sơ"
        verbose_name_plural = "tờ khai điện tử của hồ sơ"

    def __str__(self) -> str:
        return f"{self.dossier_id}: {self.definition}"
