"""Issue 12: who sees which store. A citizen or business sees and changes only their own;
staff have no store and cannot browse anyone's (they see files only through the dossiers
they may see); results and digitized components cannot be deleted by the citizen."""

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from motcua.core.errors import DomainError
from motcua.dossiers.tests.factories import PDF, PNG
from motcua.org.tests.otp import otp_login
from motcua.store import services
from motcua.store.models import StoreAction, StoreDocument, StoreEvent

from .conftest import returned_with_result

pytestmark = pytest.mark.django_db


@pytest.fixture
def held(world):
    """The citizen's store: a result and an own upload."""
    w = world
    _d, result = returned_with_result(w)
    doc = services.store_upload(
        actor=w.citizen, upload=("cccd.png", PNG), doc_type="Căn cước", issuer="Bộ Công an"
    )
    return w, f"kq-{result.pk}", f"tl-{doc.pk}", doc


def _who(w, name):
    return {
        "citizen": w.citizen,
        "citizen2": w.citizen2,
        "business": w.business,
        "counter": w.a.staff["c:counter"],
        "leader": w.a.staff["s:leader"],
        "other_counter": w.b.staff["c:counter"],
        "admin": w.admin,
    }[name]


# (who, the store page, the citizen's result, the citizen's upload, delete the upload)
MATRIX = [
    ("citizen", 200, 200, 200, 302),
    ("citizen2", 200, 404, 404, 404),
    ("business", 200, 404, 404, 404),
    ("counter", 403, 404, 404, 403),
    ("leader", 403, 404, 404, 403),
    ("other_counter", 403, 404, 404, 403),
    ("admin", 403, 404, 404, 403),
]


@pytest.mark.parametrize("who, page, result, upload, delete", MATRIX)
def test_access_matrix(client, held, who, page, result, upload, delete):
    w, result_key, upload_key, doc = held
    otp_login(client, _who(w, who))
    r = client.get("/kho-du-lieu/")
    assert r.status_code == page
    if page == 200:
        listed = {i.key for i in r.context["items"]}
        assert listed == ({result_key, upload_key} if who == "citizen" else set())
    assert client.get(f"/kho-du-lieu/tep/{result_key}/").status_code == result
    assert client.get(f"/kho-du-lieu/tep/{upload_key}/").status_code == upload
    assert client.post(f"/kho-du-lieu/xoa/{doc.pk}/").status_code == delete
    assert StoreDocument.objects.filter(pk=doc.pk).exists() == (who != "citizen")


def test_anonymous_is_sent_to_log_in(client, held):
    _w, result_key, _u, _doc = held
    for url in ("/kho-du-lieu/", f"/kho-du-lieu/tep/{result_key}/"):
        r = client.get(url)
        assert r.status_code == 302 and r["Location"].startswith("/dang-nhap/")


def test_a_result_cannot_be_deleted_and_an_upload_is_gone_with_its_file(
    client, held, django_capture_on_commit_callbacks
):
    w, result_key, upload_key, doc = held
    otp_login(client, w.citizen)
    r = client.get("/kho-du-lieu/")
    assert {i.key: i.deletable for i in r.context["items"]} == {
        result_key: False,
        upload_key: True,
    }
    assert r.content.decode().count('action="/kho-du-lieu/xoa/') == 1  # the upload only
    # Deletion names StoreDocuments only; another account's is not found.
    with pytest.raises(DomainError) as exc:
        services.store_delete(actor=w.citizen2, document_id=doc.pk)
    assert exc.value.code == "not_found"
    path = doc.file.name
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(f"/kho-du-lieu/xoa/{doc.pk}/").status_code == 302
    assert not default_storage.exists(path)
    assert list(StoreEvent.objects.values_list("action", flat=True)) == [
        StoreAction.UPLOAD,
        StoreAction.DELETE,
    ]


def test_the_upload_form_checks_its_fields_and_file(client, world):
    w = world
    otp_login(client, w.citizen)
    r = client.post(
        "/kho-du-lieu/tai-len/",
        {
            "doc_type": "Giấy khai sinh",
            "valid_from": "01/02/2026",
            "valid_until": "01/01/2026",
            "file": SimpleUploadedFile("ks.pdf", PDF),
        },
    )
    assert r.status_code == 400 and set(r.context["errors"]) == {"valid_until"}
    r = client.post(
        "/kho-du-lieu/tai-len/",
        {"doc_type": "", "file": SimpleUploadedFile("ks.pdf", PDF)},
    )
    assert r.status_code == 400 and set(r.context["errors"]) == {"doc_type"}
    r = client.post(
        "/kho-du-lieu/tai-len/",
        {"doc_type": "Giấy khai sinh", "file": SimpleUploadedFile("ks.html", PDF)},
    )
    assert r.status_code == 400 and r.context["errors"]["file"].code == "file_extension_mismatch"
    assert not StoreDocument.objects.exists()
    r = client.post(
        "/kho-du-lieu/tai-len/",
        {
            "doc_type": "Giấy khai sinh",
            "issuer": "UBND xã A",
            "valid_from": "01/02/2026",
            "valid_until": "2036-02-01",
            "file": SimpleUploadedFile("ks.pdf", PDF),
        },
    )
    assert r.status_code == 302
    doc = StoreDocument.objects.get()
    assert (str(doc.valid_from), str(doc.valid_until), doc.issuer) == (
        "2026-02-01",
        "2036-02-01",
        "UBND xã A",
    )
    page = client.get("/kho-du-lieu/").content.decode()
    assert "01/02/2026 – 01/02/2036" in page


def test_the_store_page_reads_in_a_fixed_number_of_queries(
    client, held, django_assert_max_num_queries
):
    w, _r, _u, _doc = held
    otp_login(client, w.citizen)
    with CaptureQueriesContext(connection) as few:
        assert client.get("/kho-du-lieu/").status_code == 200
    for i in range(4):
        services.store_upload(actor=w.citizen, upload=(f"g{i}.png", PNG), doc_type=f"Loại {i}")
    with django_assert_max_num_queries(len(few.captured_queries)):
        r = client.get("/kho-du-lieu/")
    assert len(r.context["items"]) == 6
