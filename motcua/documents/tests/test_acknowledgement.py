"""The online submission acknowledgement: given at submission (rendered on first download,
then stored), it names the code, the secret and what was sent, says who filed for whom, and
says that it is not the receipt."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from motcua.documents import services
from motcua.documents.enums import DocumentKind
from motcua.documents.models import DossierDocument
from motcua.dossiers import services as ds
from motcua.dossiers.tests.factories import PDF

from .conftest import T0
from .helpers import flat, pdf_text

pytestmark = pytest.mark.django_db


def test_acknowledgement_says_what_was_submitted_and_that_it_is_not_the_receipt(
    world, django_capture_on_commit_callbacks
):
    w = world
    with django_capture_on_commit_callbacks(execute=True):
        d = ds.dossier_submit(
            actor=w.citizen,
            procedure=w.procedure,
            receiving_agency=w.a.center,
            principal={"name": "Trần Thị Bình", "id_number": "027190000001"},
            authorization=SimpleUploadedFile("uy-quyen.pdf", PDF),
            files={w.components[0].pk: [("to-khai.pdf", PDF)]},
            at=T0,
        )
    # Not rendered after commit: submission stays lean; the first download renders it.
    assert not DossierDocument.objects.filter(dossier=d).exists()
    event = d.events.get(seq=1)
    doc = services.document_get_or_render(dossier=d, kind=DocumentKind.ACKNOWLEDGEMENT, event=event)
    with doc.file.open("rb") as fh:
        text = flat(pdf_text(fh.read()))
    assert "GIẤY XÁC NHẬN NỘP HỒ SƠ TRỰC TUYẾN" in text
    assert f"Mã hồ sơ: {d.code}" in text
    assert f"Mã tra cứu: {d.secret}" in text
    assert "Người nộp: Nguyễn Văn citizen (đại diện theo ủy quyền của Trần Thị Bình)" in text
    assert "Tờ khai đăng ký khai sinh" in text and "to-khai.pdf" in text
    assert "uy-quyen.pdf" in text
    assert "đây không phải giấy tiếp nhận hồ sơ và hẹn trả kết quả" in text
    assert "Mẫu số" not in text  # not a form of the circulars
    assert services.document_verify(document=doc)
