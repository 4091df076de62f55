"""The online submission with an electronic form (issue 13): the form comes first, every
error at once with the GOV.UK summary, repeated groups without JavaScript, then only the
components still needed; the dossier carries the frozen data and the declaration PDF made
from it."""

import shutil
import subprocess

import pytest

from motcua.catalog.models import Component
from motcua.dossiers.models import Attachment, Dossier
from motcua.eforms.models import DossierForm
from motcua.eforms.services import definition_save
from motcua.eforms.tests.conftest import HERE, load_test_definition
from motcua.org.tests.otp import otp_login

pytestmark = pytest.mark.django_db

SUBMIT = "/thu-tuc/1.001193/nop/"
FORM = "/thu-tuc/1.001193/nop/to-khai/"
REVIEW = "/thu-tuc/1.001193/nop/kiem-tra/"


@pytest.fixture(autouse=True)
def _codelists(settings):
    settings.EFORMS_CODELIST_DIRS = [str(HERE / "codelists")]


@pytest.fixture
def formed(world):
    doc = load_test_definition()
    doc["procedure_codes"] = ["1.001193"]
    version = world.components[0].version
    envelope = Component.objects.create(
        version=version, order=3, name="Phong bì dán tem ghi rõ địa chỉ người nhận"
    )
    row, _ = definition_save(actor=None, document=doc)
    return row, envelope


def good_answers(world):
    pid = world.citizen.applicant.personal_id
    return {
        "f.nguoi_yeu_cau.ho_ten": world.citizen.applicant.full_name,
        "f.nguoi_yeu_cau.so_dinh_danh": pid,
        "f.nguoi_yeu_cau.ngay_sinh": "05/09/1990",
        "f.nhan_ket_qua": "counter",
        "f.cam_doan": "1",
        "n.con": "0",
        "eform_continue": "1",
    }


def test_the_form_comes_first_and_reports_every_error(client, world, formed):
    otp_login(client, world.citizen)
    r = client.get(SUBMIT)
    assert r.status_code == 302 and r["Location"] == FORM
    html = client.get(FORM).content.decode()
    # prefilled from the account (a local account: not marked verified)
    assert f'value="{world.citizen.applicant.full_name}"' in html
    assert "Đã xác thực từ VNeID" not in html.split("</h1>", 1)[1].split("<form", 1)[1]
    r = client.post(
        FORM, {"f.nguoi_yeu_cau.ngay_sinh": "31/02/1990", "n.con": "0", "eform_continue": "1"}
    )
    assert r.status_code == 400
    html = r.content.decode()
    assert '<div class="error-summary" role="alert"' in html
    for href in (
        "#f-nguoi-yeu-cau-ho-ten",
        "#f-nguoi-yeu-cau-ngay-sinh",
        "#f-nhan-ket-qua",
        "#f-cam-doan",
    ):
        assert f'<a href="{href}">' in html
    # each error names its section: labels repeat across sections
    assert '<a href="#f-nguoi-yeu-cau-ho-ten">Người yêu cầu: Cần nhập «' in html
    assert (
        'id="f-nguoi-yeu-cau-ngay-sinh" name="f.nguoi_yeu_cau.ngay_sinh" value="31/02/1990"' in html
    )
    assert 'aria-invalid="true" aria-describedby="f-nguoi-yeu-cau-ngay-sinh-error"' in html
    assert "Ngày không hợp lệ: ghi theo dạng ngày/tháng/năm" in html


def test_a_repeated_group_without_javascript(client, world, formed):
    otp_login(client, world.citizen)
    r = client.post(FORM, {**good_answers(world), "eform_continue": "", "eform_add": "con"})
    assert r.status_code == 200
    html = r.content.decode()
    assert 'name="n.con" value="1"' in html and 'name="f.con.0.ho_ten"' in html
    r = client.post(
        FORM,
        {
            **good_answers(world),
            "eform_continue": "",
            "n.con": "2",
            "f.con.0.ho_ten": "An",
            "f.con.1.ho_ten": "Bình",
            "eform_remove": "con.0",
        },
    )
    html = r.content.decode()
    assert 'name="n.con" value="1"' in html and 'value="Bình"' in html and 'value="An"' not in html


