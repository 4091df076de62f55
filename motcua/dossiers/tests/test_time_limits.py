"""The appointment comes from the limit of the dossier's own channel; a procedure without a
limit takes no dossier by that channel (no invented limit)."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from motcua.catalog.enums import Channel, TimeUnit
from motcua.catalog.models import ProcedureTimeLimit
from motcua.catalog.services import time_limit_set
from motcua.core.errors import ValidationFailed
from motcua.dossiers import services as s
from motcua.dossiers import timing
from motcua.dossiers.enums import Status
from motcua.dossiers.models import Attachment, Dossier, DossierEvent

from .conftest import T0, submit
from .factories import PDF, vn

pytestmark = pytest.mark.django_db


def per_channel(w, counter, online, post, unit=TimeUnit.WORKING_DAYS):
    ProcedureTimeLimit.objects.filter(version=w.version).delete()
    for ch, value in ((1, counter), (2, online), (3, post)):
        if value is not None:
            ProcedureTimeLimit.objects.create(
                version=w.version, channel=ch, value=Decimal(value), unit=unit
            )
    w.version.time_limits_stamp += 1  # as time_limit_set does: the cache must not serve
    w.version.save(update_fields=["time_limits_stamp"])


def intake(w, channel=Channel.COUNTER, at=T0, refuse_reason=None):
    return s.dossier_intake(
        actor=w.a.staff["c:counter"],
        procedure=w.procedure,
        receiving_agency=w.a.center,
        channel=channel,
        applicant={"name": "Trần Thị B"},
        files={w.components[0].pk: [("a.pdf", PDF)]},
        refuse_reason=refuse_reason,
        at=at,
    )


def test_each_channel_gets_its_own_limit(world):
    # "Trực tuyến: 17 …; Dịch vụ bưu chính: 20 …; Trực tiếp: 27 Ngày làm việc" in small:
    # counter 3, online 1, post 2 working days
    w = world
    per_channel(w, 3, 1, 2)
    online = submit(w)
    online = s.dossier_receive(dossier_id=online.pk, actor=w.a.staff["c:counter"], at=T0)
    counter = intake(w, Channel.COUNTER)
    post = intake(w, Channel.POST)
    # from Wed 4/3/2026 09:00: 1, 3 and 2 working days of 7.5 h
    assert online.due_at == vn(2026, 3, 5, 9, 0)
    assert counter.due_at == vn(2026, 3, 9, 9, 0)
    assert post.due_at == vn(2026, 3, 6, 9, 0)
    assert [d.original_due_at for d in (online, counter, post)] == [
        vn(2026, 3, 5, 9, 0),
        vn(2026, 3, 9, 9, 0),
        vn(2026, 3, 6, 9, 0),
    ]


def test_same_day_limit_at_the_counter(world):
    w = world
    time_limit_set(
        version=w.version,
        channels=None,
        value=None,
        unit=TimeUnit.SAME_DAY,
        cutoff="15:00",
        source="Nghị định 23/2015/NĐ-CP, Điều 7",
    )
    before = intake(w, at=vn(2026, 3, 4, 14, 59))
    after = intake(w, at=vn(2026, 3, 4, 15, 1))
    assert before.due_at == vn(2026, 3, 4, 17, 0)
    assert after.due_at == vn(2026, 3, 5, 17, 0)


def test_calendar_day_limit_follows_the_civil_code(world):
    w = world
    per_channel(w, 3, 3, 3, unit=TimeUnit.CALENDAR_DAYS)
    d = intake(w, at=vn(2026, 4, 23, 10, 0))
    # the last day, Sun 26/4, and Mon 27/4 are days off: the close of Tue 28/4
    assert d.due_at == vn(2026, 4, 28, 17, 0)


def test_online_submission_without_an_online_limit_is_refused_and_writes_nothing(world):
    w = world
    per_channel(w, 3, None, 3)
    n = Dossier.objects.count()
    with pytest.raises(ValidationFailed) as err:
        submit(w)
    assert err.value.code == "time_limit_missing"
    assert err.value.field == "procedure"
    assert err.value.data == {"procedure": "1.001193", "channel": 2}
    assert err.value.message.startswith(
        "Thủ tục 1.001193 chưa có thời hạn giải quyết cho cách thức 'trực tuyến'"
    )
    assert Dossier.objects.count() == n and Attachment.objects.count() == 0
    # the counter still takes it: its channel has a limit
    assert intake(w, Channel.COUNTER).status == Status.RECEIVED


def test_intake_without_a_limit_is_refused_and_writes_nothing(world):
    w = world
    ProcedureTimeLimit.objects.filter(version=w.version).delete()
    w.version.time_limits_stamp += 1
    w.version.save(update_fields=["time_limits_stamp"])
    n = Dossier.objects.count()
    for channel in (Channel.COUNTER, Channel.POST):
        with pytest.raises(ValidationFailed) as err:
            intake(w, channel)
        assert (err.value.code, err.value.data["channel"]) == ("time_limit_missing", channel)
    assert Dossier.objects.count() == n and Attachment.objects.count() == 0
    # a refusal at intake needs no appointment: it is recorded
    refused = intake(w, refuse_reason="Không thuộc thẩm quyền")
    assert refused.status == Status.REFUSED and refused.due_at is None


def test_receipt_of_a_submitted_dossier_whose_limit_is_gone_is_refused(world):
    w = world
    d = submit(w)
    ProcedureTimeLimit.objects.filter(version=w.version, channel=Channel.ONLINE).delete()
    w.version.time_limits_stamp += 1
    w.version.save(update_fields=["time_limits_stamp"])
    with pytest.raises(ValidationFailed) as err:
        s.dossier_receive(dossier_id=d.pk, actor=w.a.staff["c:counter"], at=T0)
    assert err.value.code == "time_limit_missing"
    d.refresh_from_db()
    # nothing changed: the code it got at submission, no receipt, no appointment
    assert (d.status, d.received_at, d.due_at) == (Status.SUBMITTED, None, None)
    assert DossierEvent.objects.filter(dossier=d).count() == 1


def test_a_limit_set_by_the_administrator_opens_the_procedure(world):
    w = world
    ProcedureTimeLimit.objects.filter(version=w.version).delete()
    w.version.time_limits_stamp += 1
    w.version.save(update_fields=["time_limits_stamp"])
    with pytest.raises(ValidationFailed):
        submit(w)
    # the stamp changes with the limits: the per-process cache does not serve the old answer
    time_limit_set(version=w.version, channels=[2], value=2, unit="working_days", source="test")
    d = submit(w)
    d = s.dossier_receive(dossier_id=d.pk, actor=w.a.staff["c:counter"], at=T0)
    assert d.due_at == vn(2026, 3, 6, 9, 0)


def test_receipt_reads_the_limits_without_a_query_once_cached(world):
    """The hot path (ADR 0003): the limits come with the version's stamp, not a query."""
    w = world
    first = submit(w)
    s.dossier_receive(dossier_id=first.pk, actor=w.a.staff["c:counter"], at=T0)
    d = submit(w)
    with CaptureQueriesContext(connection) as ctx:
        s.dossier_receive(dossier_id=d.pk, actor=w.a.staff["c:counter"], at=T0)
    assert not [q for q in ctx.captured_queries if "catalog_proceduretimelimit" in q["sql"]]


def test_appointment_is_one_function_for_services_and_demo(world):
    w = world
    per_channel(w, 3, 1, 2)
    at = vn(2026, 3, 4, 9, 0)
    assert timing.appointment(w.version, w.a.settling, at, Channel.ONLINE) == vn(2026, 3, 5, 9)
    assert timing.appointment(w.version, w.a.settling, at, Channel.COUNTER) == vn(2026, 3, 9, 9)
    with pytest.raises(ValidationFailed) as err:
        timing.appointment(w.version, w.a.settling, at, 4)
    assert (err.value.code, err.value.field) == ("invalid_channel", "channel")
