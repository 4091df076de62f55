"""Reconciliation (đối soát) against the gateway simulator's settlement file, the simulator
in its own process (a fresh one for this module, so its file holds only this module's
transactions): given the day's payments, when the day is reconciled, then each difference
is one item, the file never credits a payment by itself, a rerun adds nothing, and the run's
totals are the sum of its parts."""

from __future__ import annotations

import datetime as dt
import secrets
import subprocess
import sys
import time
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from motcua.core.errors import IllegalTransition, PermissionDenied, ValidationFailed
from motcua.core.models import AuditEntry
from motcua.demo.companions import _answers, free_port
from motcua.dossiers.enums import Status
from motcua.dossiers.models import Dossier
from motcua.dossiers.tests.conftest import advance
from motcua.payments import services
from motcua.payments.models import Payment, ReconciliationItem, ReconciliationRun
from motcua.payments.services.reconcile import (
    KINDS,
    MATCHED,
    Line,
    Ours,
    after_queries,
    classify,
    compare,
    parse_settlement,
)

from .conftest import Sim, checkout

GMT7 = dt.timezone(dt.timedelta(hours=7))


@pytest.fixture(scope="module")
def own_simulator(live_server):
    port = free_port()
    tmn, secret = "MOTCUAR1", secrets.token_hex(32)
    proc = subprocess.Popen(  # noqa: S603
        [
            sys.executable,
            "-m",
            "motcua.payments.simulator",
            "--port",
            str(port),
            "--tmn-code",
            tmn,
            "--hash-secret",
            secret,
            "--ipn-url",
            f"{live_server.url}/thanh-toan/vnpay/ipn/",
        ]
    )
    deadline = time.monotonic() + 30
    while not _answers("127.0.0.1", port):
        assert proc.poll() is None, "the simulator exited"
        assert time.monotonic() < deadline, "the simulator does not answer"
        time.sleep(0.05)
    yield Sim(f"http://127.0.0.1:{port}", tmn, secret)
    proc.terminate()
    proc.wait(timeout=10)


@pytest.fixture
def gw(own_simulator, settings, transactional_db):
    sim = own_simulator
    settings.MOTCUA_VNPAY_TMN_CODE = sim.tmn_code
    settings.MOTCUA_VNPAY_HASH_SECRET = sim.secret
    settings.MOTCUA_VNPAY_PAY_URL = sim.base + "/paymentv2/vpcpay.html"
    settings.MOTCUA_VNPAY_API_URL = sim.base + "/merchant_webapi/api/transaction"
    settings.MOTCUA_VNPAY_SETTLEMENT_URL = sim.base + "/merchant_webapi/settlement/{date}.csv"
    sim.control("/_control/reset", {})
    return sim


def today() -> dt.date:
    return timezone.now().astimezone(GMT7).date()


def pay(world, outcome: str = "success") -> tuple[Dossier, str]:
    """A new dossier waiting for its 8.000 đồng, and its applicant's attempt paid (or not)
    on the simulator's page: (the dossier, the reference)."""
    d = advance(world, Status.FINANCIAL_OBLIGATION)
    started = services.payment_start(
        dossier_id=d.pk, actor=world.citizen, return_url="http://testserver/thanh-toan/ket-qua/"
    )
    ref, _ = checkout(started.redirect_url, outcome)
    return d, ref


def items(**kw) -> list[ReconciliationItem]:
    return list(ReconciliationItem.objects.filter(**kw).order_by("pk"))


def sums_up(run: ReconciliationRun) -> None:
    parts = run.missing_there + run.missing_here + run.unknown_here + run.amount + run.status
    assert run.compared == run.matched + parts
    assert run.items.count() <= parts


# ------------------------------------------------------------------ the day, end to end


def test_a_day_where_everything_matches(gw, world):
    _d1, r1 = pay(world)
    _d2, r2 = pay(world)
    _d3, r3 = pay(world, "refused")
    run = services.reconcile(today())
    assert Payment.objects.get(reference=r3).status == "failed"
    assert (run.lines, run.payments, run.compared, run.matched) == (3, 3, 3, 3)
    assert run.finished_at is not None and run.new_items == 0
    assert items() == []
    sums_up(run)


