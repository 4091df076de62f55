"""The receipt reaches the applicant (mail with its PDF and signed XML, once, recorded), the
signed XML e-receipt (XMLDSig by the collecting agency's key; one changed byte is caught),
who may download it, and each collecting agency's own account for transfers (VietQR)."""

from __future__ import annotations

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.test import Client

from motcua.core.errors import IllegalTransition, ValidationFailed
from motcua.documents.ereceipt import agency_key, receipt_xml, receipt_xml_verify
from motcua.documents.receipts import receipt_deliver
from motcua.dossiers.enums import Status
from motcua.dossiers.models import Dossier
from motcua.dossiers.tests.conftest import advance
from motcua.org.tests.otp import otp_login
from motcua.payments import services, vietqr
from motcua.payments.models import CollectingAccount, PaymentEvent, StatementLine

from .test_receipts import _pay_counter
from .test_transfer import (
    ACCOUNT,
    _rows_csv,
    _transfer,
    account,  # noqa: F401  (the settings' collecting account)
)


@pytest.fixture(autouse=True)
def keys(settings, tmp_path):
    settings.MOTCUA_ERECEIPT_KEY_DIR = tmp_path / "keys"
    return settings.MOTCUA_ERECEIPT_KEY_DIR


# ------------------------------------------------------------------ sent to the applicant


@pytest.mark.django_db
def test_the_applicant_gets_the_receipt_by_mail_once(world):
    d = advance(world, Status.FINANCIAL_OBLIGATION)
    mail.outbox.clear()
    r = _pay_counter(world, d)
    [m] = mail.outbox
    assert m.to == [d.applicant_email] and d.applicant_email == "citizen@example.vn"
    assert m.subject.startswith(f"Biên lai thu phí, lệ phí {r.series} số 0000001 - hồ sơ {d.code}")
    assert "Tám nghìn đồng" in m.body and "8.000 đồng" in m.body
    names = [(a[0], a[2]) for a in m.attachments]
    stem = f"bien-lai-{r.series}-0000001"
    assert names == [(f"{stem}.pdf", "application/pdf"), (f"{stem}.xml", "application/xml")]
    r.refresh_from_db()
    assert m.attachments[0][1] == r.file.open("rb").read()
    assert m.attachments[1][1] == r.xml_file.open("rb").read()
    [ev] = PaymentEvent.objects.filter(payment=r.payment, kind="receipt", outcome="mailed")
    assert ev.params["to"] == "ci***@example.vn" and ev.params["number"] == 1
    # Delivered again (the sweep, a retried task): nothing more is sent or recorded.
    receipt_deliver(receipt_id=r.pk)
    assert len(mail.outbox) == 1
    assert PaymentEvent.objects.filter(payment=r.payment, outcome="mailed").count() == 1
    # The back office sees it on the dossier's page.
    c = Client()
    otp_login(c, world.a.staff["s:specialist"])
    html = c.get(f"/can-bo/ho-so/{d.pk}/").content.decode()
    assert f"/giay-to/{d.pk}/bien-lai/{r.pk}.xml" in html
    assert "Đã gửi thư điện tử cho người nộp" in html and "ci***@example.vn" in html


@pytest.mark.django_db
def test_no_address_no_mail_but_the_receipt_is_kept(world):
    d = advance(world, Status.FINANCIAL_OBLIGATION)
    Dossier.objects.filter(pk=d.pk).update(applicant_email="")
    mail.outbox.clear()
    r = _pay_counter(world, d)
    assert mail.outbox == []
    assert not PaymentEvent.objects.filter(outcome="mailed").exists()
    r.refresh_from_db()
    assert r.sha256 and r.xml_sha256  # kept with the dossier all the same
    assert services.receipts_unmailed() == []
    c = Client()
    otp_login(c, world.a.staff["s:specialist"])
    assert "Chưa gửi thư điện tử" in c.get(f"/can-bo/ho-so/{d.pk}/").content.decode()


@pytest.mark.django_db
def test_a_mail_server_down_records_nothing_and_the_sweep_sends_later(world, settings):
    from motcua.documents.services import documents_repair

    d = advance(world, Status.FINANCIAL_OBLIGATION)
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 9, 2
    r = _pay_counter(world, d)  # the payment commits; the mail fails after it
    assert services.receipts_unmailed() == [r.pk]
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    mail.outbox.clear()
    documents_repair(since=None)
    assert [m.to for m in mail.outbox] == [[d.applicant_email]]
    assert services.receipts_unmailed() == []


