"""Time limits (thời hạn giải quyết) per channel: reading them from a record's text, the
one human label, and the per-process cache the receipt reads them from.

The national record gives a limit per channel when they differ ("Trực tuyến: 17 Ngày làm
việc; Dịch vụ bưu chính: 20 Ngày làm việc; Trực tiếp: 27 Ngày làm việc"); one limit alone
applies to every channel. Nothing here invents a limit: a text that cannot be read gives
none, the importer reports it, and the version takes no dossiers until an administrator
sets one (`services.time_limit_set`).
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from motcua.core.errors import ValidationFailed
from motcua.workcalendar.cutoff import default_cutoff as default_cutoff
from motcua.workcalendar.cutoff import parse_cutoff as parse_cutoff

from .enums import WORKING_HOURS_PER_DAY, Channel, TimeUnit

CHANNELS = tuple(Channel)


@dataclass(frozen=True)
class Limit:
    channel: int
    value: Decimal | None  # None for same-day limits
    unit: str
    cutoff: dt.time | None = None  # same-day limits only

    def as_dict(self) -> dict[str, Any]:
        """The canonical form the importer compares and the export writes."""
        return {
            "channel": int(self.channel),
            "value": self.value.quantize(Decimal("0.01")) if self.value is not None else None,
            "unit": str(self.unit),
            "cutoff": self.cutoff.strftime("%H:%M") if self.cutoff is not None else None,
        }


# --- labels ---------------------------------------------------------------------------

_UNIT_EN = {
    TimeUnit.WORKING_DAYS: "working days",
    TimeUnit.WORKING_HOURS: "working hours",
    TimeUnit.CALENDAR_DAYS: "days",
}


def _hour(cutoff: dt.time, english: bool) -> str:
    if english:
        return f"{cutoff:%H:%M}"
    return f"{cutoff.hour} giờ" + (f" {cutoff.minute:02d}" if cutoff.minute else "")


def label(limit: Limit | None, *, english: bool = False) -> str:
    """ "17 ngày làm việc", "Trong ngày (sau 15 giờ: ngày làm việc tiếp theo)"; for no limit
    "Chưa có thời hạn giải quyết"."""
    if limit is None:
        return "No time limit set" if english else "Chưa có thời hạn giải quyết"
    if limit.unit == TimeUnit.SAME_DAY:
        assert limit.cutoff is not None
        if english:
            return f"Same day (received after {_hour(limit.cutoff, True)}: next working day)"
        return f"Trong ngày (sau {_hour(limit.cutoff, False)}: ngày làm việc tiếp theo)"
    assert limit.value is not None
    value = limit.value.normalize()
    number = f"{value:f}".replace(".", ",") if not english else f"{value:f}"
    unit = _UNIT_EN[TimeUnit(limit.unit)] if english else TimeUnit(limit.unit).label
    return f"{number} {unit}"


def limit_label(version, channel: int, *, english: bool = False) -> str:
    """The human label of `version`'s limit for `channel`: wherever a limit is printed
    (Mẫu 01, the portal, the API) this is the text."""
    return label(limits_of(version).get(int(channel)), english=english)


# --- the per-process cache --------------------------------------------------------------

# version pk -> (stamp, {channel: Limit}). A version's limits only change through
# `services.time_limit_set`, which gives the version a new stamp in the same transaction;
# the stamp is loaded with the version, so an entry is used only while it is current.
_CACHE: dict[int, tuple[int, dict[int, Limit]]] = {}


def limits_of(version) -> dict[int, Limit]:
    """{channel: Limit} of `version`: no query once seen at its current stamp, nor when the
    caller prefetched `time_limits` (lists)."""
    prefetched = getattr(version, "_prefetched_objects_cache", {}).get("time_limits")
    if prefetched is not None:
        return {
            row.channel: Limit(row.channel, row.value, row.unit, row.cutoff)
            for row in sorted(prefetched, key=lambda r: r.channel)
        }
    entry = _CACHE.get(version.pk)
    if entry is not None and entry[0] == version.time_limits_stamp:
        return entry[1]
    from .models import ProcedureTimeLimit

    found = {
        row.channel: Limit(row.channel, row.value, row.unit, row.cutoff)
        for row in ProcedureTimeLimit.objects.filter(version_id=version.pk).order_by("channel")
    }
    _CACHE[version.pk] = (version.time_limits_stamp, found)
    return found


def limit_for(version, channel: int, procedure_code: str | None = None) -> Limit:
    """The limit of `version` for `channel`, or ValidationFailed `time_limit_missing`.

    A dossier needs an appointment from the moment it is received; without a stated limit
    there is none to give, so the version takes no dossiers by that channel until an
    administrator sets the limit (`motcua catalog set-limit`, or the admin).
    """
    found = limits_of(version).get(int(channel))
    if found is not None:
        return found
    if int(channel) not in Channel.values:
        raise ValidationFailed(
            "invalid_channel",
            f"Cách thức '{channel}' không hợp lệ (1 trực tiếp, 2 trực tuyến, 3 bưu chính).",
            f"Unknown channel '{channel}' (1 counter, 2 online, 3 post).",
            field="channel",
        )
    code = procedure_code or version.procedure.code
    name = Channel(int(channel)).label.lower()
    raise ValidationFailed(
        "time_limit_missing",
        f"Thủ tục {code} chưa có thời hạn giải quyết cho cách thức '{name}': chưa thể tiếp "
        "nhận hồ sơ cho đến khi quản trị viên cập nhật thời hạn.",
        f"Procedure {code} has no time limit for channel {int(channel)} "
        f"({Channel(int(channel)).name.lower()}): it takes no dossiers until an administrator "
        "sets the limit.",
        field="procedure",
        data={"procedure": code, "channel": int(channel)},
    )


def hours_of(limit: Limit, hours_per_day: Decimal = WORKING_HOURS_PER_DAY) -> Decimal:
    """An upper bound of `limit` in working hours (what an internal process must fit):
    working days × hours of a day; working hours as they are; N calendar days hold at most
    N working days; a same-day limit at most one working day."""
    if limit.unit == TimeUnit.WORKING_HOURS:
        assert limit.value is not None
        return limit.value
    if limit.unit == TimeUnit.SAME_DAY:
        return hours_per_day
    assert limit.value is not None
    return limit.value * hours_per_day


def process_hours(limits, hours_per_day: Decimal = WORKING_HOURS_PER_DAY) -> Decimal | None:
    """The working hours the one internal process of a version must fit: the shortest of
    its channels' limits (the same steps serve every channel). None without limits."""
    values = [hours_of(x, hours_per_day) for x in limits]
    return min(values) if values else None


