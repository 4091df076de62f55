"""Dossier events become hash chains (docs/adr/0010): `DossierEvent.hash` and the head
on the dossier (`Dossier.chain_head`). The events written before are chained here by the
one rule (`dossiers.chain.event_hash`), streamed in (dossier, seq) order and written back
in batches (bench: docs/adr/0010 gives the time for the demo's data)."""

from django.db import migrations, models

from motcua.core.chain import GENESIS

BATCH = 5000


def chain(apps, schema_editor):
    from motcua.core.bulk import update_column
    from motcua.dossiers.chain import ROW_FIELDS, event_hash

    conn = schema_editor.connection
    event_model = apps.get_model("dossiers", "DossierEvent")
    rows = (
        event_model.objects.using(conn.alias)
        .order_by("dossier_id", "seq")
        .values_list("id", "dossier_id", *ROW_FIELDS)
        .iterator(chunk_size=BATCH)
    )
    hashes: list[tuple[str, int]] = []
    heads: list[tuple[str, int]] = []
    current, prev = None, GENESIS
    for pk, dossier_id, *values in rows:
        if dossier_id != current:
            if current is not None:
                heads.append((prev, current))
            current, prev = dossier_id, GENESIS
        prev = event_hash(prev, **dict(zip(ROW_FIELDS, values, strict=True)))
        hashes.append((prev, pk))
        if len(hashes) >= BATCH:
            update_column("dossiers_dossierevent", "hash", hashes, using=conn)
            update_column("dossiers_dossier", "chain_head", heads, using=conn)
            hashes, heads = [], []
    if current is not None:
        heads.append((prev, current))
    update_column("dossiers_dossierevent", "hash", hashes, using=conn)
    update_column("dossiers_dossier", "chain_head", heads, using=conn)


class Migration(migrations.Migration):
    dependencies = [("dossiers", "0011_attachment_scan")]

    operations = [
        migrations.AddField(
            model_name="dossier",
            name="chain_head",
            field=models.CharField(
                blank=True, default="", max_length=64, verbose_name="mã băm sự kiện cuối"
            ),
        ),
        migrations.AddField(
            model_name="dossierevent",
            name="hash",
            field=models.CharField(blank=True, default="", max_length=64, verbose_name="mã băm"),
        ),
        migrations.RunPython(chain, migrations.RunPython.noop),
    ]
