"""The first appointment (`original_due_at`) now moves with every clock pause, like the
appointment (docs/rules.md "Verdict"): bring the dossiers paused before this change in line.

- Not re-appointed: the first appointment is the appointment (`due_at`).
- Re-appointed: the first appointment moved by each ended pause, in order, on the settling
  agency's work calendar (the rule of motcua.dossiers.deadlines.pause_shift, spelled out
  here with the calendar of today).

Data only; the indicators' facts hold the judged appointment: run
`motcua indicators rebuild` after upgrading.
"""

from decimal import Decimal

from django.db import migrations
from django.db.models import F


def forward(apps, schema_editor):
    from motcua.catalog.enums import TimeUnit
    from motcua.workcalendar.selectors import get_calendar

    Dossier = apps.get_model("dossiers", "Dossier")
    Pause = apps.get_model("dossiers", "Pause")
    paused = Dossier.objects.filter(paused_seconds__gt=0, original_due_at__isnull=False)
    paused.filter(apology_count=0).exclude(due_at__isnull=True).update(original_due_at=F("due_at"))
    for d in paused.filter(apology_count__gt=0).iterator():
        calendar = get_calendar(d.settling_agency_id)
        first = d.original_due_at
        for seconds in (
            Pause.objects.filter(dossier_id=d.pk, working_seconds__gt=0)
            .order_by("started_at")
            .values_list("working_seconds", flat=True)
        ):
            first = calendar.add(first, Decimal(seconds) / Decimal(3600), TimeUnit.WORKING_HOURS)
        Dossier.objects.filter(pk=d.pk).update(original_due_at=first)


class Migration(migrations.Migration):
    dependencies = [("dossiers", "0006_drop_redundant_fk_indexes")]

    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]