# --- reading a record's text ------------------------------------------------------------

_CHANNEL_PREFIX = {
    "truc tiep": Channel.COUNTER,
    "truc tuyen": Channel.ONLINE,
    "dich vu buu chinh": Channel.POST,
    "buu chinh": Channel.POST,
    "buu chinh cong ich": Channel.POST,
    "qua buu chinh cong ich": Channel.POST,
}
_UNIT_WORDS = {
    "ngay lam viec": TimeUnit.WORKING_DAYS,
    "gio lam viec": TimeUnit.WORKING_HOURS,
    "gio": TimeUnit.WORKING_HOURS,
    "ngay": TimeUnit.CALENDAR_DAYS,
}
_SIMPLE = re.compile(
    r"(?:(?:trong thoi han|toi da|khong qua|trong vong) )*0*(\d+(?:[.,]\d+)?) "
    r"(ngay lam viec|gio lam viec|gio|ngay)\b"
)
# "trong ngày", "ngay trong ngày làm việc", "… là ngay trong ngày cơ quan tiếp nhận …": the
# text must hold no other number than the cut-off hour (checked in `_simple`).
_SAME_DAY = re.compile(r"\btrong ngay\b(?! lam viec tiep theo)")
_CUTOFF = re.compile(r"sau (\d{1,2})(?: ?(?:gio|h|:) ?(\d{2})?)?(?: gio)?\b")


def fold(text: str) -> str:
    """Lower case without accents, spaces collapsed; unlike `core.text.fold` the
    punctuation stays, since ':' and ';' separate the channels of a text."""
    text = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    text = "".join(ch for ch in text if unicodedata.category(ch) != "Mn")
    return re.sub(r"\s+", " ", text).strip().lower()


