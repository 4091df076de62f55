"""Indicator 4.4 (issue 14): dossiers connected to the personal data store — a component
taken from the applicant's store, whatever its origin (an agency's result or digitised
component, or a paper the citizen kept there) — counted exactly, with its drill-down."""

import datetime as dt
from decimal import Decimal

import pytest

from motcua.dossiers import services as s
from motcua.dossiers.models import AttachmentSource
from motcua.dossiers.tests.conftest import T0
from motcua.dossiers.tests.factories import PDF, PNG
from motcua.indicators.selectors import provided_drill
from motcua.indicators.tests.helpers import MARCH, both, nd
from motcua.org.selectors import applicant_id
from motcua.store import selectors, services

from .conftest import returned_with_result

pytestmark = pytest.mark.django_db

LATER = T0 + dt.timedelta(days=7)
HOUR = dt.timedelta(hours=1)


def _submit(w, reused=None, at=LATER):
    return s.dossier_submit(
        actor=w.citizen,
        procedure=w.procedure,
        receiving_agency=w.a.center,
        files={w.components[0].pk: [("to-khai.pdf", PDF)]},
        reused=reused,
        at=at,
    )


def test_4_4_counts_every_component_from_the_store(world):
    w = world
    first, result = returned_with_result(w)  # received on T0, nothing from the store
    owner = applicant_id(w.citizen)
    (item,) = [i for i in selectors.store_items(owner) if i.origin == selectors.RESULT]
    from_result = _submit(w, selectors.resolve_reuse(owner, {w.birth.pk: [item.key]}, [w.birth]))
    doc = services.store_upload(
        actor=w.citizen,
        upload=("giay-khai-sinh.png", PNG),
        doc_type="Giấy khai sinh",
        issuer="UBND xã A",
    )
    from_upload = _submit(
        w,
        selectors.resolve_reuse(owner, {w.birth.pk: [f"tl-{doc.pk}"]}, [w.birth]),
        at=LATER + dt.timedelta(minutes=5),
    )
    plain = _submit(w, at=LATER + dt.timedelta(minutes=10))
    never_received = _submit(
        w,
        selectors.resolve_reuse(owner, {w.birth.pk: [item.key]}, [w.birth]),
        at=LATER + dt.timedelta(minutes=15),
    )
    assert never_received.attachments.filter(source=AttachmentSource.STORE_RESULT).exists()
    for x in (from_result, from_upload, plain):
        s.dossier_receive(dossier_id=x.pk, actor=w.a.staff["c:counter"], at=LATER + HOUR)
    card = both(**MARCH)
    f = card.figure("4.4")
    # Received in March: first, from_result, from_upload, plain; from the store: two.
    assert (f.numerator, f.denominator, f.rate, f.points) == (
        2,
        4,
        Decimal("50.00"),
        Decimal("2.00"),
    )
    # 4.3 (reuse of an agency's digitised data) counts the result only.
    assert nd(card, "4.3") == (1, 4)
    got = set(provided_drill("4.4", "numerator", **MARCH).values_list("pk", flat=True))
    assert got == {from_result.pk, from_upload.pk}
    den = set(provided_drill("4.4", "denominator", **MARCH).values_list("pk", flat=True))
    assert den == {first.pk, from_result.pk, from_upload.pk, plain.pk}
