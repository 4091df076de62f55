"""Issue 10, what people upload: office files that inflate too much, names that lie about the
content, how stored files are served, and the volumes an applicant may hand in. Every file
is a real one built here (a real zip, real PDF bytes)."""

from __future__ import annotations

import datetime as dt
import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, override_settings

from motcua.api.auth import token_create
from motcua.core.errors import ValidationFailed
from motcua.dossiers import services as s
from motcua.dossiers.attachments import check_file, served_name
from motcua.dossiers.enums import Status
from motcua.dossiers.models import Attachment, Dossier
from motcua.org.tests.otp import otp_login

from .conftest import T0, advance
from .factories import PDF, PNG

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
MiB = 1024 * 1024


def docx(zeros: int = 0, text: bytes = b"<w:document>Xin ch\xc3\xa0o</w:document>") -> bytes:
    """A real DOCX (the parts a sniffer and Word look for first), with `zeros` bytes of
    zeros in one more part, streamed into the archive: 200 MiB deflate to about 200 KB and
    the test never holds them in memory."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", b'<?xml version="1.0"?><Types/>')
        z.writestr("word/document.xml", text)
        if zeros:
            chunk = bytes(MiB)
            with z.open("word/media/blob.bin", "w", force_zip64=True) as part:
                for start in range(0, zeros, MiB):
                    part.write(chunk[: min(MiB, zeros - start)])
    return buf.getvalue()


@pytest.fixture(scope="module")
def bomb() -> bytes:
    return docx(zeros=200 * MiB)


def refused(name: str, content: bytes, field: str = "files.1") -> ValidationFailed:
    with pytest.raises(ValidationFailed) as caught:
        check_file((name, content), field=field)
    assert caught.value.field == field
    return caught.value


# ---------------------------------------------------------------------------- office files


def test_a_real_docx_is_accepted_under_its_name():
    f = check_file(("Đơn đề nghị.docx", docx()), field="files.1")
    assert (f.name, f.content_type) == ("Đơn đề nghị.docx", DOCX)


def test_a_docx_declaring_200_mib_inflated_is_refused_without_inflating_it(bomb):
    assert len(bomb) < 400 * 1024  # 200 MiB of zeros, deflated
    e = refused("bao-cao.docx", bomb, field="files.7")
    assert (e.code, e.status) == ("file_inflates_too_much", 422)
    assert e.data["inflated"] == 200 * MiB + 63  # the two small parts: 29 + 34 bytes
    assert e.message == (
        f"Tệp 'bao-cao.docx' khi giải nén quá lớn ({200 * MiB + 63} byte; tối đa 100 MB và "
        "100 lần dung lượng tệp)."
    )
    assert e.message_en.startswith("File 'bao-cao.docx' inflates too much (")


def test_a_docx_under_the_size_but_over_the_ratio_is_refused():
    small_bomb = docx(zeros=5 * MiB)  # 5 MiB inflated, about 1000 times the file
    assert refused("x.docx", small_bomb).code == "file_inflates_too_much"
    with override_settings(MOTCUA_MAX_UNZIP_RATIO=10_000):
        assert check_file(("x.docx", small_bomb), field="f").content_type == DOCX
    with override_settings(MOTCUA_MAX_UNZIPPED_BYTES=MiB, MOTCUA_MAX_UNZIP_RATIO=10_000):
        assert refused("x.docx", small_bomb).code == "file_inflates_too_much"


def test_an_office_file_whose_directory_is_broken_is_refused_as_corrupt():
    whole = docx()
    cut = whole[: len(whole) - 30]  # the central directory's end is gone
    e = refused("don.docx", cut)
    assert e.code in ("file_corrupt", "file_type_not_allowed")


# ---------------------------------------------------------------------------- names


@pytest.mark.parametrize("name", ["hoso.html", "setup.exe", "anh.png", "don.docx", "x.PDF.js"])
def test_pdf_bytes_under_another_types_name_are_refused_naming_both(name):
    e = refused(name, PDF)
    ext = name[name.rfind(".") :].lower()
    assert e.code == "file_extension_mismatch"
    assert e.message == (
        f"Tệp '{name}' có nội dung PDF nhưng phần mở rộng '{ext}' không khớp: đổi tên thành '.pdf'."
    )
    assert e.data == {"name": name, "extension": ext, "sniffed": "application/pdf"}


@pytest.mark.parametrize(
    "name, content, kept",
    [
        ("to-khai.pdf", PDF, "to-khai.pdf"),
        ("TO-KHAI.PDF", PDF, "TO-KHAI.pdf"),
        ("scan", PDF, "scan.pdf"),  # no extension: the type's is added
        ("../../etc/passwd.pdf", PDF, "passwd.pdf"),
        ('C:\\tmp\\a"b<c>.pdf', PDF, "abc.pdf"),
        ("ảnh.png", PNG, "ảnh.png"),
        ("a\u0309nh.png", PNG, "ảnh.png"),  # NFD in, NFC kept
        ("...", PDF, "tep.pdf"),
        ("bao-cao.", PDF, "bao-cao.pdf"),
    ],
)
def test_the_kept_name_is_safe_and_ends_in_the_sniffed_types_extension(name, content, kept):
    assert check_file((name, content), field="f").name == kept


def test_a_name_kept_before_the_check_is_served_with_the_types_extension():
    assert served_name("hoso.html", "application/pdf") == "hoso.pdf"
    assert served_name("setup.exe", "application/pdf") == "setup.pdf"
    assert served_name("to-khai.pdf", "application/pdf") == "to-khai.pdf"


# ---------------------------------------------------------------------------- serving


def _stored(w, name: str, content: bytes) -> tuple[Dossier, Attachment]:
    d = s.dossier_submit(
        actor=w.citizen,
        procedure=w.procedure,
        receiving_agency=w.a.center,
        files={w.components[0].pk: [(name, content)]},
        at=T0,
    )
    return d, d.attachments.get()


def _three_views(w, d: Dossier, att: Attachment) -> list:
    """The API's, the portal's and the back office's answer for one attachment."""
    citizen, officer = Client(), Client()
    otp_login(citizen, w.citizen)
    otp_login(officer, w.a.staff["c:counter"])
    token = token_create(user=w.citizen)[1]
    return [
        Client().get(
            f"/api/dossiers/{d.pk}/attachments/{att.pk}",
            headers={"Authorization": f"Bearer {token}"},
        ),
        citizen.get(f"/ho-so/{d.pk}/tep/{att.pk}/"),
        officer.get(f"/can-bo/ho-so/{d.pk}/tep/{att.pk}/"),
    ]


