import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from motcua.catalog.models import Component
from motcua.core.tests.s3server import s3_client, s3_endpoint, s3_storage
from motcua.dossiers import services as s
from motcua.dossiers.enums import Status
from motcua.dossiers.models import AttachmentKind
from motcua.dossiers.tests.conftest import T0, advance
from motcua.dossiers.tests.factories import PDF, make_world

__all__ = ["s3_client", "s3_endpoint", "s3_storage"]

RESULT_PDF = PDF.replace(b"<<>>", b"<< /Ket /Qua >>", 1)


@pytest.fixture
def world(db):
    """The dossiers' world, whose procedure's result is a "Giấy khai sinh" and which has an
    optional component "Bản sao Giấy khai sinh" that the result can stand for."""
    w = make_world()
    w.version.result = "Giấy khai sinh"
    w.version.save(update_fields=["result"])
    w.birth = Component.objects.create(
        version=w.version, order=3, name="Bản sao Giấy khai sinh", required=False
    )
    return w


def returned_with_result(w, at=T0):
    """A dossier of the citizen's, approved with an electronic result and returned."""
    st = w.a.staff
    d = advance(w, Status.PROCESSING, at=at)
    t = at + dt.timedelta(hours=1)
    d = s.dossier_forward(dossier_id=d.pk, actor=st["s:specialist"], at=t)
    d = s.dossier_attach_result(
        dossier_id=d.pk,
        actor=st["s:specialist"],
        file=SimpleUploadedFile("ket-qua.pdf", RESULT_PDF, content_type="application/pdf"),
        at=t,
    )
    d = s.dossier_approve(
        dossier_id=d.pk, actor=st["s:leader"], result_note="Đã cấp", at=t + dt.timedelta(hours=1)
    )
    d = s.dossier_return_result(
        dossier_id=d.pk, actor=st["c:counter"], at=t + dt.timedelta(hours=2)
    )
    return d, d.attachments.get(kind=AttachmentKind.RESULT)
