"""A paper component scanned at the counter and made into a searchable PDF/A (Circular
01/2023/TT-VPCP; Decree 107/2021: digitisation at receipt). The scan row carries the
request and its progress; the PDF/A, once made, is the dossier's Attachment with
`digitized` set: the only way an attachment becomes digitized (digitization.rules)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from .enums import ScanStatus


class Scan(models.Model):
    dossier = models.ForeignKey(
        "dossiers.Dossier", on_delete=models.PROTECT, related_name="scans", verbose_name="hồ sơ"
    )
    component = models.ForeignKey(
        "catalog.Component", on_delete=models.PROTECT, related_name="+", verbose_name="thành phần"
    )
    status = models.CharField(
        "trạng thái", max_length=16, choices=ScanStatus.choices, default=ScanStatus.QUEUED
    )
    # The files as scanned, in page order: [{"path", "name", "content_type", "sha256", "size"}].
    sources = models.JSONField("tệp quét")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
        verbose_name="người số hóa",
    )  # fmt: skip
    requested_at = models.DateTimeField("yêu cầu lúc")
    started_at = models.DateTimeField("bắt đầu nhận dạng", null=True, blank=True)
    finished_at = models.DateTimeField("số hóa xong lúc", null=True, blank=True)
    attempts = models.PositiveSmallIntegerField("số lần chạy", default=0)
    error = models.TextField("lỗi", blank=True, default="")
    # The result (status done): the PDF/A as the dossier's attachment, its code, its text.
    attachment = models.OneToOneField(
        "dossiers.Attachment", null=True, blank=True, on_delete=models.PROTECT,
        related_name="scan", verbose_name="bản PDF/A",
    )  # fmt: skip
    code = models.CharField("mã số hóa", max_length=64, null=True, blank=True, unique=True)
    text = models.TextField("nội dung nhận dạng", blank=True, default="")
    pages = models.PositiveIntegerField("số trang", default=0)
    cpu_ms = models.PositiveBigIntegerField("thời gian CPU (ms)", default=0)

    class Meta:
        verbose_name = "bản số hóa"
        verbose_name_plural = "bản số hóa"
        ordering = ["dossier", "pk"]
        constraints = [
            models.CheckConstraint(
                name="scan_done_has_its_result",
                condition=~Q(status=ScanStatus.DONE)
                | (
                    Q(attachment__isnull=False, code__isnull=False, finished_at__isnull=False)
                    & ~Q(code="")
                ),
            ),
            models.CheckConstraint(
                name="scan_result_only_when_done",
                condition=Q(status=ScanStatus.DONE) | Q(attachment__isnull=True, code__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return self.code or f"scan {self.pk}"


class ScanEvent(models.Model):
    """Append-only: every change of a scan's state, who and when (the audit trail)."""

    scan = models.ForeignKey(Scan, on_delete=models.PROTECT, related_name="events")
    action = models.CharField(max_length=16)
    at = models.DateTimeField()
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )  # fmt: skip
    from_status = models.CharField(max_length=16, blank=True, default="")
    to_status = models.CharField(max_length=16)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = "sự kiện số hóa"
        verbose_name_plural = "sự kiện số hóa"
        ordering = ["scan", "pk"]

    def __str__(self) -> str:
        return f"{self.scan_id} {self.action}"
