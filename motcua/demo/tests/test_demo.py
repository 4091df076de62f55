"""The demo loader: consistent histories, codes, deadlines, idempotent master data, and
synthesized dossiers that the real services can act on."""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter, defaultdict

import pytest
from django.contrib.auth import get_user_model

from motcua.catalog.enums import Channel
from motcua.catalog.limits import limit_label
from motcua.catalog.models import ProcedureAgency, ProcedureVersion
from motcua.core.models import AuditEntry
from motcua.demo.generator import demo_load
from motcua.dossiers import services as s
from motcua.dossiers import timing
from motcua.dossiers.codes import code_day, code_format, code_parse
from motcua.dossiers.enums import PAYMENT_PROVIDER, TRANSITIONS, Action, Status
from motcua.dossiers.models import (
    DailySequence,
    Dossier,
    DossierEvent,
    Handover,
    Pause,
    search_key_for,
)
from motcua.org.models import Agency, Applicant, StaffRole

N = 400
PASSWORD = "demo-pass-123"
CODE = re.compile(r"^[0-9A-Z.]+-\d{6}-\d{4}$")
CREATION = {Action.SUBMIT, Action.INTAKE}


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        result = demo_load(count=N, seed=7, password=PASSWORD)
        yield result
        # Module-scoped data lives outside the per-test transactions: empty every table so
        # that the modules after this one start from a clean database.
        from django.core.management import call_command

        call_command("flush", interactive=False, verbosity=0)


pytestmark = pytest.mark.django_db


def events_by_dossier():
    out = defaultdict(list)
    for e in DossierEvent.objects.order_by("dossier_id", "seq"):
        out[e.dossier_id].append(e)
    return out


def test_every_event_chain_is_contiguous_and_ends_in_the_status(demo):
    chains = events_by_dossier()
    dossiers = list(Dossier.objects.all())
    assert len(dossiers) == N + len(demo.live)
    for d in dossiers:
        chain = chains[d.pk]
        assert [e.seq for e in chain] == list(range(1, len(chain) + 1)), d.pk
        assert chain[0].from_status is None
        for prev, e in zip(chain, chain[1:], strict=False):
            assert e.from_status == prev.to_status, (d.pk, e.seq)
        assert chain[-1].to_status == d.status
        assert d.version == len(chain)


def test_every_transition_is_allowed_by_the_table(demo):
    for e in DossierEvent.objects.all():
        sources, target, actors = TRANSITIONS[e.action]
        if e.action in CREATION:
            assert e.from_status is None and e.to_status == Status.SUBMITTED
            continue
        assert e.from_status in sources, (e.action, e.from_status)
        expected = e.from_status if target is None else target
        assert e.to_status == expected, (e.action, e.to_status)
        if e.actor_role == "applicant":
            assert "applicant" in actors
            assert e.actor_id == Applicant.objects.get(dossiers=e.dossier_id).user_id
        elif "step" not in actors:
            assert e.actor_role in actors, (e.action, e.actor_role)
        if e.actor_role == PAYMENT_PROVIDER:  # the payment system: no user, no agency
            assert (e.action, e.actor_id, e.actor_agency_id) == ("confirm_payment", None, None)
        elif e.actor_role != "applicant":
            assert StaffRole.objects.filter(
                user_id=e.actor_id, agency_id=e.actor_agency_id, role=e.actor_role, active=True
            ).exists(), (e.action, e.actor_role)


def test_codes_match_the_format_are_unique_and_fill_the_daily_sequence(demo):
    """Every dossier has its code from submission (the day of submission), by the one rule
    of motcua.dossiers.codes."""
    everything = Dossier.objects.all()
    codes = list(everything.values_list("code", flat=True))
    assert codes and all(CODE.match(c) for c in codes)
    assert len(set(codes)) == len(codes)
    top = defaultdict(int)
    for d in everything.select_related("receiving_agency"):
        parts = code_parse(d.code)
        assert parts.agency_code == d.receiving_agency.code
        assert parts.day == code_day(d.submitted_at)
        assert d.code == code_format(parts.agency_code, parts.day, parts.number)
        key = (d.receiving_agency_id, parts.day)
        top[key] = max(top[key], parts.number)
    rows = {(r.agency_id, r.day): r.last for r in DailySequence.objects.all()}
    assert rows == dict(top)


def test_every_dossier_has_its_search_key(demo):
    rows = Dossier.objects.values_list(
        "search_key", "applicant_name", "procedure__code", "procedure_version__name"
    )
    assert len(rows) == N + len(demo.live)
    assert [key for key, *_ in rows] == [search_key_for(*parts) for _, *parts in rows]
    assert all(key.count(" | ") == 1 for key, *_ in rows)


