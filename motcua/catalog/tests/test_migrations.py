"""0005 turns each version's single limit into one row per channel, reading the channels a
text names; a version without a limit gets none."""

from decimal import Decimal

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("catalog", "0004_time_limits_per_channel")]
AFTER = [("catalog", "0006_drop_single_time_limit")]


def migrate(target):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(target)
    return executor.loader.project_state(target).apps


@pytest.mark.django_db(transaction=True)
def test_single_limits_become_rows_per_channel():
    apps = migrate(BEFORE)
    Field = apps.get_model("catalog", "Field")
    Procedure = apps.get_model("catalog", "Procedure")
    Version = apps.get_model("catalog", "ProcedureVersion")
    field = Field.objects.create(code="f", name="F")
    made = {}
    for code, value, unit, text in [
        (
            "1.013978",
            Decimal(27),
            "working_days",
            "Trực tuyến: 17 Ngày làm việc; Dịch vụ bưu chính: 20 Ngày làm việc; "
            "Trực tiếp: 27 Ngày làm việc",
        ),
        ("2.001827", Decimal(15), "calendar_days", "15 Ngày"),
        ("2.000815", None, "working_days", ""),
    ]:
        proc = Procedure.objects.create(code=code, name=code, field=field, level="xa")
        made[code] = Version.objects.create(
            procedure=proc,
            number=1,
            effective_from="2025-07-01",
            name=code,
            time_limit_value=value,
            time_limit_unit=unit,
            time_limit_text=text,
        ).pk
    try:
        apps = migrate(AFTER)
        Limit = apps.get_model("catalog", "ProcedureTimeLimit")

        def rows(code):
            return [
                (r.channel, r.value, r.unit)
                for r in Limit.objects.filter(version_id=made[code]).order_by("channel")
            ]

        assert rows("1.013978") == [
            (1, Decimal(27), "working_days"),
            (2, Decimal(17), "working_days"),
            (3, Decimal(20), "working_days"),
        ]
        assert rows("2.001827") == [(ch, Decimal(15), "calendar_days") for ch in (1, 2, 3)]
        assert rows("2.000815") == []
    finally:
        # Back to the latest state of every app, whatever migrations come after 0006.
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(executor.loader.graph.leaf_nodes())
