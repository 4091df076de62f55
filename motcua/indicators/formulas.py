"""Decision 766/QĐ-TTg service-quality indicators: every definition in one place.

Sources: reference `domain/one-stop-reference.md` §4.1 (what the Decision says, CONFIRMED),
§4.2 (how the National Public Service Portal computes them: "Mô tả công thức tính chỉ số
766.docx" and its METRICS sheet, IMPL) and §1.5 (how processing time is counted, IMPL).
Where the reference marks a rule UNCONFIRMED, the rule is a setting (see `params()`).

How a figure is made
--------------------
1. Each dossier is reduced to one `Fact` (`fact_of`): its scope keys, its dates and one
   boolean *flag* per numerator/denominator definition below (plus the settlement seconds
   of indicator 2.2). Flags depend on the dossier row only, never on the period.
2. Each flag has a *bucket*: the local day (Asia/Ho_Chi_Minh) it is counted on — the day of
   valid receipt (`received`) or the day processing ended (`ended`).
3. An indicator is (numerator flag, denominator flag). For a period [from, to] a figure is
   the number of dossiers in scope whose bucket day lies in the period and whose flag is
   set. Indicators 2.1 and 5.4 add the dossiers still open (no processing end) at the end
   of the period, judged by `open_on_time` at T = min(end of period, now) — §1.5:
   "dossiers without any terminal status use the end of the reporting period as their end".
4. rate = numerator / denominator (N/A when the denominator is 0); points = Pmax × min(1,
   rate / target) (§4.2 "scoring rule for thresholded indicators"; target 100% = linear);
   both rounded half-up to 2 decimals at the end.

On time / overdue is not defined here: it is `motcua.dossiers.deadlines` (the verdict every
screen and report uses). A fact's `due_at` is the appointment the dossier is judged
against (`deadlines.judged_due`: the first one for a re-appointed dossier by default).

Changing a setting that shapes a flag (MOTCUA_766_MAX_SUPPLEMENTS_ON_TIME,
MOTCUA_REAPPOINTMENT_JUDGED_AGAINST, MOTCUA_766_FULL_ONLINE_DENOMINATOR) requires
`motcua indicators rebuild`; targets, points and MOTCUA_766_SYNCED apply at once.

Paid online (3.3b, 3.5b, 3.6) is a verified payment's fact, never the dossier's flag alone:
`fact_of` counts DuocThanhToanTrucTuyen only where motcua.payments proves it
(`register_verified_payments`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Collection
from dataclasses import dataclass, field, fields
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Q

from motcua.dossiers import deadlines

from .providers import Outcome

if TYPE_CHECKING:
    from motcua.workcalendar.engine import WorkingCalendar

VN = ZoneInfo("Asia/Ho_Chi_Minh")

# ---------------------------------------------------------------------------- parameters

DEFAULT_TARGETS = {
    "3.1": 80,
    "3.3": 50,
    "3.5a": 80,
    "3.5b": 80,
    "4.2": 80,
    "4.3": 80,
    "5.4": 90,
}
# Points per indicator as the portal's METRICS sheet gives them (§4.2). 3.1 and 3.3 have no
# separate maximum there (null): the 12 points of the online-service group go to the
# fully-online indicator 3.3b. UNCONFIRMED (reference §12 item 8).
DEFAULT_POINTS = {
    "2.1": 20,
    "2.2": 0,
    "3.1": 0,
    "3.3": 0,
    "3.3b": 12,
    "3.5a": 2,
    "3.5b": 2,
    "3.6": 6,
    "4.1": 6,
    "4.2": 4,
    "4.3": 2,
    "5.4": 6,
    # The indicators other apps' providers (or motcua.indicators.computed) give (§4.2).
    "1.1": 6,
    "1.2": 4,
    "1.3": 2,
    "1.4": 6,
    "3.2": 0,
    "4.2b": 2,
    "4.4": 4,
    "4.5a": 2,
    "4.5b": 2,
    "5.1": 0,
    "5.2": 6,
    "5.3": 6,
}


@dataclass(frozen=True)
class Params:
    targets: dict[str, int]
    points: dict[str, int]
    # The verdict's settings (motcua.dossiers.deadlines): the most supplement requests still
    # on time (§1.5, default 1) and which appointment a re-appointed dossier is judged by.
    rules: deadlines.Rules
    # UNCONFIRMED: 3.3b's denominator: dossiers of procedures eligible for fully-online
    # service ("eligible", the portal's METRICS sheet) or every received dossier ("received").
    full_online_denominator: str
    # §1.5 says open dossiers end at the end of the period; for the running period that end
    # is in the future, so by default T = min(end of period, now) ("now"); "period_end"
    # applies the text literally. UNCONFIRMED which the portal does.
    open_end: str
    # UNCONFIRMED until the national sync exists (issue 14): which dossiers 3.5a counts as
    # "synced with fee data". "received": every received dossier of the province (what the
    # sync will send); "none": no dossier (3.5a's numerator is 0 until the sync is built).
    synced: str = "received"


SYNCED_CHOICES = ("received", "none")


def params() -> Params:
    targets = {**DEFAULT_TARGETS, **getattr(settings, "MOTCUA_766_TARGETS", {})}
    points = {**DEFAULT_POINTS, **getattr(settings, "MOTCUA_766_POINTS", {})}
    return Params(
        targets=targets,
        points=points,
        rules=deadlines.Rules.current(),
        full_online_denominator=getattr(settings, "MOTCUA_766_FULL_ONLINE_DENOMINATOR", "eligible"),
        open_end=getattr(settings, "MOTCUA_766_OPEN_END", "now"),
        synced=_synced_setting(),
    )


def _synced_setting() -> str:
    value = str(getattr(settings, "MOTCUA_766_SYNCED", "received"))
    if value not in SYNCED_CHOICES:
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured(
            f"MOTCUA_766_SYNCED phải là một trong {SYNCED_CHOICES} (must be one of them): {value!r}"
        )
    return value


# ---------------------------------------------------------------------------- payments

# Which dossiers a verified payment proves paid online: motcua.payments (a layer above)
# registers the lookup in its AppConfig.ready(). It answers, for some dossier ids, the set of
# (dossier id, DuocThanhToanTrucTuyen) pairs that a paid Payment proves — the value
# dossiers.rules.paid_online_for gives its channel. Without it nothing is proved, so 3.6
# and 3.5b count nothing: a dossier's flag alone is never a payment.
PaymentLookup = Callable[[Collection[int]], set[tuple[int, int]]]
_PAYMENT_LOOKUP: list[PaymentLookup] = []


def register_verified_payments(fn: PaymentLookup) -> PaymentLookup:
    _PAYMENT_LOOKUP[:] = [fn]
    return fn


def verified_paid_online(dossier_ids: Collection[int]) -> set[tuple[int, int]]:
    """(dossier id, paid_online) pairs proved by a verified payment (see above)."""
    if not dossier_ids or not _PAYMENT_LOOKUP:
        return set()
    return _PAYMENT_LOOKUP[0](dossier_ids)


def proves_paid_online(d: Any, proved: set[tuple[int, int]]) -> bool:
    """The dossier's DuocThanhToanTrucTuyen is 1 or 2 and a verified payment of that
    channel proves it."""
    return d.paid_online in (1, 2) and (d.pk, d.paid_online) in proved


# ---------------------------------------------------------------------------- the fact


@dataclass
class Fact:
    """One dossier as the indicators see it. Field names equal DossierFact's columns."""

    dossier_id: int
    receiving_agency_id: int
    settling_agency_id: int
    procedure_id: int
    field_id: int
    eligible_full_online: bool
    received_at: dt.datetime | None
    due_at: dt.datetime | None
    end_at: dt.datetime | None
    paused_at: dt.datetime | None
    supplement_count: int
    apology_count: int
    rating: int | None
    received_day: dt.date | None = None
    end_day: dt.date | None = None
    # Flags (see FLAGS) and the settlement time of 2.2.
    received: bool = False
    ended: bool = False
    on_time: bool = False
    on_time_liked: bool = False
    settled: bool = False
    settle_seconds: int = 0
    online: bool = False
    full_online_base: bool = False
    full_online: bool = False
    fee_due: bool = False
    paid_online: bool = False
    result_required: bool = False
    e_result: bool = False
    digitized: bool = False
    reused: bool = False


