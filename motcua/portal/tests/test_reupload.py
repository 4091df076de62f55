"""Issue 10: a re-upload the portal refuses keeps the good file the draft already holds (a
component's file, the authorisation's scan); a good re-upload replaces it."""

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile

from motcua.dossiers.models import AttachmentKind, Dossier
from motcua.dossiers.tests.factories import PDF, PNG
from motcua.org.tests.otp import otp_login

pytestmark = pytest.mark.django_db

FORM = "/thu-tuc/1.001193/nop/"
REVIEW = "/thu-tuc/1.001193/nop/kiem-tra/"


def _draft(client, w) -> dict:
    return client.session[f"portal_draft:{w.procedure.code}"]


def _first_post(client, w, **extra):
    c1, c2 = w.components
    otp_login(client, w.citizen)
    r = client.post(
        FORM,
        {
            "receiving_agency": w.a.center.pk,
            f"component_{c1.pk}": SimpleUploadedFile("to-khai.pdf", PDF),
            f"component_{c2.pk}": SimpleUploadedFile("chung-sinh.png", PNG),
            **extra,
        },
    )
    assert r.status_code == 302
    return _draft(client, w)


@pytest.mark.parametrize(
    "name, content, code",
    [
        ("hoso.html", PDF, "file_extension_mismatch"),
        ("to-khai.pdf", b"plain text", "file_type_not_allowed"),
        ("to-khai.pdf", b"", "empty_file"),
    ],
)
def test_a_refused_reupload_keeps_the_good_file(client, world, name, content, code):
    w = world
    c1, _c2 = w.components
    before = _first_post(client, w)
    kept = next(e for e in before["files"] if e["component"] == c1.pk)
    r = client.post(
        FORM,
        {
            "receiving_agency": w.a.center.pk,
            f"component_{c1.pk}": SimpleUploadedFile(name, content),
        },
    )
    assert r.status_code == 400
    assert [e.code for e in r.context["component_errors"][c1.pk]] == [code]
    assert _draft(client, w)["files"] == before["files"]
    assert default_storage.open(kept["path"]).read() == PDF
    # The review sends what was kept.
    client.post(REVIEW, {"draft": before["id"]})
    d = Dossier.objects.get()
    assert sorted(a.original_name for a in d.attachments.all()) == ["chung-sinh.png", "to-khai.pdf"]


def test_a_good_reupload_replaces_the_kept_file(client, world):
    w = world
    c1, _c2 = w.components
    before = _first_post(client, w)
    old = next(e for e in before["files"] if e["component"] == c1.pk)
    r = client.post(
        FORM,
        {
            "receiving_agency": w.a.center.pk,
            f"component_{c1.pk}": SimpleUploadedFile("to-khai-moi.pdf", PDF + b"%moi"),
        },
    )
    assert r.status_code == 302
    names = sorted(e["name"] for e in _draft(client, w)["files"])
    assert names == ["chung-sinh.png", "to-khai-moi.pdf"]
    assert not default_storage.exists(old["path"])


def test_one_refused_file_among_a_components_new_files_keeps_the_old_one(client, world):
    w = world
    c1, _c2 = w.components
    before = _first_post(client, w)
    r = client.post(
        FORM,
        {
            "receiving_agency": w.a.center.pk,
            f"component_{c1.pk}": [
                SimpleUploadedFile("trang-1.pdf", PDF),
                SimpleUploadedFile("setup.exe", PDF),
            ],
        },
    )
    assert r.status_code == 400
    assert _draft(client, w)["files"] == before["files"]


def test_a_refused_authorisation_scan_keeps_the_good_one(client, world):
    w = world
    principal = {
        "represent": "1",
        "principal_name": "Trần Thị Bình",
        "principal_id_number": "027190000001",
    }
    before = _first_post(
        client, w, authorization=SimpleUploadedFile("uy-quyen.pdf", PDF), **principal
    )
    r = client.post(
        FORM,
        {
            "receiving_agency": w.a.center.pk,
            "authorization": SimpleUploadedFile("uy-quyen.html", PDF),
            **principal,
        },
    )
    assert r.status_code == 400
    assert r.context["errors"]["authorization"].code == "file_extension_mismatch"
    assert _draft(client, w)["authorization"] == before["authorization"]
    assert default_storage.open(before["authorization"]["path"]).read() == PDF
    client.post(REVIEW, {"draft": before["id"]})
    d = Dossier.objects.get()
    assert d.attachments.get(kind=AttachmentKind.AUTHORIZATION).original_name == "uy-quyen.pdf"
