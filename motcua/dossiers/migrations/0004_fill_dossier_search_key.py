"""Fill Dossier.search_key for the dossiers created before it existed.

The key is written the way models.search_key_for() writes it today, spelled out here so
that this migration keeps its meaning if that function changes later.
"""

from django.db import migrations

from motcua.core.text import fold

BATCH = 2000


def fill(apps, schema_editor):
    Dossier = apps.get_model("dossiers", "Dossier")
    ProcedureVersion = apps.get_model("catalog", "ProcedureVersion")
    versions = {
        pk: fold(f"{code} {name}")
        for pk, code, name in ProcedureVersion.objects.values_list("pk", "procedure__code", "name")
    }
    last = 0
    while True:
        rows = list(
            Dossier.objects.filter(pk__gt=last)
            .order_by("pk")
            .values_list("pk", "applicant_name", "procedure_version_id")[:BATCH]
        )
        if not rows:
            return
        Dossier.objects.bulk_update(
            [
                Dossier(pk=pk, search_key=f"{fold(name)} | {versions[version]}")
                for pk, name, version in rows
            ],
            ["search_key"],
        )
        last = rows[-1][0]


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0002_widen_names_one_open_version"),
        ("dossiers", "0003_dossier_search_key"),
    ]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop, elidable=True)]
