# The single limit of a version is now its ProcedureTimeLimit rows (copied by 0005).

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0005_copy_time_limits_per_channel"),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name="procedureversion",
            name="procversion_time_limit_positive",
        ),
        migrations.RemoveField(
            model_name="procedureversion",
            name="time_limit_unit",
        ),
        migrations.RemoveField(
            model_name="procedureversion",
            name="time_limit_value",
        ),
    ]
