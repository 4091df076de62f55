"""Data: the fee items that existed get what their wording states (kind, channels, legal
basis, per-unit or tiered computation: importer.feetext.derive; a fixed amount stays
fixed, no figure stays unknown), and the shipped fee policies are loaded."""

from django.db import migrations


def fill(apps, schema_editor):
    # The importer's own reading, so that a re-import finds the rows unchanged.
    from motcua.catalog.feepolicies import load_policies
    from motcua.catalog.importer.feetext import complement_channels, derive

    FeeItem = apps.get_model("catalog", "FeeItem")
    by_version: dict[int, list] = {}
    for item in FeeItem.objects.order_by("version_id", "order", "pk"):
        by_version.setdefault(item.version_id, []).append(item)
    for items in by_version.values():
        read = complement_channels(
            [{"name": i.name, **derive(i.name, i.note, i.amount_vnd)} for i in items]
        )
        for item, fields in zip(items, read, strict=True):
            for key, value in fields.items():
                setattr(item, key, value)
            item.save()
    load_policies(apps.get_model("catalog", "FeePolicy"))


class Migration(migrations.Migration):
    dependencies = [("catalog", "0012_fee_item_computation_and_policies")]
    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
