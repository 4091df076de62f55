import pytest

from motcua.catalog.models import ProcedureVersion

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "model", ["field", "procedure", "procedureversion", "procedureagency", "procedure/add"]
)
def test_admin_pages_render(admin_client, catalog, model):
    assert admin_client.get(f"/admin/catalog/{model}/").status_code == 200


def test_admin_change_pages_render_with_inlines(admin_client, catalog):
    v = ProcedureVersion.objects.get(procedure__code="1.001193")
    r = admin_client.get(f"/admin/catalog/procedureversion/{v.pk}/change/")
    assert r.status_code == 200
    assert "quy trình nội bộ" in r.content.decode().lower()
    r = admin_client.get(f"/admin/catalog/procedure/{v.procedure_id}/change/")
    assert r.status_code == 200


def test_admin_search_is_accent_insensitive(admin_client, catalog):
    r = admin_client.get("/admin/catalog/procedure/", {"q": "Đăng ký khai sinh"})
    assert "1.001193" in r.content.decode()
