"""Each formula on hand-built dossiers, with exact expected numbers.

The world: procedure 1.001193 (3 working days, fee 8 000 đ, paper result required, offered
fully online), two communes A and B. T0 = Wed 04/03/2026 09:00; a dossier received at 09:10
is due Mon 09/03/2026 09:10. Every scorecard is checked against the full recomputation.
"""

import datetime as dt
from decimal import Decimal

import pytest

from motcua.catalog.enums import Level, OnlineLevel
from motcua.catalog.models import FeeItem, Procedure, ProcedureVersion
from motcua.dossiers import services as s
from motcua.dossiers.models import Dossier
from motcua.indicators import formulas
from motcua.indicators.formulas import INDICATORS
from motcua.signing.tests.factories import signed_pdf

from .helpers import (
    MARCH,
    T0,
    Status,
    advance,
    ask_supplement,
    both,
    drill,
    finish,
    give_supplement,
    nd,
    pay_online,
    received,
    vn,
)

pytestmark = pytest.mark.django_db
DUE = vn(2026, 3, 9, 9, 10)


def test_on_time_late_average_time_and_points(world):
    early = advance(world, Status.RETURNED)  # approved 11:20 the same day
    late = received(world)
    assert late.due_at == DUE
    late = finish(world, late, DUE + dt.timedelta(minutes=50))  # approved 11:00 > due
    card = both(**MARCH)
    f = card.figure("2.1")
    assert (f.numerator, f.denominator, f.rate, f.points) == (
        1,
        2,
        Decimal("50.00"),
        Decimal("10.00"),
    )
    # 2.2: 2 h 10 min and 3 working days + 1 h 50 min (from 09:10 Wed to 11:00 Mon).
    f = card.figure("2.2")
    assert (f.numerator, f.denominator) == (7800 + 3 * 27000 + 6600, 2)
    assert f.rate == Decimal("1.77") and f.points is None and f.unit == "working_days"
    # 5.4 = on time and not disliked / 2.1's base; 50% of a 90% target of 6 points.
    f = card.figure("5.4")
    assert (f.numerator, f.denominator, f.rate, f.points) == (
        1,
        2,
        Decimal("50.00"),
        Decimal("3.33"),
    )
    assert drill("2.1", "numerator", **MARCH) == {early.pk}
    assert drill("2.1", "denominator", **MARCH) == {early.pk, late.pk}


def test_supplement_pause_is_not_counted_against_the_agency(world):
    d = ask_supplement(world, received(world), T0 + dt.timedelta(minutes=30))
    d = give_supplement(world, d, vn(2026, 3, 11, 9, 30))  # 5 working days later
    assert d.due_at == vn(2026, 3, 16, 9, 10)
    finish(world, d, vn(2026, 3, 13, 9, 0))  # after the first appointment, before the new one
    assert nd(both(**MARCH), "2.1") == (1, 1)


@pytest.mark.parametrize("limit, expected", [(1, (0, 1)), (2, (1, 1))])
def test_a_second_supplement_request_makes_the_dossier_overdue(world, settings, limit, expected):
    settings.MOTCUA_MAX_SUPPLEMENT_REQUESTS = 2
    settings.MOTCUA_766_MAX_SUPPLEMENTS_ON_TIME = limit
    d = received(world)
    for minutes in (30, 90):
        d = ask_supplement(world, d, T0 + dt.timedelta(minutes=minutes))
        d = give_supplement(world, d, T0 + dt.timedelta(minutes=minutes + 20))
    finish(world, d, T0 + dt.timedelta(hours=3))
    assert d.supplement_count == 2
    if limit == 2:  # the setting shapes stored facts: rebuild after changing it
        from motcua.indicators.services import indicators_rebuild

        indicators_rebuild()
    assert nd(both(**MARCH), "2.1") == expected