def test_submission_with_the_form_makes_the_declaration(client, world, formed, tmp_path):
    definition, envelope = formed
    otp_login(client, world.citizen)
    r = client.post(FORM, good_answers(world))
    assert r.status_code == 302 and r["Location"] == SUBMIT
    html = client.get(SUBMIT).content.decode()
    declaration = world.components[0]
    assert "Lập từ tờ khai điện tử bạn đã điền; không cần tải lên." in html
    assert f'name="component_{declaration.pk}"' not in html
    # delivery at the counter: the envelope is omitted by the form's rules
    assert f'name="component_{envelope.pk}"' in html
    r = client.post(SUBMIT, {"receiving_agency": world.a.center.pk})
    assert r.status_code == 302 and r["Location"] == REVIEW
    r = client.post(REVIEW)
    dossier = Dossier.objects.get()
    assert r["Location"] == f"/ho-so/{dossier.pk}/bien-nhan/"
    form = DossierForm.objects.get(dossier=dossier)
    assert form.definition == definition
    assert form.data["nguoi_yeu_cau"]["ngay_sinh"] == "1990-09-05"
    assert form.data["nhan_ket_qua"] == "counter"
    attachment = Attachment.objects.get(dossier=dossier)
    assert (attachment.component_id, attachment.original_name) == (
        declaration.pk,
        "to-khai-thu-nghiem.pdf",
    )
    if shutil.which("pdftotext"):
        path = tmp_path / "tk.pdf"
        path.write_bytes(attachment.file.read())
        text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True).stdout
        assert world.citizen.applicant.full_name in text and "05/09/1990" in text
    # The officer of the receiving agency reads the form on the dossier's page.
    client.logout()
    otp_login(client, world.a.staff["c:counter"])
    html = client.get(f"/can-bo/ho-so/{dossier.pk}/").content.decode()
    assert '<h2 id="eform">Tờ khai điện tử</h2>' in html
    assert "<dt>Ngày, tháng, năm sinh</dt><dd>05/09/1990</dd>" in html
    assert "<dt>Hình thức nhận kết quả</dt><dd>Nhận tại bộ phận một cửa</dd>" in html


def test_tampered_locked_value_is_refused_by_the_service(world, formed):
    """A locked value verified by the login cannot be changed at any door: the service
    validates again with the account's prefill."""
    from django.utils import timezone

    from motcua.core.errors import DomainError
    from motcua.eforms.services import dossier_submit_with_form
    from motcua.org.models import ApplicantIdentity

    definition, _ = formed
    applicant = world.citizen.applicant
    ApplicantIdentity.objects.create(
        applicant=applicant,
        issuer="https://vneid.test",
        subject="s-1",
        number=applicant.personal_id,
        verified_at=timezone.now(),
        last_login_at=timezone.now(),
    )
    answers = {
        "nguoi_yeu_cau": {
            "ho_ten": "Lê Văn Giả",
            "so_dinh_danh": applicant.personal_id,
            "ngay_sinh": "1990-09-05",
        },
        "nhan_ket_qua": "counter",
        "cam_doan": True,
    }
    with pytest.raises(DomainError) as caught:
        dossier_submit_with_form(
            actor=world.citizen,
            version=world.components[0].version,
            definition=definition,
            answers=answers,
            receiving_agency=world.a.center,
        )
    assert caught.value.code == "locked_field_changed"
    assert caught.value.field == "form.nguoi_yeu_cau.ho_ten"
    assert Dossier.objects.count() == 0