FACT_FIELDS = tuple(f.name for f in fields(Fact))


def local_day(moment: dt.datetime | None) -> dt.date | None:
    return None if moment is None else moment.astimezone(VN).date()


def processing_end(d: Any) -> dt.datetime | None:
    """§1.5: the first terminal event (deadlines.processing_end)."""
    return deadlines.processing_end(d)


def ended_on_time(f: Fact, p: Params) -> bool:
    """2.1 for a dossier whose processing ended: the verdict (deadlines.judge) is early or
    on time. The pauses are already in `due_at` (moved when each pause ended), which is the
    reference's "end − (supplement completed − supplement requested)"."""
    at = f.end_at or f.received_at
    if at is None:
        return False  # never received: counted nowhere (§1.5); fact_of never asks
    return not deadlines.is_late(_judge(f, at, p))


def open_on_time(f: Fact, at: dt.datetime, p: Params) -> bool:
    """2.1 for a dossier still open at T: not overdue at T (deadlines.judge; the clock stops
    at the start of a pause still open)."""
    return not deadlines.is_late(_judge(f, at, p))


def _judge(f: Fact, at: dt.datetime, p: Params) -> str | None:
    return deadlines.judge(
        received_at=f.received_at,
        end_at=f.end_at,
        due=f.due_at,
        paused_at=f.paused_at,
        supplement_count=f.supplement_count,
        now=at,
        rules=p.rules,
        horizon=at,  # "soon" does not matter to the indicators
    )


