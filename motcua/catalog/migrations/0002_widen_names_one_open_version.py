# Real records (fixtures/procedures.json) carry names up to ~570 characters, case headings
# up to ~630 and publication decisions up to ~145; one open-ended version per procedure.

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0001_initial"),
    ]

    operations = [
        migrations.AlterField(
            model_name="component",
            name="group",
            field=models.TextField(blank=True, verbose_name="trường hợp"),
        ),
        migrations.AlterField(
            model_name="procedure",
            name="name",
            field=models.CharField(max_length=1000, verbose_name="tên thủ tục"),
        ),
        migrations.AlterField(
            model_name="procedureversion",
            name="name",
            field=models.CharField(max_length=1000, verbose_name="tên thủ tục"),
        ),
        migrations.AlterField(
            model_name="procedureversion",
            name="publication_decision",
            field=models.CharField(blank=True, max_length=255, verbose_name="quyết định công bố"),
        ),
        migrations.AddConstraint(
            model_name="procedureversion",
            constraint=models.UniqueConstraint(
                condition=models.Q(("effective_to__isnull", True)),
                fields=("procedure",),
                name="procversion_one_open",
            ),
        ),
    ]
