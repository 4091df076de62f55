"""Bank transfer by VietQR and the collecting account's statement: the transfer payment,
the statement's parsing (CSV and XLSX as banks export them), the one matching rule (exact,
partial, over-paid, unmatched, paid twice), duplicate imports, the officer's manual match
and who may do it, and a property test that the matched totals are the lines' sum."""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import transaction
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from motcua.core.errors import IllegalTransition, NotFound, PermissionDenied, ValidationFailed
from motcua.core.models import AuditEntry
from motcua.dossiers import services as ds
from motcua.dossiers.enums import Status
from motcua.dossiers.models import Dossier
from motcua.dossiers.tests.conftest import advance
from motcua.org.tests.otp import otp_login
from motcua.payments import services, statement
from motcua.payments.models import LineStatus, Payment, PaymentEvent, StatementLine

pytestmark = pytest.mark.django_db

DATA = Path(__file__).parent / "data"
SAMPLE = DATA / "saoke_vietinbank.csv"
# The references the sample statement carries, in its order (lines 1-4).
SAMPLE_REFS = ["MCK7QH2P9A", "MC7XR4TN2M", "MCP3W9ZD5H", "MCH8NV6T2B"]
ACCOUNT = "113000123456"


@pytest.fixture
def account(settings, world):
    settings.MOTCUA_VIETQR_BIN = "970415"
    settings.MOTCUA_VIETQR_ACCOUNT = ACCOUNT
    settings.MOTCUA_VIETQR_ACCOUNT_NAME = "TTPVHCC TỈNH BẮC NINH"
    settings.MOTCUA_VIETQR_AGENCY = world.a.center.code
    settings.MOTCUA_STATEMENT_COLUMNS = ""
    return settings


def _transfer(world, ref: str | None = None) -> tuple[Dossier, Payment]:
    d = advance(world, Status.FINANCIAL_OBLIGATION)
    p = services.vietqr_payment(dossier_id=d.pk, actor=world.citizen)
    if ref:
        Payment.objects.filter(pk=p.pk).update(reference=ref)
        p.refresh_from_db()
    return d, p


def _rows_csv(rows: list[tuple[str, int, str]]) -> bytes:
    """A statement (header and lines: txn id, credit, text) as a bank's CSV."""
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(["STT", "Ngày giao dịch", "Số bút toán", "Diễn giải", "Ghi nợ", "Ghi có", "Số dư"])
    for i, (txn, amount, text) in enumerate(rows, start=1):
        w.writerow([i, "05/12/2026 08:00:00", txn, text, "", f"{amount:,}".replace(",", "."), ""])
    return buf.getvalue().encode()


# ------------------------------------------------------------------------------ payment


def test_the_qr_makes_one_pending_transfer_with_a_short_reference(world, account):
    d, p = _transfer(world)
    assert (p.channel, p.provider, p.status, p.amount_vnd) == (
        "vietqr_transfer",
        "bank",
        "pending",
        8000,
    )
    assert len(p.reference) <= 25 and p.reference.isascii() and p.reference.isalnum()
    again = services.vietqr_payment(dossier_id=d.pk, actor=world.citizen)
    assert again.pk == p.pk  # re-used, not a second reference
    code = services.transfer_payload(p)
    from motcua.payments import vietqr

    t = vietqr.read(code)
    assert (t.bin, t.account, t.amount_vnd, t.reference) == ("970415", ACCOUNT, 8000, p.reference)
    with pytest.raises(PermissionDenied):
        services.vietqr_payment(dossier_id=d.pk, actor=world.citizen2)


def test_no_account_no_transfer(world, settings):
    settings.MOTCUA_VIETQR_BIN = ""
    d = advance(world, Status.FINANCIAL_OBLIGATION)
    with pytest.raises(services.TransferNotConfigured):
        services.vietqr_payment(dossier_id=d.pk, actor=world.citizen)
    assert not Payment.objects.filter(dossier=d).exists()


# ------------------------------------------------------------------------------ parsing


def test_the_sample_csv_parses_credits_only():
    lines = statement.parse(SAMPLE.read_bytes(), SAMPLE.name)
    assert [(x.txn_id, x.amount_vnd) for x in lines] == [
        ("FT26339001234", 8000),
        ("FT26339001301", 8000),
        ("FT26339001877", 3000),
        ("FT26339002013", 10000),
        ("FT26339002590", 200000),
    ]  # the SMS fee (a debit) and the totals rows are not credits
    assert lines[0].booked_at.isoformat() == "2026-12-05T08:15:02+07:00"
    assert lines[0].balance_vnd == 1_508_000


