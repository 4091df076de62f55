import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from motcua.dossiers.enums import Status
from motcua.dossiers.models import Dossier
from motcua.dossiers.tests.factories import PDF, PNG
from motcua.signing.tests.factories import signed_pdf

from .conftest import URL, advance

pytestmark = pytest.mark.django_db


def f(name="a.pdf", content=PDF):
    return SimpleUploadedFile(name, content)


def submit_form(w, **extra):
    data = {
        "procedure": w.procedure.code,
        "receiving_agency": w.a.center.code,
        f"component_{w.components[0].pk}": [f("to-khai.pdf"), f("to-khai-2.png", PNG)],
    }
    data.update(extra)
    return data


def test_full_lifecycle_over_http(world, api):
    w, st = world, world.a.staff
    c1, c2 = (c.pk for c in w.components)
    r = api.multipart("", w.citizen, submit_form(w, request_summary="Khai sinh cho con"))
    assert r.status_code == 201
    d = r.json()
    assert d["status"]["value"] == 1 and d["version"] == 1 and d["channel"] == 2
    assert d["request_summary"] == "Khai sinh cho con"
    pk = d["id"]

    def ok(r, status, version):
        assert r.status_code == 200, r.json()
        body = r.json()
        assert (body["status"]["value"], body["version"]) == (status, version)
        return body

    ok(api.post(f"/{pk}/receive", st["c:counter"], {"expected_version": 1}), 2, 2)
    ok(api.post(f"/{pk}/forward", st["c:counter"], {"note": "Chuyển thẩm định"}), 4, 3)
    body = {"reason": "Thiếu giấy chứng sinh", "missing_components": [c2]}
    ok(api.post(f"/{pk}/supplement-request", st["s:specialist"], body), 5, 4)
    r = api.multipart(f"/{pk}/supplement", w.citizen, {f"component_{c2}": f("chung-sinh.pdf")})
    ok(r, 4, 5)
    ok(api.post(f"/{pk}/forward", st["s:specialist"], {"expected_version": 5}), 4, 6)
    ok(api.post(f"/{pk}/approve", st["s:leader"], {"result_note": "Đã cấp"}), 9, 7)
    ok(
        api.multipart(f"/{pk}/result", st["s:leader"], {"file": f("ket-qua.pdf", signed_pdf())}),
        9,
        8,
    )
    ok(api.post(f"/{pk}/return", st["c:counter"], {"method": "counter"}), 10, 9)
    rated = ok(api.post(f"/{pk}/rating", w.citizen, {"rating": 1, "comment": "Tốt"}), 10, 10)
    assert rated["rating"] == 1 and rated["electronic_result"] is True

    detail = api.get(f"/{pk}", w.citizen).json()
    assert [e["action"] for e in detail["events"]] == [
        "submit",
        "receive",
        "forward",
        "request_supplement",
        "supplement",
        "forward",
        "approve",
        "attach_result",
        "return_result",
        "rate",
    ]
    assert [e["seq"] for e in detail["events"]] == list(range(1, 11))
    assert detail["events"][1]["actor_role"] == "counter"
    assert [len(c["attachments"]) for c in detail["components"]] == [2, 1]
    assert [c["id"] for c in detail["components"]] == [c1, c2]
    assert [h["step"]["order"] for h in detail["handovers"]] == [1, 2, 3, 4]
    assert all(h["finished_at"] for h in detail["handovers"])
    assert len(detail["pauses"]) == 1 and detail["pauses"][0]["missing_components"] == [c2]
    assert detail["results"][0]["name"] == "ket-qua.pdf"
    assert detail["allowed_actions"] == []
    att = detail["components"][0]["attachments"][0]
    assert att["name"] == "to-khai.pdf" and att["size"] == len(PDF)
    assert att["content_type"] == "application/pdf"
    r = api.client.get(att["url"], headers=api.headers(w.citizen))
    assert r.status_code == 200 and b"".join(r.streaming_content) == PDF
    assert api.client.get(att["url"], headers=api.headers(w.citizen2)).status_code == 404
    assert (
        api.client.get(att["url"], headers=api.headers(w.b.staff["c:counter"])).status_code == 404
    )
    assert api.get(f"/{pk}/attachments/999999", w.citizen).status_code == 404