# ---------------------------------------------------------------- the signed XML


@pytest.mark.django_db
def test_the_xml_is_signed_by_the_collecting_agency_and_verifies(world, keys):
    d = advance(world, Status.FINANCIAL_OBLIGATION)
    r = _pay_counter(world, d)
    data = receipt_xml(r)
    assert data.startswith(b"<?xml version='1.0' encoding='UTF-8'?>\n<BLai>")
    block = receipt_xml_verify(data, agency=world.a.settling)
    assert block.tag == "DLBLai" and block.get("Id") == "DLBLai"

    def text(path: str) -> str | None:
        return block.findtext(path)

    assert (text("TTChung/MSBLai"), text("TTChung/KHBLai"), text("TTChung/SBLai")) == (
        r.template,
        r.series,
        "0000001",
    )
    assert text("TTChung/MHSo") == d.code and text("TTChung/SBLGiay") == "0000777"
    assert text("NDBLai/NThu/MDVi") == world.a.settling.code
    assert text("NDBLai/NNop/Ten") == d.applicant_name
    assert (text("NDBLai/TToan/TgTTTBSo"), text("NDBLai/TToan/TgTTTBChu")) == (
        "8000",
        "Tám nghìn đồng",
    )
    assert [k.findtext("Ten") for k in block.iterfind("NDBLai/DSKThu/KThu")] == ["Lệ phí"]
    # One PEM (key + certificate) per agency, made on first use, used again after.
    path = keys / f"{world.a.settling.code}.pem"
    assert path.exists() and oct(path.stat().st_mode & 0o777) == "0o600"
    assert agency_key(world.a.settling) == agency_key(world.a.settling)
    # The stored XML is the one served again, byte for byte.
    assert receipt_xml(r) == data


@pytest.mark.django_db
def test_one_changed_byte_or_another_key_is_caught(world):
    d = advance(world, Status.FINANCIAL_OBLIGATION)
    r = _pay_counter(world, d)
    data = receipt_xml(r)
    forged = data.replace(b"<TgTTTBSo>8000<", b"<TgTTTBSo>9000<")
    assert len(forged) == len(data) and forged != data
    with pytest.raises(ValidationFailed) as exc:
        receipt_xml_verify(forged, agency=world.a.settling)
    assert exc.value.code == "invalid_ereceipt_signature"
    name = data.replace("Lệ phí".encode(), "Lệ phi".encode())
    with pytest.raises(ValidationFailed):
        receipt_xml_verify(name, agency=world.a.settling)
    with pytest.raises(ValidationFailed):  # signed, but not by that agency
        receipt_xml_verify(data, agency=world.b.settling)


@pytest.mark.django_db
def test_who_downloads_the_pdf_and_the_xml(world):
    d = advance(world, Status.FINANCIAL_OBLIGATION)
    r = _pay_counter(world, d)
    r.refresh_from_db()
    urls = {
        f"/giay-to/{d.pk}/bien-lai/{r.pk}.pdf": r.file.open("rb").read(),
        f"/giay-to/{d.pk}/bien-lai/{r.pk}.xml": r.xml_file.open("rb").read(),
        f"/api/receipts/{r.pk}/xml": r.xml_file.open("rb").read(),
    }
    allowed = {
        "owner": world.citizen,
        "settling agency's specialist": world.a.staff["s:specialist"],
        "receiving center's counter": world.a.staff["c:counter"],
    }
    refused = {
        "another citizen": world.citizen2,
        "another agency's specialist": world.b.staff["s:specialist"],
        "another center's counter": world.b.staff["c:counter"],
    }
    for who, user in {**allowed, **refused}.items():
        c = Client()
        otp_login(c, user)
        for url, content in urls.items():
            resp = c.get(url)
            if who in allowed:
                assert (resp.status_code, resp.content) == (200, content), (who, url)
            else:
                assert resp.status_code == 404, (who, url)
    for url in urls:
        assert Client().get(url).status_code in (302, 401)
    page = Client()
    otp_login(page, world.citizen)
    html = page.get(f"/ho-so/{d.pk}/").content.decode()
    assert f"/giay-to/{d.pk}/bien-lai/{r.pk}.xml" in html and "có chữ ký số" in html


# ------------------------------------------------------- per-agency collecting accounts


def _own_account(world) -> CollectingAccount:
    return CollectingAccount.objects.create(
        agency=world.a.settling, bin="970436", account="0451000123456", name="UBND XA A"
    )