def test_a_docx_is_served_as_a_download_everywhere(world):
    body = docx()
    d, att = _stored(world, "Đơn.docx", body)
    for r in _three_views(world, d, att):
        assert r.status_code == 200
        assert r["Content-Disposition"].startswith("attachment; ")
        assert "filename*=utf-8''%C4%90%C6%A1n.docx" in r["Content-Disposition"]
        assert r["Content-Type"] == DOCX
        assert r["X-Content-Type-Options"] == "nosniff"
        assert "sandbox" in r["Content-Security-Policy"]
        assert b"".join(r.streaming_content) == body


def test_a_pdf_and_an_image_are_shown_inline_everywhere(world):
    d, att = _stored(world, "to-khai.pdf", PDF)
    for r in _three_views(world, d, att):
        assert r.status_code == 200
        assert r["Content-Disposition"] == 'inline; filename="to-khai.pdf"'
        assert r["X-Content-Type-Options"] == "nosniff"
        assert "Content-Security-Policy" not in r or "sandbox" not in r["Content-Security-Policy"]
    d, att = _stored(world, "anh.png", PNG)
    for r in _three_views(world, d, att):
        assert r["Content-Disposition"] == 'inline; filename="anh.png"'
        assert "sandbox" in r["Content-Security-Policy"]


def test_a_pdf_kept_as_html_before_the_check_is_served_as_a_pdf(world):
    d, att = _stored(world, "to-khai.pdf", PDF)
    Attachment.objects.filter(pk=att.pk).update(original_name="hoso.html")
    for r in _three_views(world, d, att):
        assert r["Content-Disposition"] == 'inline; filename="hoso.pdf"'
        assert r["Content-Type"] == "application/pdf"


# ---------------------------------------------------------------------------- volumes


def _files(w, *sizes: int) -> dict[int, list[tuple[str, bytes]]]:
    pdfs = [(f"t{i}.pdf", PDF + b"0" * (n - len(PDF))) for i, n in enumerate(sizes)]
    return {w.components[0].pk: pdfs}


def _submit(w, files, at=T0, user=None) -> Dossier:
    return s.dossier_submit(
        actor=user or w.citizen,
        procedure=w.procedure,
        receiving_agency=w.a.center,
        files=files,
        at=at,
    )


@override_settings(MOTCUA_MAX_REQUEST_BYTES=3000)
def test_the_files_of_one_request_over_the_limit_are_refused_and_nothing_is_kept(world):
    with pytest.raises(ValidationFailed) as caught:
        _submit(world, _files(world, 1000, 1000, 1001))
    e = caught.value
    assert (e.code, e.field, e.data) == (
        "request_too_large",
        "files",
        {"bytes": 3001, "limit": 3000},
    )
    assert e.message.startswith("Tổng dung lượng các tệp gửi một lần (")
    assert Dossier.objects.count() == 0 and Attachment.objects.count() == 0
    assert _submit(world, _files(world, 1000, 1000, 1000)).attachments.count() == 3


