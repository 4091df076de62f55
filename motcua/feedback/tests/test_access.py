"""Who may do what: every officer role × every action, in the agency concerned and in the
other side's; citizens and the public see only their own feedback or what was published."""

import pytest

from motcua.org.enums import Role

from .. import rules, selectors
from .. import services as fs
from ..enums import Action, Status
from .conftest import handled_to, send

# The status each action is tried from, and who is allowed (role in side A's settling
# agency, which the feedback was sent to and is assigned to; "officer" = the assigned one).
FROM = {
    Action.ACCEPT: Status.RECEIVED,
    Action.REJECT: Status.RECEIVED,
    Action.CLASSIFY: Status.ACCEPTED,
    Action.ASSIGN: Status.CLASSIFIED,
    Action.REQUEST_INFO: Status.ASSIGNED,
    Action.ANSWER: Status.ASSIGNED,
    Action.PUBLISH: Status.ANSWERED,
}
MAY = {
    Action.ACCEPT: {Role.COUNTER, Role.LEADER, Role.AGENCY_ADMIN},
    Action.REJECT: {Role.COUNTER, Role.LEADER, Role.AGENCY_ADMIN},
    Action.CLASSIFY: {Role.COUNTER, Role.LEADER, Role.AGENCY_ADMIN},
    Action.ASSIGN: {Role.LEADER, Role.AGENCY_ADMIN},
    # handled_to assigns it to the settling agency's specialist
    Action.REQUEST_INFO: {Role.SPECIALIST, Role.LEADER},
    Action.ANSWER: {Role.SPECIALIST, Role.LEADER},
    Action.PUBLISH: {Role.LEADER, Role.AGENCY_ADMIN},
}


def _do(w, f, action, user):
    kw = {"feedback_id": f.pk, "actor": user}
    if action == Action.ACCEPT:
        return fs.feedback_accept(**kw)
    if action == Action.REJECT:
        return fs.feedback_reject(reason="Khiếu nại", **kw)
    if action == Action.CLASSIFY:
        return fs.feedback_classify(kind="phan_anh", topic="conduct", **kw)
    if action == Action.ASSIGN:
        return fs.feedback_assign(agency_id=w.a.settling.pk, **kw)
    if action == Action.REQUEST_INFO:
        return fs.feedback_request_info(request="Thêm", **kw)
    if action == Action.ANSWER:
        return fs.feedback_answer(answer="Trả lời", **kw)
    return fs.feedback_publish(**kw)


CASES = [
    (action, side, tag, role)
    for action in FROM
    for side in ("a", "b")
    for tag in ("s", "c")
    for role in Role.values
]


@pytest.mark.parametrize(("action", "side", "tag", "role"), CASES)
def test_matrix(world, action, side, tag, role):
    w = world
    f = handled_to(w, send(w), FROM[action])
    user = getattr(w, side).staff[f"{tag}:{role}"]
    allowed = side == "a" and tag == "s" and role in MAY[action]
    assert rules.may_act(user, f, action) is allowed
    if allowed:
        assert _do(w, f, action, user).status == rules.target_status(action, FROM[action])
    else:
        with pytest.raises(Exception) as exc:
            _do(w, f, action, user)
        assert exc.value.status == 403
        f.refresh_from_db()
        assert f.status == FROM[action]


def test_officers_read_only_their_agencies_feedback(world):
    w = world
    mine = send(w)
    theirs = send(w, agency_code=w.b.settling.code)
    for role in Role.values:
        user = w.a.staff[f"s:{role}"]
        assert list(selectors.staff_list(user=user)) == [mine]
        assert selectors.staff_get(user=user, feedback_id=mine.pk) == mine
        with pytest.raises(Exception) as exc:
            selectors.staff_get(user=user, feedback_id=theirs.pk)
        assert exc.value.status == 403
    # side A's receiving center is another agency: it sees neither
    assert list(selectors.staff_list(user=w.a.staff["c:leader"])) == []
    assert list(selectors.staff_list(user=w.citizen)) == []


def test_forwarding_lets_the_new_agency_read_it(world):
    w = world
    f = handled_to(w, send(w), Status.CLASSIFIED)
    fs.feedback_assign(feedback_id=f.pk, actor=w.a.staff["s:leader"], agency_id=w.b.settling.pk)
    assert list(selectors.staff_list(user=w.b.staff["s:specialist"])) == [f]


def test_a_citizen_sees_their_own_and_acts_only_with_the_code(world):
    w = world
    own = send(w, actor=w.citizen)
    other = send(w, actor=w.citizen2)
    assert list(selectors.my_feedback(user=w.citizen)) == [own]
    assert list(selectors.my_feedback(user=None)) == []
    handled_to(w, other, Status.ANSWERED)
    with pytest.raises(Exception) as exc:
        fs.feedback_rate(code=own.code, actor=w.citizen, satisfaction="satisfied")
    assert exc.value.status == 409  # own, but not answered yet
    # the account's own feedback can be rated by it; another's only with its code
    own = handled_to(w, own, Status.ANSWERED)
    assert fs.feedback_rate(code=own.code, actor=w.citizen, satisfaction="satisfied").satisfaction
    assert fs.feedback_rate(code=other.code, actor=w.citizen, satisfaction="unsatisfied")


def test_a_logged_in_citizens_feedback_is_tied_to_the_account(world):
    w = world
    f = send(w, actor=w.citizen)
    assert f.owner.user == w.citizen
    assert send(w).owner is None
    assert fs.prefill(w.citizen)["submitter_name"] == "Nguyễn Văn citizen"
    assert fs.prefill(None) == {}
