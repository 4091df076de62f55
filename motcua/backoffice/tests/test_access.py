"""The access matrix at page level: every role of side A and side B, and citizens, against
the inbox, the dossier page and every action on a side-A dossier in each status.
The owner's own actions (withdraw, supplement, rate) belong to the portal, not here.

The expected answers are the table below (MATRIX), written out by hand from the rules, not
read from motcua.dossiers.access: side-A staff see the dossier and exactly the buttons of
their row; side-B staff get 404 (the dossier does not exist for them); citizens get the 403
page. A forged POST of an action the user lacks is refused (403 where the dossier's state
allows the action but the role or agency does not, the "reload" message where the state
does not allow it or a precondition refuses, 404 for side B) and changes nothing.
"""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from motcua.backoffice.actions import ACTIONS
from motcua.dossiers.enums import TRANSITIONS, Status
from motcua.dossiers.models import Dossier
from motcua.dossiers.tests.factories import PDF
from motcua.org.enums import Role
from motcua.org.tests.otp import otp_login

from .conftest import advance, recent, snapshot

pytestmark = pytest.mark.django_db

STATUSES = [
    Status.SUBMITTED,
    Status.RECEIVED,
    Status.PROCESSING,
    Status.SUPPLEMENT_REQUESTED,
    Status.FINANCIAL_OBLIGATION,
    Status.WITHDRAWAL_REQUESTED,
    Status.PROCESSED,
    Status.RETURNED,
]
STAFF = [f"{tag}:{role}" for tag in ("c", "s") for role in Role.values]


def actors(w):
    """(label, user, kind) for every actor of the matrix; kind is a, b or citizen."""
    rows = [(f"A {k}", w.a.staff[k], "a") for k in STAFF]
    rows += [(f"B {k}", w.b.staff[k], "b") for k in STAFF]
    rows += [("owner", w.citizen, "citizen"), ("other citizen", w.citizen2, "citizen")]
    return rows


def payload(w, d, action) -> dict:
    """Valid input for each action, so that only access (or state) can refuse it."""
    d = Dossier.objects.get(pk=d.pk)
    data = {"expected_version": d.version}
    due = (d.due_at or recent()).astimezone(dt.timezone(dt.timedelta(hours=7)))
    data.update(
        {
            "refuse": {"reason": "Sai thẩm quyền"},
            "forward": {"note": "Chuyển"},
            "request_supplement": {
                "reason": "Thiếu giấy",
                "missing_components": [w.components[1].pk],
            },
            "supplement": {"note": "Đã nộp bản giấy"},
            "confirm_payment": {
                "amount_vnd": "8000",
                "channel": "counter_cash",
                "receipt_number": "0001",
            },
            "request_withdrawal": {"reason": "Không cần nữa"},
            "stop": {"reason": "Công dân rút"},
            "apologize": {
                "reason": "Chờ xác minh",
                "new_due_date": (due + dt.timedelta(days=3)).date().isoformat(),
                "new_due_time": "16:00",
            },
            "approve": {"result_note": "Cấp"},
            "attach_result": {"file": SimpleUploadedFile("kq.pdf", PDF)},
            "return_result": {"method": "counter"},
        }.get(action, {})
    )
    if action == "supplement":
        data[f"component_{w.components[1].pk}"] = SimpleUploadedFile("cs.pdf", PDF)
    return data


