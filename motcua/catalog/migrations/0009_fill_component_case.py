"""Fill Component.case of the stored versions from their wording (data migration)."""

from django.db import migrations


def fill(apps, schema_editor):
    from motcua.catalog.cases import derive_cases

    Component = apps.get_model("catalog", "Component")
    ProcedureVersion = apps.get_model("catalog", "ProcedureVersion")
    for version_id in ProcedureVersion.objects.values_list("pk", flat=True).iterator():
        comps = list(Component.objects.filter(version_id=version_id).order_by("order"))
        cases = derive_cases([(c.name, c.group) for c in comps])
        changed = []
        for c, case in zip(comps, cases, strict=True):
            if c.case != case:
                c.case = case
                changed.append(c)
        Component.objects.bulk_update(changed, ["case"])


class Migration(migrations.Migration):
    dependencies = [("catalog", "0008_component_case")]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
