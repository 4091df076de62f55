"""Staff edits of a linked chain in the admin are written to the audit trail: the chain
before → after (its fields and its members), a re-save without change writes nothing."""

from motcua.catalog.models import LinkedMember, LinkedProcedure
from motcua.core.models import AuditEntry
from motcua.core.tests.admin_forms import form_data


def test_an_admin_edit_of_a_member_is_audited(admin_client, admin_user, lw):
    url = f"/admin/catalog/linkedprocedure/{lw.linked.pk}/change/"
    data = form_data(admin_client.get(url))
    assert data["members-1-start"] == "after_previous"
    data["members-1-takes_previous_result"] = ""  # unticked
    data.pop("members-1-takes_previous_result")
    data["members-2-data_keys"] = '["child_name"]'
    done = admin_client.post(url, data)
    assert done.status_code == 302, done.content.decode()[:3000]
    entry = AuditEntry.objects.get(operation="linked_chain_change")
    assert (entry.actor, entry.action, entry.object_type, entry.object_id) == (
        admin_user,
        "changed",
        "catalog.linkedprocedure",
        str(lw.linked.pk),
    )
    before, after = entry.before["members"], entry.after["members"]
    assert [m["order"] for m in after] == [1, 2, 3]
    assert (before[1]["takes_previous_result"], after[1]["takes_previous_result"]) == (True, False)
    assert after[2]["data_keys"] == ["child_name"]
    assert before[2]["data_keys"] != ["child_name"]
    assert before[0] == after[0]
    # Saving again without a change writes nothing.
    again = admin_client.post(url, form_data(admin_client.get(url)))
    assert again.status_code == 302
    assert AuditEntry.objects.filter(operation="linked_chain_change").count() == 1


def test_an_admin_edit_of_the_chain_itself_is_audited(admin_client, lw):
    url = f"/admin/catalog/linkedprocedure/{lw.linked.pk}/change/"
    data = form_data(admin_client.get(url))
    data["active"] = ""
    data.pop("active")
    assert admin_client.post(url, data).status_code == 302
    entry = AuditEntry.objects.get(operation="linked_chain_change")
    assert (entry.before["active"], entry.after["active"]) == (True, False)
    assert entry.before["members"] == entry.after["members"]


def test_deleting_a_chain_without_applications_is_audited(admin_client, lw):
    pk = lw.linked.pk
    members = LinkedMember.objects.filter(linked_id=pk).count()
    done = admin_client.post(f"/admin/catalog/linkedprocedure/{pk}/delete/", {"post": "yes"})
    assert done.status_code == 302
    assert not LinkedProcedure.objects.filter(pk=pk).exists()
    entry = AuditEntry.objects.get(operation="linked_chain_delete")
    assert (entry.action, entry.object_id, entry.after) == ("deleted", str(pk), None)
    assert len(entry.before["members"]) == members == 3
