"""The state machine: every allowed transition through the services, and every action
from every status it is not allowed from refused with nothing changed."""

import datetime as dt

import pytest

from motcua.core.errors import IllegalTransition

from .. import rules
from .. import services as fs
from ..enums import Action, Status
from ..models import Feedback, FeedbackEvent
from .conftest import T0, handled_to, send

H = dt.timedelta(hours=1)


def test_the_whole_way_appends_one_event_per_step(world):
    w = world
    leader, specialist = w.a.staff["s:leader"], w.a.staff["s:specialist"]
    f = send(w)
    assert (f.status, f.code[:3], len(f.code)) == (Status.RECEIVED, "PA-", 13)
    f = fs.feedback_accept(feedback_id=f.pk, actor=w.a.staff["s:counter"], at=T0 + H)
    f = fs.feedback_classify(
        feedback_id=f.pk, actor=leader, kind="kien_nghi", topic="regulation", at=T0 + 2 * H
    )
    f = fs.feedback_assign(
        feedback_id=f.pk,
        actor=leader,
        agency_id=w.a.settling.pk,
        officer_id=specialist.pk,
        at=T0 + 3 * H,
    )
    f = fs.feedback_request_info(
        feedback_id=f.pk, actor=specialist, request="Ngày hẹn là ngày nào?", at=T0 + 4 * H
    )
    f = fs.feedback_provide_info(
        code=f.code.lower(), actor=None, response="Ngày 06/03/2026", at=T0 + 5 * H
    )
    f = fs.feedback_answer(
        feedback_id=f.pk, actor=specialist, answer="Đã trả kết quả.", at=T0 + 6 * H
    )
    f = fs.feedback_publish(feedback_id=f.pk, actor=leader, at=T0 + 7 * H)
    f = fs.feedback_rate(code=f.code, actor=None, satisfaction="satisfied", at=T0 + 8 * H)
    f.refresh_from_db()
    assert (f.status, f.kind, f.topic, f.agency_id, f.officer_id, f.satisfaction) == (
        Status.PUBLISHED,
        "kien_nghi",
        "regulation",
        w.a.settling.pk,
        specialist.pk,
        "satisfied",
    )
    assert f.info_response == "Ngày 06/03/2026"
    assert f.answered_by == specialist
    trail = list(
        FeedbackEvent.objects.filter(feedback=f).values_list("action", "from_status", "to_status")
    )
    assert trail == [
        ("submit", "", "received"),
        ("accept", "received", "accepted"),
        ("classify", "accepted", "classified"),
        ("assign", "classified", "assigned"),
        ("request_info", "assigned", "awaiting_info"),
        ("provide_info", "awaiting_info", "assigned"),
        ("answer", "assigned", "answered"),
        ("publish", "answered", "published"),
        ("rate", "published", "published"),
    ]


def test_reject_needs_a_reason_and_ends_it(world):
    f = send(world)
    leader = world.a.staff["s:leader"]
    with pytest.raises(Exception) as exc:
        fs.feedback_reject(feedback_id=f.pk, actor=leader, reason="  ")
    assert exc.value.code == "reason_required"
    f = fs.feedback_reject(feedback_id=f.pk, actor=leader, reason="Đây là đơn khiếu nại")
    assert (f.status, f.reject_reason) == (Status.REJECTED, "Đây là đơn khiếu nại")


def test_a_second_rating_is_refused(world):
    f = handled_to(world, send(world), Status.ANSWERED)
    fs.feedback_rate(code=f.code, actor=None, satisfaction="unsatisfied")
    with pytest.raises(IllegalTransition) as exc:
        fs.feedback_rate(code=f.code, actor=None, satisfaction="satisfied")
    assert exc.value.code == "already_rated"
    f.refresh_from_db()
    assert f.satisfaction == "unsatisfied"


def test_reassigning_forwards_to_another_agency(world):
    w = world
    f = handled_to(w, send(w), Status.ASSIGNED)
    f = fs.feedback_assign(feedback_id=f.pk, actor=w.a.staff["s:leader"], agency_id=w.b.settling.pk)
    assert (f.status, f.agency_id, f.officer_id) == (Status.ASSIGNED, w.b.settling.pk, None)
    # now B's leader answers it, A's no longer can
    with pytest.raises(Exception) as exc:
        fs.feedback_answer(feedback_id=f.pk, actor=w.a.staff["s:leader"], answer="x")
    assert exc.value.status == 403
    f = fs.feedback_answer(feedback_id=f.pk, actor=w.b.staff["s:leader"], answer="Trả lời")
    assert f.status == Status.ANSWERED


