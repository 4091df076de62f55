"""Mẫu 01 states the fees kept at submission (catalog.fees), not today's."""

import datetime as dt

import pytest

from motcua.catalog.models import FeePolicy
from motcua.documents.enums import DocumentKind
from motcua.documents.models import DossierDocument
from motcua.dossiers.enums import Status

from .conftest import advance
from .helpers import flat, pdf_text


@pytest.fixture
def run_hooks(django_capture_on_commit_callbacks):
    def run(fn, *args, **kw):
        with django_capture_on_commit_callbacks(execute=True):
            return fn(*args, **kw)

    return run


def receipt_text(d):
    doc = DossierDocument.objects.get(dossier=d, kind=DocumentKind.RECEIPT)
    with doc.file.open("rb") as fh:
        return flat(pdf_text(fh.read()))


def test_the_receipt_states_the_assessed_fees_with_the_reduction(world, run_hooks):
    FeePolicy.objects.create(
        code="giam-50",
        name="NQ giảm 50%",
        legal_basis_text="Nghị quyết thử",
        valid_from=dt.date(2026, 1, 1),
        scope="all",
        effect="online",
        percent=50,
    )
    d = run_hooks(advance, world, Status.RECEIVED)
    text = receipt_text(d)
    assert "7. Phí, lệ phí phải nộp: 4.000 đồng." in text
    assert "Lệ phí: 4.000 đồng (giảm 50% theo NQ giảm 50%)." in text


def test_no_fee_is_stated_as_such(world, run_hooks):
    world.version.fees.all().delete()
    d = run_hooks(advance, world, Status.RECEIVED)
    assert "7. Phí, lệ phí phải nộp: Không thu phí, lệ phí" in receipt_text(d)
