"""Issue 10: every file is scanned by ClamAV before it is kept. A real clamd (its own
process, loading only the shipped test signature database) scans the EICAR test file
plain, behind a `%PDF` header and deflated inside a DOCX: each is refused with the
signature's name in the error's data and nothing is stored; a clean file is kept and marked
scanned with clamd's version; a scanner that does not answer refuses the upload (fail
closed). Through the service, the API's multipart submission and the portal's form."""

from __future__ import annotations

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile, TemporaryUploadedFile
from django.test import Client

from motcua.core.errors import DomainError, ValidationFailed
from motcua.dossiers import scanner
from motcua.dossiers import services as s
from motcua.dossiers.attachments import check_file
from motcua.dossiers.models import Attachment, Dossier
from motcua.dossiers.tests.factories import PDF

from .clamd import EICAR, docx, eicar_docx, eicar_pdf, free_port, running_clamd
from .conftest import T0

SIGNATURE = "Motcua.Test.EICAR.UNOFFICIAL"  # the shipped database's, as clamd names it


@pytest.fixture(scope="session")
def clamd_address():
    with running_clamd() as address:
        yield address


@pytest.fixture
def clamd(settings, clamd_address):
    settings.MOTCUA_CLAMD = clamd_address
    settings.MOTCUA_CLAMD_TIMEOUT = 30
    return clamd_address


def refused(name: str, content: bytes, field: str = "files.1") -> DomainError:
    with pytest.raises(DomainError) as caught:
        check_file((name, content), field=field)
    return caught.value


# ---------------------------------------------------------------------------- the check


@pytest.mark.parametrize(
    "name, content",
    [
        ("to-khai.pdf", eicar_pdf()),  # EICAR after a %PDF-1.7 header
        ("don.docx", eicar_docx()),  # EICAR deflated inside a DOCX
    ],
)
def test_eicar_in_a_pdf_or_a_docx_is_refused_naming_the_file(clamd, name, content):
    e = refused(name, content, field="files.7")
    assert isinstance(e, ValidationFailed)
    assert (e.code, e.status, e.field) == ("malware_found", 422, "files.7")
    assert e.message == (
        f"Tệp '{name}' chứa mã độc nên không được tiếp nhận. Vui lòng kiểm tra máy tính "
        "của bạn bằng phần mềm diệt virus và nộp một tệp khác."
    )
    assert "EICAR" not in e.message and "EICAR" not in e.message_en  # no jargon
    assert e.data["signature"] == SIGNATURE
    assert e.data["name"] == name
    assert e.data["engine"].startswith("ClamAV ")


def test_plain_eicar_is_found_by_clamd(clamd):
    # A plain EICAR file is no allowed type, so check_file refuses it by type first; the
    # scanner itself finds it in a file of any type.
    assert refused("eicar.pdf", EICAR).code == "file_type_not_allowed"
    with pytest.raises(ValidationFailed) as caught:
        scanner.scan(SimpleUploadedFile("eicar.com", EICAR), name="eicar.com", field="f")
    assert (caught.value.code, caught.value.data["signature"]) == ("malware_found", SIGNATURE)


def test_the_detection_is_the_shipped_databases_and_a_clean_file_passes(clamd):
    # clamd knows nothing but the shipped signature: EICAR's string cut short is clean.
    for name, content in [("a.pdf", PDF), ("b.docx", docx()), ("c.pdf", eicar_pdf()[:-60])]:
        checked = check_file((name, content), field="files.1")
        assert checked.scan is not None
        assert checked.scan.engine.startswith("ClamAV ")


def test_a_large_file_is_streamed_in_chunks_from_its_temporary_file(clamd):
    # 3 MiB: past FILE_UPLOAD_MAX_MEMORY_SIZE, Django keeps it on disk; EICAR at its end.
    upload = TemporaryUploadedFile("lon.pdf", "application/pdf", 0, None)
    upload.write(b"%PDF-1.7\n" + b"0" * (3 * 1024 * 1024))
    upload.write(EICAR)
    upload.size = upload.tell()
    try:
        with pytest.raises(ValidationFailed) as caught:
            check_file(upload, field="files.1")
        assert caught.value.code == "malware_found"
    finally:
        upload.close()


def test_no_scanner_configured_keeps_the_file_unscanned(settings):
    settings.MOTCUA_CLAMD = ""
    assert check_file(("a.pdf", PDF), field="files.1").scan is None


def unavailable(name: str, content: bytes) -> DomainError:
    e = refused(name, content)
    assert (e.code, e.status, e.field) == ("scanner_unavailable", 503, "files.1")
    assert e.message == (
        f"Hệ thống quét mã độc tạm thời không hoạt động nên tệp '{name}' chưa được tiếp "
        "nhận. Vui lòng thử lại sau ít phút."
    )
    return e


def test_a_scanner_that_does_not_answer_refuses_the_file(settings, caplog):
    settings.MOTCUA_CLAMD = f"tcp://127.0.0.1:{free_port()}"  # nothing listens there
    unavailable("a.pdf", PDF)
    assert any("did not scan 'a.pdf'" in r.getMessage() for r in caplog.records)


def test_a_file_over_clamds_stream_limit_is_refused_not_kept_unscanned(settings):
    # clamd stops reading past StreamMaxLength: the file is refused, never kept unscanned.
    with running_clamd(stream_max_length="1M") as address:
        settings.MOTCUA_CLAMD = address
        assert check_file(("a.pdf", PDF), field="files.1").scan is not None
        unavailable("lon.pdf", b"%PDF-1.7\n" + b"0" * (2 * 1024 * 1024))