# The matrix, side A (the dossier's own agencies: "c:" the receiving center, "s:" the
# settling agency, whose leader signs): status -> {staff: the actions that user may take}.
# Staff not named may take none; side-B staff (the same roles in another agency) may take
# none in any status; monitors and agency admins act on no dossier. The dossier of
# `advance` has two processing steps: the settling agency's specialist, then its leader.
MATRIX: dict[str, dict[str, set[str]]] = {
    Status.SUBMITTED: {
        "c:counter": {"receive", "refuse", "request_withdrawal"},
    },
    Status.RECEIVED: {
        "c:counter": {"forward", "request_payment", "request_supplement", "request_withdrawal"},
        "c:specialist": {"request_payment", "request_supplement"},
        "c:leader": {"request_payment", "request_supplement"},
        "s:counter": {"request_payment", "request_supplement"},
        "s:specialist": {"request_payment", "request_supplement"},
        "s:leader": {"apologize", "request_payment", "request_supplement"},
    },
    Status.PROCESSING: {
        "c:counter": {"request_payment", "request_supplement", "request_withdrawal"},
        "c:specialist": {"request_payment", "request_supplement"},
        "c:leader": {"request_payment", "request_supplement"},
        "s:counter": {"request_payment", "request_supplement"},
        # The current step is the specialist's: forward, not approve (a step remains).
        "s:specialist": {"attach_result", "forward", "request_payment", "request_supplement"},
        "s:leader": {"apologize", "attach_result", "request_payment", "request_supplement"},
    },
    Status.SUPPLEMENT_REQUESTED: {
        "c:counter": {"request_withdrawal", "supplement"},
        "s:leader": {"apologize"},
    },
    Status.FINANCIAL_OBLIGATION: {
        "c:counter": {"confirm_payment", "request_withdrawal"},
        "s:leader": {"apologize"},
    },
    Status.WITHDRAWAL_REQUESTED: {
        "c:counter": {"stop"},
        "c:leader": {"stop"},
        "s:counter": {"stop"},
        "s:leader": {"stop"},
    },
    Status.PROCESSED: {
        "c:counter": {"return_result"},
        "s:specialist": {"attach_result"},
        "s:leader": {"attach_result"},
    },
    Status.RETURNED: {},
}
# Where the role may act but a precondition refuses: the page answers "reload", not 403.
TOO_EARLY = {(Status.PROCESSING, "s:specialist", "approve")}  # a step remains before it


def test_the_matrix_names_every_status_staff_and_action():
    assert set(MATRIX) == set(STATUSES)
    for row in MATRIX.values():
        assert set(row) <= set(STAFF)
        assert set().union(*row.values(), set()) <= set(ACTIONS)


def _forged_post_answer(kind: str, status: str, who: str, action: str) -> int:
    if kind == "b":
        return 404
    if kind == "citizen":
        return 403
    if status in TRANSITIONS[action][0] and (status, who, action) not in TOO_EARLY:
        return 403  # the state allows it, the role or agency does not
    return 302  # the state (or a precondition) does not allow it: message and reload


@pytest.mark.parametrize("status", STATUSES, ids=lambda s: Status(s).name)
def test_pages_buttons_and_forged_posts(client, world, status):
    d = advance(world, status, at=recent())
    url = f"/can-bo/ho-so/{d.pk}/"
    label = d.code or f"#{d.pk}"
    for name, user, kind in actors(world):
        who = name.split(" ", 1)[-1]
        allowed = MATRIX[status].get(who, set()) if kind == "a" else set()
        otp_login(client, user)
        inbox = client.get("/can-bo/")
        page = client.get(url)
        if kind == "a":
            assert page.status_code == 200, name
            html = page.content.decode()
            in_inbox = f">{label}</a>" in inbox.content.decode()
            assert in_inbox == (status != Status.RETURNED), name
            for action in ACTIONS:
                assert (f'id="act-{action}"' in html) == (action in allowed), (name, action)
        elif kind == "b":
            assert inbox.status_code == 200, name
            assert f">{label}</a>" not in inbox.content.decode(), name
            assert page.status_code == 404, name
        else:
            assert inbox.status_code == 403 and page.status_code == 403, name
        before = snapshot(d)
        for action in ACTIONS:
            if action in allowed:
                continue  # done in test_allowed_action_shown_and_done
            r = client.post(f"{url}{action}/", payload(world, d, action))
            expected = _forged_post_answer(kind, status, who, action)
            assert r.status_code == expected, (name, action, r.status_code)
        assert snapshot(d) == before, name


