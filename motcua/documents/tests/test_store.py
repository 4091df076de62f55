"""Byte-identical regeneration, idempotent storage, per-procedure templates."""

import datetime as dt
import hashlib

import pytest

from motcua.core.errors import ValidationFailed
from motcua.documents import selectors, services
from motcua.documents.enums import DocumentKind
from motcua.documents.models import DossierDocument, ProcedureTemplate
from motcua.dossiers import services as ds
from motcua.dossiers.enums import Status
from motcua.dossiers.tests.factories import vn

from .conftest import T0, advance
from .helpers import flat, pdf_text


@pytest.fixture
def received(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return advance(world, Status.RECEIVED)


def receipt_event(d):
    return d.events.get(action="receive")


def test_regeneration_is_byte_identical(received):
    doc = DossierDocument.objects.get(dossier=received, kind=DocumentKind.RECEIPT)
    again = services.document_render(dossier=received, kind="receipt", event=doc.event)
    assert hashlib.sha256(again).hexdigest() == doc.sha256
    assert services.document_verify(document=doc) is True


def test_receipt_is_unchanged_by_a_later_apology(world, received):
    doc = DossierDocument.objects.get(dossier=received, kind=DocumentKind.RECEIPT)
    ds.dossier_forward(dossier_id=received.pk, actor=world.a.staff["c:counter"], at=T0)
    ds.dossier_apologize(
        dossier_id=received.pk,
        actor=world.a.staff["s:leader"],
        reason="Chờ xác minh",
        new_due_at=vn(2026, 3, 25, 10, 0),
        at=T0 + dt.timedelta(hours=1),
    )
    again = services.document_render(dossier=received, kind="receipt", event=doc.event)
    assert hashlib.sha256(again).hexdigest() == doc.sha256


def test_store_is_idempotent(received):
    before = DossierDocument.objects.get(dossier=received, kind=DocumentKind.RECEIPT)
    again = services.document_store(dossier=received, kind="receipt", event=before.event)
    assert again.pk == before.pk
    assert again.file.name == before.file.name
    assert DossierDocument.objects.filter(dossier=received).count() == 1
    # The listener, run a second time for the same event, adds nothing either.
    services.on_dossier_event(before.event, received)
    assert DossierDocument.objects.filter(dossier=received).count() == 1


def test_get_or_render_renders_a_missing_form_once(world):
    d = advance(world, Status.RECEIVED)  # hooks not run: nothing stored yet
    assert not DossierDocument.objects.filter(dossier=d).exists()
    first = services.document_get_or_render(dossier=d, kind="receipt", event=receipt_event(d))
    second = services.document_get_or_render(dossier=d, kind="receipt", event=receipt_event(d))
    assert first.pk == second.pk
    assert DossierDocument.objects.filter(dossier=d).count() == 1


def test_control_sheet_is_replaced_only_when_it_changed(
    world, received, django_capture_on_commit_callbacks
):
    first = services.document_get_or_render(dossier=received, kind="control_sheet")
    same = services.document_get_or_render(dossier=received, kind="control_sheet")
    assert (same.pk, same.sha256, same.file.name) == (first.pk, first.sha256, first.file.name)
    ds.dossier_forward(
        dossier_id=received.pk, actor=world.a.staff["c:counter"], at=T0 + dt.timedelta(hours=1)
    )
    with django_capture_on_commit_callbacks(execute=True):
        moved = services.document_get_or_render(dossier=received, kind="control_sheet")
    assert moved.pk == first.pk
    assert moved.sha256 != first.sha256
    assert DossierDocument.objects.filter(dossier=received, kind="control_sheet").count() == 1
    assert not first.file.storage.exists(first.file.name)
    with moved.file.open("rb") as fh:
        assert hashlib.sha256(fh.read()).hexdigest() == moved.sha256


def test_kind_and_event_must_agree(received):
    with pytest.raises(ValidationFailed) as err:
        services.document_render(dossier=received, kind="receipt")
    assert err.value.code == "document_event_mismatch"
    with pytest.raises(ValidationFailed) as err:
        services.document_render(dossier=received, kind="bogus")
    assert err.value.code == "unknown_document_kind"


def test_procedure_override_picks_the_ct04_receipt(world, django_capture_on_commit_callbacks):
    ProcedureTemplate.objects.create(procedure=world.procedure, kind="receipt", template="ct04")
    with django_capture_on_commit_callbacks(execute=True):
        d = advance(world, Status.RECEIVED)
    doc = DossierDocument.objects.get(dossier=d, kind=DocumentKind.RECEIPT)
    assert doc.template == "ct04"
    with doc.file.open("rb") as fh:
        text = flat(pdf_text(fh.read()))
    assert "Mẫu CT04 - Thông tư số 66/2023/TT-BCA" in text
    assert "PHIẾU TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ" in text
    assert "Cơ quan đăng ký cư trú" in text
    assert d.code in text and f"Mã tra cứu: {d.secret}" in text
    # Other kinds of the same procedure keep the standard forms.
    assert selectors.template_key_for(dossier=d, kind="refusal") == "mau-03"


def test_an_override_for_another_kind_is_ignored(world):
    ProcedureTemplate.objects.create(procedure=world.procedure, kind="refusal", template="ct04")
    d = advance(world, Status.RECEIVED)
    assert selectors.template_key_for(dossier=d, kind="refusal") == "mau-03"
    assert selectors.template_key_for(dossier=d, kind="receipt") == "mau-01"
