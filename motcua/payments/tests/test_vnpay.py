"""The protocol, without Django models: the signed string, the amount, the dates, querydr.
The expected strings are written out by hand from VNPay's guide (integration reference
§1.6), and the gateway simulator's own signature code (written separately) must agree."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac

import pytest
from hypothesis import given
from hypothesis import strategies as st

from motcua.payments import simulator, vnpay

SECRET = "SECRETKEYOFTHETEST0123456789ABCD"
CFG = vnpay.Config(
    "MOTCUAT1", SECRET, "https://gw.test/paymentv2/vpcpay.html", "https://gw.test/api"
)


def test_the_guides_encoding_example():
    """The guide's `Thanh+toan+don+hang+%3A5`: quote_plus, a space is '+', ':' is %3A."""
    assert vnpay.canonical({"vnp_OrderInfo": "Thanh toan don hang :5"}) == (
        "vnp_OrderInfo=Thanh+toan+don+hang+%3A5"
    )


def test_the_payment_url_signs_the_sorted_encoded_parameters():
    created = dt.datetime(2026, 3, 5, 3, 4, 5, tzinfo=dt.UTC)  # 10:04:05 in GMT+7
    params = vnpay.payment_params(
        CFG,
        txn_ref="G-1.001-21-AB12",
        amount_vnd=8000,
        order_info="Nộp phí hồ sơ G-1.001 :5",
        return_url="http://127.0.0.1:8000/thanh-toan/ket-qua/",
        ip_addr="10.0.0.7",
        created_at=created,
        expires_at=created + dt.timedelta(minutes=15),
    )
    expected = (
        "vnp_Amount=800000&vnp_Command=pay&vnp_CreateDate=20260305100405&vnp_CurrCode=VND"
        "&vnp_ExpireDate=20260305101905&vnp_IpAddr=10.0.0.7&vnp_Locale=vn"
        "&vnp_OrderInfo=Nop+phi+ho+so+G-1.001+%3A5&vnp_OrderType=other"
        "&vnp_ReturnUrl=http%3A%2F%2F127.0.0.1%3A8000%2Fthanh-toan%2Fket-qua%2F"
        "&vnp_TmnCode=MOTCUAT1&vnp_TxnRef=G-1.001-21-AB12&vnp_Version=2.1.0"
    )
    assert vnpay.canonical(params) == expected
    digest = hmac.new(SECRET.encode(), expected.encode(), hashlib.sha512).hexdigest()
    assert vnpay.payment_url(CFG, params) == f"{CFG.pay_url}?{expected}&vnp_SecureHash={digest}"
    assert "vnp_SecureHashType" not in vnpay.payment_url(CFG, params)


def test_verify_refuses_any_change_and_a_missing_hash():
    params = {"vnp_TxnRef": "A-1", "vnp_Amount": "800000", "vnp_ResponseCode": "00"}
    signed = {**params, "vnp_SecureHash": vnpay.sign(SECRET, params)}
    assert vnpay.verify(SECRET, signed)
    assert vnpay.verify(SECRET, {**signed, "vnp_SecureHash": signed["vnp_SecureHash"].upper()})
    assert vnpay.verify(SECRET, {**signed, "vnp_SecureHashType": "HmacSHA512"})  # not signed
    assert not vnpay.verify(SECRET, {**signed, "vnp_Amount": "900000"})
    assert not vnpay.verify(SECRET, {**signed, "vnp_BankCode": "NCB"})
    assert not vnpay.verify(SECRET + "x", signed)
    assert not vnpay.verify(SECRET, params)


@given(st.integers(min_value=1, max_value=10**13))
def test_the_amount_round_trips_through_x100(amount):
    wire = vnpay.amount_to_vnp(amount)
    assert wire == f"{amount}00" and vnpay.amount_from_vnp(wire) == amount


@given(st.integers(min_value=1, max_value=10**13), st.integers(min_value=1, max_value=99))
def test_a_fraction_of_a_dong_is_refused(amount, cents):
    with pytest.raises(vnpay.ProtocolError):
        vnpay.amount_from_vnp(str(amount * 100 + cents))


@pytest.mark.parametrize("bad", [0, -1, True, 1.5, "8000"])
def test_only_a_positive_whole_amount_goes_out(bad):
    with pytest.raises(vnpay.ProtocolError):
        vnpay.amount_to_vnp(bad)


@pytest.mark.parametrize("bad", ["", "12a", "１２００", "-100"])
def test_a_malformed_amount_is_refused(bad):
    with pytest.raises(vnpay.ProtocolError):
        vnpay.amount_from_vnp(bad)


keys = st.text(
    alphabet="abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_", min_size=1, max_size=12
)


