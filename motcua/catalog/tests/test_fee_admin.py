"""Fee items and fee policies in the admin: Vietnamese labels, saved through the audited
services (fee_item_change, fee_policy_save), bad input refused on its field."""

import pytest

from motcua.catalog.models import FeeItem, FeePolicy
from motcua.core.models import AuditEntry

pytestmark = pytest.mark.django_db


def item_form(item, **over):
    data = {
        "kind": item.kind,
        "computation": item.computation,
        "amount_vnd": "" if item.amount_vnd is None else item.amount_vnd,
        "unit": item.unit,
        "answer_key": item.answer_key,
        "multiplier_key": item.multiplier_key,
        "bands": "[]",
        "minimum_vnd": "",
        "maximum_vnd": "",
        "channels": "[]",
        "legal_basis_number": item.legal_basis_number,
        "legal_basis_text": item.legal_basis_text,
    }
    return {**data, **over}


def test_pages_render_in_vietnamese(admin_client, catalog):
    assert admin_client.get("/admin/catalog/feepolicy/").status_code == 200
    item = FeeItem.objects.get(version__procedure__code="2.000815", order=1)
    html = admin_client.get(f"/admin/catalog/feeitem/{item.pk}/change/").content.decode()
    assert "Cách tính" in html and "Bảng bậc / khung" in html and "Mức tối đa (đồng)" in html
    html = admin_client.get("/admin/catalog/feepolicy/add/").content.decode()
    assert "Tỷ lệ giảm (%)" in html and "Cách chứng minh" in html


def test_an_item_change_is_audited(admin_client, catalog):
    item = FeeItem.objects.get(version__procedure__code="2.001019")
    r = admin_client.post(
        f"/admin/catalog/feeitem/{item.pk}/change/",
        item_form(item, computation="per_unit", answer_key="so_ban", unit="bản"),
    )
    assert r.status_code == 302, r.content.decode()[:2000]
    item.refresh_from_db()
    assert (item.computation, item.answer_key) == ("per_unit", "so_ban")
    entry = AuditEntry.objects.get(operation="fee_item_change")
    assert entry.before == {"answer_key": "", "computation": "fixed", "unit": ""}
    assert entry.after == {"answer_key": "so_ban", "computation": "per_unit", "unit": "bản"}


def test_a_bad_item_is_refused_on_its_field(admin_client, catalog):
    item = FeeItem.objects.get(version__procedure__code="2.001019")
    r = admin_client.post(
        f"/admin/catalog/feeitem/{item.pk}/change/",
        item_form(
            item,
            computation="band",
            answer_key="dien_tich_m2",
            bands='[{"from": 5, "to": null, "amount_vnd": 1}]',
        ),
    )
    assert r.status_code == 200
    assert "bands" in r.context["adminform"].form.errors
    item.refresh_from_db()
    assert (
        item.computation == "fixed"
        and not AuditEntry.objects.filter(operation="fee_item_change").exists()
    )


POLICY = {
    "code": "mien-100",
    "name": "Miễn lệ phí cho người có công",
    "active": "on",
    "legal_basis_number": "",
    "legal_basis_text": "Nghị quyết HĐND tỉnh",
    "confidence": "UNCONFIRMED",
    "source_url": "",
    "valid_from": "2026-01-01",
    "valid_to": "",
    "scope": "all",
    "procedure_codes": "[]",
    "fee_kind": "le_phi",
    "effect": "subject",
    "percent": "100",
    "rounding": "half_up",
    "subject": "Người có công",
    "proof_kind": "attribute",
    "proof_key": "nguoi_co_cong",
    "note": "",
}


def test_a_policy_is_created_through_the_audited_service(admin_client, db):
    r = admin_client.post("/admin/catalog/feepolicy/add/", POLICY)
    assert r.status_code == 302, r.content.decode()[:2000]
    p = FeePolicy.objects.get(code="mien-100")
    entry = AuditEntry.objects.get(operation="fee_policy_save", object_id=str(p.pk))
    assert entry.action == "created" and entry.after["percent"] == 100


def test_a_subject_policy_without_proof_is_refused(admin_client, db):
    r = admin_client.post("/admin/catalog/feepolicy/add/", {**POLICY, "proof_key": ""})
    assert not FeePolicy.objects.filter(code="mien-100").exists()
    assert r.status_code == 200  # shown again with the error (the service or the constraint)
    assert not AuditEntry.objects.filter(operation="fee_policy_save").exists()
