"""The API: public submission, tracking, rating and published answers; the officers'
transitions with their 403 / 404 / 409; the per-client limit (429)."""

import pytest
from django.test import Client

from motcua.api.auth import token_create
from motcua.dossiers.enums import Status as DossierStatus
from motcua.dossiers.tests.conftest import advance

from ..enums import Status
from ..models import Feedback
from .conftest import handled_to, send

URL = "/api/feedback"


class Api:
    def __init__(self):
        self.client = Client()

    def _headers(self, user):
        return {"Authorization": f"Bearer {token_create(user=user)[1]}"} if user else {}

    def get(self, path, user=None, **params):
        return self.client.get(URL + path, params, headers=self._headers(user))

    def post(self, path, body=None, user=None):
        return self.client.post(
            URL + path, body or {}, content_type="application/json", headers=self._headers(user)
        )


@pytest.fixture
def api():
    return Api()


def body(w, **kw):
    b = {
        "subject": "agency",
        "content": "Thái độ cán bộ chưa tốt",
        "submitter_name": "Lê Văn Cường",
        "submitter_email": "cuong@example.vn",
        "agency_code": w.a.settling.code,
        "consent_publish": True,
    }
    b.update(kw)
    return b


def test_submit_about_a_dossier_goes_to_its_settling_agency(world, api):
    d = advance(world, DossierStatus.PROCESSING)
    r = api.post("", body(world, subject="dossier", dossier_code=d.code, agency_code=""))
    assert r.status_code == 201, r.content
    out = r.json()
    f = Feedback.objects.get(code=out["code"])
    assert (f.dossier, f.intake_agency, f.channel, f.owner) == (d, d.settling_agency, "api", None)
    assert (out["status"], out["intake_agency"], out["late"]) == (
        "received",
        f.intake_agency.code,
        [],
    )


def test_a_token_ties_the_feedback_to_the_account(world, api):
    r = api.post("", body(world), user=world.citizen)
    assert Feedback.objects.get(code=r.json()["code"]).owner.user == world.citizen


@pytest.mark.parametrize(
    ("change", "field", "code"),
    [
        ({"subject": "dossier", "dossier_code": "X-1"}, "dossier_code", "dossier_not_found"),
        ({"agency_code": "nope"}, "agency_code", "agency_not_found"),
        ({"submitter_email": "", "submitter_phone": ""}, "submitter_phone", "contact_required"),
        ({"submitter_phone": "09x"}, "submitter_phone", "invalid_phone"),
        ({"follows_code": "PA-NONE"}, "follows_code", "follows_not_found"),
        (
            {"subject": "procedure", "procedure_code": "9.99"},
            "procedure_code",
            "procedure_not_found",
        ),
    ],
)
def test_bad_input_names_the_field_and_writes_nothing(world, api, change, field, code):
    r = api.post("", body(world, **change))
    assert r.status_code == 422
    assert (r.json()["error"]["field"], r.json()["error"]["code"]) == (field, code)
    assert Feedback.objects.count() == 0


def test_too_many_submissions_from_one_client_are_refused(world, api, settings):
    settings.MOTCUA_FEEDBACK_MAX_SUBMISSIONS = 2
    assert [api.post("", body(world)).status_code for _ in range(3)] == [201, 201, 429]
    assert Feedback.objects.count() == 2


def test_wrong_tracking_codes_are_counted(world, api, settings):
    settings.MOTCUA_LOOKUP_MAX_FAILURES = 2
    f = send(world)
    assert api.get("/track", code=f.code).status_code == 200
    assert [api.get("/track", code="PA-WRONG").status_code for _ in range(3)] == [404, 404, 429]
    assert api.get("/track", code=f.code).status_code == 429


def test_officer_walks_it_through_and_the_public_sees_the_published_answer(world, api):
    w = world
    f = send(w, content="Gọi tôi 0912345678")
    leader = w.a.staff["s:leader"]
    path = f"/staff/{f.pk}"
    assert api.post(f"{path}/accept", user=leader).json()["status"] == "accepted"
    r = api.post(f"{path}/classify", {"kind": "phan_anh", "topic": "conduct"}, user=leader)
    assert r.json()["topic"] == "conduct"
    r = api.post(f"{path}/assign", {"agency": w.a.settling.code}, user=leader)
    assert r.json()["agency"] == w.a.settling.code
    assert (
        api.post(f"{path}/answer", {"answer": "Đã xử lý"}, user=leader).json()["status"]
        == "answered"
    )
    assert api.get("/published").json() == {"count": 0, "items": []}
    assert api.post(f"{path}/publish", {}, user=leader).json()["status"] == "published"
    out = api.get("/published").json()
    assert out["count"] == 1
    assert out["items"][0]["content"] == "Gọi tôi ***"
    assert "submitter_name" not in out["items"][0]
    assert api.get(f"/published/{f.pk}").json()["answer"] == "Đã xử lý"
    r = api.post("/track/rating", {"code": f.code, "satisfaction": "satisfied"})
    assert r.json()["satisfaction"] == "satisfied"


def test_an_unpublished_answer_is_not_public(world, api):
    f = handled_to(world, send(world), Status.ANSWERED)
    assert api.get(f"/published/{f.pk}").status_code == 404


def test_staff_errors(world, api):
    w = world
    f = send(w)
    assert api.post(f"/staff/{f.pk}/accept").status_code == 401
    assert api.post(f"/staff/{f.pk}/accept", user=w.b.staff["s:leader"]).status_code == 403
    assert api.get(f"/staff/{f.pk}", user=w.b.staff["s:leader"]).status_code == 403
    assert (
        api.post(f"/staff/{f.pk}/answer", {"answer": "x"}, user=w.a.staff["s:leader"]).status_code
        == 409
    )
    assert api.post("/staff/999999/accept", user=w.a.staff["s:leader"]).status_code == 404
    assert api.post(f"/staff/{f.pk}/accept", user=w.a.staff["s:specialist"]).status_code == 403
    f.refresh_from_db()
    assert f.status == Status.RECEIVED


def test_staff_list_is_the_agencys(world, api):
    w = world
    mine, _theirs = send(w), send(w, agency_code=w.b.settling.code)
    out = api.get("/staff", user=w.a.staff["s:monitor"]).json()
    assert [i["code"] for i in out["items"]] == [mine.code]
    assert out["items"][0]["submitter_name"] == "Trần Thị Bình"


def test_the_submitter_provides_information_by_code(world, api):
    f = handled_to(world, send(world), Status.AWAITING_INFO)
    assert api.get("/track", code=f.code).json()["info_request"] == "Cho biết ngày hẹn"
    r = api.post("/track/info", {"code": f.code, "response": "Ngày 10/3"})
    assert r.json()["status"] == "assigned"
    assert api.post("/track/info", {"code": "PA-NONE", "response": "x"}).status_code == 404


def test_the_lists_query_counts_do_not_grow_with_rows(world, api):
    w = world
    leader = w.a.staff["s:leader"]
    first = handled_to(w, send(w), Status.PUBLISHED)
    token = {"Authorization": f"Bearer {token_create(user=leader)[1]}"}

    def counted(path):
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as ctx:
            assert api.client.get(URL + path, headers=token).status_code == 200
        return len(ctx.captured_queries)

    counted("/staff")  # the token's first use loads and caches the user
    one = (counted("/staff"), counted("/published"))
    assert one == (2, 2)  # a count and a page each
    for _ in range(4):
        handled_to(w, send(w, follows_code=first.code), Status.PUBLISHED)
    assert (counted("/staff"), counted("/published")) == one