def test_xlsx_as_a_bank_exports_it():
    from openpyxl import Workbook

    book = Workbook()
    sh = book.active
    sh.append(["NGÂN HÀNG TMCP NGOẠI THƯƠNG VIỆT NAM"])
    sh.append(["Số tài khoản", ACCOUNT])
    sh.append([])
    sh.append(["Ngày GD", "Mã giao dịch", "Số tiền ghi nợ", "Số tiền ghi có", "Số dư", "Mô tả"])
    sh.append(
        [dt.datetime(2026, 12, 5, 8, 15), "5123.2612.0001", None, 8000, 1508000, "MCK7QH2P9A"]
    )
    sh.append([dt.datetime(2026, 12, 5, 9, 0), "5123.2612.0002", 22000, None, 1486000, "Phí SMS"])
    sh.append([dt.date(2026, 12, 6), "5123.2612.0003", None, 1250000.0, 2736000, "nộp phí"])
    buf = io.BytesIO()
    book.save(buf)
    lines = statement.parse(buf.getvalue(), "saoke.xlsx")
    assert [(x.txn_id, x.amount_vnd, x.text) for x in lines] == [
        ("5123.2612.0001", 8000, "MCK7QH2P9A"),
        ("5123.2612.0003", 1_250_000, "nộp phí"),
    ]
    assert lines[1].booked_at.isoformat() == "2026-12-06T00:00:00+07:00"


@pytest.mark.parametrize(
    ("cell", "vnd"),
    [("1.250.000", 1_250_000), ("1,250,000", 1_250_000), ("1250000", 1_250_000), ("8000.00", 8000)],
)
def test_amounts_as_banks_write_them(cell, vnd):
    assert statement.amount(cell, 1) == vnd


@pytest.mark.parametrize("cell", ["12,5", "abc", "1.2.3"])
def test_a_bad_amount_names_the_row(cell):
    with pytest.raises(ValidationFailed) as e:
        statement.amount(cell, 7)
    assert "dòng 7" in e.value.message


def test_no_header_is_a_clear_error():
    with pytest.raises(ValidationFailed) as e:
        statement.parse(b"a,b,c\n1,2,3\n")
    assert e.value.code == "statement_header_not_found"


def test_the_column_names_are_configurable(world, account):
    account.MOTCUA_STATEMENT_COLUMNS = "date=Ngay;credit=Tien vao;text=ND;txn_id=Ma"
    _d, p = _transfer(world)
    data = f"Ngay,Ma,Tien vao,ND\n05/12/2026,X1,8000,{p.reference}\n".encode()
    result = services.statement_import(data, name="x.csv")
    assert result.by_status == {"matched": 1}


# ------------------------------------------------------------------------------ matching


def test_the_sample_statement_matched(world, account):
    ds_ = [_transfer(world, ref) for ref in SAMPLE_REFS]
    call_command("payments", "import-statement", str(SAMPLE))
    lines = {x.bank_txn_id: x for x in StatementLine.objects.all()}
    assert len(lines) == 5 and all(x.account == ACCOUNT for x in lines.values())
    st_ = {k: (v.status, v.excess_vnd) for k, v in lines.items()}
    assert st_ == {
        "FT26339001234": ("matched", 0),  # exact
        "FT26339001301": ("matched", 0),  # exact; the bank app split the reference
        "FT26339001877": ("partial", 0),  # 3.000 of 8.000: queued, not settled
        "FT26339002013": ("overpaid", 2000),  # 10.000 for 8.000: settled, 2.000 queued
        "FT26339002590": ("unmatched", 0),  # no reference
    }
    for (d, p), settled in zip(ds_, [True, True, False, True], strict=True):
        d.refresh_from_db()
        p.refresh_from_db()
        if settled:
            assert (d.status, d.paid_online) == (Status.PROCESSING, 2)
            assert (p.status, p.verified_by) == ("paid", "statement")
            ev = d.events.get(action="confirm_payment")
            assert ev.data["payment_id"] == p.pk and ev.data["verified_by"] == "statement"
        else:
            assert d.status == Status.FINANCIAL_OBLIGATION and p.status == "pending"
    d3 = ds_[3][0]
    assert d3.fee_paid_vnd == 10000  # what was received; the excess waits for a refund
    assert PaymentEvent.objects.filter(kind="statement").count() == 5


def test_importing_twice_credits_nothing_twice(world, account):
    for ref in SAMPLE_REFS:
        _transfer(world, ref)
    first = services.statement_import(SAMPLE.read_bytes(), name=SAMPLE.name)
    events = PaymentEvent.objects.count()
    second = services.statement_import(SAMPLE.read_bytes(), name=SAMPLE.name)
    assert (first.lines, first.duplicates) == (5, 0)
    assert (second.lines, second.duplicates) == (0, 5)
    assert StatementLine.objects.count() == 5
    assert PaymentEvent.objects.count() == events
    assert Payment.objects.filter(status="paid").count() == 3


