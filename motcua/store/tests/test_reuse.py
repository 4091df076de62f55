"""Issue 12: a component filled from the store is copied into the dossier naming its source;
the officer sees it; indicator 4.3 counts exactly the dossiers dossiers.reuse says reused."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from motcua.api.tests.conftest import Caller
from motcua.core.errors import DomainError
from motcua.dossiers import services as s
from motcua.dossiers.models import AttachmentSource, Dossier
from motcua.dossiers.reuse import dossier_reused, is_reuse
from motcua.dossiers.tests.conftest import T0
from motcua.dossiers.tests.factories import PDF, PNG
from motcua.indicators.tests.helpers import MARCH, both, nd
from motcua.org.selectors import applicant_id
from motcua.org.tests.otp import otp_login
from motcua.store import selectors, services

from .conftest import RESULT_PDF, returned_with_result

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


def test_the_rule_counts_agency_data_only():
    assert [is_reuse(v) for v in AttachmentSource.values] == [False, True, True, False]
    assert dossier_reused([]) is False
    assert dossier_reused(["upload", "store_upload"]) is False
    assert dossier_reused(["upload", "store_result"]) is True


def test_a_result_reused_is_copied_with_its_source_and_counts_in_4_3(world):
    w = world
    first, result = returned_with_result(w)
    owner = applicant_id(w.citizen)
    (item,) = [i for i in selectors.store_items(owner) if i.origin == selectors.RESULT]
    assert item.doc_type == "Giấy khai sinh" and item.attachment_id == result.pk
    offered = selectors.offers(selectors.store_items(owner), [w.birth, w.components[0]])
    assert [i.key for i in offered[w.birth.pk]] == [item.key]
    assert offered[w.components[0].pk] == []

    reused = selectors.resolve_reuse(owner, {w.birth.pk: [item.key]}, [w.birth])
    d = _submit(w, reused)

    copy = d.attachments.get(component=w.birth)
    assert copy.source == AttachmentSource.STORE_RESULT
    assert copy.source_attachment_id == result.pk
    assert copy.reused is True and copy.sha256 == result.sha256
    assert copy.file.name != result.file.name and copy.file.read() == RESULT_PDF
    assert "Giấy khai sinh" in copy.source_label and first.code in copy.source_label
    assert Dossier.objects.get(pk=d.pk).reused is True
    body = Caller().get(f"/{d.pk}", w.citizen).json()
    listed = [a for c in body["components"] for a in c["attachments"]]
    assert {(a["source"], a["reused"]) for a in listed} == {
        ("upload", False),
        ("store_result", True),
    }
    plain = _submit(w, at=LATER + dt.timedelta(minutes=5))
    assert plain.reused is False
    for x in (d, plain):
        s.dossier_receive(dossier_id=x.pk, actor=w.a.staff["c:counter"], at=LATER + HOUR)
    # 4.3: of the March dossiers received (the first, the reuse, the plain one), exactly
    # one reused digitized data.
    card = both(**MARCH)
    assert nd(card, "4.3") == (1, 3)


def test_an_own_upload_reused_is_recorded_but_not_counted(world):
    w = world
    doc = services.store_upload(
        actor=w.citizen,
        upload=("giay-khai-sinh.png", PNG),
        doc_type="Giấy khai sinh",
        issuer="UBND xã A",
    )
    owner = applicant_id(w.citizen)
    reused = selectors.resolve_reuse(owner, {w.birth.pk: [f"tl-{doc.pk}"]}, [w.birth])
    d = _submit(w, reused)
    copy = d.attachments.get(component=w.birth)
    assert (copy.source, copy.source_document_id, copy.reused) == (
        AttachmentSource.STORE_UPLOAD,
        doc.pk,
        False,
    )
    assert d.reused is False
    # Deleting the store's document leaves the dossier's copy.
    services.store_delete(actor=w.citizen, document_id=doc.pk)
    assert d.attachments.get(component=w.birth).file.read() == PNG


def test_another_accounts_or_a_non_matching_item_is_refused(world):
    w = world
    _d, result = returned_with_result(w)
    other = applicant_id(w.citizen2)
    with pytest.raises(DomainError) as exc:
        selectors.resolve_reuse(other, {w.birth.pk: [f"kq-{result.pk}"]}, [w.birth])
    assert (exc.value.code, exc.value.field) == ("store_item_not_offered", f"files.{w.birth.pk}")
    owner = applicant_id(w.citizen)
    with pytest.raises(DomainError) as exc:
        selectors.resolve_reuse(owner, {w.components[0].pk: [f"kq-{result.pk}"]}, w.components)
    assert exc.value.code == "store_item_not_offered"


def test_the_portal_offers_and_submits_from_the_store_and_the_officer_sees_it(client, world):
    w = world
    _first, result = returned_with_result(w)
    key = f"kq-{result.pk}"
    c1 = w.components[0]
    otp_login(client, w.citizen)
    form = "/thu-tuc/1.001193/nop/"
    page = client.get(form).content.decode()
    assert f'name="store_{w.birth.pk}"' in page and f'value="{key}"' in page
    assert f'name="store_{c1.pk}"' not in page  # nothing matches the declaration
    r = client.post(
        form,
        {
            "receiving_agency": w.a.center.pk,
            f"component_{c1.pk}": SimpleUploadedFile("to-khai.pdf", PDF),
            f"store_{w.birth.pk}": key,
        },
    )
    assert r.status_code == 302
    review = client.get("/thu-tuc/1.001193/nop/kiem-tra/").content.decode()
    assert "Từ kho dữ liệu" in review
    draft = client.session["portal_draft:1.001193"]
    client.post("/thu-tuc/1.001193/nop/kiem-tra/", {"draft": draft["id"]})
    d = Dossier.objects.exclude(pk=_first.pk).get()
    assert d.reused is True
    assert d.attachments.get(component=w.birth).source_attachment_id == result.pk
    # The officer of the receiving centre sees where it came from.
    otp_login(client, w.a.staff["c:counter"])
    page = client.get(f"/can-bo/ho-so/{d.pk}/").content.decode()
    assert "Kho dữ liệu: kết quả điện tử đã cấp" in page
    assert "tái sử dụng dữ liệu số hóa" in page


def test_a_forged_store_choice_is_refused_next_to_the_component(client, world):
    w = world
    _first, result = returned_with_result(w)
    otp_login(client, w.citizen2)
    r = client.post(
        "/thu-tuc/1.001193/nop/",
        {
            "receiving_agency": w.a.center.pk,
            f"component_{w.components[0].pk}": SimpleUploadedFile("to-khai.pdf", PDF),
            f"store_{w.birth.pk}": f"kq-{result.pk}",
        },
    )
    assert r.status_code == 400
    assert [e.code for e in r.context["component_errors"][w.birth.pk]] == ["store_item_not_offered"]


def test_a_supplement_filled_from_the_store_is_recorded_as_reuse_and_counts_in_4_3(world):
    """Bổ sung hồ sơ: the component asked for is taken from the store through the same
    resolve_reuse (the one matching rule) and the same copy as at submission."""
    w = world
    st = w.a.staff
    _first, result = returned_with_result(w)
    owner = applicant_id(w.citizen)
    d = _submit(w)
    d = s.dossier_receive(dossier_id=d.pk, actor=st["c:counter"], at=LATER + HOUR)
    d = s.dossier_request_supplement(
        dossier_id=d.pk,
        actor=st["c:counter"],
        reason="Thiếu bản sao giấy khai sinh",
        missing_components=[w.birth.pk],
        at=LATER + 2 * HOUR,
    )
    assert d.reused is False
    # What does not match the component is refused by the same rule, and nothing changes.
    with pytest.raises(DomainError):
        selectors.resolve_reuse(owner, {w.components[0].pk: [f"kq-{result.pk}"]}, w.components)
    reused = selectors.resolve_reuse(owner, {w.birth.pk: [f"kq-{result.pk}"]}, [w.birth])

    d = s.dossier_supplement(dossier_id=d.pk, actor=w.citizen, reused=reused, at=LATER + 3 * HOUR)

    copy = d.attachments.get(component=w.birth)
    assert copy.kind == "supplement" and copy.source == AttachmentSource.STORE_RESULT
    assert copy.source_attachment_id == result.pk and copy.reused is True
    assert copy.file.read() == RESULT_PDF
    assert Dossier.objects.get(pk=d.pk).reused is True
    assert d.events.order_by("-seq").first().data["from_store"] == 1
    # 4.3 of March: the first dossier (no reuse) and this one (reused at its supplement).
    assert nd(both(**MARCH), "4.3") == (1, 2)


def test_a_supplement_from_ones_own_upload_is_recorded_but_not_counted(world):
    w = world
    st = w.a.staff
    owner = applicant_id(w.citizen)
    doc = services.store_upload(
        actor=w.citizen,
        upload=("giay-khai-sinh.png", PNG),
        doc_type="Giấy khai sinh",
        issuer="UBND xã A",
    )
    d = _submit(w)
    d = s.dossier_receive(dossier_id=d.pk, actor=st["c:counter"], at=LATER + HOUR)
    d = s.dossier_request_supplement(
        dossier_id=d.pk,
        actor=st["c:counter"],
        reason="Thiếu bản sao giấy khai sinh",
        missing_components=[w.birth.pk],
        at=LATER + 2 * HOUR,
    )
    reused = selectors.resolve_reuse(owner, {w.birth.pk: [f"tl-{doc.pk}"]}, [w.birth])
    d = s.dossier_supplement(dossier_id=d.pk, actor=w.citizen, reused=reused, at=LATER + 3 * HOUR)
    copy = d.attachments.get(component=w.birth)
    assert copy.source == AttachmentSource.STORE_UPLOAD and copy.reused is False
    assert Dossier.objects.get(pk=d.pk).reused is False
    assert nd(both(**MARCH), "4.3") == (0, 1)
