from decimal import Decimal

import pytest

from motcua.catalog.enums import TimeUnit
from motcua.catalog.models import ProcedureVersion, ProcessStep
from motcua.catalog.services import (
    default_process_for,
    default_process_for_hours,
    process_set_steps,
    statutory_hours,
)
from motcua.core.errors import ValidationFailed

from .factories import make_version

pytestmark = pytest.mark.django_db


def step(name="Xử lý", role="specialist", agency_role="settling", hours="1"):
    return {"name": name, "role": role, "agency_role": agency_role, "duration_hours": hours}


def test_statutory_hours_per_unit():
    assert statutory_hours(make_version(code="9.1", value=Decimal(3))) == Decimal("22.5")
    assert statutory_hours(
        make_version(code="9.2", value=Decimal(4), unit=TimeUnit.WORKING_HOURS)
    ) == Decimal(4)
    # calendar days: an upper bound, counted like working days
    assert statutory_hours(
        make_version(code="9.3", value=Decimal(10), unit=TimeUnit.CALENDAR_DAYS)
    ) == Decimal(75)
    assert statutory_hours(make_version(code="9.4", value=None)) is None
    assert statutory_hours(make_version(code="9.5", value=Decimal(2)), Decimal(8)) == Decimal(16)


def test_process_that_fits_is_written_in_order():
    v = make_version(value=Decimal(1))  # 7.5 h
    steps = process_set_steps(
        version=v,
        steps=[step("Tiếp nhận", "counter", "receiving", "0.5"), step(hours="7")],
    )
    assert [(s.order, s.name, s.duration_hours) for s in steps] == [
        (1, "Tiếp nhận", Decimal("0.5")),
        (2, "Xử lý", Decimal("7")),
    ]
    assert v.steps.count() == 2


def test_process_exceeding_the_limit_is_refused_and_old_steps_kept():
    v = make_version(value=Decimal(1))
    process_set_steps(version=v, steps=[step(hours="2")])
    with pytest.raises(ValidationFailed) as exc:
        process_set_steps(version=v, steps=[step(hours="5"), step(hours="2.75")])
    assert exc.value.code == "process_invalid"
    assert exc.value.field == "steps"
    assert "7.75" in exc.value.message_en and "7.5" in exc.value.message_en
    assert list(v.steps.values_list("duration_hours", flat=True)) == [Decimal(2)]


@pytest.mark.parametrize(
    ("steps", "field"),
    [
        ([], "steps"),
        ([step(), step(role="mayor")], "steps[1].role"),
        ([step(agency_role="deciding")], "steps[0].agency_role"),
        ([step(hours="0")], "steps[0].duration_hours"),
        ([step(hours="-1")], "steps[0].duration_hours"),
        ([step(hours="abc")], "steps[0].duration_hours"),
        ([step(hours="0.125")], "steps[0].duration_hours"),
        ([step(name="  ")], "steps[0].name"),
    ],
)
def test_bad_process_is_refused_naming_the_step(steps, field):
    v = make_version()
    with pytest.raises(ValidationFailed) as exc:
        process_set_steps(version=v, steps=steps)
    assert exc.value.field == field
    assert ProcessStep.objects.count() == 0


def test_no_time_limit_accepts_any_total():
    v = make_version(value=None)
    process_set_steps(version=v, steps=[step(hours="500")])
    assert v.steps.get().duration_hours == Decimal(500)


def test_default_process_shape_and_rounding():
    one_day = default_process_for_hours(Decimal("7.5"))
    assert [(s["name"], s["role"], s["agency_role"]) for s in one_day] == [
        ("Tiếp nhận, chuyển hồ sơ", "counter", "receiving"),
        ("Thẩm định, xử lý", "specialist", "settling"),
        ("Phê duyệt, ký kết quả", "leader", "settling"),
        ("Trả kết quả", "counter", "receiving"),
    ]
    assert [s["duration_hours"] for s in one_day] == [
        Decimal("0.5"),
        Decimal("4.75"),
        Decimal("1.5"),
        Decimal("0.75"),
    ]
    # 4 working hours: the 0.5 h floors push the sum over, the longest step gives way
    assert [s["duration_hours"] for s in default_process_for_hours(Decimal(4))] == [
        Decimal("0.5"),
        Decimal("2.25"),
        Decimal("0.75"),
        Decimal("0.5"),
    ]
    # no limit → no process: nothing is sized on an invented limit
    assert default_process_for_hours(None) == []
    tiny = default_process_for_hours(Decimal(1))
    assert sum(s["duration_hours"] for s in tiny) <= 1
    assert all(s["duration_hours"] > 0 for s in tiny)


def test_default_process_fits_every_real_record(catalog):
    versions = list(ProcedureVersion.objects.all())
    assert len(versions) == 55
    for v in versions:
        process = default_process_for(v)
        limit = statutory_hours(v)
        total = sum(s["duration_hours"] for s in process)
        if limit is None:  # the 6 records without a limit: no process until one is set
            assert process == [] and v.steps.count() == 0, v.procedure.code
            continue
        assert total <= limit, v.procedure.code
        assert all(s["duration_hours"] >= Decimal("0.5") for s in process), v.procedure.code
        # and it is the process the importer stored, which the service accepts as is
        assert [s.duration_hours for s in v.steps.all()] == [s["duration_hours"] for s in process]
        process_set_steps(version=v, steps=process)
