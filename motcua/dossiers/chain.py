"""The hash chain of a dossier's events (docs/adr/0010).

Each dossier has its own chain, in seq order: event n's hash is
`core.chain.link(hash of event n-1, its fields)` (GENESIS for the first), and the
dossier's row keeps the hash of its last event (`Dossier.chain_head`). `event_hash` is
the one rule: the transitions (services._base), the bulk writers (the demo's history,
the report importer: `chain_rows`), the migration that chained the events written before
and `dossiers_verify` all call it.

The hashed fields are the event's seq, action, moment, actor, role, agency, statuses,
reason and data: not its id (bulk inserts assign it later) and not the dossier's id (a
submission knows its first event before the INSERT that gives the dossier its id; the
chain is tied to its dossier by the head on the dossier's own row).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from motcua.core.chain import GENESIS, Broken, link

# The order of the fields in `chain_rows`' tuples (the bulk writers' EVENT_COLUMNS after
# "dossier").
ROW_FIELDS = (
    "seq", "action", "at", "actor", "actor_role", "actor_agency", "from_status", "to_status",
    "reason", "data",
)  # fmt: skip


def event_hash(
    prev: str,
    *,
    seq: int,
    action: str,
    at: dt.datetime,
    actor: int | None,
    actor_role: str,
    actor_agency: int | None,
    from_status: int | None,
    to_status: int,
    reason: str,
    data: Any,
) -> str:
    """The hash of one event chained to `prev` (the hash of the event before it, or
    GENESIS). `actor` and `actor_agency` are ids."""
    return link(
        prev,
        {
            "seq": int(seq),
            "action": str(action),
            "at": at,
            "actor": actor,
            "actor_role": actor_role,
            "actor_agency": actor_agency,
            "from_status": from_status,
            "to_status": int(to_status),
            "reason": reason,
            "data": data if data is not None else {},
        },
    )


def chain_rows(rows: Iterable[Sequence[Any]]) -> list[str]:
    """The hashes of one dossier's events, given as tuples in ROW_FIELDS order and seq
    order, as the bulk writers insert them; the last is the dossier's head."""
    prev = GENESIS
    out = []
    for row in rows:
        prev = event_hash(prev, **dict(zip(ROW_FIELDS, row, strict=True)))
        out.append(prev)
    return out


@dataclass
class Verified:
    dossiers: int = 0
    events: int = 0
    broken: Broken | None = None


def _broken(code: str | None, pk: int, seq: int | None, vi: str, en: str) -> Broken:
    name = code or f"#{pk}"
    where = f"hồ sơ {name} (id={pk})" + (f", seq={seq}" if seq is not None else "")
    return Broken("dossiers_dossierevent", where, vi, en)


def dossiers_verify(code: str | None = None, chunk: int = 2000) -> Verified:
    """Walk every dossier's chain (or the one with `code`), streaming the dossiers and
    their events side by side in id / (dossier, seq) order: bounded memory. Stops at the
    first broken link."""
    from .models import Dossier, DossierEvent

    dossiers = Dossier.objects.order_by("id")
    events = DossierEvent.objects.order_by("dossier_id", "seq")
    if code is not None:
        dossiers = dossiers.filter(code=code)
        events = events.filter(dossier__code=code)
    fields = ("dossier_id", "hash", *ROW_FIELDS)
    stream: Iterator[tuple[Any, ...]] = events.values_list(*fields).iterator(chunk_size=chunk)
    result = Verified()
    pending = next(stream, None)
    for pk, dcode, head in dossiers.values_list("id", "code", "chain_head").iterator(
        chunk_size=chunk
    ):
        result.dossiers += 1
        while pending is not None and pending[0] < pk:  # an event of no dossier walked
            pending = next(stream, None)
        prev = GENESIS
        expected = 1
        while pending is not None and pending[0] == pk:
            _dossier, stored, *values = pending
            seq = values[0]
            result.events += 1
            if seq != expected:
                result.broken = _broken(
                    dcode,
                    pk,
                    seq,
                    f"mắt xích bị thiếu: sau seq={expected - 1} là seq={seq}",
                    f"missing link: seq={seq} follows seq={expected - 1}",
                )
                return result
            if event_hash(prev, **dict(zip(ROW_FIELDS, values, strict=True))) != stored:
                result.broken = _broken(
                    dcode,
                    pk,
                    seq,
                    "mã băm không khớp nội dung (sự kiện bị sửa)",
                    "hash mismatch (the event was altered)",
                )
                return result
            prev = stored
            expected += 1
            pending = next(stream, None)
        if head != (prev if expected > 1 else ""):
            result.broken = _broken(
                dcode,
                pk,
                None,
                "mã băm cuối trên hồ sơ không khớp sự kiện cuối "
                f"(seq={expected - 1}; sự kiện cuối bị xóa hoặc sửa)",
                f"head mismatch: the dossier's chain_head is not the hash of its last event "
                f"(seq={expected - 1}; the last event was deleted or altered)",
            )
            return result
    return result


__all__ = ["ROW_FIELDS", "Verified", "chain_rows", "dossiers_verify", "event_hash"]
