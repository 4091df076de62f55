# Time limits per channel (ProcedureTimeLimit), the catalog's audit trail, and the stamp
# that keys the per-process cache of a version's limits. The old single limit is copied
# by 0005 and its columns dropped by 0006 (schema and data migrations kept apart).

import django.db.models.deletion
import motcua.catalog.models
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0003_procedure_search_key_trigram_index"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="CatalogAuditEntry",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("at", models.DateTimeField(db_index=True, verbose_name="thời điểm")),
                ("action", models.CharField(max_length=40, verbose_name="thao tác")),
                ("data", models.JSONField(default=dict, verbose_name="nội dung (trước → sau)")),
            ],
            options={
                "verbose_name": "nhật ký danh mục",
                "verbose_name_plural": "nhật ký danh mục",
                "ordering": ["-at", "-id"],
            },
        ),
        migrations.CreateModel(
            name="ProcedureTimeLimit",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "channel",
                    models.PositiveSmallIntegerField(
                        choices=[
                            (1, "Trực tiếp"),
                            (2, "Trực tuyến"),
                            (3, "Qua bưu chính công ích"),
                        ],
                        verbose_name="cách thức thực hiện",
                    ),
                ),
                (
                    "value",
                    models.DecimalField(
                        blank=True,
                        decimal_places=2,
                        max_digits=7,
                        null=True,
                        verbose_name="thời hạn",
                    ),
                ),
                (
                    "unit",
                    models.CharField(
                        choices=[
                            ("working_days", "ngày làm việc"),
                            ("working_hours", "giờ làm việc"),
                            ("calendar_days", "ngày"),
                            ("same_day", "trong ngày"),
                        ],
                        max_length=20,
                        verbose_name="đơn vị",
                    ),
                ),
                (
                    "cutoff",
                    models.TimeField(
                        blank=True, null=True, verbose_name="giờ chốt tiếp nhận trong ngày"
                    ),
                ),
            ],
            options={
                "verbose_name": "thời hạn giải quyết",
                "verbose_name_plural": "thời hạn giải quyết",
                "ordering": ["version", "channel"],
            },
        ),
        migrations.AddField(
            model_name="procedureversion",
            name="time_limits_stamp",
            field=models.BigIntegerField(
                default=motcua.catalog.models.new_limits_stamp,
                editable=False,
                verbose_name="dấu phiên bản thời hạn",
            ),
        ),
        migrations.AddField(
            model_name="catalogauditentry",
            name="actor",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
                verbose_name="người thực hiện",
            ),
        ),
        migrations.AddField(
            model_name="catalogauditentry",
            name="procedure",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="audit",
                to="catalog.procedure",
                verbose_name="thủ tục",
            ),
        ),
        migrations.AddField(
            model_name="catalogauditentry",
            name="version",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="audit",
                to="catalog.procedureversion",
                verbose_name="phiên bản",
            ),
        ),
        migrations.AddField(
            model_name="proceduretimelimit",
            name="version",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="time_limits",
                to="catalog.procedureversion",
            ),
        ),
        migrations.AddConstraint(
            model_name="proceduretimelimit",
            constraint=models.UniqueConstraint(
                fields=("version", "channel"), name="timelimit_one_per_channel"
            ),
        ),
        migrations.AddConstraint(
            model_name="proceduretimelimit",
            constraint=models.CheckConstraint(
                condition=models.Q(("channel__in", [1, 2, 3])), name="timelimit_channel_valid"
            ),
        ),
        migrations.AddConstraint(
            model_name="proceduretimelimit",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("unit__in", ["working_days", "working_hours", "calendar_days", "same_day"])
                ),
                name="timelimit_unit_valid",
            ),
        ),
        migrations.AddConstraint(
            model_name="proceduretimelimit",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(
                        ("cutoff__isnull", False), ("unit", "same_day"), ("value__isnull", True)
                    ),
                    models.Q(
                        models.Q(("unit", "same_day"), _negated=True),
                        ("cutoff__isnull", True),
                        ("value__gt", 0),
                        ("value__isnull", False),
                    ),
                    _connector="OR",
                ),
                name="timelimit_value_matches_unit",
            ),
        ),
    ]
