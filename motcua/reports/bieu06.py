"""Biểu số 06/VPCP/KSTT (Circular 01/2020/TT-VPCP, reference §7): dossiers received,
settled and pending in a period, by level and by field, at the agencies that settle them.

Counting rules (docs/reports.md):
- A dossier is *received* (nhận giải quyết) once it has a valid receipt (`received_at`).
  Dossiers refused at receipt were never received; `MOTCUA_BIEU06_REFUSED` decides whether
  they are left out ("exclude", default) or counted as received and settled on time at the
  moment of refusal ("settled").
- It is *settled* at its first terminal moment in the order of §1.5: the result is ready
  (`finished_at`, statuses 9/10), else processing stopped after a withdrawal
  (`stopped_at`, status 8). `MOTCUA_BIEU06_STOPPED` decides whether a stop counts as settled
  ("settled", default) or whether dossiers stopped by the end of the period are left out of
  every column ("exclude"). A withdrawal request that is not yet stopped (7) is pending.
- Early / on time / late, in time / overdue: `motcua.dossiers.deadlines.judge`, the one
  verdict every screen uses (docs/rules.md "Verdict"): the appointment moved by the clock
  pauses, the first appointment for a re-appointed dossier unless
  MOTCUA_REAPPOINTMENT_JUDGED_AGAINST = "new", more supplement requests than
  MOTCUA_766_MAX_SUPPLEMENTS_ON_TIME (default 1) late.
- Pending at the end of the period: judged at the period end on the dossier *as it stood
  then*, read from the events (receipt, pauses, apology), so a later pause or
  re-appointment does not rewrite the past.

The identities hold per row and in total:
  received (1) = online (2) + counter/post (3) + carried over (4);
  received (1) = settled (5) + pending (9); (5) = (6) + (7) + (8); (9) = (10) + (11).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from django.conf import settings
from django.db.models import Q

from motcua.catalog.enums import Channel
from motcua.core.text import collation_key
from motcua.dossiers import deadlines, timing
from motcua.dossiers.enums import Action, Status
from motcua.dossiers.models import Dossier, DossierEvent
from motcua.org.enums import AgencyKind
from motcua.org.models import Agency

VN = timing.VN
TITLE = "Biểu số 06/VPCP/KSTT"
HEADING = "TÌNH HÌNH, KẾT QUẢ GIẢI QUYẾT THỦ TỤC HÀNH CHÍNH TẠI CƠ QUAN, ĐƠN VỊ TRỰC TIẾP GIẢI QUYẾT THỦ TỤC HÀNH CHÍNH"
HEADING_EN = "Settlement of administrative procedures at the agencies that settle them"

# The eleven figures of a row, in the order of the official columns (1)…(11).
KEYS = (
    "received",
    "online",
    "counter_post",
    "carried_over",
    "settled",
    "early",
    "on_time",
    "late",
    "pending",
    "pending_in_time",
    "pending_overdue",
)
# (group, label) of each figure; the group heads the merged header cells.
GROUPS = (
    ("Số hồ sơ nhận giải quyết", 4),
    ("Số hồ sơ đã giải quyết", 4),
    ("Số hồ sơ đang giải quyết", 3),
)
GROUPS_EN = ("Dossiers received", "Dossiers settled", "Dossiers pending")
LABELS = {
    "received": "Tổng số",
    "online": "Trực tuyến",
    "counter_post": "Trực tiếp, dịch vụ bưu chính",
    "carried_over": "Từ kỳ trước",
    "settled": "Tổng số",
    "early": "Trước hạn",
    "on_time": "Đúng hạn",
    "late": "Quá hạn",
    "pending": "Tổng số",
    "pending_in_time": "Trong hạn",
    "pending_overdue": "Quá hạn",
}
LABELS_EN = {
    "received": "Total",
    "online": "Online",
    "counter_post": "Counter and post",
    "carried_over": "Carried over",
    "settled": "Total",
    "early": "Early",
    "on_time": "On time",
    "late": "Late",
    "pending": "Total",
    "pending_in_time": "In time",
    "pending_overdue": "Overdue",
}
SUBHEAD_RECEIVED = "Trong đó"
SUBHEAD_NEW = "Số mới tiếp nhận"

PROVINCE, COMMUNE = "tinh", "xa"
LEVELS = (
    (PROVINCE, "Cấp tỉnh (Sở, ban, ngành)", "Province level (departments)"),
    (COMMUNE, "Cấp xã", "Commune level"),
)
COMMUNE_KINDS = frozenset({AgencyKind.COMMUNE_CENTER, AgencyKind.COMMUNE_COMMITTEE})

REFUSED_MODES = ("exclude", "settled")
STOPPED_MODES = ("settled", "exclude")


def refused_mode() -> str:
    mode = getattr(settings, "MOTCUA_BIEU06_REFUSED", "exclude")
    return mode if mode in REFUSED_MODES else "exclude"


def stopped_mode() -> str:
    mode = getattr(settings, "MOTCUA_BIEU06_STOPPED", "settled")
    return mode if mode in STOPPED_MODES else "settled"


@dataclass
class Row:
    label: str
    label_en: str = ""
    kind: str = "field"  # total | level | field
    number: str = ""  # STT
    values: dict[str, int] = field(default_factory=lambda: dict.fromkeys(KEYS, 0))

    def add(self, other: dict[str, int]) -> None:
        for k in KEYS:
            self.values[k] += other[k]

    def as_list(self) -> list[int]:
        return [self.values[k] for k in KEYS]


@dataclass
class Report:
    date_from: dt.date
    date_to: dt.date
    scope: str
    scope_code: str
    rows: list[Row]
    total: Row
    generated_at: dt.datetime
    refused: str
    stopped: str

    @property
    def period_text(self) -> str:
        return f"Từ ngày {self.date_from:%d/%m/%Y} đến ngày {self.date_to:%d/%m/%Y}"


def period_bounds(date_from: dt.date, date_to: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """[start, end) in Vietnam time: from 00:00 of the first day to 00:00 after the last."""
    start = dt.datetime.combine(date_from, dt.time(0), tzinfo=VN)
    end = dt.datetime.combine(date_to + dt.timedelta(days=1), dt.time(0), tzinfo=VN)
    return start, end


def _level(kind: str) -> str:
    return COMMUNE if kind in COMMUNE_KINDS else PROVINCE


def _scoped(agency: Agency | None):
    qs = Dossier.objects.all()
    if agency is not None:
        qs = qs.filter(Q(settling_agency=agency) | Q(receiving_agency=agency))
    return qs


def _state_at(dossier_ids: list[int], end: dt.datetime) -> dict[int, list[Any]]:
    """For each dossier as it stood at `end`: [appointment, open pause start, supplement
    requests so far, re-appointments so far, first appointment].

    Read from the events, whose data carry each new appointment: receipt (`due_at`), the end
    of a pause (supplement, payment confirmed: `due_at`, `original_due_at`) and apology
    (`new_due_at`); a supplement request, and a payment request marked `paused`, open a pause.
    """
    state: dict[int, list[Any]] = {i: [None, None, 0, 0, None] for i in dossier_ids}
    if not dossier_ids:
        return {}
    actions = [
        Action.RECEIVE,
        Action.SUPPLEMENT,
        Action.APOLOGIZE,
        Action.REQUEST_SUPPLEMENT,
        Action.REQUEST_PAYMENT,
        Action.CONFIRM_PAYMENT,
    ]
    rows = (
        row
        for start in range(0, len(dossier_ids), 2000)  # bounded IN lists (SQLite's limit)
        for row in DossierEvent.objects.filter(
            dossier_id__in=dossier_ids[start : start + 2000], at__lt=end, action__in=actions
        )
        .order_by("dossier_id", "seq")
        .values_list("dossier_id", "action", "at", "data")
    )
    for dossier_id, action, at, data in rows:
        _apply_event(state[dossier_id], action, at, data or {})
    return state


def _apply_event(s: list[Any], action: str, at: dt.datetime, data: dict[str, Any]) -> None:
    """One event on a dossier's state as `_state_at` keeps it."""
    if action == Action.RECEIVE and data.get("due_at"):
        s[0] = s[4] = data["due_at"]
    elif action in (Action.SUPPLEMENT, Action.CONFIRM_PAYMENT):
        if data.get("due_at"):
            s[0] = data["due_at"]
            s[4] = data.get("original_due_at") or (s[0] if not s[3] else s[4])
        if action == Action.SUPPLEMENT or data.get("due_at"):
            s[1] = None
    elif action == Action.APOLOGIZE:
        s[0] = data.get("new_due_at") or s[0]
        s[3] += 1
    elif action == Action.REQUEST_SUPPLEMENT:
        s[1] = at
        s[2] += 1
    elif action == Action.REQUEST_PAYMENT and data.get("paused"):
        s[1] = at