def test_dossiers_still_open_at_the_end_of_the_period(world):
    open_ = received(world)  # due 09/03 09:10
    waiting = ask_supplement(world, received(world), T0 + dt.timedelta(hours=1))
    first_days = {"date_from": dt.date(2026, 3, 1), "date_to": dt.date(2026, 3, 5)}
    # Period ends 06/03 00:00, before the appointment: both within time.
    assert nd(both(**first_days), "2.1") == (2, 2)
    # Judged on 20/03: the open one is overdue, the one waiting for the applicant is judged
    # at its supplement request (04/03), so within time.
    assert nd(both(**MARCH), "2.1") == (1, 2)
    assert drill("2.1", "numerator", **MARCH) == {waiting.pk}
    # The running month is judged now, not at its future end.
    assert nd(both(**MARCH, as_of=vn(2026, 3, 6, 10, 0)), "2.1") == (2, 2)
    # A later period still counts them (in progress); an earlier one does not.
    assert nd(both(date_from=dt.date(2026, 4, 1), date_to=dt.date(2026, 4, 30)), "2.1") == (1, 2)
    feb = both(date_from=dt.date(2026, 2, 1), date_to=dt.date(2026, 2, 28))
    assert nd(feb, "2.1") == (0, 0) and feb.figure("2.1").rate is None
    assert open_.pk in drill("2.1", "denominator", **MARCH)


def test_online_payment_excludes_dossiers_without_fee(world):
    st = world.a.staff
    paid = received(world)
    paid = s.dossier_request_payment(
        dossier_id=paid.pk, actor=st["s:specialist"], at=T0 + dt.timedelta(hours=1)
    )
    # the national platform's verified payment
    pay_online(paid, channel="national_platform", at=T0 + dt.timedelta(hours=2))
    unpaid = received(world)
    FeeItem.objects.filter(version=world.version).update(amount_vnd=0)
    free = received(world)
    assert (unpaid.fee_due_vnd, Dossier.objects.get(pk=free.pk).fee_due_vnd) == (8000, 0)
    card = both(**MARCH)
    assert nd(card, "3.6") == (1, 2)
    assert card.figure("3.6").rate == Decimal("50.00") and card.figure("3.6").points == Decimal(
        "3.00"
    )
    assert drill("3.6", "denominator", **MARCH) == {paid.pk, unpaid.pk}
    assert drill("3.6", "numerator", **MARCH) == {paid.pk}


def test_paper_result_rule_for_online_share_and_electronic_results(world):
    st = world.a.staff
    plain = advance(world, Status.RETURNED)  # online, paper result required, no e-result
    card = both(**MARCH)
    assert [nd(card, i) for i in ("3.3", "4.1", "4.2")] == [(0, 1), (0, 1), (0, 1)]
    s.dossier_attach_result(
        dossier_id=received(world).pk,
        actor=st["s:specialist"],
        file=("kq.pdf", signed_pdf()),
        at=T0 + dt.timedelta(hours=1),
    )
    ProcedureVersion.objects.filter(pk=world.version.pk).update(paper_result_required=False)
    no_paper = advance(world, Status.RETURNED)
    assert no_paper.paper_result_required is False
    card = both(**MARCH)
    # online: the e-result one and the one whose procedure needs no paper result.
    assert nd(card, "3.3") == (2, 3)
    assert nd(card, "4.1") == (1, 2)  # the no-paper dossier is outside 4.1
    assert nd(card, "4.2") == (2, 3)  # digitised + e-result where required
    assert plain.pk not in drill("3.3", "numerator", **MARCH)