def test_a_misconfigured_address_is_named():
    from django.core.exceptions import ImproperlyConfigured

    with pytest.raises(ImproperlyConfigured, match="tcp://HOST:PORT"):
        scanner.client("127.0.0.1:3310")
    assert scanner.client("unix:///run/clamav/clamd.ctl").unix_socket == "/run/clamav/clamd.ctl"


# ---------------------------------------------------------------------------- the service


def _submit(w, name: str, content: bytes) -> Dossier:
    return s.dossier_submit(
        actor=w.citizen,
        procedure=w.procedure,
        receiving_agency=w.a.center,
        files={w.components[0].pk: [(name, content)]},
        at=T0,
    )


def _nothing_stored() -> None:
    assert Dossier.objects.count() == 0 and Attachment.objects.count() == 0
    assert not default_storage.exists("dossiers") or default_storage.listdir("dossiers") == (
        [],
        [],
    )


def test_a_clean_file_is_kept_marked_scanned_by_clamd(world, clamd):
    att = _submit(world, "to-khai.pdf", PDF).attachments.get()
    assert att.scanned_at is not None
    assert att.scan_engine.startswith("ClamAV ")
    att = _submit(world, "don.docx", docx()).attachments.get()
    assert att.scanned_at is not None


def test_an_infected_submission_stores_nothing(world, clamd):
    with pytest.raises(ValidationFailed) as caught:
        _submit(world, "don.docx", eicar_docx())
    assert caught.value.code == "malware_found"
    _nothing_stored()


def test_a_silent_scanner_stores_nothing(world, settings):
    settings.MOTCUA_CLAMD = f"tcp://127.0.0.1:{free_port()}"
    with pytest.raises(DomainError) as caught:
        _submit(world, "to-khai.pdf", PDF)
    assert caught.value.code == "scanner_unavailable"
    _nothing_stored()


def test_without_a_scanner_the_file_is_kept_unscanned(world, settings):
    settings.MOTCUA_CLAMD = ""
    att = _submit(world, "to-khai.pdf", PDF).attachments.get()
    assert (att.scanned_at, att.scan_engine) == (None, "")


# ---------------------------------------------------------------------------- the API


def _api_submit(w, upload: SimpleUploadedFile):
    from motcua.api.auth import token_create

    token = token_create(user=w.citizen)[1]
    return Client().post(
        "/api/dossiers",
        {
            "procedure": w.procedure.code,
            "receiving_agency": w.a.center.code,
            f"component_{w.components[0].pk}": upload,
        },
        headers={"Authorization": f"Bearer {token}"},
    )


def test_the_api_refuses_eicar_behind_a_pdf_header(world, clamd):
    r = _api_submit(world, SimpleUploadedFile("to-khai.pdf", eicar_pdf()))
    assert r.status_code == 422, r.content
    error = r.json()["error"]
    assert error["code"] == "malware_found"
    assert error["field"] == f"files.{world.components[0].pk}"
    assert error["data"]["signature"] == SIGNATURE
    assert error["message"].startswith("Tệp 'to-khai.pdf' chứa mã độc")
    _nothing_stored()
    r = _api_submit(world, SimpleUploadedFile("to-khai.pdf", PDF))
    assert r.status_code == 201, r.content
    assert Attachment.objects.get().scanned_at is not None


def test_the_api_answers_503_when_the_scanner_is_down(world, settings):
    settings.MOTCUA_CLAMD = f"tcp://127.0.0.1:{free_port()}"
    r = _api_submit(world, SimpleUploadedFile("to-khai.pdf", PDF))
    assert r.status_code == 503, r.content
    assert r.json()["error"]["code"] == "scanner_unavailable"
    _nothing_stored()


# ---------------------------------------------------------------------------- the portal


def test_the_portal_refuses_an_infected_docx_and_keeps_nothing(world, clamd):
    w = world
    c1, c2 = w.components
    client = Client()
    client.force_login(w.citizen)
    form = f"/thu-tuc/{w.procedure.code}/nop/"
    r = client.post(
        form,
        {
            "receiving_agency": w.a.center.pk,
            f"component_{c1.pk}": SimpleUploadedFile("don.docx", eicar_docx()),
            f"component_{c2.pk}": SimpleUploadedFile("to-khai.pdf", PDF),
        },
    )
    assert r.status_code == 400
    assert [e.code for e in r.context["component_errors"][c1.pk]] == ["malware_found"]
    assert "Tệp &#x27;don.docx&#x27; chứa mã độc nên không được tiếp nhận." in r.text
    draft = client.session[f"portal_draft:{w.procedure.code}"]
    assert [e["name"] for e in draft["files"]] == ["to-khai.pdf"]  # the clean one only
    assert Dossier.objects.count() == 0


# ---------------------------------------------------------------------------- deployment


def test_check_deploy_warns_when_no_scanner_is_configured(tmp_path):
    from motcua.core.tests.test_deploy_check import readme_production_env, run_check

    env = readme_production_env()
    assert env["MOTCUA_CLAMD"] == "unix:///run/clamav/clamd.ctl"  # README's production line
    del env["MOTCUA_CLAMD"]
    done = run_check(env, tmp_path)
    assert done.returncode == 1
    assert "motcua.W010" in done.stderr and "MOTCUA_CLAMD chưa đặt" in done.stderr
    done = run_check({**env, "MOTCUA_CLAMD": "127.0.0.1:3310"}, tmp_path)
    assert "motcua.E010" in done.stderr and "tcp://HOST:PORT" in done.stderr
