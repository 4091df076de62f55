"""Notification templates, the applicant's channel choice, the message log and the early
warnings already given (docs/notifications.md)."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from .enums import Channel, Event, Language, Status


class Template(models.Model):
    """What one event says on one channel in one language; edited in the admin.

    `body` (and `subject` for e-mail) is Django template text rendered in a sandbox
    (rendering.render): no loaders, no tag libraries, a context of plain strings. For Zalo the
    approved ZNS template lives at Zalo (its id: MOTCUA_ZALO_TEMPLATE_IDS); `body` renders the
    `next_step` parameter it is sent with."""

    event = models.CharField("sự kiện", max_length=32, choices=Event.choices)
    channel = models.CharField("kênh", max_length=8, choices=Channel.choices)
    language = models.CharField("ngôn ngữ", max_length=2, choices=Language.choices)
    subject = models.CharField("tiêu đề (thư điện tử)", max_length=255, blank=True)
    body = models.TextField("nội dung")
    updated_at = models.DateTimeField("sửa lần cuối", auto_now=True)

    class Meta:
        verbose_name = "mẫu thông báo"
        verbose_name_plural = "mẫu thông báo"
        ordering = ("event", "channel", "language")
        constraints = [
            models.UniqueConstraint(
                fields=("event", "channel", "language"),
                name="notification_template_one_per_event_channel_language",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_event_display()} / {self.get_channel_display()} / {self.language}"


class Preference(models.Model):
    """The channels an applicant's account chose; without a row, `rules.channels_for` gives
    the default (e-mail if an address is known, SMS if a phone is)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preference"
    )
    email = models.BooleanField("thư điện tử", default=True)
    sms = models.BooleanField("SMS", default=True)
    zalo = models.BooleanField("Zalo", default=False)
    language = models.CharField(
        "ngôn ngữ", max_length=2, choices=Language.choices, default=Language.VI
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "lựa chọn nhận thông báo"
        verbose_name_plural = "lựa chọn nhận thông báo"

    def __str__(self) -> str:
        return str(self.user)


class Message(models.Model):
    """One message to one recipient on one channel: written with the dossier event (status
    queued), updated by the delivery (sent / failed / dead)."""

    dossier = models.ForeignKey(
        "dossiers.Dossier",
        on_delete=models.PROTECT,
        related_name="notifications",
        null=True,
        blank=True,
    )
    event_id_ref = models.BigIntegerField("sự kiện hồ sơ", null=True, blank=True)
    event = models.CharField("sự kiện", max_length=32, choices=Event.choices)
    channel = models.CharField("kênh", max_length=8, choices=Channel.choices)
    language = models.CharField("ngôn ngữ", max_length=2, choices=Language.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        related_name="+",
        null=True,
        blank=True,
    )
    recipient = models.CharField("người nhận (địa chỉ, số điện thoại)", max_length=255)
    subject = models.CharField("tiêu đề", max_length=255, blank=True)
    body = models.TextField("nội dung")
    params = models.JSONField("tham số (Zalo ZNS)", default=dict, blank=True)
    dedup_id = models.CharField("mã chống trùng", max_length=100, unique=True)
    status = models.CharField(
        "trạng thái", max_length=8, choices=Status.choices, default=Status.QUEUED
    )
    attempts = models.PositiveIntegerField("số lần gửi", default=0)
    last_error = models.TextField("lỗi gần nhất", blank=True)
    provider_id = models.CharField("mã tin của nhà cung cấp", max_length=100, blank=True)
    created_at = models.DateTimeField("tạo lúc", auto_now_add=True)
    sent_at = models.DateTimeField("gửi lúc", null=True, blank=True)

    class Meta:
        verbose_name = "thông báo đã gửi"
        verbose_name_plural = "nhật ký thông báo"
        ordering = ("-created_at", "-id")
        indexes = [models.Index(fields=("dossier", "created_at"), name="notification_by_dossier")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=[s.value for s in Status]),
                name="notification_message_status_known",
            ),
            models.CheckConstraint(
                condition=~models.Q(status=Status.SENT) | models.Q(sent_at__isnull=False),
                name="notification_message_sent_has_time",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.event} → {self.recipient} ({self.status})"


class EarlyWarning(models.Model):
    """When a dossier's appointment reaches the early-warning share (rules.early_warning_at),
    and whether officers were warned: one row per dossier and appointment, so a warning is
    given once, and again only for a new appointment."""

    dossier = models.ForeignKey(
        "dossiers.Dossier", on_delete=models.CASCADE, related_name="early_warnings"
    )
    due_at = models.DateTimeField("hẹn trả được cảnh báo")
    warn_at = models.DateTimeField("cảnh báo từ")
    warned_at = models.DateTimeField("đã cảnh báo lúc", null=True, blank=True)

    class Meta:
        verbose_name = "cảnh báo sắp quá hạn"
        verbose_name_plural = "cảnh báo sắp quá hạn"
        constraints = [
            models.UniqueConstraint(
                fields=("dossier", "due_at"), name="early_warning_once_per_appointment"
            )
        ]
        indexes = [
            models.Index(
                fields=("warn_at",),
                condition=models.Q(warned_at__isnull=True),
                name="early_warning_pending",
            )
        ]

    def __str__(self) -> str:
        return f"{self.dossier_id} @ {self.warn_at:%Y-%m-%d %H:%M}"