def test_a_missing_ipn_is_found_by_the_file_and_settled_by_the_query(gw, world):
    gw.mode("missing")
    d, ref = pay(world)
    assert Payment.objects.get(reference=ref).status == "pending"
    run = services.reconcile(today())
    p = Payment.objects.get(reference=ref)
    assert (p.status, p.verified_by) == ("paid", "query")  # the signed query, not the file
    dd = Dossier.objects.get(pk=d.pk)
    assert (dd.status, dd.paid_online) == (Status.PROCESSING, 2)
    [item] = items()
    assert (item.kind, item.status, item.payment_id) == ("missing_here", "resolved", p.pk)
    assert "querydr" in item.resolution and item.resolved_by is None
    assert (run.missing_here, run.resolved_by_query, run.matched) == (1, 1, 0)
    sums_up(run)


def test_the_file_alone_never_credits(gw, world):
    """A line saying paid for an attempt the gateway's signed query does not confirm (the
    file says paid, the query says refused) stays an open item; nothing is credited."""
    d, ref = pay(world, "refused")
    gw.control("/_control/settlement", {"txn_ref": ref, "status": "00", "response_code": "00"})
    run = services.reconcile(today())
    p = Payment.objects.get(reference=ref)
    assert p.status == "failed"
    assert p.events.filter(kind="query").exists()  # the query was asked
    assert Dossier.objects.get(pk=d.pk).status == Status.FINANCIAL_OBLIGATION
    [item] = items()
    assert (item.kind, item.status) == ("missing_here", "open")
    assert item.theirs["transaction_status"] == "00" and item.ours["status"] == "failed"
    assert (run.missing_here, run.resolved_by_query) == (1, 0)
    sums_up(run)


def test_an_amount_mismatch_is_an_open_item(gw, world):
    _d, ref = pay(world)
    gw.control("/_control/settlement", {"txn_ref": ref, "amount": 9000})
    run = services.reconcile(today())
    [item] = items()
    assert (item.kind, item.status) == ("amount", "open")
    assert item.ours["amount_vnd"] == 8000 and item.theirs["amount_vnd"] == 9000
    assert (run.amount, run.matched, run.new_items) == (1, 0, 1)
    sums_up(run)


def test_a_line_unknown_here_is_an_open_item_and_credits_nothing(gw, world):
    gw.control("/_control/settlement", {"txn_ref": "NGOAI-HE-THONG-1", "amount": 50000})
    before = Payment.objects.count()
    run = services.reconcile(today())
    [item] = items()
    assert (item.kind, item.reference, item.payment_id) == (
        "unknown_here",
        "NGOAI-HE-THONG-1",
        None,
    )
    assert item.theirs["amount_vnd"] == 50000
    assert Payment.objects.count() == before
    assert run.unknown_here == 1
    sums_up(run)


def test_paid_here_missing_there_and_status_differs(gw, world):
    _d1, r1 = pay(world)
    _d2, r2 = pay(world)
    gw.control("/_control/settlement", {"txn_ref": r1, "omit": True})
    gw.control("/_control/settlement", {"txn_ref": r2, "status": "04"})  # reversed
    run = services.reconcile(today())
    kinds = {i.reference: i.kind for i in items()}
    assert kinds == {r1: "missing_there", r2: "status"}
    assert (run.missing_there, run.status, run.matched) == (1, 1, 0)
    # Nothing un-credits a verified payment: both stay paid, for an officer to follow up.
    assert set(Payment.objects.filter(reference__in=[r1, r2]).values_list("status", flat=True)) == {
        "paid"
    }
    sums_up(run)


def test_a_rerun_adds_nothing(gw, world):
    gw.mode("missing")
    _d, r1 = pay(world)
    gw.mode("normal")
    _d, r2 = pay(world)
    gw.control("/_control/settlement", {"txn_ref": r2, "amount": 7000})
    gw.control("/_control/settlement", {"txn_ref": "LA-2", "amount": 1000})
    first = services.reconcile(today())
    assert first.new_items == 3
    second = services.reconcile(today())
    assert second.new_items == 0
    assert ReconciliationItem.objects.count() == 3
    assert ReconciliationRun.objects.count() == 2
    # The second run finds r1 paid (it matches now) and the two open items again.
    assert (second.matched, second.amount, second.unknown_here) == (1, 1, 1)
    sums_up(first)
    sums_up(second)