@pytest.mark.django_db
@pytest.mark.usefixtures("account")
def test_the_settings_account_is_the_fallback(world):
    d = advance(world, Status.FINANCIAL_OBLIGATION)
    assert services.dossier_account(d) == vietqr.Beneficiary(
        "970415", ACCOUNT, "TTPVHCCTINHBACNINH"
    )


@pytest.mark.django_db
@pytest.mark.usefixtures("account")
def test_the_dossiers_collecting_agency_account_everywhere(world, client):
    from motcua.documents.rendering.forms import PaymentRequest

    own = _own_account(world)
    d, p = _transfer(world)
    assert services.dossier_account(d) == vietqr.Beneficiary("970436", "0451000123456", "UBND XA A")
    # The VietQR payload.
    t = vietqr.read(services.transfer_payload(p))
    assert (t.bin, t.account, t.amount_vnd, t.reference) == (
        "970436",
        "0451000123456",
        8000,
        p.reference,
    )
    # The payment page.
    otp_login(client, world.citizen)
    html = client.get(f"/ho-so/{d.pk}/").content.decode()
    assert "0451000123456" in html and "970436" in html
    assert ACCOUNT not in html
    # The request for payment (its form).
    event = d.events.filter(action="request_payment").latest("seq")
    form = PaymentRequest(d, event)
    (payment, code), acct = form.transfer()
    assert acct.account == "0451000123456" and vietqr.read(code).account == "0451000123456"
    # An inactive account falls back to the settings'.
    CollectingAccount.objects.filter(pk=own.pk).update(active=False)
    assert services.dossier_account(d).account == ACCOUNT


@pytest.mark.django_db
@pytest.mark.usefixtures("account")
def test_a_statement_matches_only_on_the_dossiers_account(world):
    _own_account(world)
    d, p = _transfer(world)
    # The reference arrives on the settings' account: not this dossier's money.
    services.statement_import(_rows_csv([("T1", 8000, f"nop phi {p.reference}")]))
    line = StatementLine.objects.get(bank_txn_id="T1")
    assert (line.status, line.payment_id) == ("unmatched", None)
    assert line.note == "Mã tham chiếu thuộc hồ sơ thu vào tài khoản khác."
    p.refresh_from_db()
    assert p.status == "pending"
    # Nor can an officer match that line by hand to it.
    with pytest.raises(IllegalTransition) as exc:
        services.statement_match(
            line_id=line.pk, dossier_code=d.code, actor=world.a.staff["c:leader"], reason="x"
        )
    assert exc.value.code == "other_collecting_account"
    # On its own account, it is paid.
    services.statement_import(
        _rows_csv([("T2", 8000, f"nop phi {p.reference}")]), account="0451000123456"
    )
    p.refresh_from_db()
    assert p.status == "paid" and p.receipt.agency == world.a.settling


@pytest.mark.django_db
@pytest.mark.usefixtures("account")
def test_who_works_which_accounts_statement(world):
    _own_account(world)
    st_a, st_b = world.a.staff, world.b.staff
    assert services.matchable_accounts(st_a["s:counter"]) == ["0451000123456"]
    assert services.matchable_accounts(st_a["c:counter"]) == [ACCOUNT]
    assert services.can_match(st_a["s:leader"], "0451000123456")
    assert not services.can_match(st_a["s:leader"], ACCOUNT)
    for who in (st_a["s:specialist"], st_b["s:counter"], world.citizen):
        assert services.matchable_accounts(who) == []


@pytest.mark.django_db
def test_the_account_is_edited_in_the_admin_and_checked(world):
    c = Client()
    otp_login(c, world.admin)
    url = "/admin/payments/collectingaccount/add/"
    assert c.get(url).status_code == 200
    bad = c.post(url, {"agency": world.a.settling.pk, "bin": "97043", "account": "1", "name": ""})
    assert bad.status_code == 200 and "phải gồm đúng 6 chữ số" in bad.content.decode()
    ok = c.post(
        url,
        {
            "agency": world.a.settling.pk,
            "bin": "970436",
            "account": "0451000123456",
            "name": "Ủy ban nhân dân xã A",
            "active": "on",
        },
    )
    assert ok.status_code == 302, ok.content.decode()[:2000]
    row = CollectingAccount.objects.get(agency=world.a.settling)
    assert (row.bin, row.account, row.name) == ("970436", "0451000123456", "UY BAN NHAN DAN XA A")
    with pytest.raises(ValidationError):
        CollectingAccount(agency=world.b.settling, bin="970436", account="12-34").full_clean()
