"""The audit trail of master data: who changed what, when, before → after.

Dossiers keep their own trail (their events); this table holds every other change a
service makes to data that decides how dossiers are handled: staff roles, agencies,
declared days off and working hours, procedure versions, their time limits and their
internal process. Only `motcua.core.audit.record` writes it, inside the transaction of the
change it describes. Rows are never changed or deleted: the model refuses it, and on
PostgreSQL and SQLite a trigger refuses it too (migration 0002).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone


class AuditAction(models.TextChoices):
    CREATED = "created", "tạo mới"
    CHANGED = "changed", "thay đổi"
    ENDED = "ended", "chấm dứt, thu hồi"
    DELETED = "deleted", "xóa"


class AppendOnly(Exception):
    """An audit entry was about to be changed or deleted."""


class AuditEntryQuerySet(models.QuerySet["AuditEntry"]):
    def update(self, **kwargs: Any) -> int:
        raise AppendOnly("Nhật ký thay đổi chỉ được ghi thêm / the audit trail is append-only")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise AppendOnly("Nhật ký thay đổi chỉ được ghi thêm / the audit trail is append-only")


class AuditEntry(models.Model):
    at = models.DateTimeField("thời điểm", default=timezone.now)
    # PROTECT: a person who changed something stays known; deactivate the account instead.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="người thực hiện",
    )
    # The user name at the time (or "hệ thống" for an importer, a command, a task).
    actor_label = models.CharField("người thực hiện (tên)", max_length=150)
    action = models.CharField("thao tác", max_length=20, choices=AuditAction.choices)
    # The service function that made the change ("staff_assign_role", "time_limit_set").
    operation = models.CharField("chức năng", max_length=60)
    # "app_label.model", as `Model._meta.label_lower`: the history of a row outlives it.
    object_type = models.CharField("loại đối tượng", max_length=100)
    object_id = models.CharField("mã đối tượng", max_length=64)
    object_label = models.CharField("đối tượng", max_length=255)
    before = models.JSONField("trước", null=True, blank=True)
    after = models.JSONField("sau", null=True, blank=True)
    reason = models.TextField("lý do, căn cứ pháp lý", blank=True)
    request_id = models.CharField("mã yêu cầu", max_length=64, blank=True)
    # The hash chain (docs/adr/0010, core.audit.entry_hash): the hash of the entry before
    # (by id) and this entry's, SHA-256 of prev_hash and the fields above.
    prev_hash = models.CharField("mã băm trước", max_length=64, blank=True, default="")
    hash = models.CharField("mã băm", max_length=64, blank=True, default="")

    objects = AuditEntryQuerySet.as_manager()

    class Meta:
        verbose_name = "nhật ký thay đổi"
        verbose_name_plural = "nhật ký thay đổi"
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["object_type", "object_id", "-at"], name="audit_object_idx"),
            models.Index(fields=["actor", "-at"], name="audit_actor_idx"),
            models.Index(fields=["-at"], name="audit_at_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(action__in=AuditAction.values), name="audit_action_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_label} {self.action} {self.object_label}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise AppendOnly("Nhật ký thay đổi chỉ được ghi thêm / the audit trail is append-only")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise AppendOnly("Nhật ký thay đổi chỉ được ghi thêm / the audit trail is append-only")
