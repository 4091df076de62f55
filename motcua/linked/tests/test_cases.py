"""Cases ("trường hợp …") are declared in the linked form as in a single submission: the
residence procedure's conditional component is asked only when its case is declared, and
the member's dossier is submitted with its case."""

import datetime as dt
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from motcua.catalog.models import Component
from motcua.core.errors import ValidationFailed
from motcua.core.validation import errors_from
from motcua.dossiers.tests.factories import PDF
from motcua.linked.models import LinkedApplication, LinkedDossier
from motcua.linked.services import chain_cases, chain_parts, linked_application_submit
from motcua.org.tests.otp import otp_login

from .factories import DATA, T0, files_for, settle

CASE = "Trường hợp chỗ ở hợp pháp do thuê, mượn, ở nhờ"
RENT = "Hợp đồng cho thuê, cho mượn, cho ở nhờ chỗ ở hợp pháp"


@pytest.fixture
def lwc(lw):
    version = lw.residence.versions.get()
    Component.objects.create(
        version=version, order=3, name=RENT, original_count=1, required=True, case=CASE
    )
    return lw


def _submit(lw, cases, files):
    return linked_application_submit(
        actor=lw.w.citizen,
        linked=lw.linked,
        receiving_agency=lw.w.a.center,
        data=DATA,
        files=files,
        applicant={"phone": "0987654321"},
        cases=cases,
        at=T0,
    )


def test_the_form_offers_the_members_cases_and_requires_their_part_only_when_declared(lwc):
    day = T0.date()
    assert chain_cases(lwc.linked, day) == [CASE]
    rent = next(p for p in chain_parts(lwc.linked, day) if p.name == RENT)
    assert rent.required is False
    rent = next(p for p in chain_parts(lwc.linked, day, [CASE]) if p.name == RENT)
    assert rent.required is True


def test_a_declared_case_needs_its_document(lwc):
    without = files_for(chain_parts(lwc.linked, T0.date()))
    with pytest.raises(ValidationFailed) as caught:
        _submit(lwc, [CASE], without)
    (err,) = [e for e in errors_from(caught.value) if e.code == "components_missing"]
    assert RENT in err.message
    assert LinkedApplication.objects.count() == 0
    # Not declared, not needed.
    assert _submit(lwc, [], without).cases == []


def test_an_unknown_case_is_refused(lwc):
    with pytest.raises(ValidationFailed) as caught:
        _submit(lwc, ["Trường hợp khác"], files_for(chain_parts(lwc.linked, T0.date())))
    assert [e.code for e in errors_from(caught.value)] == ["unknown_case"]


def test_the_member_receives_its_declared_case(lwc, django_capture_on_commit_callbacks):
    files = files_for(chain_parts(lwc.linked, T0.date(), [CASE]))
    app = _submit(lwc, [CASE], files)
    assert app.cases == [CASE]
    first = LinkedDossier.objects.get(application=app, order=1).dossier
    assert first.events.get(action="submit").data.get("cases") is None  # not its case
    with django_capture_on_commit_callbacks(execute=True):
        settle(lwc, first, T0 + dt.timedelta(hours=1))
    second = LinkedDossier.objects.get(application=app, order=2).dossier
    assert second.events.get(action="submit").data["cases"] == [CASE]
    assert RENT in {a.component.name for a in second.attachments.all()}


def test_the_page_offers_the_cases_and_keeps_the_ticks(client, lwc):
    otp_login(client, lwc.w.citizen)
    html = client.get("/thu-tuc/2.000986/lien-thong/").content.decode()
    assert re.findall(r'name="cases" value="([^"]+)"', html) == [CASE]
    rent = next(p for p in chain_parts(lwc.linked, T0.date()) if p.name == RENT)
    body = {
        "receiving_agency": str(lwc.w.a.center.pk),
        "applicant_phone": "0987654321",
        "cases": [CASE],
        **{f"data_{k}": v for k, v in DATA.items()},
        **{
            f"part_{p.key}": SimpleUploadedFile(f"{p.key}.pdf", PDF)
            for p in chain_parts(lwc.linked, T0.date())
            if p.required
        },
    }
    r = client.post("/thu-tuc/2.000986/lien-thong/", body)
    assert r.status_code == 422
    html = r.content.decode()
    assert f'value="{CASE}" checked' in html
    assert f'href="#id_part_{rent.key}"' in html
    body[f"part_{rent.key}"] = SimpleUploadedFile("rent.pdf", PDF)
    for p in chain_parts(lwc.linked, T0.date()):
        if p.required:
            body[f"part_{p.key}"] = SimpleUploadedFile(f"{p.key}.pdf", PDF)
    r = client.post("/thu-tuc/2.000986/lien-thong/", body)
    assert r.status_code == 302
    assert LinkedApplication.objects.get().cases == [CASE]


def test_the_api_lists_and_takes_the_cases(lwc):
    import json

    from django.test import Client

    from motcua.api.auth import token_create

    assert Client().get("/api/linked/procedures/2.000986").json()["cases"] == [CASE]
    body = {
        "procedure": "2.000986",
        "receiving_agency": lwc.w.a.center.code,
        "data": json.dumps(DATA, ensure_ascii=False),
        "cases": [CASE],
        **{
            f"part_{p.key}": SimpleUploadedFile(f"{p.key}.pdf", PDF)
            for p in chain_parts(lwc.linked, T0.date(), [CASE])
            if p.required
        },
    }
    headers = {"Authorization": f"Bearer {token_create(user=lwc.w.citizen)[1]}"}
    r = Client().post("/api/linked/applications", body, headers=headers)
    assert r.status_code == 201, r.content
    assert LinkedApplication.objects.get(pk=r.json()["id"]).cases == [CASE]
