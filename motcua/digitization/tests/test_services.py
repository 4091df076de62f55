"""The scan's life through the services: request → start → finish / fail → retry, each
forbidden step refused with nothing changed; the digitized fact only from a stored scan."""

import hashlib

import pytest
from django.core.files.storage import default_storage
from django.db import IntegrityError

from motcua.core.errors import IllegalTransition, PermissionDenied, ValidationFailed
from motcua.digitization import services as ds
from motcua.digitization.enums import ScanStatus
from motcua.digitization.models import Scan, ScanEvent
from motcua.digitization.tasks import run_scan
from motcua.dossiers.models import Attachment, Dossier

from .conftest import BROKEN_PNG, WORDS, intake, sample_upload

# The OCR engine's suite (make test-ocr), apart from the parallel unit suite.
pytestmark = pytest.mark.ocr


def _request(w, d, files=None, who="c:counter"):
    return ds.scan_request(
        dossier_id=d.pk,
        component_id=w.components[0].pk,
        files=files or [sample_upload()],
        actor=w.a.staff[who],
    )


def _state(scan):
    scan = Scan.objects.get(pk=scan.pk)
    return (
        scan.status,
        scan.attempts,
        scan.attachment_id,
        scan.code,
        ScanEvent.objects.filter(scan=scan).count(),
        Attachment.objects.filter(dossier_id=scan.dossier_id).count(),
        Dossier.objects.get(pk=scan.dossier_id).digitized,
    )


def test_a_scan_is_queued_after_commit_and_the_ocr_digitizes_the_component(
    world, django_capture_on_commit_callbacks
):
    w = world
    d = intake(w)
    assert d.digitized is False
    with django_capture_on_commit_callbacks(execute=True) as queued:
        scan = _request(w, d)
    assert len(queued) == 1
    scan = Scan.objects.select_related("attachment").get(pk=scan.pk)
    assert scan.status == ScanStatus.DONE and scan.attempts == 1
    assert scan.code == f"{d.code}-TP01-01"
    assert scan.requested_by == w.a.staff["c:counter"] and scan.finished_at is not None
    for word in WORDS:
        assert word in scan.text
    att = scan.attachment
    assert (att.digitized, att.component_id, att.content_type) == (
        True,
        w.components[0].pk,
        "application/pdf",
    )
    with default_storage.open(att.file.name, "rb") as f:
        assert hashlib.sha256(f.read()).hexdigest() == att.sha256
    assert Dossier.objects.get(pk=d.pk).digitized is True
    assert list(scan.events.values_list("action", "from_status", "to_status")) == [
        ("request", "", "queued"),
        ("start", "queued", "running"),
        ("finish", "running", "done"),
    ]


def test_every_transition_from_the_table_and_the_forbidden_ones_change_nothing(world, ocr_output):
    w = world
    d = intake(w)
    scan = _request(w, d)  # no commit in the test: the OCR is not run
    assert _state(scan)[:2] == (ScanStatus.QUEUED, 0)
    for forbidden in (
        lambda: ds.scan_finish(scan_id=scan.pk, output=ocr_output),
        lambda: ds.scan_retry(scan_id=scan.pk, actor=w.a.staff["c:counter"]),
    ):
        before = _state(scan)
        with pytest.raises(IllegalTransition):
            forbidden()
        assert _state(scan) == before
    assert ds.scan_fail(scan_id=scan.pk, error="x") is None  # not running: left alone
    assert ds.scan_start(scan_id=scan.pk).status == ScanStatus.RUNNING
    assert ds.scan_start(scan_id=scan.pk) is None  # a duplicate delivery
    assert ds.scan_fail(scan_id=scan.pk, error="Tesseract timeout").status == ScanStatus.FAILED
    assert Scan.objects.get(pk=scan.pk).error == "Tesseract timeout"
    assert ds.scan_retry(scan_id=scan.pk, actor=w.a.staff["c:counter"]).status == "queued"
    assert Scan.objects.get(pk=scan.pk).error == ""
    assert ds.scan_start(scan_id=scan.pk).attempts == 2
    done = ds.scan_finish(scan_id=scan.pk, output=ocr_output)
    assert done.status == ScanStatus.DONE and Dossier.objects.get(pk=d.pk).digitized
    before = _state(scan)
    with pytest.raises(IllegalTransition):
        ds.scan_retry(scan_id=scan.pk, actor=w.a.staff["c:counter"])
    assert ds.scan_fail(scan_id=scan.pk, error="late") is None
    assert _state(scan) == before
    actions = list(ScanEvent.objects.filter(scan=scan).values_list("action", flat=True))
    assert actions == ["request", "start", "fail", "retry", "start", "finish"]
    # A second scan of the same component gets the next code.
    again = _request(w, d)
    ds.scan_start(scan_id=again.pk)
    assert ds.scan_finish(scan_id=again.pk, output=ocr_output).code == f"{d.code}-TP01-02"


