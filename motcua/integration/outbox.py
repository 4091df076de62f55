"""The transactional outbox (docs/integration.md, ADR 0019).

A message to the outside world is a row written in the transaction of the event that causes
it (`enqueue`), so a rolled-back event sends nothing and a committed one always has its
message. After the commit a Celery task (`tasks.deliver`, also swept by beat) claims due
messages with `SELECT … FOR UPDATE SKIP LOCKED`, marks them delivering under a lease, and
hands each one to its destination's `deliver(message)`:

- returning means delivered;
- raising `Retry(reason)` means "try again later": exponential back-off with jitter, then a
  dead letter after the destination's `max_attempts`;
- raising `Reject(reason)` means the receiver will never take it: a dead letter at once.
  Any other exception counts as a Retry (and is logged with its traceback).

Order: a message is not handed over before the earlier messages (by id) of the same
`(destination, key)` are delivered or dead. The writers of one key must be serialised (the
dossier's row lock does that for dossier events), so that id order is commit order.

A worker killed mid-batch leaves its messages delivering; once their lease has passed,
another worker claims them again. The receiver may therefore see a message twice: each
carries its `dedup_id`, unique per destination, for the receiver to drop the repeat.

    from motcua.integration import outbox

    @outbox.destination("national_sync", max_attempts=12, backoff=(10, 3600))
    def deliver(message: OutboxMessage) -> None:
        ...post message.payload with message.dedup_id...; raise outbox.Retry("503")

    outbox.enqueue(destination="national_sync", key=dossier.code,
                   dedup_id=f"{dossier.code}:{event.pk}", payload={...})
"""

from __future__ import annotations

import datetime as dt
import logging
import random
import time
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, F, OuterRef
from django.utils import timezone

from .models import OPEN_STATES, OutboxMessage, OutboxState

log = logging.getLogger(__name__)

Deliver = Callable[[OutboxMessage], None]


