"""Writes of the integration app: an officer's replay of dead letters (audited)."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from motcua.core import audit
from motcua.core.errors import IllegalTransition, NotFound
from motcua.core.models import AuditAction
from motcua.core.types import Actor

from .access import check_replay
from .models import OutboxMessage, OutboxState

REPLAY_FIELDS = ("state", "attempts", "next_attempt_at", "last_error")


def outbox_message_replay(*, actor: Actor, message_id: int, reason: str = "") -> OutboxMessage:
    """Put one dead letter back in the queue: pending, due now, attempts from zero, with its
    dedup id unchanged (the receiver drops it if it did take it after all). Only a dead
    letter may be replayed, by whom access.can_replay allows; the audit trail keeps who,
    when, and the error it had."""
    check_replay(actor)
    with transaction.atomic():
        message = OutboxMessage.objects.select_for_update().filter(pk=message_id).first()
        if message is None:
            raise NotFound("thư đi", "Outbox message")
        if message.state != OutboxState.DEAD:
            raise IllegalTransition(
                "outbox_not_dead",
                "Chỉ gửi lại được thư đã thất bại (thư chết).",
                "Only a dead letter can be replayed.",
                data={"state": message.state},
            )
        _replay(actor, message, reason)
    from .outbox import _kick_after_commit

    with transaction.atomic():
        _kick_after_commit()
    return message


def outbox_replay_dead(*, actor: Actor, destination: str, reason: str = "") -> int:
    """Replay every dead letter of `destination` (each one audited); return how many."""
    check_replay(actor)
    with transaction.atomic():
        messages = list(
            OutboxMessage.objects.select_for_update()
            .filter(destination=destination, state=OutboxState.DEAD)
            .order_by("id")
        )
        for message in messages:
            _replay(actor, message, reason)
        if messages:
            from .outbox import _kick_after_commit

            _kick_after_commit()
    return len(messages)


def _replay(actor: Actor, message: OutboxMessage, reason: str) -> None:
    before = audit.snapshot(message, REPLAY_FIELDS)
    message.state = OutboxState.PENDING
    message.attempts = 0
    message.next_attempt_at = timezone.now()
    message.lease_until = None
    message.save(update_fields=["state", "attempts", "next_attempt_at", "lease_until"])
    audit.record(
        actor=actor,
        action=AuditAction.CHANGED,
        operation="outbox_message_replay",
        obj=message,
        before=before,
        after=audit.snapshot(message, REPLAY_FIELDS),
        reason=reason,
    )
