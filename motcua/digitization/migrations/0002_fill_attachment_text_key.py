"""Scans digitized before the inbox searched their text: their attachment gets the folded
OCR text (core.text.fold) the search matches (data only)."""

from django.db import migrations


def fill(apps, schema_editor):
    from motcua.core.text import fold

    Scan = apps.get_model("digitization", "Scan")
    Attachment = apps.get_model("dossiers", "Attachment")
    done = Scan.objects.filter(attachment__isnull=False).exclude(text="")
    for attachment_id, text in done.values_list("attachment_id", "text").iterator():
        Attachment.objects.filter(pk=attachment_id).update(text_key=fold(text))


class Migration(migrations.Migration):
    dependencies = [
        ("digitization", "0001_initial"),
        ("dossiers", "0015_attachment_text_key"),
    ]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