def open_on_time_q(at: dt.datetime, p: Params) -> Q:
    """`open_on_time` as a filter on open DossierFact rows (deadlines' query, facts flavour:
    the fact's `due_at` is already the judged appointment)."""
    return deadlines.not_overdue_condition_q(at, facts=True, rules=p.rules)


def open_liked_q() -> Q:
    return Q(rating__isnull=True) | ~Q(rating=-1)


def fact_of(
    d: Any,
    *,
    field_id: int,
    eligible_full_online: bool,
    calendar: Callable[[int], WorkingCalendar],
    p: Params,
    paid_verified: bool = False,
) -> Fact:
    """The fact of a dossier row `d` (a Dossier or any object with its attributes).

    `calendar(agency_id)` returns the working calendar used for 2.2's settlement time.
    `paid_verified`: a verified payment proves the dossier's DuocThanhToanTrucTuyen
    (`proves_paid_online`); without it the dossier is not paid online for 3.3b and 3.6.
    """
    end = processing_end(d)
    f = Fact(
        dossier_id=d.pk,
        receiving_agency_id=d.receiving_agency_id,
        settling_agency_id=d.settling_agency_id,
        procedure_id=d.procedure_id,
        field_id=field_id,
        eligible_full_online=eligible_full_online,
        received_at=d.received_at,
        due_at=deadlines.judged_due(d, p.rules),
        end_at=end,
        paused_at=d.paused_at,
        supplement_count=d.supplement_count,
        apology_count=d.apology_count,
        rating=d.rating,
        received_day=local_day(d.received_at),
        end_day=local_day(end),
    )
    if d.received_at is None:
        return f  # refused at receipt or withdrawn before: counted nowhere (§1.5)
    f.received = True
    f.ended = end is not None
    if f.ended:
        f.on_time = ended_on_time(f, p)
        f.on_time_liked = f.on_time and d.rating != -1
    # 2.2: finished dossiers (status 9/10, i.e. a result was made), working time from
    # receipt to result minus the paused working time.
    if d.finished_at is not None and d.status in (9, 10):
        f.settled = True
        worked = calendar(d.settling_agency_id).working_seconds_between(
            d.received_at, d.finished_at
        )
        f.settle_seconds = max(0, worked - d.paused_seconds)
    result_ok = (not d.paper_result_required) or d.electronic_result
    paid_online = paid_verified and d.paid_online in (1, 2)
    # 3.3: received online (KenhThucHien = 2) and, when the TTHC requires a paper result,
    # with an electronic result.
    f.online = d.channel == 2 and result_ok
    # 3.3b (toàn trình, Decree 42/2022 §3): online, paid online where a fee is due, electronic
    # result where a result is required.
    f.full_online_base = eligible_full_online if p.full_online_denominator == "eligible" else True
    f.full_online = (
        f.full_online_base and d.channel == 2 and (d.fee_due_vnd == 0 or paid_online) and result_ok
    )
    # 3.6: dossiers of fee-bearing TTHC, excluding those whose fees are all 0; paid online
    # only where a verified payment of an online channel proves it.
    f.fee_due = d.fee_due_vnd > 0
    f.paid_online = f.fee_due and paid_online
    # 4.1: dossiers of TTHC that require a (paper) result / with an electronic result.
    f.result_required = bool(d.paper_result_required)
    f.e_result = f.result_required and bool(d.electronic_result)
    # 4.2: components digitised and an electronic result where one is required.
    f.digitized = bool(d.digitized) and result_ok
    # 4.3: at least one component re-used from digitised data.
    f.reused = bool(d.reused)
    return f


