"""Citizens' feedback (phản ánh, kiến nghị: PAKN; issue 14, docs/feedback.md).

A Feedback is what a person sent about a dossier, a procedure or an agency/officer, with
the whole of its handling on the row (intake, classification, assignment, the request for
more information, the answer, its publication, the submitter's satisfaction) and the due
moments computed on the work calendar when each step starts (feedback.rules). Every change
appends a FeedbackEvent in the same transaction (feedback.services)."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import models
from django.db.models import Q

from motcua.dossiers.models import AppendOnlyError

from .enums import Action, Channel, Kind, Satisfaction, Status, Subject, Topic

VN = ZoneInfo("Asia/Ho_Chi_Minh")


class Feedback(models.Model):
    code = models.CharField("mã theo dõi", max_length=16, unique=True)
    channel = models.CharField("kênh", max_length=8, choices=Channel.choices)
    subject = models.CharField("về", max_length=10, choices=Subject.choices)
    status = models.CharField(
        "trạng thái", max_length=16, choices=Status.choices, default=Status.RECEIVED
    )
    kind = models.CharField("loại", max_length=10, choices=Kind.choices, blank=True)
    topic = models.CharField("nội dung thuộc", max_length=12, choices=Topic.choices, blank=True)
    # What it is about.
    dossier = models.ForeignKey(
        "dossiers.Dossier",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="feedback",
    )
    procedure = models.ForeignKey(
        "catalog.Procedure", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    about_officer = models.CharField("cán bộ được phản ánh", max_length=255, blank=True)
    # The agency that takes it in (chosen by the submitter, or the dossier's settling
    # agency), and the agency and officer that handle it after assignment.
    intake_agency = models.ForeignKey(
        "org.Agency", on_delete=models.PROTECT, related_name="+", verbose_name="cơ quan tiếp nhận"
    )
    agency = models.ForeignKey(
        "org.Agency",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="cơ quan xử lý",
    )
    officer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="cán bộ xử lý",
    )
    # What was said, by whom.
    content = models.TextField("nội dung")
    submitter_name = models.CharField("họ tên người gửi", max_length=255)
    submitter_phone = models.CharField("điện thoại", max_length=20, blank=True)
    submitter_email = models.EmailField("thư điện tử", blank=True)
    submitter_address = models.CharField("địa chỉ", max_length=255, blank=True)
    owner = models.ForeignKey(
        "org.Applicant", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    consent_publish = models.BooleanField("đồng ý công khai", default=False)
    # Nothing deletes feedback (no service does; the admin is read-only); SET_NULL and the
    # events' CASCADE only let the demo's reset wipe everything at once.
    follows = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="followups",
        verbose_name="phản ánh lại của",
    )
    # The handling.
    received_at = models.DateTimeField("gửi lúc")
    accepted_at = models.DateTimeField(null=True, blank=True)
    rejected_at = models.DateTimeField(null=True, blank=True)
    reject_reason = models.TextField("lý do không tiếp nhận", blank=True)
    classified_at = models.DateTimeField(null=True, blank=True)
    assigned_at = models.DateTimeField(null=True, blank=True)
    info_requested_at = models.DateTimeField("đề nghị bổ sung lần đầu", null=True, blank=True)
    info_request = models.TextField("nội dung đề nghị bổ sung", blank=True)
    info_provided_at = models.DateTimeField(null=True, blank=True)
    info_response = models.TextField("thông tin bổ sung", blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    answer = models.TextField("trả lời", blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    published_at = models.DateTimeField(null=True, blank=True)
    public_content = models.TextField("nội dung công khai", blank=True)
    public_answer = models.TextField("trả lời công khai", blank=True)
    search_key = models.TextField(blank=True, default="")
    satisfaction = models.CharField(
        "mức độ hài lòng", max_length=12, choices=Satisfaction.choices, blank=True
    )
    rated_at = models.DateTimeField(null=True, blank=True)
    # Due moments (feedback.rules.deadline), fixed when the step starts.
    reject_due_at = models.DateTimeField("hạn từ chối tiếp nhận")
    info_due_at = models.DateTimeField("hạn đề nghị bổ sung lần đầu")
    answer_due_at = models.DateTimeField("hạn trả lời")
    publish_due_at = models.DateTimeField("hạn công khai", null=True, blank=True)

    class Meta:
        verbose_name = "phản ánh, kiến nghị"
        verbose_name_plural = "phản ánh, kiến nghị"
        ordering = ["-received_at", "-pk"]
        indexes = [
            models.Index(fields=["intake_agency", "status"], name="feedback_intake_idx"),
            models.Index(fields=["agency", "status"], name="feedback_agency_idx"),
            models.Index(fields=["received_at"], name="feedback_received_idx"),
            models.Index(fields=["-published_at"], name="feedback_published_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(published_at__isnull=True) | Q(consent_publish=True),
                name="feedback_published_with_consent",
            ),
            models.CheckConstraint(
                condition=~Q(subject="dossier") | Q(dossier__isnull=False),
                name="feedback_dossier_subject_has_dossier",
            ),
            models.CheckConstraint(
                condition=Q(rejected_at__isnull=True) | ~Q(reject_reason=""),
                name="feedback_rejected_with_reason",
            ),
            models.CheckConstraint(
                condition=Q(answered_at__isnull=True) | ~Q(answer=""),
                name="feedback_answered_with_text",
            ),
        ]

    def __str__(self) -> str:
        # Not the tracking code: it is the submitter's secret, and this is what lists of
        # rows (the indicators' drill-down, the admin) print.
        sent = self.received_at.astimezone(VN).strftime("%d/%m/%Y") if self.received_at else ""
        return f"Phản ánh #{self.pk}, gửi {sent}: {self.get_status_display()}"


class FeedbackEvent(models.Model):
    """Append-only trail of a feedback's handling: who, when, from → to, what."""

    feedback = models.ForeignKey(Feedback, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(max_length=16, choices=Action.choices)
    at = models.DateTimeField()
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    from_status = models.CharField(max_length=16, blank=True)
    to_status = models.CharField(max_length=16)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = "sự kiện phản ánh"
        verbose_name_plural = "sự kiện phản ánh"
        ordering = ["feedback", "pk"]

    def __str__(self) -> str:
        return f"{self.feedback_id} {self.action}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None and not kwargs.get("force_insert"):
            raise AppendOnlyError("Feedback events are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError("Feedback events are append-only.")