def test_fully_online_needs_online_payment_and_electronic_result(world):
    st = world.a.staff
    assert both(**MARCH).figure("3.3b").rate is None  # N/A: no eligible procedure yet
    ProcedureVersion.objects.filter(pk=world.version.pk).update(eligible_full_online=True)
    full = received(world)
    full = s.dossier_request_payment(
        dossier_id=full.pk, actor=st["s:specialist"], at=T0 + dt.timedelta(hours=1)
    )
    full = pay_online(full, channel="gateway", at=T0 + dt.timedelta(hours=2))  # verified
    s.dossier_attach_result(
        dossier_id=full.pk,
        actor=st["s:specialist"],
        file=("kq.pdf", signed_pdf()),
        at=T0 + dt.timedelta(hours=3),
    )
    received(world)  # online, unpaid, no e-result
    card = both(**MARCH)
    f = card.figure("3.3b")
    assert (f.numerator, f.denominator, f.rate, f.points) == (
        1,
        2,
        Decimal("50.00"),
        Decimal("6.00"),
    )


def test_dislike_lowers_satisfaction(world):
    d = advance(world, Status.RETURNED)
    advance(world, Status.RETURNED)
    s.dossier_rate(dossier_id=d.pk, actor=world.citizen, rating=-1, at=T0 + dt.timedelta(hours=5))
    card = both(**MARCH)
    assert nd(card, "2.1") == (2, 2) and nd(card, "5.4") == (1, 2)
    assert drill("5.4", "numerator", **MARCH) == set(drill("2.1", "numerator", **MARCH)) - {d.pk}


def test_refused_and_unreceived_dossiers_count_nowhere(world):
    advance(world, Status.REFUSED)
    advance(world, Status.SUBMITTED)
    card = both(**MARCH)
    catalog = ("3.1", "3.5a", "3.5b")  # procedure counts: the catalog, not the dossiers
    assert all(f.denominator == 0 for f in card.figures if f.id not in catalog)
    assert all(f.rate is None and f.points is None for f in card.figures if f.id not in catalog)
    assert nd(card, "3.5a") == nd(card, "3.5b") == (0, 1)


def test_procedures_offering_online_service(world):
    p2 = Procedure.objects.create(
        code="2.000001", name="Thủ tục giấy", field=world.procedure.field, level=Level.PROVINCE
    )
    ProcedureVersion.objects.create(
        procedure=p2,
        number=1,
        effective_from=dt.date(2020, 1, 1),
        name=p2.name,
        online_level=OnlineLevel.NONE,
    )
    Procedure.objects.create(
        code="3.000001", name="Cấp bộ", field=world.procedure.field, level=Level.MINISTRY
    )
    card = both(**MARCH)
    f = card.figure("3.1")
    assert (f.numerator, f.denominator, f.rate) == (1, 2, Decimal("50.00"))
    from motcua.indicators.selectors import indicator_procedures

    assert list(indicator_procedures("numerator").values_list("code", flat=True)) == ["1.001193"]
    assert list(indicator_procedures("denominator").values_list("code", flat=True)) == [
        "1.001193",
        "2.000001",
    ]


def test_scopes_agency_unit_procedure_field(world):
    advance(world, Status.RETURNED)
    assert nd(both(**MARCH, agency=world.a.center.code), "2.1") == (1, 1)
    assert nd(both(**MARCH, agency=world.a.settling.code), "2.1") == (1, 1)
    assert nd(both(**MARCH, agency=world.b.center.code), "2.1") == (0, 0)
    assert nd(both(**MARCH, unit="24"), "2.1") == (1, 1)
    assert nd(both(**MARCH, unit="07001"), "2.1") == (0, 0)
    assert nd(both(**MARCH, procedure="1.001193"), "2.1") == (1, 1)
    assert nd(both(**MARCH, field="ho-tich"), "2.1") == (1, 1)


def test_period_edges_use_day_and_month_rows(world):
    advance(world, Status.RETURNED, at=vn(2026, 2, 27, 9, 0))
    advance(world, Status.RETURNED, at=vn(2026, 3, 2, 9, 0))
    advance(world, Status.RETURNED, at=vn(2026, 4, 1, 9, 0))
    for a, b, n in [
        ((2026, 2, 27), (2026, 4, 1), 3),
        ((2026, 2, 28), (2026, 3, 31), 1),
        ((2026, 3, 2), (2026, 3, 2), 1),
        ((2026, 1, 1), (2026, 12, 31), 3),
        ((2026, 3, 3), (2026, 3, 31), 0),
    ]:
        card = both(date_from=dt.date(*a), date_to=dt.date(*b))
        assert nd(card, "4.2")[1] == n, (a, b)