def test_detail_allowed_actions_for_the_caller(world, api):
    d = advance(world, Status.RECEIVED)
    assert api.get(f"/{d.pk}", world.a.staff["c:counter"]).json()["allowed_actions"] == [
        "forward",
        "request_supplement",
        "request_payment",
        "request_withdrawal",
    ]
    assert api.get(f"/{d.pk}", world.citizen).json()["allowed_actions"] == ["request_withdrawal"]


def test_visibility(world, api):
    d = advance(world, Status.PROCESSING)
    assert api.get(f"/{d.pk}", world.citizen).status_code == 200
    for user in (world.citizen2, world.b.staff["c:counter"], world.b.staff["s:monitor"]):
        r = api.get(f"/{d.pk}", user)
        assert r.status_code == 404
        assert r.json() == api.get("/999999", user).json()
    assert api.get(f"/{d.pk}", world.a.staff["s:monitor"]).status_code == 200
    for role in ("counter", "specialist", "leader", "monitor", "agency_admin"):
        for tag in ("c", "s"):
            body = api.get("/inbox", world.b.staff[f"{tag}:{role}"]).json()
            assert body == {"count": 0, "items": []}
    a_inbox = api.get("/inbox", world.a.staff["s:specialist"]).json()
    assert [i["code"] for i in a_inbox["items"]] == [d.code]
    assert api.get("/mine", world.citizen2).json()["count"] == 0


def test_lookup_same_404_for_wrong_code_and_secret(world, api):
    d = advance(world, Status.PROCESSING)
    r = api.get("/lookup", code=d.code, secret=d.secret.lower())
    assert r.status_code == 200
    assert r.json() == {
        "code": d.code,
        "procedure": "Đăng ký khai sinh",
        "status": {"value": 4, "label": "Đang xử lý", "label_en": "Processing"},
        "received_at": r.json()["received_at"],
        "due_at": r.json()["due_at"],
        "returned_at": None,
    }
    wrong_secret = api.get("/lookup", code=d.code, secret="ZZZZZZZZ")
    wrong_code = api.get("/lookup", code="000.X-1", secret=d.secret)
    assert wrong_secret.status_code == wrong_code.status_code == 404
    assert wrong_secret.json() == wrong_code.json()
    assert api.get("/lookup", code=d.code).status_code == 422


def test_inbox_filters_and_paging(world, api):
    a = [advance(world, Status.RECEIVED) for _ in range(3)]
    user = world.a.staff["c:counter"]
    page = api.get("/inbox", user, limit=2, offset=1).json()
    assert page["count"] == 3 and len(page["items"]) == 2
    item = page["items"][0]
    assert set(item) == {
        "id",
        "code",
        "version",
        "status",
        "procedure",
        "applicant_name",
        "received_at",
        "due_at",
        "due_signal",
        "current_step",
        "current_step_due_at",
    }
    assert item["status"]["label_en"] == "Received" and item["due_signal"] == "in_time"
    assert item["current_step"]["order"] == 1
    assert api.get("/inbox", user, agency=world.a.settling.code).json()["count"] == 3
    assert api.get("/inbox", user, status=4).json()["count"] == 0
    assert api.get("/inbox", user, step=2).json()["count"] == 0
    assert api.get("/inbox", user, role="counter").json()["count"] == 3
    assert api.get("/inbox", user, due="overdue").json()["count"] == 0
    assert api.get("/inbox", user, due="ok").json()["count"] == 3
    assert api.get("/inbox", user, q=a[0].code).json()["count"] == 1


def test_stale_version_is_409(world, api):
    d = advance(world, Status.SUBMITTED)
    r = api.post(f"/{d.pk}/receive", world.a.staff["c:counter"], {"expected_version": 7})
    assert r.status_code == 409
    assert r.json()["error"]["code"] == "stale_version"
    assert r.json()["error"]["data"] == {"expected": 7, "actual": 1}
    assert Dossier.objects.get(pk=d.pk).version == 1