def test_due_is_the_appointment_shifted_by_the_paused_time(demo):
    sample = Dossier.objects.filter(received_at__isnull=False, apology_count=0).select_related(
        "procedure_version", "settling_agency"
    )
    checked = paused = 0
    for d in sample[:150]:
        due = timing.appointment(d.procedure_version, d.settling_agency, d.received_at, d.channel)
        for pause in Pause.objects.filter(dossier=d, working_seconds__isnull=False):
            due = timing.shift(d.settling_agency, due, pause.working_seconds)
            paused += 1
        # Not re-appointed: the first appointment moves with the pauses like the appointment.
        assert d.original_due_at == due, d.pk
        assert d.due_at == due, d.pk
        checked += 1
    assert checked == 150 and paused > 0


def test_the_real_limits_are_loaded_with_their_legal_source(demo):
    """The 6 records without a limit get the one set by law (fixtures/time-limits.json),
    through time_limit_set, audited with the source; dossiers of them use it."""
    entries = AuditEntry.objects.filter(operation="time_limit_set")
    assert sorted(e.object_label.split(" ")[0] for e in entries) == [
        "2.000635", "2.000815", "2.000884", "2.001019", "2.001035", "2.001263",
    ]  # fmt: skip
    assert all(e.actor_id is None and e.reason for e in entries)
    assert ProcedureVersion.objects.filter(time_limits__isnull=True).count() == 0
    adoption = ProcedureVersion.objects.get(procedure__code="2.001263")
    assert limit_label(adoption, Channel.COUNTER) == "30 ngày"
    copy = ProcedureVersion.objects.get(procedure__code="2.000815")
    assert limit_label(copy, Channel.COUNTER) == "Trong ngày (sau 15 giờ: ngày làm việc tiếp theo)"
    contract = ProcedureVersion.objects.get(procedure__code="2.001035")
    assert limit_label(contract, Channel.ONLINE) == "2 ngày làm việc"
    # a same-day dossier of the history is due at the close of a working day
    # (a clock pause moves the appointment: only those without one end at the close)
    same_day = Dossier.objects.filter(
        procedure__code__in=["2.000815", "2.000884", "2.000635"],
        received_at__isnull=False,
        paused_seconds=0,
    )
    assert same_day.exists()
    for d in same_day[:50]:
        assert d.original_due_at.astimezone(timing.VN).time() == dt.time(17)


def test_handover_outcomes_are_classified_against_their_due(demo):
    finished = Handover.objects.filter(finished_at__isnull=False)
    assert finished.count() > N
    for h in finished:
        assert h.outcome == timing.classify(h.finished_at, h.due_at)
    assert not Handover.objects.filter(finished_at__isnull=True).exclude(outcome="").exists()


def test_distributions_are_plausible(demo):
    total = Dossier.objects.count()
    channels = Counter(Dossier.objects.values_list("channel", flat=True))
    assert 0.35 < channels[2] / total < 0.70
    assert 0.25 < channels[1] / total < 0.60
    assert 0 < channels[3] / total < 0.12
    statuses = Counter(Dossier.objects.values_list("status", flat=True))
    assert statuses[Status.RETURNED] / total > 0.75
    assert 0 < statuses[Status.REFUSED] / total < 0.08
    assert 0 < statuses[Status.STOPPED] / total < 0.06
    assert statuses[Status.PROCESSING] > 0
    assert 0.05 < Dossier.objects.filter(supplement_count__gt=0).count() / total < 0.2
    done = Dossier.objects.filter(status__in=[9, 10])
    late = sum(timing.classify(d.finished_at, d.due_at) == "late" for d in done)
    assert 0.02 < late / done.count() < 0.15
    returned = Dossier.objects.filter(status=Status.RETURNED)
    assert 0.2 < returned.filter(rating__isnull=False).count() / returned.count() < 0.6
    online = Dossier.objects.filter(channel=2)
    assert online.filter(owner__isnull=True).count() == 0


def test_rerun_keeps_master_data_and_dossiers(demo):
    before = (
        Agency.objects.count(),
        get_user_model().objects.count(),
        StaffRole.objects.count(),
        Applicant.objects.count(),
        ProcedureAgency.objects.count(),
        Dossier.objects.count(),
    )
    again = demo_load(count=N, seed=7, password=PASSWORD)
    assert again.skipped
    after = (
        Agency.objects.count(),
        get_user_model().objects.count(),
        StaffRole.objects.count(),
        Applicant.objects.count(),
        ProcedureAgency.objects.count(),
        Dossier.objects.count(),
    )
    assert after == before