def test_an_officer_from_another_agency_cannot_be_assigned(world):
    w = world
    f = handled_to(w, send(w), Status.CLASSIFIED)
    with pytest.raises(Exception) as exc:
        fs.feedback_assign(
            feedback_id=f.pk,
            actor=w.a.staff["s:leader"],
            agency_id=w.a.settling.pk,
            officer_id=w.b.staff["s:specialist"].pk,
        )
    assert exc.value.code == "officer_not_in_agency"
    f.refresh_from_db()
    assert f.status == Status.CLASSIFIED


CALLS = {
    Action.ACCEPT: lambda w, f: fs.feedback_accept(feedback_id=f.pk, actor=w.a.staff["s:leader"]),
    Action.REJECT: lambda w, f: fs.feedback_reject(
        feedback_id=f.pk, actor=w.a.staff["s:leader"], reason="Không phải PAKN"
    ),
    Action.CLASSIFY: lambda w, f: fs.feedback_classify(
        feedback_id=f.pk, actor=w.a.staff["s:leader"], kind="phan_anh", topic="conduct"
    ),
    Action.ASSIGN: lambda w, f: fs.feedback_assign(
        feedback_id=f.pk, actor=w.a.staff["s:leader"], agency_id=w.a.settling.pk
    ),
    Action.REQUEST_INFO: lambda w, f: fs.feedback_request_info(
        feedback_id=f.pk, actor=w.a.staff["s:leader"], request="Thêm thông tin"
    ),
    Action.PROVIDE_INFO: lambda w, f: fs.feedback_provide_info(
        code=f.code, actor=None, response="Đây"
    ),
    Action.ANSWER: lambda w, f: fs.feedback_answer(
        feedback_id=f.pk, actor=w.a.staff["s:leader"], answer="Trả lời"
    ),
    Action.PUBLISH: lambda w, f: fs.feedback_publish(feedback_id=f.pk, actor=w.a.staff["s:leader"]),
    Action.RATE: lambda w, f: fs.feedback_rate(code=f.code, actor=None, satisfaction="satisfied"),
}

FORBIDDEN = [
    (action, status)
    for action in CALLS
    for status in Status.values
    if not rules.allowed_from(action, status)
]
ALLOWED = [
    (action, status)
    for action in CALLS
    for status in Status.values
    if rules.allowed_from(action, status)
]


def test_the_table_covers_every_action():
    assert set(CALLS) == set(rules.TRANSITIONS) and len(ALLOWED) == 12


@pytest.mark.parametrize(("action", "status"), FORBIDDEN)
def test_a_forbidden_transition_changes_nothing(world, action, status):
    f = handled_to(world, send(world), status)
    before = Feedback.objects.filter(pk=f.pk).values().get()
    events = FeedbackEvent.objects.filter(feedback=f).count()
    with pytest.raises(IllegalTransition) as exc:
        CALLS[action](world, f)
    assert exc.value.code == "illegal_transition" and exc.value.status == 409
    assert Feedback.objects.filter(pk=f.pk).values().get() == before
    assert FeedbackEvent.objects.filter(feedback=f).count() == events


@pytest.mark.parametrize(("action", "status"), ALLOWED)
def test_an_allowed_transition_lands_where_the_table_says(world, action, status):
    f = handled_to(world, send(world), status)
    after = CALLS[action](world, f)
    assert after.status == rules.target_status(action, status)
    last = FeedbackEvent.objects.filter(feedback=f).last()
    assert (last.action, last.from_status, last.to_status) == (action, status, after.status)


def test_events_are_append_only(world):
    from motcua.dossiers.models import AppendOnlyError

    f = send(world)
    event = FeedbackEvent.objects.get(feedback=f)
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()


def test_the_demos_reset_wipes_feedback_with_the_dossiers(world):
    from motcua.demo.generator import dossiers_wipe
    from motcua.dossiers.enums import Status as DossierStatus
    from motcua.dossiers.tests.conftest import advance

    d = advance(world, DossierStatus.PROCESSING)
    first = handled_to(world, send(world, subject="dossier", dossier_code=d.code), Status.ANSWERED)
    send(world, follows_code=first.code)
    dossiers_wipe()
    assert (Feedback.objects.count(), FeedbackEvent.objects.count()) == (0, 0)