def test_illegal_transition_is_409_for_those_who_see_it(world, api):
    d = advance(world, Status.PROCESSING)
    r = api.post(f"/{d.pk}/receive", world.a.staff["c:counter"])
    assert r.status_code == 409 and r.json()["error"]["code"] == "illegal_transition"
    # Someone who may not see the dossier learns nothing about its state.
    assert api.post(f"/{d.pk}/receive", world.b.staff["c:counter"]).status_code == 404


@pytest.mark.parametrize(
    ("change", "status", "field"),
    [
        ({"procedure": "9.999999"}, 422, "procedure"),
        ({"receiving_agency": "NOPE"}, 422, "receiving_agency"),
        ({"settling_agency": "NOPE"}, 422, "settling_agency"),
        ({"procedure": ""}, 422, "procedure"),
        ({"component_x": f()}, 422, "component_x"),
        ({"component_999999": f()}, 422, "files.999999"),
        ({"component_1": f("a.exe", b"MZ" + b"\0" * 50)}, 422, "files.1"),
    ],
)
def test_submit_bad_input(world, api, change, status, field):
    r = api.multipart("", world.citizen, submit_form(world, **change))
    assert r.status_code == status, r.json()
    assert r.json()["error"]["field"] == field
    assert Dossier.objects.count() == 0


def test_submit_without_an_online_limit_is_a_422_naming_the_procedure(world, api):
    from motcua.catalog.models import ProcedureTimeLimit

    ProcedureTimeLimit.objects.filter(version=world.version, channel=2).delete()
    world.version.time_limits_stamp += 1
    world.version.save(update_fields=["time_limits_stamp"])
    r = api.multipart("", world.citizen, submit_form(world))
    assert r.status_code == 422
    error = r.json()["error"]
    assert (error["code"], error["field"]) == ("time_limit_missing", "procedure")
    assert error["data"] == {"procedure": "1.001193", "channel": 2}
    assert error["message_en"] == (
        "Procedure 1.001193 has no time limit for channel 2 (online): it takes no dossiers "
        "until an administrator sets the limit."
    )
    assert Dossier.objects.count() == 0


def test_submit_without_files(world, api):
    data = {"procedure": world.procedure.code, "receiving_agency": world.a.center.code}
    r = api.multipart("", world.citizen, data)
    assert r.status_code == 422 and r.json()["error"]["field"] == "files"


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("refuse", {}, "reason"),
        ("refuse", {"reason": "  "}, "reason"),
        ("refuse", {"reason": 5}, "reason"),
        ("receive", {"expected_version": "x"}, "expected_version"),
        ("apology", {"reason": "x", "new_due_at": "2030-01-01T00:00:00"}, "new_due_at"),
        ("apology", {"reason": "x", "new_due_at": "ngày mai"}, "new_due_at"),
        ("payment", {"amount_vnd": "8000", "receipt_number": "1"}, "amount_vnd"),
        ("payment", {"amount_vnd": 8000.5, "receipt_number": "1"}, "amount_vnd"),
        ("payment", {"amount_vnd": 8000, "receipt_number": "1", "channel": "gateway"}, "channel"),
        ("payment", {"amount_vnd": 8000}, "receipt_number"),
        ("payment", {"amount_vnd": 8000, "receipt_number": ""}, "receipt_number"),
        ("payment-request", {"amount_vnd": -1}, "amount_vnd"),
        ("rating", {"rating": 5}, "rating"),
        ("return", {"method": "pigeon"}, "method"),
        (
            "supplement-request",
            {"reason": "x", "missing_components": ["a"]},
            "missing_components.0",
        ),
    ],
)
def test_transition_bad_input_names_the_field(world, api, path, body, field):
    d = advance(world, Status.SUBMITTED)
    r = api.post(f"/{d.pk}/{path}", world.a.staff["c:counter"], body)
    assert r.status_code == 422, r.json()
    assert r.json()["error"]["field"] == field
    assert Dossier.objects.get(pk=d.pk).version == 1