# ---------------------------------------------------------------------------- flags


@dataclass(frozen=True)
class Flag:
    name: str
    bucket: str  # "received" | "ended"
    sums: str | None = None  # a Fact attribute summed instead of counted (2.2's seconds)


FLAGS: dict[str, Flag] = {
    f.name: f
    for f in [
        Flag("received", "received"),
        Flag("settled", "received"),
        Flag("settle_seconds", "received", sums="settle_seconds"),
        Flag("online", "received"),
        Flag("full_online_base", "received"),
        Flag("full_online", "received"),
        Flag("fee_due", "received"),
        Flag("paid_online", "received"),
        Flag("result_required", "received"),
        Flag("e_result", "received"),
        Flag("digitized", "received"),
        Flag("reused", "received"),
        Flag("ended", "ended"),
        Flag("on_time", "ended"),
        Flag("on_time_liked", "ended"),
    ]
}


def flag_value(fact: Fact, flag: Flag) -> int:
    if flag.sums:
        return int(getattr(fact, flag.sums)) if fact.settled else 0
    return 1 if getattr(fact, flag.name) else 0


# ---------------------------------------------------------------------------- indicators


@dataclass(frozen=True)
class Indicator:
    id: str
    group: str
    name_vi: str
    name_en: str
    numerator: str  # flag name, or "procedures…" for the procedure counts (3.1, 3.5a, 3.5b)
    denominator: str
    numerator_doc: str
    denominator_doc: str
    source: str
    unit: str = "percent"  # or "working_days" (2.2)
    # 2.1 and 5.4 also count dossiers still open at the end of the period.
    with_open: bool = False
    unconfirmed: tuple[str, ...] = field(default_factory=tuple)


GROUPS = {
    # Decision 766 §4.1 groups and their points (CONFIRMED): 100 in all. The portal splits
    # "online" into online services (12) and online payment (10); they are one group here.
    "transparency": ("Công khai, minh bạch", "Transparency", 18),
    "progress": ("Tiến độ, kết quả giải quyết", "Progress and results", 20),
    "online": ("Cung cấp dịch vụ trực tuyến", "Online service provision", 22),
    "digitization": ("Số hóa hồ sơ", "Digitisation", 22),
    "satisfaction": ("Mức độ hài lòng", "Satisfaction", 18),
}