def test_demo_accounts_share_the_password(demo):
    user = get_user_model().objects.get(username="xa.yenthe.chuyenvien")
    assert user.check_password(PASSWORD)
    assert get_user_model().objects.get(username="admin").is_superuser


def test_a_synthesized_dossier_in_processing_can_be_forwarded_by_its_officer(demo):
    d = (
        # Any owner: since the real same-day limits (chứng thực, trích lục) are loaded, few
        # dossiers of a 400-dossier history are still in processing at "now".
        Dossier.objects.filter(status=Status.PROCESSING, current_step__role="specialist")
        .exclude(pk__in=[x.pk for x in demo.live])
        .select_related("current_step")
        .first()
    )
    assert d is not None
    officer = demo.province.staff[(d.settling_agency_id, "specialist")]
    version = d.version
    forwarded = s.dossier_forward(dossier_id=d.pk, actor=officer, expected_version=version)
    assert forwarded.status == Status.PROCESSING
    assert forwarded.version == version + 1
    last = DossierEvent.objects.filter(dossier=d).order_by("-seq").first()
    assert (last.seq, last.action, last.from_status) == (version + 1, "forward", 4)


def test_live_dossiers_of_the_demo_citizen_went_through_the_services(demo):
    statuses = sorted(d.status for d in demo.live)
    assert statuses == [1, 4, 5, 6]
    from motcua.catalog import cases

    for d in demo.live:
        # One file for each component the procedure requires (no case declared).
        needed = [c for c in d.procedure_version.components.all() if cases.needed(c)]
        assert d.attachments.count() == len(needed) >= 1
        assert sorted(d.received.values_list("component_id", flat=True)) == sorted(
            c.pk for c in needed
        )
        assert d.owner.user.username == "congdan"


def test_the_served_address_is_the_public_url_of_the_qr_codes():
    from motcua.demo.management.commands.demo import public_url_for

    assert public_url_for("127.0.0.1:8000") == "http://127.0.0.1:8000"
    assert public_url_for("8080") == "http://127.0.0.1:8080"
    assert public_url_for("0.0.0.0:8000") == "http://127.0.0.1:8000"
    assert public_url_for("motcua.local:9000") == "http://motcua.local:9000"


def test_numbered_acts_fill_each_agencys_book_of_the_year(demo):
    from collections import defaultdict

    from motcua.dossiers.models import BOOK_OF_ACTION, BookSequence
    from motcua.dossiers.timing import VN

    books = defaultdict(list)
    for e in DossierEvent.objects.filter(action__in=list(BOOK_OF_ACTION)).select_related("dossier"):
        issuer = e.actor_agency_id or e.dossier.receiving_agency_id
        books[(issuer, e.at.astimezone(VN).year, str(BOOK_OF_ACTION[e.action]))].append(
            e.data["number"]
        )
    assert books
    for key, numbers in books.items():
        assert sorted(numbers) == list(range(1, len(numbers) + 1)), key
    last = {(r.agency_id, r.year, r.book): r.last for r in BookSequence.objects.all()}
    assert last == {key: len(numbers) for key, numbers in books.items()}


def test_every_received_dossier_records_what_was_handed_in(demo):
    from motcua.catalog import cases
    from motcua.dossiers.models import ReceivedComponent

    recorded = set(ReceivedComponent.objects.values_list("dossier_id", flat=True))
    assert recorded
    for d in Dossier.objects.filter(code__isnull=False).prefetch_related(
        "procedure_version__components"
    ):
        needed = [c for c in d.procedure_version.components.all() if cases.needed(c)]
        # A procedure whose every component applies only in a case: nothing required.
        assert (d.pk in recorded) == bool(needed), d.pk