class Retry(Exception):
    """A temporary failure: deliver the message again later (after `after` seconds if
    given, otherwise after the destination's back-off)."""

    def __init__(self, reason: str, *, after: float | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.after = after


class Reject(Exception):
    """A permanent failure: the receiver will never take this message. Dead letter at once."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Destination:
    name: str
    deliver: Deliver
    max_attempts: int = 10
    # (first delay, longest delay) in seconds: the n-th retry waits about
    # min(longest, first × 2^(n-1)), with "equal jitter" (half fixed, half random).
    backoff: tuple[float, float] = (5.0, 3600.0)
    # How long one message may take to deliver (the lease keeps room for it).
    timeout: float = 10.0

    def delay(self, attempts: int, rng: Callable[[], float] | None = None) -> float:
        rng = rng or random.random
        first, longest = self.backoff
        base = min(longest, first * (2 ** max(0, attempts - 1)))
        return base / 2 + rng() * base / 2


_DESTINATIONS: dict[str, Destination] = {}


def destination(
    name: str,
    *,
    max_attempts: int = 10,
    backoff: tuple[float, float] = (5.0, 3600.0),
    timeout: float = 10.0,
) -> Callable[[Deliver], Deliver]:
    """Register `deliver(message)` as the delivery of destination `name` (in an AppConfig's
    ready(); registering again replaces it)."""
    if max_attempts < 1:
        raise ValueError("max_attempts must be at least 1")

    def register(fn: Deliver) -> Deliver:
        _DESTINATIONS[name] = Destination(
            name=name, deliver=fn, max_attempts=max_attempts, backoff=backoff, timeout=timeout
        )
        return fn

    return register


def destinations() -> dict[str, Destination]:
    return dict(_DESTINATIONS)


def get_destination(name: str) -> Destination | None:
    return _DESTINATIONS.get(name)


def unregister(name: str) -> None:
    """Forget a destination (tests that register their own)."""
    _DESTINATIONS.pop(name, None)


def enqueue(
    *,
    destination: str,
    key: str,
    dedup_id: str,
    payload: dict[str, Any],
    available_at: dt.datetime | None = None,
) -> OutboxMessage:
    """Write one message in the caller's transaction (one INSERT) and have the delivery
    started once it commits. Raises IntegrityError if `dedup_id` was already used for this
    destination (the caller's transaction is then broken: the caller chooses unique ids)."""
    assert transaction.get_connection().in_atomic_block, (
        "outbox.enqueue must run inside the transaction of the event that causes it"
    )
    if destination not in _DESTINATIONS:
        raise ValueError(f"unknown outbox destination {destination!r}")
    now = timezone.now()
    message = OutboxMessage.objects.create(
        destination=destination,
        key=key,
        dedup_id=dedup_id,
        payload=payload,
        next_attempt_at=available_at or now,
        created_at=now,
    )
    _kick_after_commit()
    return message


def _kick_after_commit() -> None:
    """Queue the delivery task once per transaction, after it commits."""
    conn = transaction.get_connection()
    if any(fn is _kick for _sids, fn, *_rest in conn.run_on_commit):
        return
    transaction.on_commit(_kick)


def _kick() -> None:
    if not getattr(settings, "MOTCUA_OUTBOX_KICK", True):
        return
    from .tasks import deliver

    try:
        deliver.delay()
    except Exception:
        # The message is committed; the beat sweep delivers it.
        log.exception("could not queue the outbox delivery")


# --- the worker --------------------------------------------------------------------------


@dataclass
class Batch:
    """What one claim took and what became of it."""

    token: str
    messages: list[OutboxMessage] = field(default_factory=list)
    delivered: int = 0
    retried: int = 0
    dead: int = 0
    released: int = 0


def _lease_seconds() -> float:
    return float(getattr(settings, "MOTCUA_OUTBOX_LEASE_SECONDS", 120))


def _batch_size() -> int:
    return int(getattr(settings, "MOTCUA_OUTBOX_BATCH", 100))


def claim(
    *,
    limit: int | None = None,
    names: Iterable[str] | None = None,
    now: dt.datetime | None = None,
    lease: float | None = None,
) -> Batch:
    """Claim up to `limit` due messages (pending and due, or delivering with a lease run
    out) that no earlier open message of their key holds back, oldest first; mark them
    delivering under a lease of `lease` seconds. One short transaction; SKIP LOCKED lets
    workers claim side by side without waiting for each other."""
    now = now or timezone.now()
    limit = limit or _batch_size()
    lease = _lease_seconds() if lease is None else lease
    wanted = list(names) if names is not None else list(_DESTINATIONS)
    batch = Batch(token=uuid.uuid4().hex)
    if not wanted:
        return batch
    held_back = OutboxMessage.objects.filter(
        destination=OuterRef("destination"),
        key=OuterRef("key"),
        id__lt=OuterRef("id"),
        state__in=OPEN_STATES,
    )
    with transaction.atomic():
        expired = list(
            OutboxMessage.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(state=OutboxState.DELIVERING, lease_until__lt=now, destination__in=wanted)
            .filter(~Exists(held_back))
            .order_by("id")[:limit]
        )
        due = list(
            OutboxMessage.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(state=OutboxState.PENDING, next_attempt_at__lte=now, destination__in=wanted)
            .filter(~Exists(held_back))
            .order_by("next_attempt_at", "id")[: limit - len(expired)]
        )
        taken = expired + due
        if not taken:
            return batch
        until = now + dt.timedelta(seconds=lease)
        OutboxMessage.objects.filter(id__in=[m.pk for m in taken]).update(
            state=OutboxState.DELIVERING,
            attempts=F("attempts") + 1,
            lease_until=until,
            claim=batch.token,
        )
    for m in taken:
        m.state = OutboxState.DELIVERING
        m.attempts += 1
        m.lease_until = until
        m.claim = batch.token
    taken.sort(key=lambda m: m.pk)
    batch.messages = taken
    return batch


def _mine(batch: Batch, ids: list[int]) -> Any:
    return OutboxMessage.objects.filter(id__in=ids, claim=batch.token, state=OutboxState.DELIVERING)


def deliver_batch(batch: Batch, *, clock: Callable[[], float] = time.monotonic) -> Batch:
    """Hand each claimed message to its destination, then record the outcomes (delivered in
    one UPDATE). Messages whose lease would run out before they could be delivered are put
    back (pending, the attempt not counted) for the next claim."""
    started = clock()
    lease = _lease_seconds()
    delivered: list[int] = []
    for i, message in enumerate(batch.messages):
        dest = _DESTINATIONS.get(message.destination)
        if dest is None:
            _retry(batch, message, "destination not registered in this process", after=60.0)
            continue
        if clock() - started + dest.timeout > lease:
            _release(batch, batch.messages[i:])
            break
        try:
            dest.deliver(message)
        except Reject as exc:
            _dead(batch, message, exc.reason)
        except Retry as exc:
            if message.attempts >= dest.max_attempts:
                _dead(batch, message, f"{exc.reason} (sau {message.attempts} lần gửi)")
            else:
                after = exc.after if exc.after is not None else dest.delay(message.attempts)
                _retry(batch, message, exc.reason, after=after)
        except Exception as exc:
            log.exception("outbox %s: delivery of %s failed", message.destination, message.pk)
            reason = f"{type(exc).__name__}: {exc}"
            if message.attempts >= dest.max_attempts:
                _dead(batch, message, reason)
            else:
                _retry(batch, message, reason, after=dest.delay(message.attempts))
        else:
            delivered.append(message.pk)
    if delivered:
        now = timezone.now()
        batch.delivered = _mine(batch, delivered).update(
            state=OutboxState.DELIVERED,
            delivered_at=now,
            lease_until=None,
            last_error="",
        )
        for m in batch.messages:
            if m.pk in delivered:
                m.state = OutboxState.DELIVERED
                m.delivered_at = now
    return batch


def _retry(batch: Batch, message: OutboxMessage, reason: str, *, after: float) -> None:
    at = timezone.now() + dt.timedelta(seconds=after)
    batch.retried += _mine(batch, [message.pk]).update(
        state=OutboxState.PENDING, next_attempt_at=at, lease_until=None, last_error=reason[:2000]
    )
    message.state = OutboxState.PENDING
    message.next_attempt_at = at
    message.last_error = reason[:2000]


def _dead(batch: Batch, message: OutboxMessage, reason: str) -> None:
    log.warning("outbox %s: message %s dead: %s", message.destination, message.pk, reason)
    batch.dead += _mine(batch, [message.pk]).update(
        state=OutboxState.DEAD, lease_until=None, last_error=reason[:2000]
    )
    message.state = OutboxState.DEAD
    message.last_error = reason[:2000]


def _release(batch: Batch, messages: list[OutboxMessage]) -> None:
    batch.released += _mine(batch, [m.pk for m in messages]).update(
        state=OutboxState.PENDING, lease_until=None, attempts=F("attempts") - 1
    )
    for m in messages:
        m.state = OutboxState.PENDING


def run(
    *,
    names: Iterable[str] | None = None,
    budget: float | None = None,
    limit: int | None = None,
) -> dict[str, int]:
    """Claim and deliver batches until nothing is due (or `budget` seconds have passed);
    return the counts. What the Celery task and `motcua sync retry` run."""
    names = list(names) if names is not None else None
    started = time.monotonic()
    totals = {"delivered": 0, "retried": 0, "dead": 0, "released": 0, "batches": 0}
    while True:
        batch = claim(names=names, limit=limit)
        if not batch.messages:
            break
        deliver_batch(batch)
        totals["batches"] += 1
        for k in ("delivered", "retried", "dead", "released"):
            totals[k] += getattr(batch, k)
        if budget is not None and time.monotonic() - started > budget:
            break
    return totals
