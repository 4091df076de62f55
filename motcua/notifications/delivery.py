"""The outbox destinations of the three channels: each delivers one logged Message through
its adapter (channels.py) and records the outcome on the log row.

A Message already sent is not sent again (a worker killed between the send and the outbox's
mark hands it over twice); the provider also gets the message's de-duplication id (SMS
RequestId, ZNS tracking_id, e-mail Message-ID). On the last attempt a temporary failure
makes the message dead, as the outbox does with it.
"""

from __future__ import annotations

from typing import Any

from motcua.integration import outbox

from . import channels, services
from .enums import DESTINATION
from .enums import Status as MessageStatus

# E-mail and SMS are retried for about a day (5 s, 10 s, … 1 h), then dead.
MAX_ATTEMPTS = 12
BACKOFF = (5.0, 3600.0)


def _deliver(channel: str, outbox_message: Any) -> None:
    message = services.delivery_begin(int(outbox_message.payload["message_id"]))
    if message is None:
        return
    try:
        provider_id = channels.SENDERS[channel](message)
    except channels.Permanent as exc:
        services.delivery_record(message_id=message.pk, status=MessageStatus.DEAD, error=str(exc))
        raise outbox.Reject(str(exc)) from exc
    except channels.Temporary as exc:
        last = outbox_message.attempts >= MAX_ATTEMPTS
        services.delivery_record(
            message_id=message.pk,
            status=MessageStatus.DEAD if last else MessageStatus.FAILED,
            error=str(exc),
        )
        raise outbox.Retry(str(exc)) from exc
    services.delivery_record(
        message_id=message.pk, status=MessageStatus.SENT, provider_id=provider_id
    )


def register() -> None:
    for channel, name in DESTINATION.items():

        def deliver(outbox_message: Any, channel: str = channel) -> None:
            _deliver(channel, outbox_message)

        outbox.destination(name, max_attempts=MAX_ATTEMPTS, backoff=BACKOFF, timeout=30.0)(deliver)