def _parse(value: str | dt.datetime | None) -> dt.datetime | None:
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value
    return dt.datetime.fromisoformat(value)


class _Candidate(NamedTuple):
    """One dossier that may count in the period (the fields `_collect` reads)."""

    pk: int
    status: int
    channel: int
    received_at: dt.datetime | None
    finished_at: dt.datetime | None
    stopped_at: dt.datetime | None
    due_at: dt.datetime | None
    original_due_at: dt.datetime | None
    supplements: int
    apologies: int
    field_code: str
    field_name: str
    agency_kind: str


_CANDIDATE_FIELDS = (
    "pk",
    "status",
    "channel",
    "received_at",
    "finished_at",
    "stopped_at",
    "due_at",
    "original_due_at",
    "supplement_count",
    "apology_count",
    "procedure__field__code",
    "procedure__field__name",
    "settling_agency__kind",
)


@dataclass
class _Pending:
    """A dossier still pending at the period end, judged on its state then."""

    pk: int
    values: dict[str, int]  # its row's figures
    received_at: dt.datetime
    due_at: dt.datetime | None
    original_due_at: dt.datetime | None


@dataclass
class _Period:
    start: dt.datetime
    end: dt.datetime
    refused: str
    stopped: str
    rules: deadlines.Rules


def bieu06(*, date_from: dt.date, date_to: dt.date, agency: Agency | None = None) -> Report:
    """Compute Biểu 06 for [date_from, date_to] (inclusive days, Vietnam time) over the
    province, or over the dossiers one agency receives or settles."""
    if date_to < date_from:
        from motcua.core.errors import ValidationFailed

        raise ValidationFailed(
            "invalid_period",
            "Ngày kết thúc kỳ báo cáo phải sau ngày bắt đầu.",
            "The end of the period must not be before its start.",
            field="to",
        )
    start, end = period_bounds(date_from, date_to)
    period = _Period(start, end, refused_mode(), stopped_mode(), deadlines.Rules.current())
    per_row, names, pending = _classify(_collect(agency, period), period)
    _judge_pending(pending, period)
    rows, total = _rows(per_row, names)
    return Report(
        date_from=date_from,
        date_to=date_to,
        scope=agency.name if agency is not None else _province_name(),
        scope_code=agency.code if agency is not None else "",
        rows=rows,
        total=total,
        generated_at=dt.datetime.now(tz=VN),
        refused=period.refused,
        stopped=period.stopped,
    )