def test_bad_ids_and_bodies(world, api):
    user = world.a.staff["c:counter"]
    assert api.get("/abc", user).json()["error"]["field"] == "dossier_id"
    assert api.get("/99999999999999999999", user).status_code == 422
    r = api.post("/424242/receive", user)
    assert r.status_code == 404 and r.json()["error"]["code"] == "not_found"
    d = advance(world, Status.SUBMITTED)
    r = api.client.post(
        f"{URL}/{d.pk}/refuse",
        "{oops",
        content_type="application/json",
        headers=api.headers(user),
    )
    assert r.status_code == 400 and r.json()["error"]["code"] == "invalid_json"
    r = api.multipart(f"/{d.pk}/result", world.a.staff["s:leader"], {})
    assert r.status_code == 422 and r.json()["error"]["field"] == "file"
    assert api.get("/inbox", user, due="someday").json()["error"]["field"] == "due"
    assert api.get("/inbox", user, agency="NOPE").json()["error"]["field"] == "agency"
    assert api.get("/mine", world.citizen, status=11).json()["error"]["field"] == "status"


def test_intake_multipart_refuse(world, api):
    w = world
    r = api.multipart(
        "/intake",
        w.a.staff["c:counter"],
        {
            "procedure": w.procedure.code,
            "receiving_agency": w.a.center.code,
            "channel": "3",
            "applicant_name": "Lê Văn Cường",
            "decision": "refuse",
            "refuse_reason": "Sai thẩm quyền",
            f"component_{w.components[0].pk}": f(),
        },
    )
    assert r.status_code == 201, r.json()
    body = r.json()
    assert body["status"]["value"] == Status.REFUSED and body["channel"] == 3
    assert body["applicant"]["name"] == "Lê Văn Cường"
    r = api.post(
        "/intake",
        w.a.staff["c:counter"],
        {
            "procedure": w.procedure.code,
            "receiving_agency": w.a.center.code,
            "applicant": {},
            "channel": 2,
        },
    )
    assert r.status_code == 422 and r.json()["error"]["field"] == "channel"


def test_list_query_counts_do_not_grow(world, api, django_assert_num_queries):
    officer = world.a.staff["c:counter"]
    advance(world, Status.RECEIVED)
    api.get("/inbox", officer)  # warm the token (user, roles, applicant id are cached with it)
    api.get("/mine", world.citizen)
    # items, count
    with django_assert_num_queries(2):
        assert api.get("/inbox", officer).json()["count"] == 1
    # count, items
    with django_assert_num_queries(2):
        assert api.get("/mine", world.citizen).json()["count"] == 1
    for _ in range(4):
        advance(world, Status.PROCESSING)
    with django_assert_num_queries(2):
        assert api.get("/inbox", officer).json()["count"] == 5
    with django_assert_num_queries(2):
        assert api.get("/mine", world.citizen).json()["count"] == 5


@pytest.mark.parametrize(
    "status",
    [Status.SUBMITTED, Status.RECEIVED, Status.PROCESSING, Status.PROCESSED, Status.RETURNED],
)
def test_dossier_output_is_what_the_schema_gives(world, status):
    """Transitions render `_dossier` without ninja's validation: it must already be exactly
    what validating it against DossierOut gives, field for field and byte for byte."""
    from django.test import RequestFactory

    from motcua.dossiers import api as dossiers_api
    from motcua.dossiers import selectors
    from motcua.dossiers.schemas import DossierOut

    d = advance(world, status)
    d = Dossier.objects.select_related(*selectors.LIST_RELATED).get(pk=d.pk)
    data = dossiers_api._dossier(d)
    assert set(data) == set(DossierOut.model_fields)
    validated = DossierOut.model_validate(data).model_dump()
    request = RequestFactory().get("/")
    direct = dossiers_api._out(request, data).content
    through_schema = dossiers_api._out(request, validated).content
    assert direct == through_schema


