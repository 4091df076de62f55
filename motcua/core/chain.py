"""Hash chains (docs/adr/0010): the one canonical form of a record and the one link
function that the audit trail (`core.audit`) and the dossier events (`dossiers.chain`)
are chained with.

    link(prev, record) = SHA-256(prev + "\\n" + canonical(record)), in hex

`canonical` is JSON with sorted keys, no spaces, UTF-8, text in NFC, datetimes as UTC ISO
8601 with microseconds ("2025-03-01T02:03:04.000005Z"), integral floats as integers: the
same bytes whether the values come from the writer's memory, from SQLite or from
PostgreSQL (whose jsonb writes 100000.0 back as 100000). The first record of a chain links
to GENESIS.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import math
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

GENESIS = "0" * 64
HASH_LENGTH = 64


def utc_iso(value: dt.datetime) -> str:
    """`value` (aware) in UTC, ISO 8601 with microseconds and a Z."""
    offset = value.utcoffset()
    if offset is None:
        raise ValueError("a chained datetime must carry its time zone")
    if offset:
        value = value - offset
    return value.replace(tzinfo=None).isoformat(timespec="microseconds") + "Z"


def _text(value: str) -> str:
    if value.isascii() or unicodedata.is_normalized("NFC", value):
        return value
    return unicodedata.normalize("NFC", value)


def _plain(value: Any) -> Any:
    kind = type(value)
    if kind is str:
        return _text(value)
    if value is None or kind is int or kind is bool:
        return value
    if kind is dict:
        return {_text(str(k)): _plain(v) for k, v in value.items()}
    if kind is list or kind is tuple:
        return [_plain(v) for v in value]
    if isinstance(value, dt.datetime):
        return utc_iso(value)
    if isinstance(value, float):
        return int(value) if math.isfinite(value) and value.is_integer() else value
    if isinstance(value, str):  # a str subclass (TextChoices)
        return _text(str(value))
    if isinstance(value, int):  # an int subclass (IntegerChoices)
        return int(value)
    if isinstance(value, Mapping):
        return {_text(str(k)): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    raise TypeError(f"Cannot chain a {type(value).__name__}")


def canonical(record: Mapping[str, Any]) -> bytes:
    """The one serialisation of `record` that is hashed."""
    return json.dumps(
        _plain(record), sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    ).encode()


@dataclass(frozen=True)
class Broken:
    """The first broken link of a chain: the table, the row (its id, or a dossier's code
    and the event's seq), what is wrong (in Vietnamese and English)."""

    table: str
    row: str
    problem_vi: str
    problem_en: str

    def __str__(self) -> str:
        return f"{self.table} {self.row}: {self.problem_vi} ({self.problem_en})"


def link(prev: str, record: Mapping[str, Any]) -> str:
    """The hash of `record` chained to the hash `prev` of the record before it."""
    return hashlib.sha256(prev.encode("ascii") + b"\n" + canonical(record)).hexdigest()


__all__ = ["GENESIS", "Broken", "HASH_LENGTH", "canonical", "link", "utc_iso"]
