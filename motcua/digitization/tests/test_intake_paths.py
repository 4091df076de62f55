"""Issue 12: every intake queues the OCR of the papers handed in with it through one function
(scan_handed_in, registered with dossiers.hooks.handed_in): the API's intake (the counter's
and partners' clients) as the counter's page does."""

import pytest

from motcua.api.tests.conftest import api  # noqa: F401
from motcua.digitization import services as ds
from motcua.digitization.enums import ScanStatus
from motcua.digitization.models import Scan, ScanEvent
from motcua.digitization.tasks import run_scan
from motcua.dossiers.enums import Status
from motcua.dossiers.models import Dossier
from motcua.dossiers.tests.factories import PDF

from .conftest import SAMPLE

pytestmark = [pytest.mark.ocr, pytest.mark.django_db]


def _form(w, **extra):
    from django.core.files.uploadedfile import SimpleUploadedFile as F

    return {
        "procedure": w.procedure.code,
        "receiving_agency": w.a.center.code,
        "channel": "1",
        "applicant_name": "Trần Thị Bưu",
        "applicant_id_number": "027190000001",
        f"component_{w.components[0].pk}": [
            F("trang-1.png", SAMPLE.read_bytes()),
            F("trang-2.png", SAMPLE.read_bytes()),
        ],
        f"component_{w.components[1].pk}": F("chung-sinh.pdf", PDF),
        **extra,
    }


def test_the_api_intake_queues_the_ocr_of_the_scans_handed_in(world, api):  # noqa: F811
    w = world
    r = api.multipart("/intake", w.a.staff["c:counter"], _form(w))
    assert r.status_code == 201, r.json()
    d = Dossier.objects.get(pk=r.json()["id"])
    assert d.status == Status.RECEIVED and d.digitized is False
    scans = list(Scan.objects.filter(dossier=d).order_by("component_id", "pk"))
    kept = [(a.component_id, a.file.name) for a in d.attachments.order_by("component_id", "pk")]
    # Per component: the page images as one scan, the PDF as one; the kept files are the
    # sources; queued by the officer who took the dossier in.
    assert [(sc.component_id, x["path"]) for sc in scans for x in sc.sources] == kept
    assert [len(sc.sources) for sc in scans] == [2, 1]
    assert [sc.status for sc in scans] == [ScanStatus.QUEUED, ScanStatus.QUEUED]
    assert {(e.action, e.actor_id) for e in ScanEvent.objects.filter(scan__dossier=d)} == {
        ("request", w.a.staff["c:counter"].pk)
    }
    # Asking again queues nothing twice.
    assert ds.scan_handed_in(dossier_id=d.pk, actor=w.a.staff["c:counter"]) == []
    assert Scan.objects.filter(dossier=d).count() == 2
    # What the worker does with the queued task: the dossier is digitized (indicator 4.2).
    assert run_scan(scans[0].pk) == "done"
    assert Dossier.objects.get(pk=d.pk).digitized is True


def test_a_refused_intake_queues_nothing(world, api):  # noqa: F811
    w = world
    r = api.multipart(
        "/intake",
        w.a.staff["c:counter"],
        _form(w, decision="refuse", refuse_reason="Sai thẩm quyền"),
    )
    assert r.status_code == 201 and r.json()["status"]["value"] == Status.REFUSED
    assert not Scan.objects.exists()
