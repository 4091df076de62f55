"""The API takes the fee answers (fee_<key>, intake `fee_answers`), keeps the assessment and
shows it (`fee_assessment`); the catalog API says what each fee item asks for."""

import pytest

from motcua.catalog.models import FeeItem

from .test_submission import errors, form

pytestmark = pytest.mark.django_db


def per_copy(w):
    FeeItem.objects.filter(version=w.version).update(
        computation="per_unit", answer_key="so_ban", unit="bản"
    )


def test_submission_takes_the_answers_and_shows_the_assessment(world, api):
    w = world
    per_copy(w)
    r = api.multipart("", w.citizen, form(w))
    assert r.status_code == 422
    error = r.json()["error"]
    assert (error["field"], error["code"]) == ("fee_answers.so_ban", "invalid_fee_answer")
    r = api.multipart("", w.citizen, form(w, fee_so_ban="x", applicant_phone="12"))
    assert ("fee_answers.so_ban", "invalid_fee_answer") in errors(r)  # with the others
    r = api.multipart("", w.citizen, form(w, fee_so_ban="2"))
    assert r.status_code == 201, r.json()
    body = r.json()
    assert body["fee_due_vnd"] == 16000
    a = body["fee_assessment"]
    assert (a["total_vnd"], a["has_unknown"], a["answers"]) == (16000, False, {"so_ban": 2})
    (line,) = a["lines"]
    assert (line["computation"], line["base_vnd"], line["final_vnd"], line["unknown"]) == (
        "per_unit",
        16000,
        16000,
        False,
    )
    assert line["explanation"] == "2 bản × 8.000 đồng"


def test_the_catalog_api_says_what_a_fee_item_asks(world, api, client):
    per_copy(world)
    body = client.get("/api/catalog/procedures/1.001193").json()
    (fee,) = body["fees"]
    assert (fee["computation"], fee["answer_key"], fee["unit"]) == ("per_unit", "so_ban", "bản")
    assert fee["channels"] == [] and fee["bands"] == []
