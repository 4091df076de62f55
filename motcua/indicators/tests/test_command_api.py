"""The `motcua indicators` command, the API, and drill-down lists that match the figures."""

import datetime as dt
import io
import json

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from motcua.api.auth import token_create
from motcua.dossiers import services as s
from motcua.indicators.models import Count, DossierFact
from motcua.indicators.selectors import indicators_compute
from motcua.signing.tests.factories import signed_pdf

from .helpers import MARCH, PDF, T0, Status, advance, both, drill, finish, received, vn

pytestmark = pytest.mark.django_db


def _mixed(world):
    """Returned on time, returned late with an e-result, open, waiting, refused, side B."""
    a = advance(world, Status.RETURNED)
    late = received(world)
    s.dossier_attach_result(
        dossier_id=late.pk,
        actor=world.a.staff["s:specialist"],
        file=("kq.pdf", signed_pdf()),
        at=T0 + dt.timedelta(hours=1),
    )
    finish(world, late, vn(2026, 3, 10, 9, 0))
    advance(world, Status.PROCESSING)
    advance(world, Status.SUPPLEMENT_REQUESTED)
    advance(world, Status.REFUSED)
    st = world.b.staff
    s.dossier_intake(
        actor=st["c:counter"],
        procedure=world.procedure,
        receiving_agency=world.b.center,
        applicant={"name": "Lê Văn C"},
        files={world.components[0].pk: [("to-khai.pdf", PDF)]},
        at=T0,
    )
    return a


def test_command_prints_every_indicator_as_json(world):
    _mixed(world)
    out = io.StringIO()
    call_command(
        "indicators", "--from", "2026-03-01", "--to", "2026-03-31", "--format", "json", stdout=out
    )
    data = json.loads(out.getvalue())
    ids = [i["id"] for i in data["indicators"]]
    assert ids == [
        "1.1", "1.2", "1.3", "1.4", "2.1", "2.2", "3.1", "3.2", "3.3", "3.3b", "3.5a", "3.5b",
        "3.6", "4.1", "4.2", "4.2b", "4.3", "4.4", "4.5a", "4.5b", "5.1", "5.2", "5.3", "5.4",
    ]  # fmt: skip
    by_id = {i["id"]: i for i in data["indicators"]}
    assert (by_id["4.2"]["numerator"], by_id["4.2"]["denominator"]) == (1, 5)
    assert by_id["4.2"]["rate"] == "20.00" and by_id["4.2"]["points"] == "1.00"
    assert [g["id"] for g in data["groups"]] == [
        "transparency",
        "progress",
        "online",
        "digitization",
        "satisfaction",
    ]


def test_command_scope_table_and_errors(world):
    _mixed(world)
    out = io.StringIO()
    call_command("indicators", "--period", "2026-Q1", "--agency", world.b.center.code, stdout=out)
    text = out.getvalue()
    assert "2026-01-01 … 2026-03-31" in text and f"agency={world.b.center.code}" in text
    assert any(line.startswith("4.3 ") and " 1 " in line for line in text.splitlines())
    with pytest.raises(CommandError, match="Agency 'NOPE' not found"):
        call_command("indicators", "--period", "2026", "--agency", "NOPE", stdout=io.StringIO())
    with pytest.raises(CommandError, match="--from"):
        call_command("indicators", "--from", "2026-13-01", "--to", "2026-03-01")
    with pytest.raises(CommandError, match="'from' must be on or before 'to'"):
        call_command("indicators", "--from", "2026-04-01", "--to", "2026-03-01")


def test_command_rebuild_restores_the_counters(world):
    _mixed(world)
    before = indicators_compute(**MARCH, as_of=vn(2026, 6, 1)).as_dict()
    Count.objects.all().delete()
    DossierFact.objects.all().delete()
    out = io.StringIO()
    call_command("indicators", "rebuild", stdout=out)
    assert "Rebuilt the facts of 6 dossiers" in out.getvalue()
    assert indicators_compute(**MARCH, as_of=vn(2026, 6, 1)).as_dict() == before


def test_drill_down_lists_match_every_figure(world):
    _mixed(world)
    card = both(**MARCH)
    from motcua.indicators.selectors import indicator_procedures

    for f in card.figures:
        if f.id in ("3.1", "3.5a", "3.5b"):  # procedures
            num = indicator_procedures("numerator", indicator_id=f.id, **MARCH)
            den = indicator_procedures("denominator", indicator_id=f.id, **MARCH)
            assert (num.count(), den.count()) == (f.numerator, f.denominator), f.id
            continue
        num, den = drill(f.id, "numerator", **MARCH), drill(f.id, "denominator", **MARCH)
        expected_num = len(den) if f.id == "2.2" else f.numerator  # 2.2 sums seconds
        assert (len(num), len(den)) == (expected_num, f.denominator), f.id
        assert num <= den, f.id


# ---------------------------------------------------------------------------- API


def _get(path, user=None, **params):
    headers = {}
    if user is not None:
        headers["Authorization"] = f"Bearer {token_create(user=user)[1]}"
    return Client().get("/api/indicators" + path, params, headers=headers)