def test_history_equals_its_event_log_replayed_through_the_services(demo):
    """The demo's history is a writer like the services: each synthesized dossier's own event
    log, played through the services, gives the same dossier (row, events, control sheet,
    pauses, verdict, code shape)."""
    import datetime as dt

    from django.utils import timezone

    from motcua.dossiers.tests.replaying import replay, snapshot

    def actor_of(e, d):
        if e.actor_id is not None:
            return e.actor
        # An applicant action on a dossier without an account: the counter records it.
        agency = d.receiving_agency if d is not None else e.actor_agency
        return StaffRole.objects.filter(agency=agency, role="counter").first().user

    now = timezone.now() + dt.timedelta(days=1)
    history = (
        Dossier.objects.exclude(pk__in=[x.pk for x in demo.live])
        .filter(procedure_version__components__isnull=False)
        .distinct()
        .order_by("pk")
    )
    # Every status, and the lives with pauses and apologies, first.
    picked, seen = [], Counter()
    for d in history:
        kind = (d.status, d.supplement_count > 0, d.apology_count > 0, d.paused_seconds > 0)
        if seen[kind] < 6:
            seen[kind] += 1
            picked.append(d)
    assert {d.status for d in picked} >= {3, 4, 8, 10} and len(picked) >= 20
    assert any(d.apology_count for d in picked) and any(d.supplement_count for d in picked)
    for d in picked:
        native = replay(d, actor_of)
        assert snapshot(d, now) == snapshot(native, now), d.pk
        # The demo assesses the fees with the submission's own function (catalog.fees).
        assert d.fee_assessment == native.fee_assessment, d.pk
    assert any(d.fee_assessment["lines"] for d in picked)


def test_every_event_chain_verifies(demo):
    """The synthesized history is chained by the one rule (dossiers.chain): every chain
    and head verifies, the live dossiers' (through the services) too."""
    from motcua.dossiers.chain import dossiers_verify

    result = dossiers_verify()
    assert result.broken is None, result.broken
    assert result.events == DossierEvent.objects.count() > N
    assert not Dossier.objects.filter(chain_head="").exists()
    from motcua.core.audit import audit_verify

    count, _head, broken = audit_verify()
    assert broken is None and count == AuditEntry.objects.count()


def test_every_paid_dossier_has_its_verified_payment(demo):
    """Each settlement of the history is a paid Payment of the channel that took the money
    (DuocThanhToanTrucTuyen = rules.paid_online_for(channel)), for the assessed amount, with
    its evidence and log; no Payment without a settlement. 3.6 counts exactly the dossiers
    so paid online, as it did from the flags before."""
    from motcua.dossiers import rules
    from motcua.indicators.selectors import indicators_compute
    from motcua.payments.models import Payment, PaymentEvent

    history = Dossier.objects.exclude(pk__in=[x.pk for x in demo.live])
    paid = {d.pk: d for d in history.filter(fee_paid_vnd__gt=0)}
    payments = list(Payment.objects.filter(dossier__in=history))
    assert sorted(p.dossier_id for p in payments) == sorted(paid)  # one each, no other
    confirm = {
        e.dossier_id: e
        for e in DossierEvent.objects.filter(dossier__in=paid, action=Action.CONFIRM_PAYMENT)
    }
    logs = defaultdict(list)
    for e in PaymentEvent.objects.filter(payment__in=payments).order_by("at", "pk"):
        logs[e.payment_id].append(e.kind)
    for p in payments:
        d, e = paid[p.dossier_id], confirm[p.dossier_id]
        assert p.status == "paid" and p.paid_at == e.at
        assert p.amount_vnd == d.fee_paid_vnd == d.fee_due_vnd == d.fee_assessment["total_vnd"]
        assert rules.paid_online_for(p.channel) == d.paid_online == e.data["paid_online"]
        assert p.channel == e.data["channel"]
        if d.paid_online:
            assert (p.verified_by, p.reference, p.response_code) == (
                "ipn",
                e.data["reference"],
                "00",
            )
            assert e.data["verified_by"] == "ipn" and e.actor_role == PAYMENT_PROVIDER
            assert p.provider_txn_no.isdigit() and p.provider_paid_at <= p.paid_at
            assert logs[p.pk] == ["start", "ipn"]
        else:
            assert (p.verified_by, p.provider_txn_no) == ("officer", e.data["receipt_number"])
            assert p.created_by_id == e.actor_id and logs[p.pk] == ["officer"]
    channels = Counter(p.channel for p in payments)
    assert set(channels) == {"gateway", "national_platform", "counter_cash", "counter_pos"}
    online = [d for d in paid.values() if d.paid_online in (1, 2)]
    assert 0.35 < len(online) / len(paid) < 0.75
    today = demo.live[0].submitted_at.date() if demo.live else dt.date.today()
    card = indicators_compute(date_from=today - dt.timedelta(days=400), date_to=today)
    f = card.figure("3.6")
    flagged = Dossier.objects.filter(fee_due_vnd__gt=0, received_at__isnull=False)
    assert f.numerator == flagged.filter(paid_online__in=(1, 2)).count()
    assert f.denominator == flagged.count()
    assert 35 < f.rate < 65  # the synthesized province pays online ~49% (seed 2025: 48.9%)
