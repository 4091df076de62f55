"""Reads of the integration app: the outbox per destination, a dossier's sync log."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Min, Q, QuerySet
from django.utils import timezone

from .models import OutboxMessage, OutboxState


@dataclass(frozen=True)
class DestinationStatus:
    destination: str
    pending: int
    delivering: int
    delivered: int
    dead: int
    oldest_pending_at: dt.datetime | None

    @property
    def oldest_pending_age(self) -> dt.timedelta | None:
        if self.oldest_pending_at is None:
            return None
        return timezone.now() - self.oldest_pending_at


def destination_status(names: list[str] | None = None) -> list[DestinationStatus]:
    """Messages per destination and state (one query), the oldest still waiting."""
    qs = OutboxMessage.objects.all()
    if names is not None:
        qs = qs.filter(destination__in=names)
    rows = (
        qs.values("destination")
        .annotate(
            pending=Count("id", filter=Q(state=OutboxState.PENDING)),
            delivering=Count("id", filter=Q(state=OutboxState.DELIVERING)),
            delivered=Count("id", filter=Q(state=OutboxState.DELIVERED)),
            dead=Count("id", filter=Q(state=OutboxState.DEAD)),
            oldest=Min("created_at", filter=Q(state__in=[OutboxState.PENDING, "delivering"])),
        )
        .order_by("destination")
    )
    return [
        DestinationStatus(
            destination=r["destination"],
            pending=r["pending"],
            delivering=r["delivering"],
            delivered=r["delivered"],
            dead=r["dead"],
            oldest_pending_at=r["oldest"],
        )
        for r in rows
    ]


def messages(
    *, destination: str, states: list[str] | None = None, key: str | None = None
) -> QuerySet[OutboxMessage]:
    qs = OutboxMessage.objects.filter(destination=destination)
    if states:
        qs = qs.filter(state__in=states)
    if key is not None:
        qs = qs.filter(key=key)
    return qs.order_by("id")


def sync_log(dossier: Any, destination: str = "national_sync") -> list[OutboxMessage]:
    """The dossier's messages to the national portal, in order (the index on
    destination, key, id)."""
    if not dossier.code:
        return list(messages(destination=destination, key=f"#{dossier.pk}"))
    return list(messages(destination=destination, key=dossier.code))