ALLOWED_CASES = [
    (Status.SUBMITTED, "c:counter", "receive", Status.RECEIVED),
    (Status.SUBMITTED, "c:counter", "refuse", Status.REFUSED),
    (Status.RECEIVED, "c:counter", "forward", Status.PROCESSING),
    (Status.RECEIVED, "c:counter", "request_supplement", Status.SUPPLEMENT_REQUESTED),
    (Status.RECEIVED, "c:counter", "request_withdrawal", Status.WITHDRAWAL_REQUESTED),
    (Status.RECEIVED, "s:leader", "apologize", Status.RECEIVED),
    (Status.PROCESSING, "s:specialist", "forward", Status.PROCESSING),
    (Status.PROCESSING, "s:specialist", "request_supplement", Status.SUPPLEMENT_REQUESTED),
    (Status.PROCESSING, "s:specialist", "request_payment", Status.FINANCIAL_OBLIGATION),
    (Status.PROCESSING, "s:leader", "attach_result", Status.PROCESSING),
    (Status.SUPPLEMENT_REQUESTED, "c:counter", "supplement", Status.PROCESSING),
    (Status.FINANCIAL_OBLIGATION, "c:counter", "confirm_payment", Status.PROCESSING),
    (Status.WITHDRAWAL_REQUESTED, "c:counter", "stop", Status.STOPPED),
    (Status.WITHDRAWAL_REQUESTED, "s:leader", "stop", Status.STOPPED),
    (Status.PROCESSED, "c:counter", "return_result", Status.RETURNED),
]


@pytest.mark.parametrize("status,who,action,target", ALLOWED_CASES)
def test_allowed_action_shown_and_done(client, world, status, who, action, target):
    d = advance(world, status, at=recent())
    user = world.a.staff[who]
    otp_login(client, user)
    html = client.get(f"/can-bo/ho-so/{d.pk}/").content.decode()
    assert f'id="act-{action}"' in html
    events = d.events.count()
    r = client.post(f"/can-bo/ho-so/{d.pk}/{action}/", payload(world, d, action))
    assert r.status_code == 302
    d.refresh_from_db()
    assert d.status == target and d.events.count() == events + 1


def test_approve_by_the_leader_at_the_last_step(client, world):
    d = advance(world, Status.PROCESSING, at=recent())
    st = world.a.staff
    otp_login(client, st["s:specialist"])
    client.post(f"/can-bo/ho-so/{d.pk}/forward/", payload(world, d, "forward"))
    otp_login(client, st["s:leader"])
    html = client.get(f"/can-bo/ho-so/{d.pk}/").content.decode()
    # The last processing step: approve, not forward.
    assert 'id="act-approve"' in html and 'id="act-forward"' not in html
    r = client.post(f"/can-bo/ho-so/{d.pk}/approve/", payload(world, d, "approve"))
    assert r.status_code == 302
    d.refresh_from_db()
    assert d.status == Status.PROCESSED and d.result_note == "Cấp"


def test_anonymous_post_changes_nothing(client, world):
    d = advance(world, Status.SUBMITTED, at=recent())
    before = snapshot(d)
    r = client.post(f"/can-bo/ho-so/{d.pk}/receive/", {"expected_version": d.version})
    assert r.status_code == 302 and r["Location"].startswith("/dang-nhap/")
    assert snapshot(d) == before


def test_citizen_cannot_open_another_citizens_dossier_on_the_portal(client, world):
    """The portal half of the rule: only the owner opens a dossier and its files there."""
    from motcua.dossiers.models import Attachment

    d = advance(world, Status.PROCESSING, at=recent())
    att = Attachment.objects.get(dossier=d)
    urls = [f"/ho-so/{d.pk}/", f"/ho-so/{d.pk}/tep/{att.pk}/"]
    otp_login(client, world.citizen)
    assert [client.get(u).status_code for u in urls] == [200, 200]
    for user in (world.citizen2, world.business, world.b.staff["c:counter"]):
        otp_login(client, user)
        assert [client.get(u).status_code for u in urls] == [404, 404], user.username
