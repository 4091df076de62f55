"""Generated forms stored with their dossier, and per-procedure template choices."""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from .enums import DocumentKind

# Forms live under DOCUMENTS_DIR/<dossier id>/ in the project's storage.
DOCUMENTS_DIR = "documents"


def document_folder(dossier_id: int) -> str:
    return f"{DOCUMENTS_DIR}/{dossier_id}"


def document_path(instance: DossierDocument, filename: str) -> str:
    return f"{document_folder(instance.dossier_id)}/{instance.kind}-{instance.sha256[:16]}.pdf"


class DossierDocument(models.Model):
    """One rendered form (PDF) of a dossier.

    Event forms (receipt, supplement request, refusal, apology, stop notice) are one per
    event and never change; the control sheet (event null) is one per dossier and is
    replaced when the handovers move on.
    """

    dossier = models.ForeignKey(
        "dossiers.Dossier",
        on_delete=models.PROTECT,
        related_name="documents",
        verbose_name="hồ sơ",
    )
    kind = models.CharField("loại giấy tờ", max_length=24, choices=DocumentKind.choices)
    event = models.ForeignKey(
        "dossiers.DossierEvent",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="sự kiện",
    )
    template = models.CharField("mẫu", max_length=40)
    file = models.FileField("tệp", upload_to=document_path, max_length=255)
    sha256 = models.CharField(max_length=64)
    size = models.PositiveIntegerField("dung lượng (byte)")
    created_at = models.DateTimeField("ngày tạo", auto_now_add=True)

    class Meta:
        verbose_name = "giấy tờ đã in"
        verbose_name_plural = "giấy tờ đã in"
        ordering = ["dossier", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["dossier", "kind", "event"],
                condition=Q(event__isnull=False),
                name="document_dossier_kind_event_uniq",
            ),
            # NULLs are distinct in a plain unique index: one event-less row per kind.
            models.UniqueConstraint(
                fields=["dossier", "kind"],
                condition=Q(event__isnull=True),
                name="document_dossier_kind_noevent_uniq",
            ),
            models.CheckConstraint(
                condition=Q(kind=DocumentKind.CONTROL_SHEET, event__isnull=True)
                | (~Q(kind=DocumentKind.CONTROL_SHEET) & Q(event__isnull=False)),
                name="document_event_iff_event_kind",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.dossier_id} {self.kind} {self.sha256[:8]}"


class ProcedureTemplate(models.Model):
    """A procedure that prints one of its forms with a sector template (e.g. the police
    residence receipt CT04 of Circular 66/2023/TT-BCA) instead of the standard one."""

    procedure = models.ForeignKey(
        "catalog.Procedure",
        on_delete=models.CASCADE,
        related_name="templates",
        verbose_name="thủ tục",
    )
    kind = models.CharField("loại giấy tờ", max_length=24, choices=DocumentKind.choices)
    template = models.CharField("mẫu", max_length=40)

    class Meta:
        verbose_name = "mẫu giấy tờ riêng của thủ tục"
        verbose_name_plural = "mẫu giấy tờ riêng của thủ tục"
        constraints = [
            models.UniqueConstraint(fields=["procedure", "kind"], name="proctemplate_uniq"),
        ]

    def __str__(self) -> str:
        return f"{self.procedure_id} {self.kind}: {self.template}"
