"""The applicant fills one form: where a member's version has an electronic form
(khai-sinh for 1.001193), the linked application is filed with it — the engine validates
it, its rules decide the member's components, its declaration is made (not uploaded), the
member's dossier gets its DossierForm and declaration PDF as a single submission does, and
the data passed to the next members comes from the form's answers."""

import copy
import datetime as dt
import json
import re
from pathlib import Path

import pytest

from motcua.catalog.models import Component
from motcua.core.errors import ValidationFailed
from motcua.core.validation import errors_from
from motcua.dossiers.models import AttachmentKind
from motcua.eforms.models import DossierForm
from motcua.eforms.services import definitions_load
from motcua.linked.models import LinkedApplication, LinkedDossier
from motcua.linked.services import chain_form, chain_parts, linked_application_submit
from motcua.org.tests.otp import otp_login

from .factories import T0, files_for, settle

EFORMS = Path(__file__).resolve().parents[2] / "eforms" / "definitions"
UNIT = {"code": "07000", "valid_on": "2026-03-01"}


def answers() -> dict:
    """The shipped example "me_dang_ky", its units those of the test province."""
    cases = json.loads((EFORMS / "examples" / "khai-sinh.json").read_text(encoding="utf-8"))
    data = copy.deepcopy(next(c for c in cases["cases"] if c["name"] == "me_dang_ky")["data"])
    data["tre"]["ngay_sinh"] = "2026-03-01"
    data["tre"]["noi_sinh"]["dia_diem"]["don_vi"] = dict(UNIT)
    data["tre"]["que_quan"] = dict(UNIT)
    for who in ("me", "cha"):
        data[who]["noi_cu_tru"]["don_vi"] = dict(UNIT)
    return data


DECLARATION = "Tờ khai đăng ký khai sinh theo mẫu"
BIRTH_NOTICE = (
    "Giấy chứng sinh; trường hợp không có Giấy chứng sinh thì nộp văn bản của người làm "
    "chứng xác nhận về việc sinh"
)


@pytest.fixture
def lwf(lw):
    """The world's components named as the national record names them, so that the form's
    declaration and rules find them (catalog.cases.names_component)."""
    Component.objects.filter(name="Tờ khai đăng ký khai sinh").update(name=DECLARATION)
    Component.objects.filter(name="Giấy chứng sinh").update(name=BIRTH_NOTICE)
    definitions_load(folder=EFORMS)
    return lw


def _submit(lw, form, files=None, data=None):
    cf = chain_form(lw.linked, T0.date())
    return linked_application_submit(
        actor=lw.w.citizen,
        linked=lw.linked,
        receiving_agency=lw.w.a.center,
        data=data if data is not None else {"address": "Thôn Đông"},
        files=files if files is not None else files_for(chain_parts(lw.linked, T0.date(), form=cf)),
        applicant={"phone": "0987654321"},
        form=form,
        at=T0,
    )


def test_the_chain_has_the_birth_registration_form_and_its_declaration_is_not_uploaded(lwf):
    cf = chain_form(lwf.linked, T0.date())
    assert (cf.member.order, cf.definition.key) == (1, "khai-sinh")
    assert cf.declaration.name == DECLARATION
    parts = chain_parts(lwf.linked, T0.date(), form=cf)
    made = [p for p in parts if p.by_form]
    assert [(p.name, p.required, len(p.components)) for p in made] == [(DECLARATION, False, 2)]


def test_one_form_makes_the_member_dossier_as_a_single_submission(
    lwf, django_capture_on_commit_callbacks
):
    app = _submit(lwf, answers())
    # The data passed down the chain comes from the form's answers (one source).
    assert app.data == {
        "child_name": "Trần Minh An",
        "birth_date": "01/03/2026",
        "sex": "nam",
        "birth_place": "Bệnh viện Đa khoa tỉnh Bắc Ninh",
        "father_name": "Trần Văn Hùng",
        "mother_name": "Nguyễn Thị Lan",
        "address": "Thôn Đông",
    }
    first = LinkedDossier.objects.get(application=app, order=1).dossier
    form = DossierForm.objects.get(dossier=first)
    assert (form.definition.key, form.data["tre"]["ho_ten"]) == ("khai-sinh", "Trần Minh An")
    declaration = first.attachments.get(component__name=DECLARATION)
    assert declaration.original_name == "to-khai-khai-sinh.pdf"
    with declaration.file.open("rb") as fh:
        assert fh.read(5) == b"%PDF-"
    # The next member receives the form's answers and the declaration made from it.
    with django_capture_on_commit_callbacks(execute=True):
        settle(lwf, first, T0 + dt.timedelta(hours=1))
    second = LinkedDossier.objects.get(application=app, order=2)
    assert second.data == {"child_name": "Trần Minh An", "address": "Thôn Đông"}
    names = {
        a.component.name: a.original_name
        for a in second.dossier.attachments.filter(kind=AttachmentKind.SUBMITTED)
    }
    assert names[DECLARATION] == "to-khai-khai-sinh.pdf"
    assert not DossierForm.objects.filter(dossier=second.dossier).exists()