def _collect(agency: Agency | None, period: _Period) -> list[_Candidate]:
    """The candidates: received before the end and not settled before the start."""
    start, end = period.start, period.end
    received = Q(received_at__lt=end)
    if period.refused == "settled":
        received |= Q(status=Status.REFUSED, finished_at__lt=end)
    qs = (
        _scoped(agency)
        .filter(received)
        .exclude(finished_at__lt=start)
        .exclude(finished_at__isnull=True, stopped_at__lt=start)
    )
    if period.stopped == "exclude":
        qs = qs.exclude(finished_at__isnull=True, stopped_at__lt=end)
    return [_Candidate._make(r) for r in qs.values_list(*_CANDIDATE_FIELDS)]


_OUTCOME_KEY = {deadlines.EARLY: "early", deadlines.ON_TIME: "on_time", deadlines.LATE: "late"}


def _classify(
    candidates: list[_Candidate], period: _Period
) -> tuple[dict[tuple[str, str], dict[str, int]], dict[str, str], list[_Pending]]:
    """Each candidate counted on its (level, field) row: received how, settled how, or
    pending (judged later, on its state at the period end)."""
    per_row: dict[tuple[str, str], dict[str, int]] = defaultdict(lambda: dict.fromkeys(KEYS, 0))
    names: dict[str, str] = {}
    pending: list[_Pending] = []
    for c in candidates:
        names[c.field_code] = c.field_name
        v = per_row[(_level(c.agency_kind), c.field_code)]
        # A refusal counted as settled was received at the moment of refusal.
        received_at = c.finished_at if c.status == Status.REFUSED else c.received_at
        assert received_at is not None
        _count_received(v, c, received_at, period)
        settled_at = _settled_at(c, period)
        if settled_at is None:
            v["pending"] += 1
            pending.append(_Pending(c.pk, v, received_at, c.due_at, c.original_due_at))
        else:
            v["settled"] += 1
            v[_settled_key(c, received_at, settled_at, period)] += 1
    return per_row, names, pending