INDICATORS: dict[str, Indicator] = {
    i.id: i
    for i in [
        Indicator(
            "2.1",
            "progress",
            "Tỷ lệ hồ sơ xử lý trước hạn, đúng hạn",
            "Dossiers handled early or on time",
            "on_time",
            "ended",
            "processing ended in the period on time (§1.5) + still open at T and on time at T",
            "accepted dossiers whose processing ended in the period + accepted dossiers "
            "received by the end of the period and still open",
            "§4.2 G2 2.1, §1.5 (IMPL)",
            with_open=True,
            unconfirmed=("reappointment_judged_against", "open_end"),
        ),
        Indicator(
            "2.2",
            "progress",
            "Thời gian giải quyết TTHC trung bình",
            "Average settlement time",
            "settle_seconds",
            "settled",
            "Σ working time from receipt to result (status 9/10) minus paused time",
            "dossiers received in the period with a result (status 9/10)",
            "§4.2 G2 2.2 (IMPL); shown in working days of the agency's working hours",
            unit="working_days",
        ),
        Indicator(
            "3.1",
            "online",
            "Tỷ lệ TTHC cung cấp dịch vụ công trực tuyến",
            "Procedures offering online public services",
            "procedures",
            "procedures",
            "active province/commune-level procedures whose current version is offered "
            "partly or fully online",
            "active province/commune-level procedures in scope (catalog, not period-bound)",
            "§4.2 G3 3.1 (IMPL)",
        ),
        Indicator(
            "3.3",
            "online",
            "Tỷ lệ hồ sơ trực tuyến",
            "Dossiers received online",
            "online",
            "received",
            "received in the period, KenhThucHien = 2, with an electronic result when the "
            "TTHC requires a paper result",
            "dossiers received in the period (sync coefficient of 1.4 not applied)",
            "§4.2 G3 3.3 (IMPL)",
        ),
        Indicator(
            "3.3b",
            "online",
            "Tỷ lệ hồ sơ trực tuyến toàn trình",
            "Dossiers handled fully online",
            "full_online",
            "full_online_base",
            "received online, paid online where a fee is due, electronic result where a "
            "result is required",
            "dossiers received in the period of procedures eligible for fully-online "
            "service (or all, MOTCUA_766_FULL_ONLINE_DENOMINATOR)",
            "§4.2 G3 METRICS sheet, §3 Decree 42/2022; exact formula UNCONFIRMED",
            unconfirmed=("full_online_denominator", "points"),
        ),
        Indicator(
            "3.5a",
            "online",
            "Tỷ lệ TTHC có nghĩa vụ tài chính được tích hợp thanh toán trực tuyến",
            "Fee-bearing procedures integrated for online payment",
            "procedures_fee_data",
            "procedures_fee_bearing",
            "fee-bearing procedures (denominator) with ≥ 1 dossier received in the period "
            "and synced with fee data (fee due > 0; 'synced': MOTCUA_766_SYNCED)",
            "active province/commune-level procedures in scope whose version in force has a "
            "fee item (amount > 0 or not yet known) in the catalog",
            "§4.2 G4 3.5(a) (IMPL); no national sync yet (issue 14): 'synced' UNCONFIRMED",
            unconfirmed=("synced",),
        ),
        Indicator(
            "3.5b",
            "online",
            "Tỷ lệ TTHC có giao dịch thanh toán trực tuyến",
            "Procedures with an online payment",
            "procedures_paid_online",
            "procedures_fee_bearing",
            "fee-bearing procedures (denominator) with ≥ 1 dossier received in the period "
            "that a verified online payment (motcua.payments) settled",
            "3.5a's denominator",
            "§4.2 G4 3.5(b) (IMPL); bucket by receipt day as 3.6 (UNCONFIRMED)",
        ),
        Indicator(
            "3.6",
            "online",
            "Tỷ lệ hồ sơ thanh toán trực tuyến",
            "Dossiers paid online",
            "paid_online",
            "fee_due",
            "fee-bearing dossiers received in the period with DuocThanhToanTrucTuyen 1 or 2 "
            "proved by a verified payment of that channel (motcua.payments)",
            "dossiers received in the period whose fee due is > 0",
            "§4.2 G4 3.6 (IMPL)",
        ),
        Indicator(
            "4.1",
            "digitization",
            "Tỷ lệ hồ sơ có cấp kết quả điện tử",
            "Dossiers with an electronic result",
            "e_result",
            "result_required",
            "dossiers of TTHC requiring a result, received in the period, with an "
            "electronic result attached",
            "dossiers received in the period of TTHC requiring a (paper) result",
            "§4.2 G5 4.1 (IMPL); bucket by receipt day UNCONFIRMED",
        ),
        Indicator(
            "4.2",
            "digitization",
            "Tỷ lệ hồ sơ được số hóa",
            "Dossiers digitised",
            "digitized",
            "received",
            "received in the period with digitised components and an electronic result "
            "where one is required",
            "dossiers received in the period",
            "§4.2 G5 4.2 (IMPL)",
        ),
        Indicator(
            "4.3",
            "digitization",
            "Tỷ lệ hồ sơ tái sử dụng dữ liệu số hóa",
            "Dossiers re-using digitised data",
            "reused",
            "received",
            "received in the period with ≥ 1 re-used component",
            "dossiers received in the period",
            "§4.2 G5 4.3 (IMPL)",
        ),
        Indicator(
            "5.4",
            "satisfaction",
            "Tỷ lệ hài lòng trong tiếp nhận, giải quyết TTHC",
            "Satisfaction in receiving and settling",
            "on_time_liked",
            "ended",
            "dossiers of 2.1's base that are on time and not rated 'dislike'",
            "2.1's base",
            "§4.2 G6 5.4 (IMPL): 100% − (overdue rate + dislike rate); counted as a set so a "
            "late and disliked dossier is not subtracted twice (UNCONFIRMED); feedback "
            "(PAKN) is not modelled",
            with_open=True,
        ),
    ]
}


