"""Due moments on the work calendar (weekends, holidays and Tết skipped) and the one
on-time verdict, with its query twin agreeing on every case."""

import datetime as dt

import pytest

from motcua.dossiers.tests.factories import vn

from .. import rules
from .. import services as fs
from ..enums import Status
from ..models import Feedback
from .conftest import handled_to, send


def test_sent_on_the_friday_before_tet(world):
    # Tết Bính Ngọ: Monday 16/2/2026 to Friday 20/2/2026 are days off (holidays library).
    # Friday 13/2 09:00 leaves 6 working hours that day (07:30–11:30, 13:30–17:00).
    f = send(world, at=vn(2026, 2, 13, 9, 0))
    # 2 working days = 15 h: 6 on Friday 13/2, 7.5 on Monday 23/2, 1.5 on Tuesday 24/2.
    assert f.reject_due_at == vn(2026, 2, 24, 9, 0)
    # 5 working days: Fri 13/2 (6 h) + 23–26/2 (4 × 7.5) + 1.5 h on Friday 27/2.
    assert f.info_due_at == vn(2026, 2, 27, 9, 0)
    # 15 working days: the 15th working day after 13/2 (23/2 … 13/3), at 09:00.
    assert f.answer_due_at == vn(2026, 3, 13, 9, 0)


def test_publication_is_due_two_working_days_after_the_answer(world):
    f = handled_to(world, send(world), Status.ANSWERED, at=vn(2026, 3, 6, 16, 0))  # a Friday
    # 1 h on Friday 6/3, 7.5 on Monday 9/3, 6.5 h on Tuesday 10/3: 16:00 (after the break)
    assert f.publish_due_at == vn(2026, 3, 10, 16, 0)


def test_no_publication_deadline_without_consent(world):
    f = handled_to(world, send(world, consent=False), Status.ANSWERED)
    assert f.publish_due_at is None


def test_the_limits_are_settings(world, settings):
    settings.MOTCUA_FEEDBACK_HANDLE_DAYS = 15
    settings.MOTCUA_FEEDBACK_DAY_UNIT = "calendar_days"
    f = send(world, at=vn(2026, 3, 4, 9, 0))
    # 15 calendar days: Thursday 19/3, at the close of the day (Civil Code Art. 147–148)
    assert f.answer_due_at == vn(2026, 3, 19, 17, 0)


AT = vn(2026, 2, 13, 9, 0)
LATE = vn(2026, 4, 1, 9, 0)


def _cases(w):
    """Every branch of the verdict: (feedback, as_of, the deadlines it missed)."""
    leader = w.a.staff["s:leader"]
    out = []
    f = send(w, at=AT)
    out.append((f, vn(2026, 2, 24, 8, 59), []))  # intake pending, still in time
    out.append((f, vn(2026, 2, 24, 9, 1), ["intake"]))
    g = fs.feedback_reject(
        feedback_id=send(w, at=AT).pk, actor=leader, reason="Khiếu nại", at=vn(2026, 2, 24, 9, 0)
    )
    out.append((g, LATE, []))  # rejected exactly on time
    g = fs.feedback_reject(
        feedback_id=send(w, at=AT).pk, actor=leader, reason="Khiếu nại", at=vn(2026, 2, 24, 10, 0)
    )
    out.append((g, LATE, ["reject"]))
    h = handled_to(w, send(w, at=AT), Status.PUBLISHED, at=vn(2026, 2, 23, 9, 0))
    out.append((h, LATE, []))  # everything on time
    h = handled_to(w, send(w, at=AT), Status.AWAITING_INFO, at=vn(2026, 2, 23, 9, 0))
    Feedback.objects.filter(pk=h.pk).update(info_requested_at=vn(2026, 3, 2, 9, 0))
    h.refresh_from_db()
    out.append((h, vn(2026, 3, 2, 10, 0), ["info"]))
    out.append((h, LATE, ["info", "answer"]))  # and never answered
    h = handled_to(w, send(w, at=AT), Status.ASSIGNED, at=vn(2026, 2, 23, 9, 0))
    h = fs.feedback_answer(feedback_id=h.pk, actor=leader, answer="Muộn", at=vn(2026, 3, 13, 10))
    out.append((h, vn(2026, 3, 13, 11, 0), ["answer"]))
    out.append((h, LATE, ["answer", "publish"]))  # consented, never published
    h = handled_to(w, send(w, at=AT, consent=False), Status.ANSWERED, at=vn(2026, 2, 23, 9, 0))
    out.append((h, LATE, []))  # no consent: nothing to publish
    return out


def test_the_verdict_and_its_query_agree_on_every_case(world):
    for f, as_of, expected in _cases(world):
        f.refresh_from_db()
        assert rules.missed(f, as_of) == expected, (f.code, as_of)
        in_query = Feedback.objects.filter(rules.late_q(as_of), pk=f.pk).exists()
        assert in_query == bool(expected), (f.code, as_of)


@pytest.mark.parametrize("days", [1, 2])
def test_a_weekend_is_not_counted(world, settings, days):
    settings.MOTCUA_FEEDBACK_REJECT_DAYS = days
    f = send(world, at=vn(2026, 3, 6, 9, 0))  # Friday
    assert f.reject_due_at == vn(2026, 3, 6 + 2 + days, 9, 0)
    assert f.reject_due_at - f.received_at >= dt.timedelta(days=3)


def test_the_late_filter_of_the_list_is_the_verdict(world):
    from .. import selectors

    cases = _cases(world)
    as_of = LATE
    late = {f.pk for f, _at, _exp in cases if rules.missed(Feedback.objects.get(pk=f.pk), as_of)}
    listed = selectors.staff_list(user=world.a.staff["s:leader"], late=True, now=as_of)
    assert {f.pk for f in listed} == late
    assert len(late) == 4  # intake pending, rejected late, info late, answered late
