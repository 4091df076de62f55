"""The outbox: one row per message to an outside destination, written in the transaction of
the event that causes it and delivered after commit by a worker (motcua.integration.outbox).

States: pending → delivering (claimed by a worker, under a lease) → delivered | pending
(retry later) | dead (rejected, or out of attempts; an officer may replay it to pending).
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone


class OutboxState(models.TextChoices):
    PENDING = "pending", "Chờ gửi"
    DELIVERING = "delivering", "Đang gửi"
    DELIVERED = "delivered", "Đã gửi"
    DEAD = "dead", "Gửi thất bại (thư chết)"


STATE_EN = {
    "pending": "Waiting",
    "delivering": "Being delivered",
    "delivered": "Delivered",
    "dead": "Dead letter",
}
# Where a message still holds back the later messages of its (destination, key).
OPEN_STATES = (OutboxState.PENDING, OutboxState.DELIVERING)


class OutboxMessage(models.Model):
    destination = models.CharField("nơi nhận", max_length=64)
    # Orders messages per destination: one key's messages go out one after another.
    key = models.CharField("khóa thứ tự", max_length=120)
    # Unique per destination, and sent to the receiver so it can drop a repeat.
    dedup_id = models.CharField("mã chống trùng", max_length=200)
    payload = models.JSONField("nội dung")
    state = models.CharField(
        "trạng thái", max_length=16, choices=OutboxState.choices, default=OutboxState.PENDING
    )
    attempts = models.PositiveIntegerField("số lần gửi", default=0)
    next_attempt_at = models.DateTimeField("gửi lần tới lúc", default=timezone.now)
    # While delivering: the claim's end. A worker dead mid-batch leaves the message here,
    # and another one takes it once this time has passed.
    lease_until = models.DateTimeField("hết hạn giữ", null=True, blank=True)
    # The claim that holds the message (one token per claimed batch): a worker whose lease
    # ran out and whose messages another worker claimed again cannot mark them any more.
    claim = models.CharField("mã lượt nhận", max_length=32, blank=True, default="")
    last_error = models.TextField("lỗi gần nhất", blank=True, default="")
    created_at = models.DateTimeField("tạo lúc", default=timezone.now)
    delivered_at = models.DateTimeField("gửi xong lúc", null=True, blank=True)

    class Meta:
        verbose_name = "thư đi (outbox)"
        verbose_name_plural = "thư đi (outbox)"
        constraints = [
            models.UniqueConstraint(
                fields=["destination", "dedup_id"], name="outbox_dedup_id_unique_per_destination"
            ),
            models.CheckConstraint(
                condition=Q(state__in=[s.value for s in OutboxState]),
                name="outbox_state_valid",
            ),
            models.CheckConstraint(
                condition=~Q(state=OutboxState.DELIVERED) | Q(delivered_at__isnull=False),
                name="outbox_delivered_has_time",
            ),
            models.CheckConstraint(
                condition=~Q(state=OutboxState.DELIVERING) | Q(lease_until__isnull=False),
                name="outbox_delivering_has_lease",
            ),
        ]
        indexes = [
            # The claim: what is due, oldest first.
            models.Index(
                fields=["next_attempt_at", "id"],
                name="outbox_pending_due",
                condition=Q(state="pending"),
            ),
            # The claim: leases that ran out.
            models.Index(
                fields=["lease_until"],
                name="outbox_delivering_lease",
                condition=Q(state="delivering"),
            ),
            # The claim's order check (an earlier open message of the same key holds a
            # message back) and a key's history (a dossier's sync log).
            models.Index(fields=["destination", "key", "id"], name="outbox_destination_key"),
            # The officers' page: dead letters per destination.
            models.Index(
                fields=["destination", "id"], name="outbox_dead", condition=Q(state="dead")
            ),
        ]

    def __str__(self) -> str:
        return f"{self.destination}:{self.dedup_id}"
