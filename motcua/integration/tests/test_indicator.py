"""Indicator 1.4 (dossiers synced to the national portal) against a hand-built case."""

import datetime as dt

import pytest
from django.db.models import Q

from motcua.dossiers import services as s
from motcua.dossiers.tests.conftest import T0, submit
from motcua.dossiers.tests.factories import make_world
from motcua.integration import indicators, national, outbox
from motcua.integration.models import OutboxMessage

pytestmark = pytest.mark.django_db
DAY = T0.date()  # 04/03/2026


class AllScope:
    def dossier_q(self, prefix=""):
        return Q()


class AgencyScope:
    def __init__(self, ids):
        self.ids = ids

    def dossier_q(self, prefix=""):
        return Q(receiving_agency_id__in=self.ids) | Q(settling_agency_id__in=self.ids)


def deliver():
    outbox.run(names=[national.DESTINATION])


@pytest.fixture
def case(receiver):
    """Five dossiers of side A:
    - synced: received on DAY, its receipt acknowledged by the portal;
    - refused: received? no (refused at receipt): not in the denominator;
    - waiting: received on DAY, the portal is down when its receipt goes: not synced;
    - submitted: not received: not in the denominator;
    - earlier: received the day before, synced: outside the period.
    Plus side B: received on DAY and synced (outside side A's scope)."""
    w = make_world()
    c = w.a.staff["c:counter"]
    synced = s.dossier_receive(dossier_id=submit(w, T0).pk, actor=c, at=T0)
    s.dossier_refuse(dossier_id=submit(w, T0).pk, actor=c, reason="Sai", at=T0)
    submitted = submit(w, T0)
    earlier_at = T0 - dt.timedelta(days=1)
    earlier = s.dossier_receive(dossier_id=submit(w, earlier_at).pk, actor=c, at=earlier_at)
    from motcua.dossiers.tests.factories import PDF

    other = s.dossier_intake(
        actor=w.b.staff["c:counter"],
        procedure=w.procedure,
        receiving_agency=w.b.center,
        applicant={"name": "Lê Văn Bê"},
        files={w.components[0].pk: [("a.pdf", PDF)]},
        at=T0,
    )
    deliver()
    waiting = submit(w, T0)
    deliver()
    receiver.control(mode="down")
    waiting = s.dossier_receive(dossier_id=waiting.pk, actor=c, at=T0)
    deliver()
    receiver.control(mode="up")
    return w, synced, waiting, submitted, earlier, other


def test_numerator_and_denominator(case):
    w, synced, waiting, submitted, earlier, other = case
    side_a = AgencyScope([w.a.center.pk, w.a.settling.pk])
    assert set(indicators.received_in(DAY, DAY, side_a)) == {synced, waiting}
    assert list(indicators.synced_dossiers(DAY, DAY, side_a)) == [synced]
    assert set(indicators.synced_dossiers(DAY, DAY, AllScope())) == {synced, other}
    assert set(indicators.received_in(DAY, DAY, AllScope())) == {synced, waiting, other}
    # the day before: only `earlier`, synced
    before = DAY - dt.timedelta(days=1)
    assert list(indicators.synced_dossiers(before, before, side_a)) == [earlier]
    # once the waiting receipt is delivered, it counts
    OutboxMessage.objects.filter(state="pending").update(next_attempt_at=T0)
    deliver()
    assert set(indicators.synced_dossiers(DAY, DAY, side_a)) == {synced, waiting}


def test_delay_is_measured_from_writing_to_acknowledgement(case):
    w, synced, *_ = case
    OutboxMessage.objects.filter(key=synced.code).update(
        created_at=T0, delivered_at=T0 + dt.timedelta(seconds=4)
    )
    side_a = AgencyScope([w.a.center.pk, w.a.settling.pk])
    avg, longest = indicators.delay(DAY, DAY, side_a)
    # the waiting dossier's creation was delivered (its own small delay) too
    assert longest == 4.0
    assert 2.0 <= avg <= 4.0


def test_the_provider_counts_and_says_none_without_the_sync(case, settings):
    providers = pytest.importorskip("motcua.indicators.providers")
    w, synced, waiting, *_ = case
    side_a = providers.Scope(agency_ids=(w.a.center.pk, w.a.settling.pk))
    count = indicators.sync_rate(DAY, DAY, side_a)
    assert (count.numerator, count.denominator) == (1, 2)
    assert list(count.drill()) == [synced]
    assert count.note.startswith("Độ trễ đồng bộ trung bình ")
    out = providers.evaluate("1.4", DAY, DAY, side_a)
    assert (out.count.numerator, out.count.denominator) == (1, 2)
    settings.MOTCUA_NATIONAL_SYNC_URL = ""
    out = providers.evaluate("1.4", DAY, DAY, side_a)
    assert out.count is None
    assert out.reason_vi.startswith("không tính được trong hệ thống này: chưa cấu hình đồng bộ")
