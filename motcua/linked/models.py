"""A linked application (hồ sơ liên thông): one submission by the applicant, one dossier per
member procedure of the catalog's chain (catalog.LinkedProcedure), created in order."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q

from .enums import ApplicationState, MemberState


class LinkedApplication(models.Model):
    linked = models.ForeignKey(
        "catalog.LinkedProcedure",
        on_delete=models.PROTECT,
        related_name="applications",
        verbose_name="thủ tục liên thông",
    )
    owner = models.ForeignKey(
        "org.Applicant", on_delete=models.PROTECT, related_name="linked_applications"
    )
    # Where the applicant files: a one-stop center; each member is received there too and
    # routed to its competent agency.
    receiving_agency = models.ForeignKey(
        "org.Agency", on_delete=models.PROTECT, related_name="+", verbose_name="nơi tiếp nhận"
    )
    state = models.CharField(
        "tình trạng",
        max_length=12,
        choices=ApplicationState.choices,
        default=ApplicationState.IN_PROGRESS,
    )
    data = models.JSONField("dữ liệu tờ khai", default=dict, blank=True)
    contact = models.JSONField("liên hệ", default=dict, blank=True)
    # The cases ("trường hợp …") the applicant declared; each member receives its own.
    cases = models.JSONField("trường hợp đã khai", default=list, blank=True)
    # The electronic form's answers as given (motcua.eforms), when a member has a form: its
    # member's dossier is submitted with them (validated again, its declaration made).
    form_answers = models.JSONField("tờ khai điện tử", null=True, blank=True)
    submitted_at = models.DateTimeField("ngày nộp")
    stopped_reason = models.TextField("lý do dừng", blank=True)
    # The submission's idempotency key (per owner) and what the request was: a replay with
    # the same key and request gives back this application; another request is refused.
    idempotency_key = models.CharField("khóa nộp hồ sơ", max_length=255, blank=True)
    fingerprint = models.CharField("dấu vân tay yêu cầu (SHA-256)", max_length=64, blank=True)

    class Meta:
        verbose_name = "hồ sơ liên thông"
        verbose_name_plural = "hồ sơ liên thông"
        ordering = ["-submitted_at", "-pk"]
        indexes = [models.Index(fields=["owner", "submitted_at"], name="linkedapp_owner_idx")]
        constraints = [
            models.UniqueConstraint(
                fields=["owner", "idempotency_key"],
                condition=~Q(idempotency_key=""),
                name="linkedapp_owner_key_uniq",
            ),
        ]

    def __str__(self) -> str:
        return f"LT-{self.pk}"


class LinkedDossier(models.Model):
    """One member of an application: its dossier once created. One row per member, created
    with the application (state `waiting` until it starts): the unique constraint is what
    makes a replayed hook create nothing twice."""

    application = models.ForeignKey(
        LinkedApplication, on_delete=models.PROTECT, related_name="members"
    )
    member = models.ForeignKey("catalog.LinkedMember", on_delete=models.PROTECT, related_name="+")
    order = models.PositiveSmallIntegerField("thứ tự")
    dossier = models.OneToOneField(
        "dossiers.Dossier",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="linked_member",
    )
    state = models.CharField(
        "tình trạng", max_length=12, choices=MemberState.choices, default=MemberState.WAITING
    )
    # What passed to this member: the data keys its definition names, and the previous
    # member's result ({"dossier_code", "returned_at", "result_note", "attachments"}).
    data = models.JSONField("dữ liệu chuyển sang", default=dict, blank=True)
    previous_result = models.JSONField("kết quả thủ tục trước", null=True, blank=True)
    reason = models.TextField("lý do", blank=True)

    class Meta:
        verbose_name = "thủ tục thành phần của hồ sơ liên thông"
        verbose_name_plural = "thủ tục thành phần của hồ sơ liên thông"
        ordering = ["application", "order"]
        constraints = [
            models.UniqueConstraint(
                fields=["application", "order"], name="linkeddossier_member_uniq"
            ),
            models.CheckConstraint(
                condition=Q(dossier__isnull=True) | ~Q(state="waiting"),
                name="linkeddossier_started_has_state",
            ),
        ]

    def __str__(self) -> str:
        return f"LT-{self.application_id}/{self.order}"


def linked_file_path(instance: LinkedFile, filename: str) -> str:
    return f"linked/{instance.application_id}/{instance.sha256[:2]}/{instance.sha256}"


class LinkedFile(models.Model):
    """A file the applicant handed in once for the whole application, kept until the member
    procedures that need it start (each gets its own copy as an attachment)."""

    application = models.ForeignKey(
        LinkedApplication, on_delete=models.PROTECT, related_name="files"
    )
    part = models.CharField("phần hồ sơ", max_length=64)
    file = models.FileField(upload_to=linked_file_path, max_length=255)
    original_name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)

    class Meta:
        ordering = ["application", "pk"]

    def __str__(self) -> str:
        return self.original_name


class AppendOnlyError(Exception):
    pass


class LinkedEvent(models.Model):
    """Append-only log of the application: submitted, each member started or done, stopped,
    completed (the member dossiers keep their own events)."""

    application = models.ForeignKey(
        LinkedApplication, on_delete=models.PROTECT, related_name="events"
    )
    seq = models.PositiveIntegerField()
    action = models.CharField(max_length=32)
    at = models.DateTimeField()
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["application", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["application", "seq"], name="linkedevent_seq_uniq")
        ]

    def __str__(self) -> str:
        return f"LT-{self.application_id}#{self.seq} {self.action}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise AppendOnlyError("Linked application events are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError("Linked application events are append-only.")