def test_the_command_prints_the_totals(gw, world):
    pay(world)
    out = StringIO()
    call_command("payments", "reconcile", "--date", today().isoformat(), stdout=out)
    text = out.getvalue()
    assert text.startswith(f"Đối soát ngày {today():%d/%m/%Y}")
    assert "Khớp (matched): 1" in text and "Chênh lệch mới (new items): 0" in text


def test_the_command_refuses_a_bad_date(gw):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("payments", "reconcile", "--date", "05/12/2026")
    with pytest.raises(CommandError, match="tương lai"):
        call_command(
            "payments", "reconcile", "--date", (today() + dt.timedelta(days=2)).isoformat()
        )


def test_the_daily_task_reconciles_yesterday(gw, world, settings):
    from motcua.payments.tasks import reconcile_yesterday

    assert settings.CELERY_BEAT_SCHEDULE["payments-reconcile"]["task"] == (
        "payments.reconcile_yesterday"
    )
    reconcile_yesterday()
    run = ReconciliationRun.objects.get()
    assert run.date == today() - dt.timedelta(days=1) and run.trigger == "schedule"


def test_without_the_settlement_url_nothing_runs(gw, settings):
    settings.MOTCUA_VNPAY_SETTLEMENT_URL = ""
    with pytest.raises(ValidationFailed) as exc:
        services.reconcile(today())
    assert exc.value.code == "reconciliation_not_configured"


# ------------------------------------------------------------------------- resolving


def test_an_officer_resolves_an_item_with_a_reason(gw, world):
    gw.control("/_control/settlement", {"txn_ref": "LA-3", "amount": 2000})
    services.reconcile(today())
    [item] = items()
    officer = world.a.staff["c:counter"]
    with pytest.raises(PermissionDenied):
        services.reconciliation_resolve(
            item_id=item.pk, actor=world.citizen, resolution="Không phải giao dịch của tỉnh"
        )
    with pytest.raises(ValidationFailed) as exc:
        services.reconciliation_resolve(item_id=item.pk, actor=officer, resolution="  ok ")
    assert exc.value.field == "resolution"
    done = services.reconciliation_resolve(
        item_id=item.pk, actor=officer, resolution="Đã liên hệ cổng thanh toán: giao dịch thử"
    )
    assert (done.status, done.resolved_by_id) == ("resolved", officer.pk)
    entry = AuditEntry.objects.get(operation="reconciliation_resolve")
    assert entry.actor_id == officer.pk and entry.after["status"] == "resolved"
    with pytest.raises(IllegalTransition):
        services.reconciliation_resolve(
            item_id=item.pk, actor=officer, resolution="Xử lý lần thứ hai"
        )
    # A rerun does not reopen it.
    services.reconcile(today())
    assert ReconciliationItem.objects.get(pk=item.pk).status == "resolved"


# ----------------------------------------------------------- the comparison, properties


refs = st.sampled_from([f"R{i}" for i in range(12)])
ours_st = st.dictionaries(
    refs,
    st.tuples(
        st.sampled_from(["pending", "paid", "failed", "cancelled", "expired", "paid_unmatched"]),
        st.sampled_from([8000, 9000]),
    ),
)
lines_st = st.dictionaries(
    refs, st.tuples(st.sampled_from(["00", "02", "04"]), st.sampled_from([8000, 9000]))
)


@given(ours_st, lines_st)
def test_the_totals_are_the_sum_of_the_parts(ours_raw, lines_raw):
    ours = {r: Ours(r, i, s, a) for i, (r, (s, a)) in enumerate(ours_raw.items())}
    lines = {r: Line(r, a, "00" if s == "00" else "51", s) for r, (s, a) in lines_raw.items()}
    outcomes, totals = compare(ours, lines)
    assert set(outcomes) == set(ours) | set(lines)
    assert totals.compared == len(outcomes) == totals.matched + sum(totals.by_kind.values())
    for kind in KINDS:
        assert totals.by_kind[kind] == sum(1 for o in outcomes.values() if o == kind)
    assert totals.matched == sum(1 for o in outcomes.values() if o == MATCHED)
    for ref, outcome in outcomes.items():
        o, t = ours.get(ref), lines.get(ref)
        if outcome == MATCHED:  # agreeing means: same amount, both paid or neither
            assert o is not None
            assert (t is None and not o.paid) or (
                t is not None and t.amount_vnd == o.amount_vnd and t.settled == o.paid
            )
        assert classify(o, t) == outcome


