"""upload_rejected in the security log: every file `check_file` refuses and every volume
limit, through the real API, with the error's code, field and data, the file's name and
size; the file's content never."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from motcua.core.errors import ValidationFailed
from motcua.dossiers import attachments
from motcua.dossiers.enums import Status
from motcua.dossiers.tests.factories import PDF

from .conftest import advance

pytestmark = pytest.mark.django_db


def test_a_file_of_a_refused_type(security_lines, world, api):
    d = advance(world, Status.SUPPLEMENT_REQUESTED)
    c2 = world.components[1].pk
    body = b"MZ\x90\x00 chuong trinh bi mat"
    r = api.multipart(
        f"/{d.pk}/supplement",
        world.citizen,
        {f"component_{c2}": SimpleUploadedFile("giấy tờ.exe", body), "expected_version": d.version},
    )
    assert r.status_code == 422, r.json()
    assert r.json()["error"]["code"] == "file_type_not_allowed"
    (line,) = security_lines("upload_rejected")
    assert line["code"] == "file_type_not_allowed"
    assert line["field"] == f"files.{c2}"
    assert (line["name"], line["size"]) == ("giấy tờ.exe", len(body))
    assert line["check"] == "check_file"
    assert line["user"] == world.citizen.username
    assert line["path"] == f"/api/dossiers/{d.pk}/supplement"
    assert "chuong trinh" not in str(security_lines.all())


def test_the_request_volume_limit(security_lines, world, api, settings):
    d = advance(world, Status.SUPPLEMENT_REQUESTED)
    settings.MOTCUA_MAX_REQUEST_BYTES = len(PDF) + 1
    c2 = world.components[1].pk
    r = api.multipart(
        f"/{d.pk}/supplement",
        world.citizen,
        {
            f"component_{c2}": [SimpleUploadedFile("a.pdf", PDF), SimpleUploadedFile("b.pdf", PDF)],
            "expected_version": d.version,
        },
    )
    assert r.status_code == 422, r.json()
    (line,) = security_lines("upload_rejected")
    assert line["code"] == "request_too_large"
    assert line["data"] == {"bytes": 2 * len(PDF), "limit": len(PDF) + 1}
    assert line["field"] == "files"


def test_the_dossier_volume_limit(security_lines, world, api, settings):
    d = advance(world, Status.SUPPLEMENT_REQUESTED)
    settings.MOTCUA_MAX_DOSSIER_BYTES = d.attachments.first().size + 1
    c2 = world.components[1].pk
    r = api.multipart(
        f"/{d.pk}/supplement",
        world.citizen,
        {f"component_{c2}": SimpleUploadedFile("a.pdf", PDF), "expected_version": d.version},
    )
    assert r.status_code == 422, r.json()
    (line,) = security_lines("upload_rejected")
    assert (line["code"], line["check"], line["dossier_id"]) == (
        "dossier_too_large",
        "_check_volume",
        d.pk,
    )


def test_a_refusal_seen_by_two_nested_checks_is_written_once(security_lines, world, settings):
    from django.utils import timezone

    from motcua.dossiers.services._files import _check_volume

    d = advance(world, Status.SUPPLEMENT_REQUESTED)
    settings.MOTCUA_MAX_REQUEST_BYTES = 1
    checked = attachments.check_file(("a.pdf", PDF), field="files.1")
    with pytest.raises(ValidationFailed):
        _check_volume(
            dossier=d, files=[checked], uploader=world.citizen, at=timezone.now(), new_dossier=False
        )
    (line,) = security_lines("upload_rejected")
    assert (line["code"], line["check"]) == ("request_too_large", "_check_request_volume")


def test_any_refusal_raised_inside_check_file_is_logged(security_lines, monkeypatch):
    """A scanner added to check_file (issue 10, ClamAV) refuses with its own code and data:
    the same line is written, whatever raised it inside check_file."""

    def infected(*_a, **_kw):
        raise ValidationFailed(
            "malware_found",
            "Tệp chứa mã độc.",
            "The file contains malware.",
            field="files.1",
            data={"signature": "Eicar-Test-Signature"},
        )

    monkeypatch.setattr(attachments, "_safe_name", infected)
    with pytest.raises(ValidationFailed):
        attachments.check_file(("eicar.pdf", PDF), field="files.1")
    (line,) = security_lines("upload_rejected")
    assert (line["code"], line["data"], line["name"], line["size"]) == (
        "malware_found",
        {"signature": "Eicar-Test-Signature"},
        "eicar.pdf",
        len(PDF),
    )
