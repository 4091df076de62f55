"""The counter intake with an electronic form: the officer fills the applicant's form, the
same validation and rules as online (eforms.answers / eforms.logic) decide, the
declaration PDF is made from it and the data frozen with the dossier."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from motcua.catalog.models import Component
from motcua.dossiers.models import Dossier
from motcua.dossiers.tests.factories import PNG
from motcua.eforms.models import DossierForm
from motcua.eforms.services import definition_save
from motcua.eforms.tests.conftest import HERE, load_test_definition
from motcua.org.tests.otp import otp_login

pytestmark = pytest.mark.django_db


@pytest.fixture
def formed(world, settings):
    settings.EFORMS_CODELIST_DIRS = [str(HERE / "codelists")]
    doc = load_test_definition()
    doc["procedure_codes"] = ["1.001193"]
    envelope = Component.objects.create(
        version=world.components[0].version,
        order=3,
        name="Phong bì dán tem ghi rõ địa chỉ người nhận",
    )
    row, _ = definition_save(actor=None, document=doc)
    return row, envelope


def _post(world, **over):
    data = {
        "procedure": "1.001193",
        "receiving_agency": world.a.center.pk,
        "channel": 1,
        "applicant_name": "Lê Văn Quầy",
        "applicant_id_number": "001099000111",
        "request_summary": "Khai sinh cho con",
        "checked": [world.components[1].pk],
        "decision": "receive",
        f"component_{world.components[1].pk}": SimpleUploadedFile("cs.png", PNG),
        "f.nguoi_yeu_cau.ho_ten": "Lê Văn Quầy",
        "f.nguoi_yeu_cau.so_dinh_danh": "001099000111",
        "f.nguoi_yeu_cau.ngay_sinh": "01/02/1999",
        "f.nhan_ket_qua": "counter",
        "f.cam_doan": "1",
        "n.con": "0",
    }
    data.update(over)
    return {k: v for k, v in data.items() if v is not None}


def test_intake_shows_the_form_and_reports_its_errors(client, world, officer, formed):
    otp_login(client, officer)
    html = client.get("/can-bo/tiep-nhan/", {"procedure": "1.001193"}).content.decode()
    assert '<fieldset id="eform">' in html and 'name="f.nguoi_yeu_cau.ngay_sinh"' in html
    r = client.post("/can-bo/tiep-nhan/", _post(world, **{"f.nguoi_yeu_cau.ngay_sinh": "1999"}))
    assert r.status_code == 422
    html = r.content.decode()
    assert '<a href="#f-nguoi-yeu-cau-ngay-sinh">' in html
    assert Dossier.objects.count() == 0


def test_intake_with_the_form_receives_and_freezes_it(client, world, officer, formed):
    definition, envelope = formed
    otp_login(client, officer)
    r = client.post("/can-bo/tiep-nhan/", _post(world))
    assert r.status_code == 302, r.content.decode()[:3000]
    d = Dossier.objects.get()
    form = DossierForm.objects.get(dossier=d)
    assert form.definition == definition
    assert form.data["nguoi_yeu_cau"]["ngay_sinh"] == "1999-02-01"
    names = sorted(a.original_name for a in d.attachments.all())
    assert names == ["cs.png", "to-khai-thu-nghiem.pdf"]


def test_intake_follows_the_form_s_rules(client, world, officer, formed):
    _definition, envelope = formed
    otp_login(client, officer)
    # Delivery by post: the form's rule requires the envelope, which was not checked.
    r = client.post("/can-bo/tiep-nhan/", _post(world, **{"f.nhan_ket_qua": "post"}))
    assert r.status_code == 422
    assert "Phong bì dán tem" in r.content.decode()
    assert Dossier.objects.count() == 0