def test_an_unreadable_scan_fails_visibly_with_nothing_stored_and_can_be_retried(
    world, django_capture_on_commit_callbacks
):
    w = world
    d = intake(w)
    with django_capture_on_commit_callbacks(execute=True):
        scan = _request(w, d, files=[("trang-1.png", BROKEN_PNG)])
    scan = Scan.objects.get(pk=scan.pk)
    assert scan.status == ScanStatus.FAILED and scan.error and scan.attachment_id is None
    assert not Attachment.objects.filter(dossier=d).exists()
    assert Dossier.objects.get(pk=d.pk).digitized is False
    with django_capture_on_commit_callbacks(execute=True):
        ds.scan_retry(scan_id=scan.pk, actor=w.a.staff["c:counter"])
    assert _state(scan)[:3] == (ScanStatus.FAILED, 2, None)


def test_a_failing_finish_rolls_back_its_file_and_rows_and_the_scan_fails(
    world, settings, ocr_output
):
    w = world
    settings.MOTCUA_COMPONENT_CODE_FORMAT = "SO-HOA"  # every code the same: the 2nd collides
    d = intake(w)
    first = _request(w, d)
    ds.scan_start(scan_id=first.pk)
    ds.scan_finish(scan_id=first.pk, output=ocr_output)
    scan = _request(w, d)
    ds.scan_start(scan_id=scan.pk)
    files_before = sorted(default_storage.listdir(f"dossiers/{d.pk}")[0])
    before = _state(scan)
    with pytest.raises(IntegrityError):
        ds.scan_finish(scan_id=scan.pk, output=ocr_output)
    assert _state(scan) == before
    assert sorted(default_storage.listdir(f"dossiers/{d.pk}")[0]) == files_before
    ds.scan_fail(scan_id=scan.pk, error="IntegrityError")
    assert Scan.objects.get(pk=scan.pk).status == ScanStatus.FAILED


def test_run_scan_records_an_unexpected_error_as_a_failure(world, settings):
    w = world
    d = intake(w)
    scan = _request(w, d)
    settings.MOTCUA_OCR_LANGUAGES = "xyz"  # a language Tesseract does not have
    assert run_scan(scan.pk) == "failed"
    assert Scan.objects.get(pk=scan.pk).status == ScanStatus.FAILED
    assert run_scan(scan.pk) == "skipped"


@pytest.mark.parametrize(
    "files, code",
    [
        ([], "no_scan_files"),
        (
            [("a.pdf", b"%PDF-1.4\n%%EOF\n"), ("b.pdf", b"%PDF-1.4\n%%EOF\n")],
            "scan_type_not_allowed",
        ),
        ([("a.txt", b"hello")], "file_type_not_allowed"),
    ],
)
def test_bad_scans_are_refused_naming_the_problem(world, files, code):
    w = world
    d = intake(w)
    with pytest.raises(ValidationFailed) as e:
        ds.scan_request(
            dossier_id=d.pk,
            component_id=w.components[0].pk,
            files=files,
            actor=w.a.staff["c:counter"],
        )
    assert e.value.code == code and e.value.field == "files"
    assert not Scan.objects.exists()