def test_api_public_figures(world):
    _mixed(world)
    r = _get("", period="2026-03")
    assert r.status_code == 200
    body = r.json()
    assert (body["from"], body["to"]) == ("2026-03-01", "2026-03-31")
    fig = {i["id"]: i for i in body["indicators"]}
    assert (fig["4.2"]["numerator"], fig["4.2"]["denominator"]) == (1, 5)
    r = _get("", **{"from": "2026-03-01", "to": "2026-03-31", "agency": world.b.center.code})
    assert {i["id"]: i for i in r.json()["indicators"]}["4.2"]["denominator"] == 1
    assert "applicant" not in r.content.decode()


@pytest.mark.parametrize(
    "params, status, code, field",
    [
        ({}, 422, "period_required", "from"),
        ({"from": "2026-03-01"}, 422, "period_required", "to"),
        ({"period": "2026-Q5"}, 422, "invalid_period", "period"),
        ({"from": "2026-03-31", "to": "2026-03-01"}, 422, "invalid_period", "from"),
        ({"period": "2026", "procedure": "9.999"}, 404, "not_found", "procedure"),
        ({"from": "2026-02-30", "to": "2026-03-01"}, 422, "invalid_input", "from"),
    ],
)
def test_api_errors_have_the_one_shape(world, params, status, code, field):
    r = _get("", **params)
    assert r.status_code == status
    error = r.json()["error"]
    assert (error["code"], error.get("field")) == (code, field)
    assert error["message"] and error["message_en"]


def test_api_drill_down_for_officers_and_monitors_only(world):
    a = _mixed(world)
    q = {"period": "2026-03", "part": "numerator"}
    assert _get("/2.1/dossiers", **q).status_code == 401
    r = _get("/2.1/dossiers", world.citizen, **q)
    assert (r.status_code, r.json()["error"]["code"]) == (403, "forbidden")
    # An officer of side A sees the dossiers of their agencies only; the admin sees all.
    r = _get("/2.1/dossiers", world.a.staff["c:counter"], **q)
    assert r.status_code == 200
    officer = {d["id"] for d in r.json()["items"]}
    admin = {d["id"] for d in _get("/2.1/dossiers", world.admin, **q).json()["items"]}
    assert a.pk in officer and officer <= admin
    assert len(admin) == both(**MARCH).figure("2.1").numerator
    r = _get("/4.2/dossiers", world.b.staff["c:counter"], period="2026-03", part="denominator")
    assert r.json()["count"] == 1
    r = _get("/3.1/dossiers", world.admin, period="2026-03", part="numerator")
    assert r.json()["items"] == [{"code": "1.001193", "name": "Đăng ký khai sinh", "level": "xa"}]
    r = _get("/9.9/dossiers", world.admin, period="2026-03")
    assert (r.status_code, r.json()["error"]["field"]) == (404, "id")
    r = _get("/2.1/dossiers", world.admin, period="2026-03", part="both")
    assert (r.status_code, r.json()["error"]["code"]) == (422, "invalid_part")


# The queries of motcua.indicators.computed's providers (1.1 and 1.2: one each; 1.3: three;
# 3.2: three; 4.4: one; 4.5a: three; 4.5b: one; 4.2b: none; 1.4 while the national sync
# is not configured: none) and of motcua.feedback's (5.1, 5.2, 5.3 and 5.4b: six), whatever
# the scope.
PROVIDED_QUERIES = 18


def test_a_scorecard_is_four_queries_plus_one_per_scope_code(world, django_assert_num_queries):
    _mixed(world)
    # counters, open dossiers, catalog (3.1, 3.5's denominator), procedures counted (3.5)
    with django_assert_num_queries(4 + PROVIDED_QUERIES):
        indicators_compute(**MARCH)
    with django_assert_num_queries(6 + PROVIDED_QUERIES):
        indicators_compute(**MARCH, agency=world.a.center.code, procedure="1.001193")
    with django_assert_num_queries(4 + PROVIDED_QUERIES):
        assert _get("", period="2026-03").status_code == 200


def test_a_provider_that_raises_does_not_break_the_scorecard(world, caplog):
    from motcua.indicators import providers

    _mixed(world)
    good = {f.id: f for f in indicators_compute(**MARCH).all_figures}

    def broken(s, e, sc):
        raise RuntimeError("nguồn hỏng")

    with providers.override("1.1", broken), caplog.at_level("ERROR"):
        card = indicators_compute(**MARCH)
        page = _get("", period="2026-03")
    by_id = {f.id: f for f in card.all_figures}
    assert by_id["1.1"].computable is False and by_id["1.1"].points is None
    assert by_id["1.1"].reason_vi == "lỗi khi tính (đã ghi nhật ký lỗi)"
    # every other indicator is exactly what it was
    assert {k: v for k, v in by_id.items() if k != "1.1"} == {
        k: v for k, v in good.items() if k != "1.1"
    }
    assert page.status_code == 200
    [api_11] = [i for i in page.json()["indicators"] if i["id"] == "1.1"]
    assert api_11["reason_vi"] == "lỗi khi tính (đã ghi nhật ký lỗi)"
    assert sum("provider 1.1" in r.getMessage() for r in caplog.records) == 2
