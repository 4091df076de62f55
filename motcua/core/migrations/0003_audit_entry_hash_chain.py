"""The audit trail becomes a hash chain (docs/adr/0010): `prev_hash` and `hash` on every
entry, and the entries written before are chained here, in id order, by the one function
(`core.audit.entry_hash`). The append-only triggers of 0002 are lifted for the update
and put back in the same transaction (PostgreSQL: DISABLE/ENABLE TRIGGER; SQLite: the
trigger is dropped and created again: SQLite's AddField rebuilds the table, which drops
its triggers, so a later migration of this table must create it again too)."""

from django.db import migrations, models

from motcua.core.chain import GENESIS

PG_OFF = "SET CONSTRAINTS ALL IMMEDIATE; ALTER TABLE core_auditentry DISABLE TRIGGER core_auditentry_append_only"
PG_ON = "ALTER TABLE core_auditentry ENABLE TRIGGER core_auditentry_append_only"
SQLITE_OFF = "DROP TRIGGER IF EXISTS core_auditentry_no_update"
SQLITE_ON = """CREATE TRIGGER core_auditentry_no_update BEFORE UPDATE ON core_auditentry
       BEGIN SELECT RAISE(ABORT, 'core_auditentry is append-only (UPDATE)'); END;"""


def chain(apps, schema_editor):
    from motcua.core.audit import entry_hash

    entry_model = apps.get_model("core", "AuditEntry")
    vendor = schema_editor.connection.vendor
    off, on = (PG_OFF, PG_ON) if vendor == "postgresql" else (SQLITE_OFF, SQLITE_ON)
    prev = GENESIS
    updates = []
    for entry in entry_model.objects.order_by("id").iterator(chunk_size=2000):
        digest = entry_hash(prev, entry)
        updates.append((prev, digest, entry.pk))
        prev = digest
    with schema_editor.connection.cursor() as cur:
        # On SQLite, AddField rebuilt the table without its trigger: it is created again
        # here whether or not there were entries to chain.
        cur.execute(off)
        cur.executemany(
            "UPDATE core_auditentry SET prev_hash = %s, hash = %s WHERE id = %s", updates
        )
        cur.execute(on)


def restore_sqlite_trigger(apps, schema_editor):
    """Backwards, after the fields are removed (SQLite rebuilt the table again)."""
    if schema_editor.connection.vendor == "sqlite":
        with schema_editor.connection.cursor() as cur:
            cur.execute(SQLITE_OFF)
            cur.execute(SQLITE_ON)


class Migration(migrations.Migration):
    dependencies = [("core", "0002_audit_entry_append_only")]

    operations = [
        migrations.RunPython(migrations.RunPython.noop, restore_sqlite_trigger),
        migrations.AddField(
            model_name="auditentry",
            name="prev_hash",
            field=models.CharField(
                blank=True, default="", max_length=64, verbose_name="mã băm trước"
            ),
        ),
        migrations.AddField(
            model_name="auditentry",
            name="hash",
            field=models.CharField(blank=True, default="", max_length=64, verbose_name="mã băm"),
        ),
        migrations.RunPython(chain, migrations.RunPython.noop),
    ]