def test_a_component_of_another_procedure_is_refused(world):
    w = world
    d = intake(w)
    with pytest.raises(ValidationFailed) as e:
        ds.scan_request(
            dossier_id=d.pk,
            component_id=999999,
            files=[sample_upload()],
            actor=w.a.staff["c:counter"],
        )
    assert (e.value.code, e.value.field) == ("unknown_component", "component")


STAFF = ["c:counter", "c:specialist", "c:leader", "s:counter", "s:specialist", "s:leader"]


@pytest.mark.parametrize("who", STAFF + ["citizen", "b:counter"])
def test_only_the_receiving_agencys_counter_digitizes(world, who):
    w = world
    d = intake(w)
    actor = {"citizen": w.citizen, "b:counter": w.b.staff["c:counter"]}.get(who) or w.a.staff[who]
    call = lambda: ds.scan_request(  # noqa: E731
        dossier_id=d.pk, component_id=w.components[0].pk, files=[sample_upload()], actor=actor
    )
    if who == "c:counter":
        assert call().status == ScanStatus.QUEUED
        return
    with pytest.raises(PermissionDenied):
        call()
    assert not Scan.objects.exists()


def test_a_returned_or_unreceived_dossier_takes_no_scan(world):
    from motcua.dossiers.tests.conftest import submit

    w = world
    d = submit(w)  # online, not yet received
    with pytest.raises(IllegalTransition):
        _request(w, d)
    assert not Scan.objects.exists()


def test_the_files_handed_in_at_intake_are_queued_from_where_they_are_kept(world):
    from motcua.dossiers import services as s
    from motcua.dossiers.tests.factories import PDF

    from .conftest import SAMPLE, T0

    w = world
    d = s.dossier_intake(
        actor=w.a.staff["c:counter"],
        procedure=w.procedure.code,
        receiving_agency=w.a.center,
        channel=1,
        applicant={"name": "Trần Thị Bưu", "id_number": "027190000001"},
        files={
            w.components[0].pk: [
                ("trang-1.png", SAMPLE.read_bytes()),
                ("trang-2.png", SAMPLE.read_bytes()),
            ],
            w.components[1].pk: [("chung-sinh.pdf", PDF)],
        },
        at=T0,
    )
    assert d.digitized is False and not d.attachments.filter(digitized=True).exists()
    with pytest.raises(PermissionDenied):
        ds.scan_handed_in(dossier_id=d.pk, actor=w.a.staff["s:counter"])
    # The intake queued them (dossiers.hooks.handed_in); asking again queues nothing twice.
    assert ds.scan_handed_in(dossier_id=d.pk, actor=w.a.staff["c:counter"]) == []
    scans = list(Scan.objects.filter(dossier=d).order_by("component_id", "pk"))
    kept = [(a.component_id, a.file.name) for a in d.attachments.order_by("component_id", "pk")]
    assert [(sc.component_id, x["path"]) for sc in scans for x in sc.sources] == kept
    assert [len(sc.sources) for sc in scans] == [2, 1]
    assert run_scan(scans[0].pk) == "done"
    assert Dossier.objects.get(pk=d.pk).digitized is True
    done = Scan.objects.get(pk=scans[0].pk)
    assert done.pages == 2  # the page images as one PDF, a page each
    assert [p.count("Nguyễn Thị Hương") for p in done.text.split("\f")[:2]] == [1, 1]


def test_a_scan_whose_worker_died_can_be_retried_once_stale(world, settings):
    import datetime as dt

    w = world
    d = intake(w)
    scan = _request(w, d)
    started = ds.scan_start(scan_id=scan.pk).started_at
    officer = w.a.staff["c:counter"]
    at = started + dt.timedelta(seconds=settings.MOTCUA_OCR_STALE_SECONDS)
    before = _state(scan)
    with pytest.raises(IllegalTransition):  # still within its time: running
        ds.scan_retry(scan_id=scan.pk, actor=officer, at=at)
    assert _state(scan) == before
    at += dt.timedelta(seconds=1)
    assert ds.scan_retry(scan_id=scan.pk, actor=officer, at=at).status == ScanStatus.QUEUED
    actions = list(ScanEvent.objects.filter(scan=scan).values_list("action", flat=True))
    assert actions == ["request", "start", "fail", "retry"]