def test_rounding_na_and_pro_rata_points():
    p = formulas.params()
    f = formulas.score(INDICATORS["4.2"], 2, 3, p)  # 66.67% of an 80% target, 4 points
    assert (f.rate, f.points) == (Decimal("66.67"), Decimal("3.33"))
    f = formulas.score(INDICATORS["4.2"], 4, 5, p)  # at the target: full points
    assert (f.rate, f.points) == (Decimal("80.00"), Decimal("4.00"))
    f = formulas.score(INDICATORS["2.1"], 1, 3, p)  # no target: linear, 20 points
    assert (f.rate, f.points) == (Decimal("33.33"), Decimal("6.67"))
    f = formulas.score(INDICATORS["2.1"], 1, 8, p)  # 12.5 → half-up
    assert (f.rate, f.points) == (Decimal("12.50"), Decimal("2.50"))
    f = formulas.score(INDICATORS["3.3"], 1, 2, p)  # no points of its own (portal: null)
    assert (f.rate, f.points) == (Decimal("50.00"), None)
    f = formulas.score(INDICATORS["5.4"], 0, 0, p)
    assert (f.rate, f.points, f.max_points) == (None, None, 6)


def test_targets_and_points_are_settings(settings):
    settings.MOTCUA_766_TARGETS = {"4.2": 50}
    settings.MOTCUA_766_POINTS = {"3.3": 4}
    p = formulas.params()
    assert formulas.score(INDICATORS["4.2"], 1, 2, p).points == Decimal("4.00")
    assert formulas.score(INDICATORS["3.3"], 1, 4, p).points == Decimal("2.00")


def test_reappointed_dossiers_are_judged_against_the_first_appointment(world, settings):
    d = received(world)  # due 09/03 09:10
    s.dossier_apologize(
        dossier_id=d.pk,
        actor=world.a.staff["s:leader"],
        reason="Cần xác minh",
        new_due_at=vn(2026, 3, 20, 9, 0),
        at=vn(2026, 3, 6, 9, 0),
    )
    finish(world, d, vn(2026, 3, 12, 9, 0))  # after the first appointment, before the new
    # Default: the apology admits the delay; judged against the first appointment.
    assert nd(both(**MARCH), "2.1") == (0, 1)
    settings.MOTCUA_REAPPOINTMENT_JUDGED_AGAINST = "new"
    from motcua.indicators.services import indicators_rebuild

    indicators_rebuild()
    assert nd(both(**MARCH), "2.1") == (1, 1)


def test_open_dossiers_can_be_judged_at_the_literal_end_of_the_period(world, settings):
    received(world)  # due 09/03 09:10, still open
    running = {**MARCH, "as_of": vn(2026, 3, 6, 10, 0)}
    assert nd(both(**running), "2.1") == (1, 1)  # default: judged now (06/03)
    settings.MOTCUA_766_OPEN_END = "period_end"
    assert nd(both(**running), "2.1") == (0, 1)  # judged at 01/04 00:00


def test_a_fact_never_received_is_not_on_time():
    """Only received dossiers have a verdict (§1.5): no moment to judge, no "on time"."""
    fact = formulas.Fact(
        dossier_id=1,
        receiving_agency_id=1,
        settling_agency_id=1,
        procedure_id=1,
        field_id=1,
        eligible_full_online=True,
        received_at=None,
        due_at=None,
        end_at=None,
        paused_at=None,
        supplement_count=0,
        apology_count=0,
        rating=None,
    )
    assert formulas.ended_on_time(fact, formulas.params()) is False
