"""The per-procedure template choice, as the admin edits it (Vietnamese labels)."""

from motcua.documents.admin import ProcedureTemplateForm
from motcua.documents.models import ProcedureTemplate
from motcua.org.tests.otp import otp_login


def test_admin_form_offers_registered_templates_and_checks_the_kind(world):
    form = ProcedureTemplateForm(
        data={"procedure": world.procedure.pk, "kind": "refusal", "template": "ct04"}
    )
    assert not form.is_valid()
    assert form.errors["template"] == ["Mẫu này không dùng cho loại giấy tờ đã chọn."]
    keys = {k for k, _ in form.fields["template"].choices}
    assert {"mau-01", "ct04", "mau-02", "mau-03", "mau-04", "mau-05-dung"} <= keys

    form = ProcedureTemplateForm(
        data={"procedure": world.procedure.pk, "kind": "receipt", "template": "ct04"}
    )
    assert form.is_valid(), form.errors
    form.save()
    assert ProcedureTemplate.objects.get().template == "ct04"


def test_admin_changelist_renders(client, world):
    ProcedureTemplate.objects.create(procedure=world.procedure, kind="receipt", template="ct04")
    otp_login(client, world.admin)
    response = client.get("/admin/documents/proceduretemplate/")
    assert response.status_code == 200
    assert "mẫu giấy tờ riêng của thủ tục" in response.content.decode().lower()
    assert client.get("/admin/documents/dossierdocument/").status_code == 200