def _simple(folded: str) -> tuple[Decimal | None, str, dt.time | None] | None:
    """One limit stated alone: "17 ngay lam viec", "3 ngay", "trong ngay", "ngay trong ngay
    ... hoac trong ngay lam viec tiep theo neu tiep nhan sau 15 gio" (folded text)."""
    folded = folded.strip(" .;")
    if _SAME_DAY.search(folded):
        cut = _CUTOFF.search(folded)
        # Any other number would be a second limit this reading does not understand.
        rest = _CUTOFF.sub("", folded)
        if re.search(r"\d", rest):
            return None
        if cut and not (int(cut[1]) < 24 and int(cut[2] or 0) < 60):
            return None
        cutoff = dt.time(int(cut[1]), int(cut[2] or 0)) if cut else default_cutoff()
        return None, TimeUnit.SAME_DAY, cutoff
    match = _SIMPLE.match(folded)
    if match is None or len(re.findall(r"\d+(?:[.,]\d+)?", folded)) != 1:
        return None
    try:
        value = Decimal(match[1].replace(",", "."))
    except InvalidOperation:
        return None
    if value <= 0:
        return None
    return value, _UNIT_WORDS[match[2]], None


def _per_channel(folded: str) -> dict[int, tuple[Decimal | None, str, dt.time | None]] | None:
    """ "truc tuyen: 17 ngay lam viec; dich vu buu chinh: 20 ngay lam viec; truc tiep: 27
    ngay lam viec" → one limit per named channel; None unless every part reads."""
    parts = [p.strip() for p in folded.split(";") if p.strip()]
    if len(parts) < 2:
        return None
    out = {}
    for part in parts:
        head, sep, tail = part.partition(":")
        channel = _CHANNEL_PREFIX.get(head.strip())
        if not sep or channel is None or channel in out:
            return None
        limit = _simple(tail)
        if limit is None:
            return None
        out[int(channel)] = limit
    return out


@dataclass
class Reading:
    limits: list[Limit]
    problem: str | None  # English, for the report; None when every offered channel has one
    problem_vi: str | None = None


def read_time_limit(
    value: Decimal | None, unit: str | None, text: str, offered: list[int]
) -> Reading:
    """The limits per channel stated by a record's `time_limit` {value, unit, text}.

    - The text names channels ("Trực tuyến: 17 Ngày làm việc; …"): one limit per channel.
    - Else a value: that limit for every channel (unit null is read as working days by the
      caller, which reports it).
    - Else the text alone states one limit ("Trong ngày", "03 ngày làm việc"): for every
      channel.
    - Else nothing is read, and the problem is reported.
    A channel the record offers but the text leaves without a limit is reported too.
    """
    folded = fold(text or "")
    per = _per_channel(folded) if folded else None
    if per is not None:
        limits = [Limit(ch, v, u, c) for ch, (v, u, c) in sorted(per.items())]
    elif value is not None:
        chosen = unit or TimeUnit.WORKING_DAYS
        if chosen == TimeUnit.SAME_DAY:
            simple = _simple(folded) if folded else None
            cutoff = simple[2] if simple and simple[1] == TimeUnit.SAME_DAY else default_cutoff()
            limits = [Limit(ch, None, chosen, cutoff) for ch in CHANNELS]
        else:
            limits = [Limit(ch, value, chosen, None) for ch in CHANNELS]
    else:
        simple = _simple(folded) if folded else None
        if simple is None:
            shown = (text or "").strip()
            en = (
                f"time limit not readable: {shown[:160]!r}"
                if shown
                else "the record states no time limit"
            )
            vi = (
                f"không đọc được thời hạn: {shown[:160]!r}"
                if shown
                else "bản ghi không nêu thời hạn giải quyết"
            )
            return Reading([], en, vi)
        v, u, c = simple
        limits = [Limit(ch, v, u, c) for ch in CHANNELS]
    have = {x.channel for x in limits}
    missing = [ch for ch in offered if ch not in have]
    if missing:
        names = ", ".join(Channel(ch).name.lower() for ch in missing)
        names_vi = ", ".join(Channel(ch).label.lower() for ch in missing)
        return Reading(
            limits,
            f"no time limit for channel(s) {names}",
            f"không có thời hạn cho cách thức {names_vi}",
        )
    return Reading(limits, None)
