"""Decision 766 indicators 5.1–5.3 and the feedback part of 5.4, computed from feedback
rows (reference §4.2 G6; docs/feedback.md). Each is a provider of the indicators app's
registry (motcua.indicators.providers, ADR 0022), registered in FeedbackConfig.ready().

The period counts feedback by the moment it was sent (received_at, local dates
[start, end]); the verdicts are judged at the end of the period, or now if earlier."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from zoneinfo import ZoneInfo

from django.db.models import Q, QuerySet
from django.utils import timezone

from motcua.dossiers.models import Dossier
from motcua.indicators import providers
from motcua.indicators.providers import Count, Scope

from . import rules
from .enums import Satisfaction, Status, Topic
from .models import Feedback

VN = ZoneInfo("Asia/Ho_Chi_Minh")


def _bounds(start: dt.date, end: dt.date) -> tuple[dt.datetime, dt.datetime]:
    lo = dt.datetime.combine(start, dt.time.min, tzinfo=VN)
    hi = dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=VN)
    return lo, hi


def _judged(end: dt.date) -> dt.datetime:
    return min(_bounds(end, end)[1], timezone.now())


def scope_q(scope: Scope, prefix: str = "") -> Q:
    """The indicators' scope on feedback: the agency it was sent to or that handles it,
    its procedure, the procedure's field."""
    q = Q()
    if scope.agency_ids is not None:
        q &= Q(**{f"{prefix}intake_agency_id__in": scope.agency_ids}) | Q(
            **{f"{prefix}agency_id__in": scope.agency_ids}
        )
    if scope.procedure_id is not None:
        q &= Q(**{f"{prefix}procedure_id": scope.procedure_id})
    if scope.field_id is not None:
        q &= Q(**{f"{prefix}procedure__field_id": scope.field_id})
    return q


def received_in(start: dt.date, end: dt.date, scope: Scope) -> QuerySet[Feedback]:
    lo, hi = _bounds(start, end)
    return Feedback.objects.filter(scope_q(scope), received_at__gte=lo, received_at__lt=hi)


def pakn_in(start: dt.date, end: dt.date, scope: Scope) -> QuerySet[Feedback]:
    """What counts as a PAKN: everything sent, less what intake rejected as not one."""
    return received_in(start, end, scope).exclude(status=Status.REJECTED)


def _count(numerator: QuerySet[Feedback], base: QuerySet[Feedback], note: str) -> Count:
    return Count(
        numerator=numerator.count(),
        denominator=base.count(),
        drill=lambda: numerator.order_by("received_at", "pk"),
        note=note,
        drill_denominator=lambda: base.order_by("received_at", "pk"),
    )


def feedback_by_topic(start: dt.date, end: dt.date, scope: Scope) -> Count:
    """5.1 (reference only, 0 points): the PAKN about an agency's or officer's conduct
    among all PAKN sent in the period (the rest are about regulations and procedures,
    or not yet classified)."""
    base = pakn_in(start, end, scope)
    return _count(
        base.filter(topic=Topic.CONDUCT),
        base,
        "Phản ánh về hành vi, thái độ của cơ quan, cán bộ / tổng phản ánh, kiến nghị "
        "(chỉ để tham khảo, 0 điểm)",
    )


def feedback_on_time(start: dt.date, end: dt.date, scope: Scope) -> Count:
    """5.2: feedback sent in the period that missed none of its deadlines (rules.missed:
    reject ≤ 2, first request for information ≤ 5, answer ≤ 15, publish ≤ 2 working days)
    by the end of the period, over all feedback sent in the period (rejected included:
    a timely rejection is timely handling)."""
    base = received_in(start, end, scope)
    return _count(
        base.exclude(rules.late_q(_judged(end))),
        base,
        "Phản ánh, kiến nghị xử lý đúng hạn / tổng phản ánh, kiến nghị nhận trong kỳ",
    )


def feedback_satisfied(start: dt.date, end: dt.date, scope: Scope) -> Count:
    """5.3: (PAKN first sent in the period − those the submitter was unsatisfied with, that
    were complained about again, or that are overdue) / PAKN first sent in the period."""
    base = pakn_in(start, end, scope).filter(follows__isnull=True)
    bad = (
        Q(satisfaction=Satisfaction.UNSATISFIED)
        | Q(followups__isnull=False)
        | rules.late_q(_judged(end))
    )
    return _count(
        base.exclude(pk__in=base.filter(bad).values("pk")),
        base,
        "(Phản ánh lần đầu − không hài lòng, phản ánh lại, quá hạn) / phản ánh lần đầu",
    )


def dossiers_with_feedback(start: dt.date, end: dt.date, scope: Scope) -> Count:
    """The feedback part of 5.4: dossiers received in the period that have a PAKN (not
    rejected) about them, over the dossiers received in the period. The scorecard's 5.4
    subtracts this rate, with the overdue and disliked, from 100%."""
    lo, hi = _bounds(start, end)
    base = Dossier.objects.filter(scope.dossier_q(), received_at__gte=lo, received_at__lt=hi)
    with_pakn = base.filter(
        pk__in=Feedback.objects.filter(dossier__isnull=False)
        .exclude(status=Status.REJECTED)
        .values("dossier_id")
    )
    return Count(
        numerator=with_pakn.count(),
        denominator=base.count(),
        drill=lambda: with_pakn.order_by("received_at", "pk"),
        note="Hồ sơ có phản ánh, kiến nghị / hồ sơ tiếp nhận trong kỳ",
        drill_denominator=lambda: base.order_by("received_at", "pk"),
    )


PROVIDERS: dict[str, Callable[..., Count]] = {
    "5.1": feedback_by_topic,
    "5.2": feedback_on_time,
    "5.3": feedback_satisfied,
    # The feedback part of 5.4, for the scorecard to subtract (it has no code of its own in
    # the reference; "5.4b" here).
    "5.4b": dossiers_with_feedback,
}


def register_providers() -> None:
    for code, fn in PROVIDERS.items():
        providers.register(code)(fn)
