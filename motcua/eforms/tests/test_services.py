"""Definitions are versions: loading is idempotent, a change makes a new version and never
alters a stored one nor the data filled against it; the admin saves the same way."""

import copy
import json

import pytest
from django.core.management import call_command

from motcua.catalog.tests.factories import make_version
from motcua.core.errors import DomainError
from motcua.eforms import selectors
from motcua.eforms.models import FormDefinition, ProcedureForm
from motcua.eforms.services import definition_save, definitions_load
from motcua.org.tests.factories import UserFactory
from motcua.org.tests.otp import otp_login

pytestmark = pytest.mark.django_db


def test_load_is_idempotent_and_a_change_is_a_new_version(tmp_path, doc):
    version = make_version(code="T.0001")
    folder = tmp_path / "defs"
    folder.mkdir()
    (folder / "thu-nghiem.json").write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    assert definitions_load(folder=folder) == [("thu-nghiem", 1, True)]
    assert definitions_load(folder=folder) == [("thu-nghiem", 1, False)]
    first = FormDefinition.objects.get(key="thu-nghiem")
    assert selectors.form_for_version(version) == first
    assert ProcedureForm.objects.get().form_key == "thu-nghiem"

    changed = copy.deepcopy(doc)
    changed["title"]["vi"] = "Tờ khai thử nghiệm (sửa đổi)"
    (folder / "thu-nghiem.json").write_text(
        json.dumps(changed, ensure_ascii=False), encoding="utf-8"
    )
    call_command("load_eforms", dir=str(folder))
    rows = list(FormDefinition.objects.order_by("version").values_list("version", "published"))
    assert rows == [(1, False), (2, True)]
    first.refresh_from_db()
    assert first.document == doc  # the stored version is untouched
    assert selectors.form_for_version(version).version == 2


def test_a_broken_definition_is_refused_whole(doc):
    doc["layout"][0]["fields"][0]["type"] = "colour"
    with pytest.raises(DomainError) as caught:
        definition_save(actor=None, document=doc)
    assert caught.value.code == "invalid_form_definition"
    assert FormDefinition.objects.count() == 0


def test_admin_saves_a_new_version_and_shows_errors(client, doc):
    admin = UserFactory(username="quan-tri", is_staff=True, is_superuser=True)
    otp_login(client, admin)
    first, _ = definition_save(actor=None, document=doc)
    url = f"/admin/eforms/formdefinition/{first.pk}/change/"
    page = client.get(url)
    assert page.status_code == 200
    broken = copy.deepcopy(doc)
    broken["layout"][0]["fields"][2]["path"] = "nguoi_yeu_cau.khong_co"
    r = client.post(url, {"document_text": json.dumps(broken, ensure_ascii=False)})
    assert r.status_code == 200
    assert "nguoi_yeu_cau.khong_co: đường dẫn không có trong lược đồ dữ liệu" in r.content.decode()
    assert FormDefinition.objects.count() == 1
    edited = copy.deepcopy(doc)
    edited["layout"][0]["title"]["vi"] = "Người đi khai"
    r = client.post(url, {"document_text": json.dumps(edited, ensure_ascii=False)})
    assert r.status_code == 302
    assert list(FormDefinition.objects.order_by("version").values_list("version", "published")) == [
        (1, False),
        (2, True),
    ]
    first.refresh_from_db()
    assert first.document["layout"][0]["title"]["vi"] == "Người yêu cầu"
    preview = client.get(f"/admin/eforms/formdefinition/{first.pk}/preview/")
    assert preview.status_code == 200
    assert "Tờ khai thử nghiệm" in preview.content.decode()
