"""Indicators 5.1–5.3 and the feedback part of 5.4 on a hand-built month."""

import datetime as dt

import pytest

from motcua.dossiers.enums import Status as DossierStatus
from motcua.dossiers.tests.conftest import advance
from motcua.dossiers.tests.factories import vn
from motcua.indicators import providers
from motcua.indicators.selectors import provided_drill, scope_resolve

from .. import indicators
from .. import services as fs
from ..enums import Status
from ..models import Feedback
from .conftest import handled_to, send

MARCH = (dt.date(2026, 3, 1), dt.date(2026, 3, 31))


def _topic(f, topic):
    Feedback.objects.filter(pk=f.pk).update(topic=topic)


@pytest.fixture
def month(world):
    w = world
    leader = w.a.staff["s:leader"]
    d1 = advance(w, DossierStatus.PROCESSING, at=vn(2026, 3, 2, 9))
    d2 = advance(w, DossierStatus.PROCESSING, at=vn(2026, 3, 3, 9))
    rows = {}
    # f1: all on time, published, satisfied; about the regulation
    f = handled_to(w, send(w, at=vn(2026, 3, 2, 9)), Status.PUBLISHED, at=vn(2026, 3, 3, 9))
    fs.feedback_rate(code=f.code, actor=None, satisfaction="satisfied")
    _topic(f, "regulation")
    rows["f1"] = f
    # f2: about conduct, answered after its 15 working days
    f = handled_to(w, send(w, at=vn(2026, 3, 3, 9), consent=False), Status.ASSIGNED)
    rows["f2"] = fs.feedback_answer(
        feedback_id=f.pk, actor=leader, answer="Muộn", at=vn(2026, 3, 30, 9)
    )
    # f3: rejected on time (not a PAKN): in 5.2, out of 5.1 and 5.3
    rows["f3"] = handled_to(w, send(w, at=vn(2026, 3, 4, 9)), Status.REJECTED)
    # f4: conduct, answered on time, the submitter unsatisfied
    f = handled_to(w, send(w, at=vn(2026, 3, 5, 9), consent=False), Status.ANSWERED)
    rows["f4"] = fs.feedback_rate(code=f.code, actor=None, satisfaction="unsatisfied")
    # f5: regulation, answered on time, then complained about again (f6)
    f = handled_to(w, send(w, at=vn(2026, 3, 6, 9), consent=False), Status.ANSWERED)
    _topic(f, "regulation")
    rows["f5"] = f
    f = handled_to(
        w, send(w, at=vn(2026, 3, 20, 9), follows_code=f.code), Status.CLASSIFIED
    )  # answer due in April: not late at the end of March
    _topic(f, "regulation")
    rows["f6"] = f
    # f9: about dossier d1, answered on time; f10 about d2 was rejected
    rows["f9"] = handled_to(
        w,
        send(w, at=vn(2026, 3, 9, 9), subject="dossier", dossier_code=d1.code, consent=False),
        Status.ANSWERED,
    )
    _topic(rows["f9"], "regulation")
    rows["f10"] = handled_to(
        w,
        send(w, at=vn(2026, 3, 9, 9), subject="dossier", dossier_code=d2.code),
        Status.REJECTED,
    )
    # outside: February; side B
    handled_to(w, send(w, at=vn(2026, 2, 27, 9)), Status.ANSWERED)
    handled_to(w, send(w, at=vn(2026, 3, 9, 9), agency_code=w.b.settling.code), Status.ANSWERED)
    return w, rows, d1


def _scope_a(w):
    return scope_resolve(unit="07000")  # Xã A: side A's agencies


def test_5_1_conduct_among_the_pakn(month):
    w, rows, _ = month
    c = indicators.feedback_by_topic(*MARCH, _scope_a(w))
    assert (c.numerator, c.denominator) == (2, 6)  # f1 f2 f4 f5 f6 f9
    assert set(c.drill()) == {rows["f2"], rows["f4"]}


def test_5_2_on_time(month):
    w, rows, _ = month
    c = indicators.feedback_on_time(*MARCH, _scope_a(w))
    assert (c.numerator, c.denominator) == (7, 8)
    assert rows["f2"] not in set(c.drill())


def test_5_3_first_pakn_less_unsatisfied_recomplained_or_late(month):
    w, rows, _ = month
    c = indicators.feedback_satisfied(*MARCH, _scope_a(w))
    # first received, not rejected: f1 f2 f4 f5 f9; bad: f2 late, f4 unsatisfied, f5 again
    assert (c.numerator, c.denominator) == (2, 5)
    assert set(c.drill()) == {rows["f1"], rows["f9"]}


def test_5_4_feedback_part_dossiers_with_pakn(month):
    w, _rows, d1 = month
    c = indicators.dossiers_with_feedback(*MARCH, _scope_a(w))
    assert (c.numerator, c.denominator) == (1, 2)
    assert list(c.drill()) == [d1]


def test_the_whole_province_counts_side_b_too(month):
    w, _rows, _ = month
    c = indicators.feedback_on_time(*MARCH, scope_resolve(unit="24"))
    # side B's was answered but, consented, never published within its 2 days: late
    assert (c.numerator, c.denominator) == (7, 9)


def test_registered_with_the_indicators_app():
    for code, fn in indicators.PROVIDERS.items():
        assert providers.registration(code).fn is fn


def test_the_scorecard_and_its_drill_down_read_the_same_figures(month):
    w, rows, _ = month
    scope = _scope_a(w)
    out = providers.evaluate("5.2", *MARCH, scope)
    assert (out.count.numerator, out.count.denominator) == (7, 8)
    drilled = provided_drill("5.3", "numerator", date_from=MARCH[0], date_to=MARCH[1], unit="07000")
    assert list(drilled) == [rows["f1"], rows["f9"]]
    base = provided_drill("5.3", "denominator", date_from=MARCH[0], date_to=MARCH[1], unit="07000")
    assert base.count() == 5
    # the drill-down prints rows with str(): never the tracking code (the submitter's secret)
    assert rows["f1"].code not in str(rows["f1"])
    assert str(rows["f1"]) == f"Phản ánh #{rows['f1'].pk}, gửi 02/03/2026: Đã trả lời và công khai"