def _count_received(
    v: dict[str, int], c: _Candidate, received_at: dt.datetime, period: _Period
) -> None:
    v["received"] += 1
    if received_at < period.start:
        v["carried_over"] += 1
    elif c.channel == Channel.ONLINE:
        v["online"] += 1
    else:
        v["counter_post"] += 1


def _settled_at(c: _Candidate, period: _Period) -> dt.datetime | None:
    """When the dossier was settled within the period (None: pending at its end)."""
    settled_at = c.finished_at
    if settled_at is None and c.stopped_at is not None and period.stopped == "settled":
        settled_at = c.stopped_at
    return settled_at if settled_at is not None and settled_at < period.end else None


def _settled_key(
    c: _Candidate, received_at: dt.datetime, settled_at: dt.datetime, period: _Period
) -> str:
    """early / on_time / late: the one verdict (a refusal counted as settled is on time)."""
    if c.status == Status.REFUSED:
        return "on_time"
    rules = period.rules
    due = deadlines.due_judged(c.due_at, c.original_due_at, c.apologies, rules)
    outcome = deadlines.judge(
        received_at=received_at,
        end_at=settled_at,
        due=due,
        paused_at=None,
        supplement_count=c.supplements,
        now=period.end,
        rules=rules,
    )
    assert outcome is not None  # received and settled: always early, on time or late
    return _OUTCOME_KEY[outcome]


def _judge_pending(pending: list[_Pending], period: _Period) -> None:
    """Pending: the verdict at the period end on the dossier as it stood then."""
    end, rules = period.end, period.rules
    as_of = _state_at([p.pk for p in pending], end)
    for p in pending:
        due_text, paused_since, supplements, apologies, first_text = as_of[p.pk]
        due = deadlines.due_judged(
            _parse(due_text) or p.due_at, _parse(first_text) or p.original_due_at, apologies, rules
        )
        verdict = deadlines.judge(
            received_at=p.received_at,
            end_at=None,
            due=due,
            paused_at=paused_since,
            supplement_count=supplements,
            now=end,
            rules=rules,
            horizon=end,  # only overdue or not matters here
        )
        p.values["pending_overdue" if verdict == deadlines.OVERDUE else "pending_in_time"] += 1


def _rows(
    per_row: dict[tuple[str, str], dict[str, int]], names: dict[str, str]
) -> tuple[list[Row], Row]:
    """The form's rows: each level, then its fields in Vietnamese order; and the total."""
    rows: list[Row] = []
    total = Row("Tổng cộng", "Total", kind="total")
    for index, (level, label, label_en) in enumerate(LEVELS, start=1):
        level_row = Row(label, label_en, kind="level", number=_roman(index))
        children = sorted(
            ((names[fcode], v) for (lvl, fcode), v in per_row.items() if lvl == level),
            key=lambda child: collation_key(child[0]),
        )
        rows.append(level_row)
        for n, (fname, v) in enumerate(children, start=1):
            row = Row(fname, fname, kind="field", number=str(n))
            row.add(v)
            level_row.add(v)
            rows.append(row)
        total.add(level_row.values)
    return rows, total


def _roman(n: int) -> str:
    return {1: "I", 2: "II", 3: "III", 4: "IV"}.get(n, str(n))


def _province_name() -> str:
    return getattr(settings, "MOTCUA_PROVINCE_NAME", "") or "Toàn tỉnh"


def check_identities(report: Report) -> list[str]:
    """The rows that break an identity of the form (empty when the report is sound)."""
    broken = []
    for row in [*report.rows, report.total]:
        v = row.values
        if v["received"] != v["online"] + v["counter_post"] + v["carried_over"]:
            broken.append(f"{row.label}: (1) ≠ (2)+(3)+(4)")
        if v["received"] != v["settled"] + v["pending"]:
            broken.append(f"{row.label}: (1) ≠ (5)+(9)")
        if v["settled"] != v["early"] + v["on_time"] + v["late"]:
            broken.append(f"{row.label}: (5) ≠ (6)+(7)+(8)")
        if v["pending"] != v["pending_in_time"] + v["pending_overdue"]:
            broken.append(f"{row.label}: (9) ≠ (10)+(11)")
    return broken