# The indicators whose figure comes from a provider (motcua.indicators.providers): counted
# from the catalog and the dossiers by motcua.indicators.computed (1.1–1.3, 3.2, 4.4, 4.5a,
# 4.5b), or registered by the app that owns the rows (1.4: the national sync; 5.1–5.3:
# citizens' feedback). Unregistered, or returning None: shown with the reason, no points.
PROVIDED: dict[str, Indicator] = {
    i.id: i
    for i in [
        Indicator(
            "1.1",
            "transparency",
            "Tỷ lệ TTHC được công bố đúng hạn",
            "Procedures published on time",
            "provider",
            "provider",
            "procedures of the denominator whose every publication decision in the period is "
            "dated ≥ N working days (MOTCUA_766_PUBLISH_LEAD_DAYS, default 5) before the "
            "legal text it implements takes effect",
            "procedures in scope with a publication decision dated in the period whose "
            "legal text's effective date is known (each procedure once)",
            "§4.2 G1 1.1 (IMPL); catalog: ProcedureVersion.publication_decision_date, "
            "legal_basis_effective_date",
            unconfirmed=("publish_lead_days",),
        ),
        Indicator(
            "1.2",
            "transparency",
            "Tỷ lệ TTHC được cập nhật, công khai đúng hạn",
            "Procedures updated and made public on time",
            "provider",
            "provider",
            "procedures of the denominator made public (published_on) within N working days "
            "(MOTCUA_766_PUBLIC_WITHIN_DAYS, default 5) of every decision in the period",
            "procedures in scope with a publication decision dated in the period",
            "§4.2 G1 1.2 (IMPL); catalog: ProcedureVersion.publication_decision_date, published_on",
            unconfirmed=("public_within_days",),
        ),
        Indicator(
            "1.3",
            "transparency",
            "Tỷ lệ TTHC công khai đầy đủ các bộ phận tạo thành",
            "Procedures public with all their parts",
            "provider",
            "provider",
            "procedures of the denominator whose version in force has a name, steps, "
            "channels, dossier components, a time limit, subjects and an implementing agency "
            "(Decree 63/2010 art. 8(2) a–g)",
            "active province/commune-level procedures in scope with a version in force "
            "(today; not period-bound)",
            "§4.2 G1 1.3 (IMPL), §6",
        ),
        Indicator(
            "1.4",
            "transparency",
            "Tỷ lệ hồ sơ đồng bộ lên Cổng Dịch vụ công quốc gia",
            "Dossiers synchronised to the national portal",
            "provider",
            "provider",
            "synced dossiers received in the period (the national sync)",
            "dossiers received in the period (the national sync)",
            "§4.2 G1 1.4 (IMPL); provider registered by the national sync app",
        ),
        Indicator(
            "3.2",
            "online",
            "Tỷ lệ dịch vụ công trực tuyến phát sinh hồ sơ",
            "Online services that received dossiers",
            "provider",
            "provider",
            "procedures of the denominator with ≥ 1 dossier received online (KenhThucHien "
            "= 2) in the period",
            "active province/commune-level procedures in scope whose version in force is "
            "offered partly or fully online (3.1's numerator, today)",
            "§4.2 G3 3.2 (IMPL); no points",
        ),
        Indicator(
            "4.2b",
            "digitization",
            "Cung cấp dịch vụ chứng thực bản sao điện tử từ bản chính",
            "Electronic certified copies from originals",
            "provider",
            "provider",
            "(formula not in the portal's document)",
            "(formula not in the portal's document)",
            "§4.2 G5 (2 points, no formula; id '4.2b' is this system's)",
        ),
        Indicator(
            "4.4",
            "digitization",
            "Tỷ lệ hồ sơ kết nối, chia sẻ với kho dữ liệu cá nhân",
            "Dossiers connected to the personal data store",
            "provider",
            "provider",
            "dossiers received in the period with ≥ 1 component taken from the applicant's "
            "store that counts as reuse (dossiers.reuse.is_reuse)",
            "dossiers received in the period",
            "§4.2 G5 4.4 (IMPL); the e-result's delivery to the store is not counted (UNCONFIRMED)",
        ),
        Indicator(
            "4.5a",
            "digitization",
            "Tỷ lệ TTHC sử dụng dữ liệu từ CSDL quốc gia về dân cư",
            "Procedures using the population database",
            "provider",
            "provider",
            "procedures of the denominator with ≥ 1 dossier received in the period from an "
            "account authenticated with VNeID (org.ApplicantIdentity) when it was submitted",
            "active province/commune-level procedures in scope whose version in force names "
            "individuals among its subjects (MOTCUA_766_PERSON_SUBJECTS)",
            "§4.2 G5 4.5a (IMPL); no population-DB lookup in this system: VNeID only",
            unconfirmed=("person_subjects",),
        ),
        Indicator(
            "4.5b",
            "digitization",
            "Tỷ lệ hồ sơ sử dụng dữ liệu từ CSDL quốc gia về dân cư",
            "Dossiers using population-database data",
            "provider",
            "provider",
            "dossiers received in the period from an account authenticated with VNeID when "
            "it was submitted",
            "dossiers received in the period",
            "§4.2 G5 4.5b (IMPL); VNeID only",
        ),
        Indicator(
            "5.1",
            "satisfaction",
            "Phản ánh, kiến nghị theo phân loại",
            "Feedback by classification",
            "provider",
            "provider",
            "(citizens' feedback)",
            "(citizens' feedback)",
            "§4.2 G6 5.1 (IMPL), reference only; provider registered by the feedback app",
        ),
        Indicator(
            "5.2",
            "satisfaction",
            "Tỷ lệ phản ánh, kiến nghị được xử lý đúng hạn",
            "Feedback handled on time",
            "provider",
            "provider",
            "(citizens' feedback)",
            "(citizens' feedback)",
            "§4.2 G6 5.2 (IMPL); provider registered by the feedback app",
        ),
        Indicator(
            "5.3",
            "satisfaction",
            "Tỷ lệ hài lòng về xử lý phản ánh, kiến nghị",
            "Satisfaction with feedback handling",
            "provider",
            "provider",
            "(citizens' feedback)",
            "(citizens' feedback)",
            "§4.2 G6 5.3 (IMPL); provider registered by the feedback app",
        ),
    ]
}