def test_the_api_takes_the_form_validates_it_the_same_and_returns_it(client, world, formed):
    import json

    from django.test import Client

    from motcua.api.auth import token_create

    definition, _ = formed
    token = token_create(user=world.citizen)[1]
    api = Client(headers={"Authorization": f"Bearer {token}"})
    shown = api.get("/api/eforms/procedures/1.001193")
    assert shown.status_code == 200
    assert (shown.json()["key"], shown.json()["version"]) == ("thu-nghiem", 1)
    applicant = world.citizen.applicant
    bad = {"nguoi_yeu_cau": {"ngay_sinh": "31/02/1990"}, "nhan_ket_qua": "bay"}
    r = api.post(
        "/api/dossiers",
        {"procedure": "1.001193", "receiving_agency": world.a.center.code, "form": json.dumps(bad)},
    )
    assert r.status_code == 422, r.content
    fields = [e["field"] for e in r.json()["error"]["data"]["errors"]]
    assert fields == [
        "form.nguoi_yeu_cau.ho_ten",
        "form.nguoi_yeu_cau.so_dinh_danh",
        "form.nguoi_yeu_cau.ngay_sinh",
        "form.nhan_ket_qua",
        "form.cam_doan",
    ]
    good = {
        "nguoi_yeu_cau": {
            "ho_ten": applicant.full_name,
            "so_dinh_danh": applicant.personal_id,
            "ngay_sinh": "1990-09-05",
        },
        "nhan_ket_qua": "post",
        "cam_doan": True,
    }
    r = api.post(
        "/api/dossiers",
        {
            "procedure": "1.001193",
            "receiving_agency": world.a.center.code,
            "form": json.dumps(good),
        },
    )
    # delivery by post: the envelope is required by the form's rules, and missing
    assert r.status_code == 422, r.content
    assert "Phong bì dán tem" in r.json()["error"]["message"]
    good["nhan_ket_qua"] = "online"
    r = api.post(
        "/api/dossiers",
        {
            "procedure": "1.001193",
            "receiving_agency": world.a.center.code,
            "form": json.dumps(good),
        },
    )
    assert r.status_code == 201, r.content
    detail = api.get(f"/api/dossiers/{r.json()['id']}").json()
    assert detail["form"]["key"] == "thu-nghiem" and detail["form"]["version"] == 1
    assert detail["form"]["data"] == {
        "nguoi_yeu_cau": {
            "ho_ten": applicant.full_name,
            "so_dinh_danh": applicant.personal_id,
            "ngay_sinh": "1990-09-05",
        },
        "nhan_ket_qua": "online",
        "cam_doan": True,
    }
    assert [a["name"] for a in detail["components"][0]["attachments"]] == ["to-khai-thu-nghiem.pdf"]
    # Another citizen sees neither the dossier nor its form; the officer of the receiving
    # agency sees it, one of another agency does not.
    other = Client(headers={"Authorization": f"Bearer {token_create(user=world.citizen2)[1]}"})
    assert other.get(f"/api/dossiers/{r.json()['id']}").status_code == 404
    officer_a = Client(
        headers={"Authorization": f"Bearer {token_create(user=world.a.staff['c:counter'])[1]}"}
    )
    seen = officer_a.get(f"/api/dossiers/{r.json()['id']}")
    assert seen.status_code == 200 and seen.json()["form"]["data"]["nhan_ket_qua"] == "online"
    officer_b = Client(
        headers={"Authorization": f"Bearer {token_create(user=world.b.staff['c:counter'])[1]}"}
    )
    assert officer_b.get(f"/api/dossiers/{r.json()['id']}").status_code == 404


def test_a_tampered_locked_value_is_refused_on_the_page(client, world, formed):
    from django.utils import timezone

    from motcua.org.models import ApplicantIdentity

    applicant = world.citizen.applicant
    ApplicantIdentity.objects.create(
        applicant=applicant,
        issuer="https://vneid.test",
        subject="s-2",
        number=applicant.personal_id,
        verified_at=timezone.now(),
        last_login_at=timezone.now(),
    )
    otp_login(client, world.citizen)
    html = client.get(FORM).content.decode()
    assert 'id="f-nguoi-yeu-cau-ho-ten-verified">✔ Đã xác thực từ VNeID</p>' in html
    r = client.post(FORM, {**good_answers(world), "f.nguoi_yeu_cau.ho_ten": "Lê Văn Giả"})
    assert r.status_code == 400
    html = r.content.decode()
    assert "Giá trị này đã được xác thực từ VNeID và không được sửa" in html
    assert f'value="{applicant.full_name}"' in html and 'value="Lê Văn Giả"' not in html
    assert client.session.get("portal_draft:1.001193", {}).get("form") is None
    # Sent again as shown, it passes.
    r = client.post(FORM, good_answers(world))
    assert r.status_code == 302
