"""Indicator 766 4.2 from what was truly scanned: a paper dossier counts once its component
is an OCR'd scan stored with the dossier, and not before; an online dossier's own files
count (born electronic). The incremental counters agree with the full recomputation."""

import datetime as dt

import pytest

from motcua.digitization import services as ds
from motcua.dossiers import services as s
from motcua.dossiers.digitized import is_digitized
from motcua.dossiers.models import Dossier
from motcua.indicators.tests.helpers import MARCH, both, nd
from motcua.signing.tests.factories import signed_pdf

from .conftest import T0, intake, sample_upload

# The OCR engine's suite (make test-ocr), apart from the parallel unit suite.
pytestmark = pytest.mark.ocr


def _with_result(w, d, at):
    d = s.dossier_forward(dossier_id=d.pk, actor=w.a.staff["c:counter"], at=at)
    return s.dossier_attach_result(
        dossier_id=d.pk,
        actor=w.a.staff["s:specialist"],
        file=("kq.pdf", signed_pdf()),  # 4.2 asks for the electronic result: signed
        at=at,
    )


def test_4_2_counts_the_dossiers_whose_paper_was_scanned(world, ocr_output):
    w = world
    scanned = _with_result(w, intake(w, T0), T0 + dt.timedelta(hours=1))
    paper_only = _with_result(w, intake(w, T0), T0 + dt.timedelta(hours=1))
    assert nd(both(**MARCH), "4.2") == (0, 2)  # files on paper, a result: not digitized

    scan = ds.scan_request(
        dossier_id=scanned.pk,
        component_id=w.components[0].pk,
        files=[sample_upload()],
        actor=w.a.staff["c:counter"],
        at=T0 + dt.timedelta(hours=2),
    )
    ds.scan_start(scan_id=scan.pk)
    assert nd(both(**MARCH), "4.2") == (0, 2)  # under way is not digitized
    ds.scan_finish(scan_id=scan.pk, output=ocr_output, at=T0 + dt.timedelta(hours=2))
    assert nd(both(**MARCH), "4.2") == (1, 2)
    assert [is_digitized(d.pk, d.channel) for d in (scanned, paper_only)] == [True, False]
    assert [Dossier.objects.get(pk=d.pk).digitized for d in (scanned, paper_only)] == [True, False]


def test_an_online_dossier_with_its_files_counts_as_digitized(world):
    from motcua.dossiers.tests.conftest import submit

    w = world
    d = submit(w)
    d = s.dossier_receive(dossier_id=d.pk, actor=w.a.staff["c:counter"], at=T0)
    assert d.digitized is True and is_digitized(d.pk, d.channel) is True