# Every indicator in the Decision's order (the scorecard's rows).
ORDER = (
    "1.1", "1.2", "1.3", "1.4", "2.1", "2.2", "3.1", "3.2", "3.3", "3.3b", "3.5a", "3.5b",
    "3.6", "4.1", "4.2", "4.2b", "4.3", "4.4", "4.5a", "4.5b", "5.1", "5.2", "5.3", "5.4",
)  # fmt: skip
ALL: dict[str, Indicator] = {i: {**INDICATORS, **PROVIDED}[i] for i in ORDER}


# ---------------------------------------------------------------------------- scoring

TWO = Decimal("0.01")


def _round(x: Fraction) -> Decimal:
    return (Decimal(x.numerator) / Decimal(x.denominator)).quantize(TWO, ROUND_HALF_UP)


@dataclass
class Figure:
    id: str
    group: str
    name_vi: str
    name_en: str
    numerator: int | None  # None: not computable (a provider's indicator; see `reason_vi`)
    denominator: int | None
    rate: Decimal | None  # percent, or working days for 2.2; None = N/A
    unit: str
    target: int | None
    max_points: int
    points: Decimal | None
    # A provider's indicator: whether it could be computed, and if not why (the sentence
    # shown instead of a figure: "chưa có dữ liệu" / "không tính được trong hệ thống này:
    # …"); `note` is the provider's remark shown under a figure.
    computable: bool = True
    reason_vi: str = ""
    reason_en: str = ""
    note: str = ""
    provided: bool = False

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "group": self.group,
            "name_vi": self.name_vi,
            "name_en": self.name_en,
            "numerator": self.numerator,
            "denominator": self.denominator,
            "rate": None if self.rate is None else str(self.rate),
            "unit": self.unit,
            "target": self.target,
            "max_points": self.max_points,
            "points": None if self.points is None else str(self.points),
            "computable": self.computable,
            "reason_vi": self.reason_vi,
            "reason_en": self.reason_en,
            "note": self.note,
        }