def test_two_partial_transfers_settle_when_they_add_up(world, account):
    d, p = _transfer(world)
    services.statement_import(_rows_csv([("T1", 5000, f"nop phi {p.reference}")]))
    d.refresh_from_db()
    assert d.status == Status.FINANCIAL_OBLIGATION
    services.statement_import(_rows_csv([("T2", 3000, f"{p.reference} phan con lai")]))
    d.refresh_from_db()
    p.refresh_from_db()
    assert d.status == Status.PROCESSING and p.status == "paid"
    assert p.verified_params["lines"] == ["T1", "T2"]
    assert set(StatementLine.objects.values_list("status", flat=True)) == {"matched"}


def test_money_for_a_dossier_paid_at_the_counter_waits_for_a_refund(world, account):
    d, p = _transfer(world)
    ds.dossier_confirm_payment(
        dossier_id=d.pk,
        actor=world.a.staff["c:counter"],
        amount_vnd=8000,
        receipt_number="0000991",
        channel="counter_cash",
    )
    services.statement_import(_rows_csv([("T9", 8000, p.reference)]))
    p.refresh_from_db()
    line = StatementLine.objects.get()
    assert p.status == "paid_unmatched" and line.status == "unmatched" and line.payment == p
    assert Payment.objects.filter(dossier=d, status="paid").count() == 1  # the counter's


def test_a_second_transfer_of_a_paid_reference_is_not_credited(world, account):
    d, p = _transfer(world)
    services.statement_import(_rows_csv([("T1", 8000, p.reference), ("T2", 8000, p.reference)]))
    assert dict(StatementLine.objects.values_list("bank_txn_id", "status")) == {
        "T1": "matched",
        "T2": "unmatched",
    }


def test_an_unknown_reference_is_unmatched(world, account):
    _transfer(world)
    services.statement_import(_rows_csv([("T1", 8000, "MCAAAAAAAA")]))
    line = StatementLine.objects.get()
    assert (line.status, line.payment_id, line.reference) == ("unmatched", None, "")


# ------------------------------------------------------------------------------ officer


def _unmatched_line(world) -> tuple[Dossier, StatementLine]:
    d, _p = _transfer(world)
    services.statement_import(_rows_csv([("T7", 8000, "NGUYEN VAN A nop le phi khai sinh")]))
    return d, StatementLine.objects.get(bank_txn_id="T7")


def test_an_officer_matches_a_line_by_hand(world, account):
    d, line = _unmatched_line(world)
    officer = world.a.staff["c:counter"]
    with pytest.raises(ValidationFailed):
        services.statement_match(line_id=line.pk, dossier_code=d.code, actor=officer, reason=" ")
    services.statement_match(
        line_id=line.pk, dossier_code=d.code, actor=officer, reason="Khách gọi điện xác nhận"
    )
    d.refresh_from_db()
    line.refresh_from_db()
    assert d.status == Status.PROCESSING
    assert (line.status, line.matched_by, line.match_reason) == (
        "manual",
        officer,
        "Khách gọi điện xác nhận",
    )
    p = line.payment
    assert (p.status, p.verified_by, p.verified_params["reason"]) == (
        "paid",
        "statement",
        "Khách gọi điện xác nhận",
    )
    assert PaymentEvent.objects.filter(payment=p, kind="officer", outcome="manual_match").exists()
    entry = AuditEntry.objects.get(operation="statement_match")
    assert entry.reason == "Khách gọi điện xác nhận" and entry.after["status"] == "manual"
    with pytest.raises(IllegalTransition):  # matched once only
        services.statement_match(line_id=line.pk, dossier_code=d.code, actor=officer, reason="x")


def test_only_the_collecting_agencys_officers_match(world, account, client):
    d, line = _unmatched_line(world)
    for who in (world.b.staff["c:counter"], world.a.staff["c:specialist"], world.citizen):
        with pytest.raises(PermissionDenied):
            services.statement_match(line_id=line.pk, dossier_code=d.code, actor=who, reason="x")
        client.force_login(who)
        assert client.get("/can-bo/sao-ke/").status_code in (302, 403)
        r = client.post(f"/can-bo/sao-ke/{line.pk}/khop/", {"dossier_code": d.code, "reason": "x"})
        assert r.status_code in (302, 403) and not r.headers.get("Location", "").endswith(
            "/sao-ke/"
        )
    line.refresh_from_db()
    assert line.status == "unmatched"
    with pytest.raises(NotFound):
        services.statement_match(
            line_id=line.pk, dossier_code="NOPE", actor=world.a.staff["c:leader"], reason="x"
        )