@override_settings(MOTCUA_MAX_DOSSIER_BYTES=3000)
def test_a_supplement_past_the_dossiers_volume_is_refused_and_nothing_changes(world):
    d = advance(world, Status.SUPPLEMENT_REQUESTED)
    held = sum(a.size for a in d.attachments.all())
    big = PNG + b"0" * (3001 - held - len(PNG))
    before = (d.status, d.version, d.attachments.count())
    with pytest.raises(ValidationFailed) as caught:
        s.dossier_supplement(
            dossier_id=d.pk,
            actor=world.citizen,
            files={world.components[1].pk: [("cs.png", big)]},
            at=T0 + dt.timedelta(hours=2),
        )
    assert (caught.value.code, caught.value.data["bytes"]) == ("dossier_too_large", 3001)
    d.refresh_from_db()
    assert (d.status, d.version, d.attachments.count()) == before
    d = s.dossier_supplement(
        dossier_id=d.pk,
        actor=world.citizen,
        files={world.components[1].pk: [("cs.png", big[:-1])]},
        at=T0 + dt.timedelta(hours=2),
    )
    assert d.status == Status.PROCESSING


@override_settings(MOTCUA_MAX_APPLICANT_DAY_BYTES=5000)
def test_an_accounts_files_past_the_daily_volume_are_refused_until_the_next_day(world):
    _submit(world, _files(world, 3000))
    with pytest.raises(ValidationFailed) as caught:
        _submit(world, _files(world, 2001), at=T0 + dt.timedelta(hours=5))
    e = caught.value
    assert (e.code, e.data) == ("daily_upload_limit", {"bytes": 5001, "limit": 5000})
    assert e.message.startswith("Tài khoản đã gửi 0.00286102 MB tệp hôm nay;")
    assert Dossier.objects.count() == 1
    # Another account is not held back, nor the same one after midnight in Vietnam.
    _submit(world, _files(world, 3000), user=world.citizen2)
    next_day = T0.replace(hour=0) + dt.timedelta(days=1)  # 00:00 in Vietnam
    assert _submit(world, _files(world, 2001), at=next_day).attachments.count() == 1


@override_settings(MOTCUA_MAX_APPLICANT_DAY_BYTES=10)
def test_files_scanned_at_the_counter_do_not_count_against_an_account(world):
    d = s.dossier_intake(
        actor=world.a.staff["c:counter"],
        procedure=world.procedure,
        receiving_agency=world.a.center,
        applicant={"name": "Trần Thị Bưu", "id_number": "027190000001"},
        files={world.components[0].pk: [("scan.pdf", PDF)]},
        at=T0,
    )
    assert d.attachments.count() == 1


def test_a_request_far_over_the_limit_is_refused_from_the_declared_sizes_before_reading():
    """The uploads are not read: a file whose read() fails shows it."""

    class Unread(SimpleUploadedFile):
        def read(self, *a, **k):  # pragma: no cover - reaching it fails the test
            raise AssertionError("read before the volume was checked")

    from motcua.dossiers.services._files import _check_files

    uploads = [Unread(f"{i}.pdf", b"x") for i in range(12)]
    for u in uploads:
        u.size = 9 * MiB
    with pytest.raises(ValidationFailed) as caught:
        _check_files({1: uploads}, version=None)  # type: ignore[arg-type]
    assert caught.value.code == "request_too_large"
    assert caught.value.data == {"bytes": 12 * 9 * MiB, "limit": 30 * MiB}


def test_a_file_past_the_memory_threshold_is_stored_whole_from_its_temporary_file(world):
    """Past FILE_UPLOAD_MAX_MEMORY_SIZE the upload is a temporary file on disk; it is checked
    and stored from there in chunks, never read whole: the stored bytes and hash are its."""
    import hashlib

    big = PDF + bytes(3 * MiB)
    token = token_create(user=world.citizen)[1]
    r = Client().post(
        "/api/dossiers",
        {
            "procedure": world.procedure.code,
            "receiving_agency": world.a.center.code,
            f"component_{world.components[0].pk}": SimpleUploadedFile("lon.pdf", big),
        },
        headers={"Authorization": f"Bearer {token}"},
    )
    assert r.status_code == 201, r.content
    att = Attachment.objects.get()
    assert (att.original_name, att.size) == ("lon.pdf", len(big))
    assert att.sha256 == hashlib.sha256(big).hexdigest()
    with att.file.open("rb") as fh:
        assert fh.read() == big
