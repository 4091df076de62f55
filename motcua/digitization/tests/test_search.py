"""Issue 12: the officer's search finds a dossier by words of its digitized components' OCR
text, accents and case ignored (Attachment.text_key, core.text.fold), on the shipped scanned
sample's real OCR output; on PostgreSQL and on SQLite alike (the same substring test)."""

import datetime as dt

import pytest

from motcua.digitization import services as ds
from motcua.dossiers import selectors
from motcua.dossiers.models import Attachment
from motcua.org.tests.otp import otp_login

from .conftest import T0, intake, sample_upload

pytestmark = [pytest.mark.ocr, pytest.mark.django_db]


def _digitized(w, ocr_output):
    d = intake(w, T0)
    scan = ds.scan_request(
        dossier_id=d.pk,
        component_id=w.components[0].pk,
        files=[sample_upload()],
        actor=w.a.staff["c:counter"],
        at=T0 + dt.timedelta(hours=1),
    )
    ds.scan_start(scan_id=scan.pk)
    ds.scan_finish(scan_id=scan.pk, output=ocr_output, at=T0 + dt.timedelta(hours=1))
    return d


def test_the_inbox_finds_a_dossier_by_words_of_its_ocr_text(client, world, ocr_output):
    w = world
    found = _digitized(w, ocr_output)
    other = intake(w, T0)  # the same procedure and agency, nothing scanned
    counter = w.a.staff["c:counter"]
    assert "Nguyễn Thị Hương" in ocr_output.text  # the sample's words (the engine's test)
    att = Attachment.objects.get(dossier=found, digitized=True)
    assert "nguyen thi huong" in att.text_key and "Nguyễn" not in att.text_key

    def hits(q):
        return [d.pk for d in selectors.inbox(user=counter, q=q)]

    # The applicant is "Trần Thị Bưu": these words are only in the scanned paper.
    for q in ("Nguyễn Thị Hương", "nguyen thi huong", "NGUYEN THI HUONG", "Quốc tịch", "hanh phuc"):
        assert hits(q) == [found.pk], q
    assert sorted(hits("Tran Thi Buu")) == sorted([found.pk, other.pk])
    assert hits("Lê Văn Tám") == []
    # Another agency's officer does not find it by its text either.
    assert [d.pk for d in selectors.inbox(user=w.b.staff["c:counter"], q="huong")] == []
    # The page: the same selector.
    otp_login(client, counter)
    page = client.get("/can-bo/", {"q": "nguyễn thị hương"}).content.decode()
    assert found.code in page and other.code not in page