def test_the_queue_page_upload_and_match(world, account, client):
    d, p = _transfer(world, SAMPLE_REFS[2])  # the sample's partial line
    otp_login(client, world.a.staff["c:counter"])
    with SAMPLE.open("rb") as f:
        r = client.post("/can-bo/sao-ke/nhap/", {"file": f})
    assert r.status_code == 302, r.content.decode()
    page = client.get("/can-bo/sao-ke/").content.decode()
    assert "FT26339001877" in page and "FT26339002590" in page and "FT26339001234" in page
    assert "Chuyển thiếu" in page and "<script" not in page
    line = StatementLine.objects.get(bank_txn_id="FT26339002590")  # 200.000, no reference
    r = client.post(
        f"/can-bo/sao-ke/{line.pk}/khop/",
        {"dossier_code": d.code, "reason": "Chuyển nhầm nội dung, đã đối chiếu"},
    )
    assert r.status_code == 302
    line.refresh_from_db()
    d.refresh_from_db()
    # 3.000 earlier + 200.000 by hand: settled, 195.000 over, queued for a refund decision
    assert (line.status, line.excess_vnd, d.status) == ("overpaid", 195000, Status.PROCESSING)
    r = client.post(f"/can-bo/sao-ke/{line.pk}/khop/", {"dossier_code": d.code, "reason": "x"})
    assert r.status_code == 409 or r.status_code == 400


# ------------------------------------------------------------------------------ property


@hsettings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    st.lists(
        st.tuples(st.sampled_from([0, 1, 2, None]), st.integers(min_value=1, max_value=20000)),
        min_size=1,
        max_size=12,
    )
)
def test_matched_totals_are_the_sum_of_the_lines(world, account, transfers):
    with transaction.atomic():
        pays = [_transfer(world)[1] for _ in range(3)]
        rows = [
            (f"P{i}", amount, f"chuyen tien {pays[k].reference}" if k is not None else "khong ro")
            for i, (k, amount) in enumerate(transfers)
        ]
        services.statement_import(_rows_csv(rows))
        totals = services.statement_totals()
        assert sum(totals.values()) == sum(a for _k, a in transfers)
        for p in pays:
            p.refresh_from_db()
            mine = [a for k, a in transfers if k is not None and pays[k].pk == p.pk]
            got = sum(StatementLine.objects.filter(payment=p).values_list("amount_vnd", flat=True))
            assert got == sum(mine)
            credited = StatementLine.objects.filter(
                payment=p, status__in=[LineStatus.MATCHED, LineStatus.OVERPAID]
            )
            if p.status == "paid":
                excess = sum(credited.values_list("excess_vnd", flat=True))
                assert sum(credited.values_list("amount_vnd", flat=True)) == p.amount_vnd + excess
                assert p.dossier.events.filter(action="confirm_payment").count() == 1
            else:
                assert not credited.exists() and sum(mine) < p.amount_vnd
        transaction.set_rollback(True)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_same_statement_imported_by_four_at_once_credits_once(world, account):
    """Four imports of one file at the same moment, each thread with its own connection:
    the row locks and the unique (account, bank transaction id) leave one line and one
    credit per transaction (on SQLite the threads serialize; on PostgreSQL they race)."""
    import threading

    from django.db import connection as conn

    pays = [_transfer(world)[1] for _ in range(3)]
    data = _rows_csv(
        [
            ("A1", 8000, pays[0].reference),
            ("A2", 3000, pays[1].reference),
            ("A3", 9000, pays[2].reference),
        ]
    )
    if conn.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: concurrent writers")
    barrier = threading.Barrier(4)
    results, errors = [], []

    def run():
        from django.db import connection as own

        try:
            barrier.wait()
            results.append(services.statement_import(data))
        except Exception as exc:  # noqa: BLE001 (reported below)
            errors.append(exc)
        finally:
            own.close()

    threads = [threading.Thread(target=run) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    assert sum(r.lines for r in results) == 3 and sum(r.duplicates for r in results) == 9
    assert StatementLine.objects.count() == 3
    assert Payment.objects.filter(status="paid").count() == 2
    assert Dossier.objects.filter(pk=pays[0].dossier_id, status=Status.PROCESSING).exists()
    assert (
        sum(
            Dossier.objects.get(pk=p.dossier_id).events.filter(action="confirm_payment").count()
            for p in pays
        )
        == 2
    )
