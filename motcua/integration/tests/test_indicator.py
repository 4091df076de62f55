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


def test_fee_data_synced_is_3_5a_source_where_the_sync_is_configured(case, receiver, settings):
    """3.5a ("fees integrated") from the sync log: a dossier counts when the portal
    acknowledged a message carrying its fee lines; without the sync, MOTCUA_766_SYNCED."""
    from motcua.indicators.selectors import (
        indicator_procedures,
        indicators_compute,
        indicators_full_recompute,
    )

    w, synced, waiting, submitted, earlier, other = case
    # `waiting`'s submission (with its fee lines) reached the portal before it went down.
    # `unsent`: submitted and received on DAY while the portal is down: nothing delivered.
    receiver.control(mode="down")
    unsent = submit(w, T0)
    unsent = s.dossier_receive(dossier_id=unsent.pk, actor=w.a.staff["c:counter"], at=T0)
    deliver()
    receiver.control(mode="up")
    assert not OutboxMessage.objects.filter(key=unsent.code, state="delivered").exists()
    side_a = AgencyScope([w.a.center.pk, w.a.settling.pk])
    assert set(indicators.received_in(DAY, DAY, side_a)) == {synced, waiting, unsent}
    assert set(indicators.fee_synced_dossiers(DAY, DAY, side_a)) == {synced, waiting}
    assert set(indicators.fee_synced_dossiers(DAY, DAY, AllScope())) == {synced, waiting, other}
    ids = indicators.fee_synced_procedures(DAY, DAY, side_a)
    assert sorted(r["procedure_id"] for r in ids) == [w.procedure.pk, w.procedure.pk]

    settings.MOTCUA_766_SYNCED = "none"  # ignored while the sync is configured
    period = {"date_from": DAY, "date_to": DAY, "agency": w.a.center.code}
    card = indicators_compute(**period)
    f = next(x for x in card.figures if x.id == "3.5a")
    assert (f.numerator, f.denominator) == (1, 1)
    assert f.note.startswith("Nguồn: nhật ký đồng bộ Cổng Dịch vụ công quốc gia")
    full = next(x for x in indicators_full_recompute(**period).figures if x.id == "3.5a")
    assert full.as_dict() == f.as_dict()
    assert list(indicator_procedures("numerator", indicator_id="3.5a", **period)) == [w.procedure]
    # the day before: `earlier` synced with its fees
    before = {
        **period,
        "date_from": DAY - dt.timedelta(days=1),
        "date_to": DAY - dt.timedelta(days=1),
    }
    assert next(x for x in indicators_compute(**before).figures if x.id == "3.5a").numerator == 1

    settings.MOTCUA_NATIONAL_SYNC_URL = ""  # not configured: the setting applies ("none")
    assert indicators.fee_synced_procedures(DAY, DAY, side_a) is None
    f = next(x for x in indicators_compute(**period).figures if x.id == "3.5a")
    assert (f.numerator, f.denominator) == (0, 1)
    assert f.note == (
        "Nguồn: cài đặt MOTCUA_766_SYNCED=none (chưa cấu hình đồng bộ Cổng Dịch vụ công quốc gia)."
    )
    assert list(indicator_procedures("numerator", indicator_id="3.5a", **period)) == []
    settings.MOTCUA_766_SYNCED = "received"
    f = next(x for x in indicators_compute(**period).figures if x.id == "3.5a")
    assert (f.numerator, f.denominator) == (1, 1)
    assert "MOTCUA_766_SYNCED=received" in f.note
