"""A second click or a replayed request makes no second linked application: the service's
idempotency key, the page's hidden token and the API's Idempotency-Key header."""

import json
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from motcua.api.auth import token_create
from motcua.core.errors import ValidationFailed
from motcua.dossiers.models import Dossier
from motcua.dossiers.tests.factories import PDF
from motcua.linked.models import LinkedApplication
from motcua.linked.services import chain_parts, linked_application_submit
from motcua.org.tests.otp import otp_login

from .factories import DATA, T0, files_for


def _submit(lw, **kw):
    args = dict(
        actor=lw.w.citizen,
        linked=lw.linked,
        receiving_agency=lw.w.a.center,
        data=DATA,
        files=files_for(chain_parts(lw.linked, T0.date())),
        applicant={"phone": "0987654321"},
        at=T0,
    )
    args.update(kw)
    return linked_application_submit(**args)


def test_the_same_key_and_request_give_back_the_same_application(lw):
    first = _submit(lw, idempotency_key="k-1")
    again = _submit(lw, idempotency_key="k-1")
    assert again.pk == first.pk
    assert getattr(again, "_replayed", False) is True
    assert LinkedApplication.objects.count() == 1
    assert Dossier.objects.count() == 1  # only the first member's dossier, once


def test_the_same_key_for_another_request_is_refused(lw):
    first = _submit(lw, idempotency_key="k-1")
    with pytest.raises(ValidationFailed) as caught:
        _submit(lw, idempotency_key="k-1", data={**DATA, "child_name": "Trần Thị Bình"})
    assert caught.value.code == "idempotency_key_reused"
    assert caught.value.data == {"application_id": first.pk}
    assert LinkedApplication.objects.count() == 1


def test_the_key_is_per_account_and_without_a_key_each_submission_counts(lw):
    _submit(lw, idempotency_key="k-1")
    _submit(lw)
    _submit(lw)
    assert LinkedApplication.objects.count() == 3


def test_a_malformed_key_is_refused(lw):
    with pytest.raises(ValidationFailed) as caught:
        _submit(lw, idempotency_key="khóa")
    assert caught.value.code == "invalid_idempotency_key"
    assert LinkedApplication.objects.count() == 0


def _form(lw, token):
    body = {
        "token": token,
        "receiving_agency": str(lw.w.a.center.pk),
        "applicant_phone": "0987654321",
        **{f"data_{k}": v for k, v in DATA.items()},
    }
    body.update({k: SimpleUploadedFile(f"{k}.pdf", PDF) for k in ("part_p1", "part_p3", "part_p4")})
    return body


def test_the_page_carries_a_token_and_a_second_click_makes_nothing(client, lw):
    otp_login(client, lw.w.citizen)
    html = client.get("/thu-tuc/2.000986/lien-thong/").content.decode()
    token = re.search(r'name="token" value="([0-9a-f]{32})"', html).group(1)
    r1 = client.post("/thu-tuc/2.000986/lien-thong/", _form(lw, token))
    r2 = client.post("/thu-tuc/2.000986/lien-thong/", _form(lw, token))
    app = LinkedApplication.objects.get()
    assert r1.status_code == r2.status_code == 302
    assert r1["Location"] == r2["Location"] == f"/ho-so/lien-thong/{app.pk}/"
    assert Dossier.objects.count() == 1
    # A new page has a new token: a new application.
    html = client.get("/thu-tuc/2.000986/lien-thong/").content.decode()
    other = re.search(r'name="token" value="([0-9a-f]{32})"', html).group(1)
    assert other != token
    client.post("/thu-tuc/2.000986/lien-thong/", _form(lw, other))
    assert LinkedApplication.objects.count() == 2


def _api(lw, key, **fields):
    body = {
        "procedure": "2.000986",
        "receiving_agency": lw.w.a.center.code,
        "data": json.dumps(DATA, ensure_ascii=False),
        "applicant_phone": "0987654321",
        **fields,
    }
    body.update({k: SimpleUploadedFile(f"{k}.pdf", PDF) for k in ("part_p1", "part_p3", "part_p4")})
    headers = {"Authorization": f"Bearer {token_create(user=lw.w.citizen)[1]}"}
    if key:
        headers["Idempotency-Key"] = key
    return Client().post("/api/linked/applications", body, headers=headers)


def test_the_api_replays_with_the_idempotency_key(lw):
    r1 = _api(lw, "api-1")
    r2 = _api(lw, "api-1")
    assert r1.status_code == r2.status_code == 201
    assert r1.json()["id"] == r2.json()["id"]
    assert "Idempotent-Replayed" not in r1
    assert r2["Idempotent-Replayed"] == "true"
    assert LinkedApplication.objects.count() == 1
    r3 = _api(lw, "api-1", applicant_phone="0912345678")
    assert r3.status_code == 422
    assert r3.json()["error"]["code"] == "idempotency_key_reused"
    assert LinkedApplication.objects.count() == 1
