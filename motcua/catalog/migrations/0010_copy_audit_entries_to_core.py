"""Copy `CatalogAuditEntry` (the trail of `time_limit_set`) into the one audit trail,
`core.AuditEntry`, before 0011 drops it. Each entry becomes a "changed" entry on its
version, its channels' limits before → after, its legal source as the reason. Undone, the
entries are copied back (the core entries stay: that trail is append-only)."""

from django.db import migrations


def _label(version, procedure):
    return f"{procedure.code} v{version.number}" if version else str(procedure.code)


def forward(apps, schema_editor):
    Old = apps.get_model("catalog", "CatalogAuditEntry")
    AuditEntry = apps.get_model("core", "AuditEntry")
    rows = []
    for e in Old.objects.select_related("actor", "procedure", "version").order_by("at", "id"):
        channels = (e.data or {}).get("channels", {})
        rows.append(
            AuditEntry(
                at=e.at,
                actor_id=e.actor_id,
                actor_label=e.actor.username if e.actor_id else "hệ thống",
                action="changed",
                operation=e.action,
                object_type="catalog.procedureversion" if e.version_id else "catalog.procedure",
                object_id=str(e.version_id or e.procedure_id),
                object_label=_label(e.version, e.procedure)[:255],
                before={"time_limits": {ch: c.get("before") for ch, c in channels.items()}},
                after={"time_limits": {ch: c.get("after") for ch, c in channels.items()}},
                reason=(e.data or {}).get("source", ""),
            )
        )
    AuditEntry.objects.bulk_create(rows, batch_size=500)


def backward(apps, schema_editor):
    Old = apps.get_model("catalog", "CatalogAuditEntry")
    AuditEntry = apps.get_model("core", "AuditEntry")
    Version = apps.get_model("catalog", "ProcedureVersion")
    entries = AuditEntry.objects.filter(
        object_type="catalog.procedureversion", operation="time_limit_set"
    ).order_by("at", "id")
    versions = {
        str(v.pk): v for v in Version.objects.filter(pk__in=[int(e.object_id) for e in entries])
    }
    rows = []
    for e in entries:
        version = versions.get(e.object_id)
        if version is None:
            continue
        before = (e.before or {}).get("time_limits", {})
        after = (e.after or {}).get("time_limits", {})
        rows.append(
            Old(
                at=e.at,
                actor_id=e.actor_id,
                action="time_limit_set",
                procedure_id=version.procedure_id,
                version_id=version.pk,
                data={
                    "source": e.reason,
                    "channels": {
                        ch: {"before": before.get(ch), "after": after.get(ch)} for ch in after
                    },
                },
            )
        )
    Old.objects.bulk_create(rows, batch_size=500)


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0009_fill_component_case"),
        ("core", "0002_audit_entry_append_only"),
    ]
    # The copied entries are chained by core 0003 (docs/adr/0010): copy them first.
    run_before = [("core", "0003_audit_entry_hash_chain")]

    operations = [migrations.RunPython(forward, backward)]
