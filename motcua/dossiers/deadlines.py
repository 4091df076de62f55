"""The one definition of "overdue", "due soon", "early / on time / late", of the legal regime
a dossier falls under, and of how a clock pause moves the deadlines.

Every consumer calls these: the inbox filter and signal, the dossier page and API, the
leaders' overdue list, Biểu 06, the Decision 766 indicators, the services, the CSV importer
and the demo generator (CONVENTIONS "One rule, one function"; docs/rules.md "Verdict").

The rule (reference §1.5, the national on-time test):

- Only received dossiers have a verdict (submitted, refused at receipt, withdrawn before
  receipt: none).
- The appointment judged against is `due_at` — or, when the dossier was re-appointed
  (apology, Mẫu 04) and MOTCUA_REAPPOINTMENT_JUDGED_AGAINST is "original" (default),
  `original_due_at`, the first appointment (an apology admits the delay). Both are moved
  later by every clock pause when it ends.
- Processing ended (`finished_at`, else `returned_at`, else `stopped_at`): late if more
  supplement requests than MOTCUA_766_MAX_SUPPLEMENTS_ON_TIME (default 1), else late if
  the end is after the appointment, early if it is on a day before the appointment's day,
  otherwise on time.
- Still open at moment T: the clock is T, or the start of a pause still open (waiting for
  the applicant's supplement, or for a payment that pauses the clock) if earlier — a paused
  clock is not the agency's fault. Overdue if more supplement requests than allowed or the
  clock is past the appointment; else "paused" while the clock is paused; else "soon" when
  the appointment falls within one working day of T (the province's default calendar);
  else "in time".
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Protocol

from django.conf import settings
from django.db.models import F, Q

from motcua.catalog.enums import TimeUnit

from . import timing
from .enums import StepOutcome

if TYPE_CHECKING:
    from motcua.org.models import Agency

# Decree 118/2025/NĐ-CP is in force from 01/07/2025 (reference §0, CONFIRMED): dossiers
# received from that day follow the 2025 rules, earlier ones Decree 61/2018.
RULES_2025_FROM = dt.date(2025, 7, 1)
RULE_SETS = ("2018", "2025")

EARLY, ON_TIME, LATE = StepOutcome.EARLY.value, StepOutcome.ON_TIME.value, StepOutcome.LATE.value
IN_TIME, SOON, OVERDUE, PAUSED = "in_time", "soon", "overdue", "paused"
OPEN_VERDICTS = (OVERDUE, SOON, IN_TIME, PAUSED)
SETTLED_VERDICTS = (EARLY, ON_TIME, LATE)
# The reason recorded on a clock pause opened by a payment request (status 6).
PAYMENT_PAUSE_REASON = "Chờ thực hiện nghĩa vụ tài chính"


# ---------------------------------------------------------------------------- the regime


def rule_set_for(moment: dt.datetime | dt.date) -> str:
    """The rule set in force at a moment (local day in Vietnam): "2018" or "2025"."""
    day = moment.astimezone(timing.VN).date() if isinstance(moment, dt.datetime) else moment
    return "2025" if day >= RULES_2025_FROM else "2018"


def dossier_rule_set(received_at: dt.datetime | None, submitted_at: dt.datetime) -> str:
    """A dossier follows the rules in force when it was received (reference §0: "each dossier
    stores the rule version that applied when it was received"); before receipt, those of
    the day it was submitted."""
    return rule_set_for(received_at or submitted_at)


# ---------------------------------------------------------------------------- settings


def reappointment_judged_against() -> str:
    """ "original" (default): a re-appointed dossier is judged against its first appointment;
    "new": against the new date of the apology. UNCONFIRMED (docs/rules.md)."""
    value = getattr(settings, "MOTCUA_REAPPOINTMENT_JUDGED_AGAINST", "original")
    return value if value in ("original", "new") else "original"


def max_supplements_on_time() -> int:
    """§1.5: more than one supplement request ⇒ overdue (the most requests still on time)."""
    return int(getattr(settings, "MOTCUA_766_MAX_SUPPLEMENTS_ON_TIME", 1))


@dataclass(frozen=True)
class Rules:
    against: str
    max_supplements: int

    @classmethod
    def current(cls) -> Rules:
        return cls(reappointment_judged_against(), max_supplements_on_time())


# ---------------------------------------------------------------------------- the verdict


class Dated(Protocol):
    """What the verdict reads of a dossier: a Dossier row, or a replayed life's values."""

    @property
    def due_at(self) -> dt.datetime | None: ...
    @property
    def original_due_at(self) -> dt.datetime | None: ...
    @property
    def apology_count(self) -> int: ...
    @property
    def received_at(self) -> dt.datetime | None: ...
    @property
    def finished_at(self) -> dt.datetime | None: ...
    @property
    def returned_at(self) -> dt.datetime | None: ...
    @property
    def stopped_at(self) -> dt.datetime | None: ...
    @property
    def paused_at(self) -> dt.datetime | None: ...
    @property
    def supplement_count(self) -> int: ...


def judged_due(d: Dated, rules: Rules | None = None) -> dt.datetime | None:
    """The appointment a dossier is judged against (see the module docstring)."""
    return due_judged(d.due_at, d.original_due_at, d.apology_count, rules)


def due_judged(
    due_at: dt.datetime | None,
    original_due_at: dt.datetime | None,
    apology_count: int,
    rules: Rules | None = None,
) -> dt.datetime | None:
    """The rule of `judged_due` on bare values (reports that rebuild a past state): the
    first appointment of a re-appointed dossier unless MOTCUA_REAPPOINTMENT_JUDGED_AGAINST
    is "new"."""
    rules = rules or Rules.current()
    if rules.against == "original" and apology_count and original_due_at is not None:
        return original_due_at
    return due_at


def processing_end(d: Dated) -> dt.datetime | None:
    """§1.5: the first terminal event: "Đã xử lý xong" (finished_at) > "Đã trả kết quả"
    (returned_at) > "Dừng xử lý" (stopped_at). Only received dossiers have one."""
    if d.received_at is None:
        return None
    return d.finished_at or d.returned_at or d.stopped_at


def soon_horizon(now: dt.datetime) -> dt.datetime:
    """ "Due soon" = the appointment falls within one working day from now."""
    return timing.calendar_for(None).add(now, 1, TimeUnit.WORKING_DAYS)


def judge(
    *,
    received_at: dt.datetime | None,
    end_at: dt.datetime | None,
    due: dt.datetime | None,
    paused_at: dt.datetime | None,
    supplement_count: int,
    now: dt.datetime,
    rules: Rules | None = None,
    horizon: dt.datetime | None = None,
) -> str | None:
    """The verdict from the facts themselves (for callers without a dossier row: the
    indicators' facts, Biểu 06's state at the end of a period). See `verdict`."""
    if received_at is None:
        return None
    rules = rules or Rules.current()
    too_many = supplement_count > rules.max_supplements
    if end_at is not None:
        if too_many:
            return LATE
        if due is None:
            return ON_TIME
        return str(timing.classify(end_at, due))
    if too_many:
        return OVERDUE
    if due is None:
        return IN_TIME
    clock = now if paused_at is None else min(now, paused_at)
    if clock > due:
        return OVERDUE
    if paused_at is not None:
        return PAUSED
    if due <= (horizon or soon_horizon(now)):
        return SOON
    return IN_TIME


def verdict(
    d: Dated, now: dt.datetime, rules: Rules | None = None, horizon: dt.datetime | None = None
) -> str | None:
    """The verdict on a dossier at `now`: None (not received), "overdue" / "soon" /
    "in_time" / "paused" while open, "early" / "on_time" / "late" once processing ended."""
    rules = rules or Rules.current()
    return judge(
        received_at=d.received_at,
        end_at=processing_end(d),
        due=judged_due(d, rules),
        paused_at=d.paused_at,
        supplement_count=d.supplement_count,
        now=now,
        rules=rules,
        horizon=horizon,
    )


def is_late(v: str | None) -> bool:
    """Overdue while open or late once ended: what 2.1, 5.4 and Biểu 06 count against."""
    return v in (OVERDUE, LATE)


# ---------------------------------------------------------------------------- the queries


def open_q() -> Q:
    """Received dossiers whose processing has not ended (Dossier rows)."""
    return Q(
        received_at__isnull=False,
        finished_at__isnull=True,
        returned_at__isnull=True,
        stopped_at__isnull=True,
    )


def _judged(rules: Rules, facts: bool) -> list[tuple[Q, str]]:
    """[(condition, column holding the judged appointment)]: DossierFact rows already hold
    the judged appointment in `due_at`; Dossier rows choose per row."""
    if facts or rules.against == "new":
        return [(Q(), "due_at")]
    reappointed = Q(apology_count__gt=0, original_due_at__isnull=False)
    first = Q(apology_count=0) | Q(original_due_at__isnull=True)
    return [(reappointed, "original_due_at"), (first, "due_at")]


def overdue_condition_q(now: dt.datetime, *, facts: bool = False, rules: Rules | None = None) -> Q:
    """`verdict(...) == "overdue"` for rows already known to be open (received, not ended):
    too many supplement requests, or min(now, paused_at) past the judged appointment."""
    rules = rules or Rules.current()
    q = Q(supplement_count__gt=rules.max_supplements)
    for cond, due in _judged(rules, facts):
        q |= cond & Q(**{f"{due}__lt": now}) & (Q(paused_at__isnull=True) | Q(paused_at__gt=F(due)))
    return q


def not_overdue_condition_q(
    now: dt.datetime, *, facts: bool = False, rules: Rules | None = None
) -> Q:
    """The complement of `overdue_condition_q` among open rows, written positively (no
    negation over nullable columns): the indicators' "open and on time"."""
    rules = rules or Rules.current()
    parts = Q(pk__in=[])
    for cond, due in _judged(rules, facts):
        parts |= cond & (
            Q(**{f"{due}__isnull": True})
            | Q(**{f"{due}__gte": now})
            | Q(paused_at__isnull=False, **{f"{due}__gte": F("paused_at")})
        )
    return Q(supplement_count__lte=rules.max_supplements) & parts


def verdict_q(
    state: str, now: dt.datetime, rules: Rules | None = None, horizon: dt.datetime | None = None
) -> Q:
    """Dossier rows whose open verdict at `now` is `state` ("overdue", "soon", "in_time",
    "paused"): the same rule as `verdict`, as a filter."""
    rules = rules or Rules.current()
    if state == OVERDUE:
        return open_q() & overdue_condition_q(now, rules=rules)
    horizon = horizon or soon_horizon(now)
    ok = Q(supplement_count__lte=rules.max_supplements)
    parts = Q(pk__in=[])
    for cond, due in _judged(rules, False):
        if state == PAUSED:
            parts |= (
                cond
                & Q(paused_at__isnull=False)
                & (Q(**{f"{due}__gte": now}) | Q(paused_at__lte=F(due)))
            )
        elif state == SOON:
            parts |= cond & Q(
                paused_at__isnull=True, **{f"{due}__gte": now, f"{due}__lte": horizon}
            )
        elif state == IN_TIME:
            parts |= cond & Q(paused_at__isnull=True, **{f"{due}__gt": horizon})
        else:
            raise ValueError(state)
    return open_q() & ok & parts


def overdue_q(now: dt.datetime, rules: Rules | None = None) -> Q:
    return verdict_q(OVERDUE, now, rules)


def due_soon_q(
    now: dt.datetime, rules: Rules | None = None, horizon: dt.datetime | None = None
) -> Q:
    return verdict_q(SOON, now, rules, horizon)


# ---------------------------------------------------------------------------- pauses


@dataclass(frozen=True)
class Shift:
    """What ending a clock pause changes: the paused working seconds, and the appointment,
    the first appointment and the current step's deadline moved later by them."""

    seconds: int
    due_at: dt.datetime | None
    original_due_at: dt.datetime | None
    step_due_at: dt.datetime | None


def pause_shift(
    *,
    settling_agency: Agency,
    step_agency: Agency | None,
    started_at: dt.datetime,
    ended_at: dt.datetime,
    due_at: dt.datetime | None,
    original_due_at: dt.datetime | None,
    step_due_at: dt.datetime | None,
) -> Shift:
    """The pause arithmetic, in one place (reference §1.5: "effective end = end − (supplement
    completed − requested)"): the working time between the start and the end of the pause,
    on the settling agency's calendar, moves the appointment and the first appointment, and
    (added on the step agency's calendar) the current step's deadline."""
    seconds = timing.paused_working_seconds(settling_agency, started_at, ended_at)

    def move(agency: Agency | None, moment: dt.datetime | None) -> dt.datetime | None:
        if moment is None or agency is None:
            return moment
        return timing.shift(agency, moment, seconds)

    return Shift(
        seconds=seconds,
        due_at=move(settling_agency, due_at),
        original_due_at=move(settling_agency, original_due_at),
        step_due_at=move(step_agency, step_due_at),
    )


# ---------------------------------------------------------------------------- regimes


def apology_min_lead_days(rule_set: str) -> Decimal:
    """How long before the appointment an apology (Mẫu 04) must be made, in working days,
    per regime: MOTCUA_APOLOGY_MIN_LEAD_DAYS_2018 (default 1: "at least one day before",
    2018 practice) and MOTCUA_APOLOGY_MIN_LEAD_DAYS_2025 (default 1, UNCONFIRMED for
    Decree 118)."""
    name = f"MOTCUA_APOLOGY_MIN_LEAD_DAYS_{rule_set if rule_set in RULE_SETS else '2025'}"
    return Decimal(str(getattr(settings, name, 1)))