def score(
    ind: Indicator, numerator: int, denominator: int, p: Params, day_seconds: int | None = None
) -> Figure:
    """rate and points, both rounded half-up to 2 decimals; N/A when the denominator is 0.

    points = Pmax if rate ≥ target else rate / target × Pmax (§4.2); target 100% = linear.
    2.2 is shown in working days of `day_seconds` (the scope's working day: the agency's
    working hours, motcua.workcalendar; see `working_day_seconds`).
    """
    target = p.targets.get(ind.id, 100 if ind.unit == "percent" else None)
    pmax = p.points.get(ind.id, 0)
    rate = points = None
    if denominator:
        if ind.unit == "working_days":
            day = day_seconds or working_day_seconds(None)
            rate = _round(Fraction(numerator, denominator * day))
        else:
            r = Fraction(numerator, denominator)
            rate = _round(r * 100)
            if pmax and target:
                points = _round(min(Fraction(1), r * 100 / target) * pmax)
    return Figure(
        ind.id,
        ind.group,
        ind.name_vi,
        ind.name_en,
        numerator,
        denominator,
        rate,
        ind.unit,
        target,
        pmax,
        points,
    )


def score_provided(ind: Indicator, outcome: Outcome, p: Params) -> Figure:
    """A provider's indicator: its count scored like any other, or — no count — the reason
    instead of a figure (numerator, denominator, rate and points None; the maximum shown)."""
    if outcome.count is None:
        return Figure(
            ind.id,
            ind.group,
            ind.name_vi,
            ind.name_en,
            None,
            None,
            None,
            ind.unit,
            p.targets.get(ind.id, 100),
            p.points.get(ind.id, 0),
            None,
            computable=False,
            reason_vi=outcome.reason_vi,
            reason_en=outcome.reason_en,
            provided=True,
        )
    f = score(ind, outcome.count.numerator, outcome.count.denominator, p)
    f.note = outcome.count.note
    f.provided = True
    return f


def working_day_seconds(agency_id: int | None = None) -> int:
    """The length of a working day (seconds) on the calendar of `agency_id` — the scope's
    agency — or of the province (default working hours) for wider scopes: 2.2's unit."""
    from motcua.workcalendar.selectors import get_calendar

    return round(get_calendar(agency_id).hours_per_day * 3600)