@given(st.dictionaries(keys, st.text(max_size=40), min_size=1, max_size=12), st.randoms())
def test_the_signature_ignores_order_and_matches_the_gateways(params, rnd):
    params = {f"vnp_{k}": v for k, v in params.items()}
    items = list(params.items())
    rnd.shuffle(items)
    shuffled = dict(items)
    assert vnpay.sign(SECRET, shuffled) == vnpay.sign(SECRET, params)
    # The simulator's separately written signing agrees, whatever the text (spaces, '&',
    # '=', '+', Vietnamese letters, emoji).
    assert vnpay.canonical(params) == simulator._signed_string(params)
    assert vnpay.sign(SECRET, params) == simulator._hmac(SECRET, simulator._signed_string(params))
    # Pairs are sorted by key and values are encoded: no raw separator survives in a value.
    pairs = vnpay.canonical(params).split("&")
    assert [p.split("=", 1)[0] for p in pairs] == sorted(params)
    assert all(p.count("=") == 1 for p in pairs)


def test_non_vnp_and_hash_fields_are_not_signed():
    base = {"vnp_TxnRef": "A", "vnp_Amount": "100"}
    extra = {**base, "utm_source": "x", "vnp_SecureHash": "h", "vnp_SecureHashType": "t"}
    assert vnpay.canonical(extra) == vnpay.canonical(base) == "vnp_Amount=100&vnp_TxnRef=A"


def test_dates_are_gmt7():
    moment = dt.datetime(2026, 12, 31, 17, 30, tzinfo=dt.UTC)
    assert vnpay.format_date(moment) == "20270101003000"
    assert vnpay.parse_date("20270101003000") == moment
    with pytest.raises(ValueError):
        vnpay.format_date(dt.datetime(2026, 1, 1))  # noqa: DTZ001 (naive on purpose)


def test_order_info_loses_its_accents():
    assert (
        vnpay.ascii_text("Nộp lệ phí Đăng ký hộ kinh doanh") == "Nop le phi Dang ky ho kinh doanh"
    )


def test_the_querydr_body_is_signed_over_the_pipe_joined_fields():
    now = dt.datetime(2026, 3, 5, 3, 10, tzinfo=dt.UTC)
    body = vnpay.query_body(
        CFG,
        request_id="R1",
        txn_ref="A-1",
        transaction_date=now - dt.timedelta(minutes=5),
        ip_addr="10.0.0.7",
        now=now,
        order_info="Truy van A-1",
    )
    data = "R1|2.1.0|querydr|MOTCUAT1|A-1|20260305100500|20260305101000|10.0.0.7|Truy van A-1"
    assert (
        body["vnp_SecureHash"]
        == hmac.new(SECRET.encode(), data.encode(), hashlib.sha512).hexdigest()
    )


def test_a_querydr_answer_is_verified_over_its_own_order():
    answer = {
        "vnp_ResponseId": "x1",
        "vnp_Command": "querydr",
        "vnp_ResponseCode": "00",
        "vnp_Message": "QueryDR Success",
        "vnp_TmnCode": "MOTCUAT1",
        "vnp_TxnRef": "A-1",
        "vnp_Amount": "800000",
        "vnp_BankCode": "NCB",
        "vnp_PayDate": "20260305101000",
        "vnp_TransactionNo": "14000001",
        "vnp_TransactionType": "01",
        "vnp_TransactionStatus": "00",
        "vnp_OrderInfo": "Nop phi",
        "vnp_PromotionCode": "",
        "vnp_PromotionAmount": "",
    }
    data = "|".join(answer[k] for k in vnpay.QUERY_RESPONSE_ORDER)
    signed = {
        **answer,
        "vnp_SecureHash": hmac.new(SECRET.encode(), data.encode(), hashlib.sha512).hexdigest(),
    }
    assert vnpay.verify_query_response(SECRET, signed)
    notice = vnpay.query_notice(CFG, signed)
    assert notice is not None and notice.paid and notice.amount_vnd == 8000
    assert not vnpay.verify_query_response(SECRET, {**signed, "vnp_TransactionStatus": "02"})
    assert vnpay.query_notice(CFG, {**signed, "vnp_ResponseCode": "91"}) is None


def test_the_ipn_answers_are_the_protocols_words():
    assert [vnpay.ipn_answer(a) for a in vnpay.IPN_ANSWERS] == [
        {"RspCode": "00", "Message": "Confirm Success"},
        {"RspCode": "01", "Message": "Order not found"},
        {"RspCode": "02", "Message": "Order already confirmed"},
        {"RspCode": "04", "Message": "Invalid amount"},
        {"RspCode": "97", "Message": "Invalid signature"},
        {"RspCode": "99", "Message": "Unknown error"},
    ]


def test_a_notice_is_paid_only_when_both_codes_say_so():
    def notice(code, status):
        return vnpay.read_notice(
            CFG,
            {
                "vnp_TxnRef": "A",
                "vnp_Amount": "100",
                "vnp_ResponseCode": code,
                "vnp_TransactionStatus": status,
            },
        )

    assert notice("00", "00").paid
    assert not notice("00", "01").paid and not notice("07", "00").paid
    assert notice("24", "02").cancelled
    with pytest.raises(vnpay.ProtocolError):
        vnpay.read_notice(
            CFG,
            {
                "vnp_TxnRef": "A",
                "vnp_Amount": "100",
                "vnp_ResponseCode": "00",
                "vnp_TmnCode": "OTHER",
            },
        )