@given(ours_st, lines_st, st.sets(refs))
def test_the_run_totals_after_the_queries_are_the_sum_of_the_parts(ours_raw, lines_raw, asked):
    """Whatever the queries settled (here: every queried reference the file said paid is
    now paid with the file's amount), the run's totals are the sum of its outcomes, every
    reference counts once, and a reference resolved by query is a missing_here."""
    ours = {r: Ours(r, i, s, a) for i, (r, (s, a)) in enumerate(ours_raw.items())}
    lines = {r: Line(r, a, "00" if s == "00" else "51", s) for r, (s, a) in lines_raw.items()}
    first, _ = compare(ours, lines)
    queried = {r for r in asked if first.get(r) == "missing_here"}
    settled = {
        r: Ours(r, ours[r].payment_id, "paid", ours[r].amount_vnd) if r in queried else o
        for r, o in ours.items()
    }
    second, _ = compare(settled, lines)
    found, resolved, totals = after_queries(
        second, queried, lines=len(lines), payments=len(settled)
    )
    assert resolved == queried  # each query that settled is a difference resolved
    assert set(found) == set(first)
    assert totals.compared == len(found) == totals.matched + sum(totals.by_kind.values())
    for kind in KINDS:
        assert totals.by_kind[kind] == sum(1 for o in found.values() if o == kind)
    assert totals.resolved_by_query == len(resolved) <= totals.by_kind["missing_here"]
    # The queries only ever turn a difference into a resolved one: nothing else changes.
    assert {r: o for r, o in found.items() if r not in queried} == {
        r: o for r, o in first.items() if r not in queried
    }


def test_a_settlement_file_of_another_terminal_is_refused():
    head = "TmnCode,TxnRef,Amount,ResponseCode,TransactionStatus\n"
    for text, says in [
        (head + "OTHER,R1,8000,00,00\n", "Dòng 2"),
        (head + "MINE,R1,80.00,00,00\n", "Dòng 2"),
        ("TmnCode,TxnRef\nMINE,R1\n", "thiếu cột"),
        (head + "MINE,R1,8000,00,00\nMINE,R1,8000,00,00\n", "Dòng 3"),
    ]:
        with pytest.raises(ValidationFailed) as exc:
            parse_settlement(text, "MINE")
        assert says in exc.value.message


def test_the_officers_page_lists_open_items_and_resolves_one(gw, world):
    from django.test import Client

    from motcua.org.tests.otp import otp_login

    gw.control("/_control/settlement", {"txn_ref": "LA-4", "amount": 3000})
    services.reconcile(today())
    [item] = items()
    url = "/can-bo/doi-soat/"
    c = Client()
    c.force_login(world.citizen)
    assert c.get(url).status_code == 403
    otp_login(c, world.a.staff["c:counter"])  # staff pass the second factor
    page = c.get(url)
    text = page.content.decode()
    assert page.status_code == 200 and "Đối soát thanh toán" in text and "LA-4" in text
    assert "Mã tham chiếu trong file đối soát không có ở hệ thống" in text
    assert "3.000 đ" in text
    assert "<script" not in text
    action = f"/can-bo/doi-soat/{item.pk}/xu-ly/"
    r = c.post(action, {"resolution": ""})
    assert r.status_code == 422 and "ít nhất 10 ký tự" in r.content.decode()
    assert ReconciliationItem.objects.get(pk=item.pk).status == "open"
    r = c.post(action, {"resolution": "Giao dịch thử của cổng, không thuộc tỉnh"})
    assert r.status_code == 302 and r["Location"] == url
    assert ReconciliationItem.objects.get(pk=item.pk).status == "resolved"
    text = c.get(url).content.decode()
    assert "Đã xử lý chênh lệch." in text and "Không có chênh lệch nào chưa xử lý." in text
    r = c.post(action, {"resolution": "Giao dịch thử của cổng, lần hai"})
    assert r.status_code == 302
    assert "đã được xử lý" in c.get(url).content.decode()
