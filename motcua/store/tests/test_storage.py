"""Issue 12, "Storage": files go through Django storages, on the filesystem or an
S3-compatible object store (a real one on loopback: moto's server); every stored file's
SHA-256 is checked when it is read back, and a changed byte is refused and logged."""

import pytest
from django.core.files.storage import default_storage

from motcua.api.tests.conftest import Caller
from motcua.core.errors import DomainError
from motcua.core.storage import StorageUrlError, default_storage_from_url
from motcua.dossiers import services as s
from motcua.dossiers.tests.factories import PDF
from motcua.org.selectors import applicant_id
from motcua.org.tests.otp import otp_login
from motcua.store import selectors, services

from .conftest import returned_with_result

pytestmark = pytest.mark.django_db


def _submit(w):
    return s.dossier_submit(
        actor=w.citizen,
        procedure=w.procedure,
        receiving_agency=w.a.center,
        files={w.components[0].pk: [("to-khai.pdf", PDF)]},
    )


def test_the_storage_url_is_read():
    assert default_storage_from_url("")["BACKEND"].endswith("FileSystemStorage")
    conf = default_storage_from_url("s3://kho?endpoint=http://127.0.0.1:9000&region=hn&prefix=/a/")
    assert conf["BACKEND"] == "storages.backends.s3.S3Storage"
    assert {k: conf["OPTIONS"][k] for k in ("bucket_name", "endpoint_url", "location")} == {
        "bucket_name": "kho",
        "endpoint_url": "http://127.0.0.1:9000",
        "location": "a",
    }
    for bad in ("http://kho", "s3://", "s3://kho?secret=x"):
        with pytest.raises(StorageUrlError):
            default_storage_from_url(bad)


def test_s3_round_trip_and_a_changed_byte_is_refused(
    client, world, s3_storage, s3_client, security_lines
):
    w = world
    doc = services.store_upload(
        actor=w.citizen, upload=("khai-sinh.pdf", PDF), doc_type="Giấy khai sinh"
    )
    d = _submit(w)
    att = d.attachments.get()
    keys = {o["Key"] for o in s3_client.list_objects_v2(Bucket=s3_storage)["Contents"]}
    assert keys == {f"tep/{doc.file.name}", f"tep/{att.file.name}"}
    assert default_storage.__class__.__name__ == "S3Storage"

    otp_login(client, w.citizen)
    r = client.get(f"/kho-du-lieu/tep/tl-{doc.pk}/")
    assert r.status_code == 200 and b"".join(r.streaming_content) == PDF
    r = client.get(f"/ho-so/{d.pk}/tep/{att.pk}/")
    assert r.status_code == 200 and b"".join(r.streaming_content) == PDF

    # One byte changed in the object store, behind the application's back.
    changed = bytearray(PDF)
    changed[10] ^= 0x01
    s3_client.put_object(Bucket=s3_storage, Key=f"tep/{att.file.name}", Body=bytes(changed))
    r = client.get(f"/ho-so/{d.pk}/tep/{att.pk}/")
    assert r.status_code == 409
    assert "mã băm SHA-256 không khớp" in r.content.decode()
    (line,) = security_lines("stored_file_corrupt")
    assert (line["path"], line["expected"]) == (att.file.name, att.sha256)


def test_a_changed_byte_on_disk_is_refused_everywhere(client, world, security_lines):
    w = world
    d, result = returned_with_result(w)
    path = default_storage.path(result.file.name)
    with open(path, "r+b") as fh:
        fh.seek(3)
        fh.write(b"X")
    # The applicant's page, the store, the back office: each refuses it.
    otp_login(client, w.citizen)
    assert client.get(f"/ho-so/{d.pk}/tep/{result.pk}/").status_code == 409
    assert client.get(f"/kho-du-lieu/tep/kq-{result.pk}/").status_code == 409
    otp_login(client, w.a.staff["c:counter"])
    assert client.get(f"/can-bo/ho-so/{d.pk}/tep/{result.pk}/").status_code == 409
    # The API answers in its one JSON error shape.
    r = Caller().get(f"/{d.pk}/attachments/{result.pk}", w.citizen)
    assert r.status_code == 409 and r.json()["error"]["code"] == "stored_file_corrupt"
    assert len(security_lines("stored_file_corrupt")) == 4
    # Nor can it be reused: the submission refuses it, naming the component, and stores
    # nothing.
    owner = applicant_id(w.citizen)
    reused = selectors.resolve_reuse(owner, {w.birth.pk: [f"kq-{result.pk}"]}, [w.birth])
    with pytest.raises(DomainError) as exc:
        s.dossier_submit(
            actor=w.citizen,
            procedure=w.procedure,
            receiving_agency=w.a.center,
            files={w.components[0].pk: [("to-khai.pdf", PDF)]},
            reused=reused,
        )
    (err,) = getattr(exc.value, "errors", [exc.value])
    assert (err.code, err.field) == ("stored_file_corrupt", f"files.{w.birth.pk}")
    assert type(d).objects.count() == 1