def test_failed_lookups_are_limited_per_client(world, api, settings):
    settings.MOTCUA_LOOKUP_MAX_FAILURES = 3
    d = advance(world, Status.RECEIVED)
    for _ in range(5):  # successes do not count
        assert api.get("/lookup", code=d.code, secret=d.secret).status_code == 200
    for _ in range(3):
        assert api.get("/lookup", code=d.code, secret="WRONG234").status_code == 404
    # The fourth attempt is refused, even with the right secret, until the window ends.
    r = api.get("/lookup", code=d.code, secret=d.secret)
    assert r.status_code == 429
    assert r.json()["error"]["code"] == "too_many_lookups"
    assert r.json()["error"]["field"] == "secret"
    # Another address is not affected.
    other = api.client.get(
        URL + "/lookup", {"code": d.code, "secret": d.secret}, REMOTE_ADDR="10.1.2.3"
    )
    assert other.status_code == 200


def test_lookup_limit_uses_the_proxy_header_when_configured(world, api, settings):
    settings.MOTCUA_LOOKUP_MAX_FAILURES = 1
    settings.MOTCUA_CLIENT_IP_HEADER = "HTTP_X_REAL_IP"
    d = advance(world, Status.RECEIVED)

    def get(ip, secret):
        return api.client.get(
            URL + "/lookup", {"code": d.code, "secret": secret}, HTTP_X_REAL_IP=ip
        ).status_code

    assert get("203.0.113.5", "WRONG234") == 404
    assert get("203.0.113.5", d.secret) == 429
    assert get("203.0.113.6", d.secret) == 200  # same proxy address, another citizen


def test_multipart_without_boundary_is_a_400_naming_the_body(world, api):
    r = api.client.post(
        URL,
        b"--x\r\n",
        content_type="multipart/form-data",
        headers=api.headers(world.citizen),
    )
    assert r.status_code == 400
    assert r.json()["error"]["code"] == "invalid_body" and r.json()["error"]["field"] == "body"
    r = api.client.post(
        URL + "/1/receive",
        b"--x\r\n",
        content_type="multipart/form-data",
        headers=api.headers(world.a.staff["c:counter"]),
    )
    assert r.status_code == 400


@pytest.mark.parametrize("path", ["/mine", "/inbox"])
def test_huge_offsets_are_refused_by_name(world, api, path):
    r = api.get(path, world.a.staff["c:counter"], offset=10**20)
    assert r.status_code == 422 and r.json()["error"]["field"] == "offset"


def test_intake_takes_the_papers_counted_and_the_cases(world, api):
    from motcua.catalog.models import Component
    from motcua.dossiers.models import ReceivedComponent

    w = world
    case = "Trường hợp trẻ em bị bỏ rơi"
    proxy = Component.objects.create(
        version=w.version,
        order=3,
        name="Biên bản về việc trẻ bị bỏ rơi",
        original_count=1,
        case=case,
    )
    body = {
        "procedure": w.procedure.code,
        "receiving_agency": w.a.center.code,
        "applicant": {"name": "Lê Văn Cường"},
        "received": [{"component": w.components[0].pk, "originals": 1, "copies": 1}],
        "cases": [case],
    }
    r = api.post("/intake", w.a.staff["c:counter"], body)
    assert r.status_code == 422
    error = r.json()["error"]
    assert (error["code"], error["field"]) == ("components_missing", "received")
    assert error["data"] == {"missing_components": [proxy.pk]}
    r = api.multipart(
        "/intake",
        w.a.staff["c:counter"],
        {
            "procedure": w.procedure.code,
            "receiving_agency": w.a.center.code,
            "applicant_name": "Lê Văn Cường",
            f"originals_{w.components[0].pk}": "1",
            f"copies_{proxy.pk}": "2",
            "cases": [case],
        },
    )
    assert r.status_code == 201, r.json()
    rows = ReceivedComponent.objects.order_by("component__order")
    assert [(x.component_id, x.originals, x.copies) for x in rows] == [
        (w.components[0].pk, 1, 0),
        (proxy.pk, 0, 2),
    ]