def test_every_error_of_the_form_at_once_and_nothing_kept(lwf):
    bad = answers()
    bad["tre"]["ho_ten"] = ""
    bad["tre"]["ngay_sinh"] = "31/02/2026"
    with pytest.raises(ValidationFailed) as caught:
        _submit(lwf, bad, data={})
    fields = {e.field for e in errors_from(caught.value)}
    assert {"form.tre.ho_ten", "form.tre.ngay_sinh", "data.address"} <= fields
    # The keys the form answers are not asked twice.
    assert "data.child_name" not in fields and "data.birth_date" not in fields
    assert LinkedApplication.objects.count() == 0


def test_the_forms_rules_decide_the_members_components(lwf):
    ruled = answers()
    ruled["tre"]["noi_sinh"]["loai"] = "ngoai_co_so_y_te"
    cf = chain_form(lwf.linked, T0.date())
    without = files_for(chain_parts(lwf.linked, T0.date(), form=cf))
    with pytest.raises(ValidationFailed) as caught:
        _submit(lwf, ruled, files=without)
    (missing,) = [e for e in errors_from(caught.value) if e.code == "components_missing"]
    assert BIRTH_NOTICE in missing.message


def test_the_page_renders_the_form_prefilled_and_files_with_it(client, lwf):
    otp_login(client, lwf.w.citizen)
    html = client.get("/thu-tuc/2.000986/lien-thong/").content.decode()
    assert 'name="f.tre.ho_ten"' in html and 'name="f.me.noi_cu_tru.chi_tiet"' in html
    # The keys the form answers are not asked again; the others are.
    assert re.findall(r'name="data_([a-z_]+)"', html) == ["address"]
    cf = chain_form(lwf.linked, T0.date())
    made = next(p for p in chain_parts(lwf.linked, T0.date(), form=cf) if p.by_form)
    assert f'id="id_part_{made.key}"' not in html
    assert "lập từ tờ khai điện tử ở trên, không cần tải lên" in html


def test_the_page_shows_every_error_of_the_form_at_once(client, lwf):
    otp_login(client, lwf.w.citizen)
    r = client.post(
        "/thu-tuc/2.000986/lien-thong/",
        {
            "receiving_agency": str(lwf.w.a.center.pk),
            "applicant_phone": "0987654321",
            "f.tre.ho_ten": "Trần Minh An",
            "f.tre.ngay_sinh": "31/02/2026",
        },
    )
    assert r.status_code == 422
    html = r.content.decode()
    assert "Tờ khai còn lỗi cần sửa" in html
    assert 'value="Trần Minh An"' in html  # what was typed is kept
    summary = html[
        html.index("eform-error-title") : html.index("</ul>", html.index("eform-error-title"))
    ]
    assert summary.count("<li>") >= 3
    assert "Hồ sơ chưa được nộp" in html  # the chain's own errors too (the address)
    assert LinkedApplication.objects.count() == 0


def test_the_api_takes_the_forms_answers(lwf):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.test import Client

    from motcua.api.auth import token_create
    from motcua.dossiers.tests.factories import PDF

    cf = chain_form(lwf.linked, T0.date())
    body = {
        "procedure": "2.000986",
        "receiving_agency": lwf.w.a.center.code,
        "data": json.dumps({"address": "Thôn Đông"}, ensure_ascii=False),
        "form": json.dumps(answers(), ensure_ascii=False),
        **{
            f"part_{p.key}": SimpleUploadedFile(f"{p.key}.pdf", PDF)
            for p in chain_parts(lwf.linked, dt.date.today(), form=cf)
            if p.required
        },
    }
    headers = {"Authorization": f"Bearer {token_create(user=lwf.w.citizen)[1]}"}
    r = Client().post("/api/linked/applications", body, headers=headers)
    assert r.status_code == 201, r.content
    first = LinkedDossier.objects.get(application_id=r.json()["id"], order=1).dossier
    assert DossierForm.objects.get(dossier=first).data["tre"]["ho_ten"] == "Trần Minh An"
    body["form"] = "[]"
    r = Client().post("/api/linked/applications", body, headers=headers)
    assert (r.status_code, r.json()["error"]["code"]) == (422, "invalid_form")
