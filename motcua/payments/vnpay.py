"""The VNPay-style gateway protocol, version 2.1.0, from the merchant's side: protocol only,
no Django models (integration reference §1.6; VNPay's integration guide, CONFIRMED).

- The payment URL: the `vnp_*` parameters sorted by key, joined as `key=quote_plus(value)`
  with `&` (a space becomes `+`, ':' becomes `%3A`: the guide's `Thanh+toan+don+hang+%3A5`),
  and `vnp_SecureHash` = hex HMAC-SHA512(secret, that string) appended. Version 2.1.0
  sends no `vnp_SecureHashType`. The amount is đồng × 100; dates are yyyyMMddHHmmss in
  GMT+7.
- The return URL and the IPN carry the same kind of signature over what they carry; it is
  checked in constant time. Only the IPN (or a verified query) records anything; the
  return URL is for display.
- querydr: a JSON POST whose `vnp_SecureHash` is HMAC-SHA512 over its values joined by
  `|` in a fixed order; the answer is signed the same way over its own fixed order.
- The IPN answers {"RspCode", "Message"} with the codes of IPN_ANSWERS.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import unicodedata
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote_plus

VERSION = "2.1.0"
GMT7 = dt.timezone(dt.timedelta(hours=7))
DATE_FORMAT = "%Y%m%d%H%M%S"
HASH_FIELDS = frozenset({"vnp_SecureHash", "vnp_SecureHashType"})

# The IPN's answers (RspCode, Message): what the gateway expects, word for word.
CONFIRM_SUCCESS = ("00", "Confirm Success")
ORDER_NOT_FOUND = ("01", "Order not found")
ALREADY_CONFIRMED = ("02", "Order already confirmed")
INVALID_AMOUNT = ("04", "Invalid amount")
INVALID_SIGNATURE = ("97", "Invalid signature")
UNKNOWN_ERROR = ("99", "Unknown error")
IPN_ANSWERS = (
    CONFIRM_SUCCESS,
    ORDER_NOT_FOUND,
    ALREADY_CONFIRMED,
    INVALID_AMOUNT,
    INVALID_SIGNATURE,
    UNKNOWN_ERROR,
)

# vnp_ResponseCode (IMPL, reference §1.6): 00 success, 24 cancelled by the customer;
# anything else is a failure of the attempt.
RESPONSE_SUCCESS = "00"
RESPONSE_CANCELLED = "24"
# vnp_TransactionStatus: 00 success, 01 pending, 02 error, 04 reversed (debited but failed
# at the gateway: an officer follows it up).
STATUS_SUCCESS = "00"
STATUS_PENDING = "01"

# What an IPN or a return URL carries (VNPay's guide).
IPN_FIELDS = frozenset(
    {
        "vnp_Amount",
        "vnp_BankCode",
        "vnp_BankTranNo",
        "vnp_CardType",
        "vnp_OrderInfo",
        "vnp_PayDate",
        "vnp_ResponseCode",
        "vnp_TmnCode",
        "vnp_TransactionNo",
        "vnp_TransactionStatus",
        "vnp_TxnRef",
        "vnp_SecureHash",
        "vnp_SecureHashType",
    }
)

QUERY_REQUEST_ORDER = (
    "vnp_RequestId",
    "vnp_Version",
    "vnp_Command",
    "vnp_TmnCode",
    "vnp_TxnRef",
    "vnp_TransactionDate",
    "vnp_CreateDate",
    "vnp_IpAddr",
    "vnp_OrderInfo",
)
QUERY_RESPONSE_ORDER = (
    "vnp_ResponseId",
    "vnp_Command",
    "vnp_ResponseCode",
    "vnp_Message",
    "vnp_TmnCode",
    "vnp_TxnRef",
    "vnp_Amount",
    "vnp_BankCode",
    "vnp_PayDate",
    "vnp_TransactionNo",
    "vnp_TransactionType",
    "vnp_TransactionStatus",
    "vnp_OrderInfo",
    "vnp_PromotionCode",
    "vnp_PromotionAmount",
)
# querydr's own vnp_ResponseCode: 00 found, 91 not found, 94 duplicate request, 97 bad hash.
QUERY_FOUND = "00"
QUERY_NOT_FOUND = "91"


class ProtocolError(ValueError):
    """A message that does not follow the protocol (a missing or malformed field)."""


@dataclass(frozen=True)
class Config:
    tmn_code: str
    hash_secret: str
    pay_url: str
    api_url: str
    expire_minutes: int = 15


# ------------------------------------------------------------------------- primitives


def amount_to_vnp(amount_vnd: int) -> str:
    """vnp_Amount: the amount in đồng × 100, as digits."""
    if isinstance(amount_vnd, bool) or not isinstance(amount_vnd, int) or amount_vnd <= 0:
        raise ProtocolError("the amount must be a positive whole number of đồng")
    return str(amount_vnd * 100)


def amount_from_vnp(value: str) -> int:
    """The amount in đồng of a vnp_Amount; a value that is not a whole number of đồng × 100
    is a protocol error (never rounded)."""
    if not value or not value.isascii() or not value.isdigit():
        raise ProtocolError(f"vnp_Amount is not a number: {value!r}")
    hundreds = int(value)
    if hundreds % 100:
        raise ProtocolError(f"vnp_Amount is not whole đồng × 100: {value!r}")
    return hundreds // 100


def format_date(moment: dt.datetime) -> str:
    if moment.tzinfo is None:
        raise ValueError("naive datetime")
    return moment.astimezone(GMT7).strftime(DATE_FORMAT)


def parse_date(value: str) -> dt.datetime:
    try:
        return dt.datetime.strptime(value, DATE_FORMAT).replace(tzinfo=GMT7)
    except (TypeError, ValueError) as exc:
        raise ProtocolError(f"not a yyyyMMddHHmmss date: {value!r}") from exc


def ascii_text(text: str, limit: int = 255) -> str:
    """vnp_OrderInfo: Vietnamese without accents (the guide asks for it), printable ASCII."""
    text = text.replace("đ", "d").replace("Đ", "D")
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return " ".join("".join(c for c in plain if c.isprintable()).split())[:limit]


def canonical(params: Mapping[str, str]) -> str:
    """The signed string: every vnp_* parameter but the hash fields, sorted by key, joined
    as key=quote_plus(value) with '&'."""
    items = sorted(
        (k, str(v)) for k, v in params.items() if k.startswith("vnp_") and k not in HASH_FIELDS
    )
    return "&".join(f"{k}={quote_plus(v)}" for k, v in items)


def hmac_sha512(secret: str, data: str) -> str:
    return hmac.new(secret.encode("utf-8"), data.encode("utf-8"), hashlib.sha512).hexdigest()


def sign(secret: str, params: Mapping[str, str]) -> str:
    return hmac_sha512(secret, canonical(params))


def verify(secret: str, params: Mapping[str, str]) -> bool:
    """Whether `params` (a return URL's or an IPN's, as received) carry a valid signature.
    Constant-time compare; a missing hash is invalid."""
    given = str(params.get("vnp_SecureHash", ""))
    if not given:
        return False
    return hmac.compare_digest(sign(secret, params).lower(), given.lower())


# ------------------------------------------------------------------------ payment URL


def payment_params(
    config: Config,
    *,
    txn_ref: str,
    amount_vnd: int,
    order_info: str,
    return_url: str,
    ip_addr: str,
    created_at: dt.datetime,
    expires_at: dt.datetime,
    order_type: str = "other",
    locale: str = "vn",
    bank_code: str = "",
) -> dict[str, str]:
    """The parameters of the payment URL, unsigned."""
    if not txn_ref or len(txn_ref) > 100 or not txn_ref.isascii() or not txn_ref.isprintable():
        raise ProtocolError("vnp_TxnRef must be 1-100 printable ASCII characters")
    params = {
        "vnp_Version": VERSION,
        "vnp_Command": "pay",
        "vnp_TmnCode": config.tmn_code,
        "vnp_Amount": amount_to_vnp(amount_vnd),
        "vnp_CurrCode": "VND",
        "vnp_TxnRef": txn_ref,
        "vnp_OrderInfo": ascii_text(order_info) or txn_ref,
        "vnp_OrderType": order_type,
        "vnp_Locale": locale,
        "vnp_ReturnUrl": return_url,
        "vnp_IpAddr": ip_addr or "127.0.0.1",
        "vnp_CreateDate": format_date(created_at),
        "vnp_ExpireDate": format_date(expires_at),
    }
    if bank_code:
        params["vnp_BankCode"] = bank_code
    return params


def payment_url(config: Config, params: Mapping[str, str]) -> str:
    """The signed URL the applicant's browser is sent to."""
    query = canonical(params)
    return f"{config.pay_url}?{query}&vnp_SecureHash={hmac_sha512(config.hash_secret, query)}"


# -------------------------------------------------------------------------- IPN/return


@dataclass(frozen=True)
class Notice:
    """What a verified IPN or return URL says about one attempt."""

    txn_ref: str
    amount_vnd: int
    response_code: str
    transaction_status: str
    transaction_no: str
    bank_code: str
    card_type: str
    pay_date: dt.datetime | None

    @property
    def paid(self) -> bool:
        return self.response_code == RESPONSE_SUCCESS and self.transaction_status == STATUS_SUCCESS

    @property
    def cancelled(self) -> bool:
        return self.response_code == RESPONSE_CANCELLED


def read_notice(config: Config, params: Mapping[str, str]) -> Notice:
    """The notice in `params`, whose signature the caller has verified; raises ProtocolError
    on a missing or malformed field or a foreign terminal."""
    try:
        txn_ref = params["vnp_TxnRef"]
        amount = amount_from_vnp(params["vnp_Amount"])
        response_code = params["vnp_ResponseCode"]
    except KeyError as exc:
        raise ProtocolError(f"missing {exc.args[0]}") from exc
    if params.get("vnp_TmnCode", config.tmn_code) != config.tmn_code:
        raise ProtocolError("vnp_TmnCode is not ours")
    raw_date = params.get("vnp_PayDate", "")
    return Notice(
        txn_ref=txn_ref,
        amount_vnd=amount,
        response_code=response_code,
        transaction_status=params.get("vnp_TransactionStatus", ""),
        transaction_no=params.get("vnp_TransactionNo", ""),
        bank_code=params.get("vnp_BankCode", ""),
        card_type=params.get("vnp_CardType", ""),
        pay_date=parse_date(raw_date) if raw_date else None,
    )


def ipn_answer(code: tuple[str, str]) -> dict[str, str]:
    return {"RspCode": code[0], "Message": code[1]}


# ---------------------------------------------------------------------------- querydr


def query_body(
    config: Config,
    *,
    request_id: str,
    txn_ref: str,
    transaction_date: dt.datetime,
    ip_addr: str,
    now: dt.datetime,
    order_info: str = "",
) -> dict[str, str]:
    """The signed JSON body of a querydr request."""
    body = {
        "vnp_RequestId": request_id,
        "vnp_Version": VERSION,
        "vnp_Command": "querydr",
        "vnp_TmnCode": config.tmn_code,
        "vnp_TxnRef": txn_ref,
        "vnp_TransactionDate": format_date(transaction_date),
        "vnp_CreateDate": format_date(now),
        "vnp_IpAddr": ip_addr or "127.0.0.1",
        "vnp_OrderInfo": ascii_text(order_info or f"Truy van giao dich {txn_ref}"),
    }
    body["vnp_SecureHash"] = hmac_sha512(
        config.hash_secret, "|".join(body[k] for k in QUERY_REQUEST_ORDER)
    )
    return body


def verify_query_response(secret: str, answer: Mapping[str, Any]) -> bool:
    given = str(answer.get("vnp_SecureHash", ""))
    if not given:
        return False
    data = "|".join(str(answer.get(k, "") or "") for k in QUERY_RESPONSE_ORDER)
    return hmac.compare_digest(hmac_sha512(secret, data).lower(), given.lower())


def query_notice(config: Config, answer: Mapping[str, Any]) -> Notice | None:
    """The attempt's state in a verified querydr answer; None when the gateway does not
    know the transaction (91). Raises ProtocolError for any other error answer."""
    code = str(answer.get("vnp_ResponseCode", ""))
    if code == QUERY_NOT_FOUND:
        return None
    if code != QUERY_FOUND:
        raise ProtocolError(f"querydr answered {code}: {answer.get('vnp_Message', '')}")
    params = {k: str(v) for k, v in answer.items() if v is not None}
    # In a query answer the attempt's own outcome is vnp_TransactionStatus.
    params["vnp_ResponseCode"] = params.get("vnp_TransactionStatus", "")
    return read_notice(config, params)


def post_json(url: str, body: Mapping[str, Any], timeout: float = 10.0) -> dict[str, Any]:
    """POST `body` as JSON to the gateway's API and read its JSON answer."""
    if not url.startswith(("http://", "https://")):
        raise ProtocolError("the gateway's API URL must be http(s)")
    request = urllib.request.Request(  # noqa: S310 (scheme checked above)
        url,
        data=json.dumps(body).encode("utf-8"),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
        answer = json.loads(response.read().decode("utf-8"))
    if not isinstance(answer, dict):
        raise ProtocolError("the querydr answer is not a JSON object")
    return answer


# ----------------------------------------------------------------------------- refund
# VNPay's refund command (reference §1.6, CONFIRMED fields and request hash; the answer's
# hash order is taken from VNPay's guide as querydr's without the promotion fields: IMPL).

REFUND_REQUEST_ORDER = (
    "vnp_RequestId",
    "vnp_Version",
    "vnp_Command",
    "vnp_TmnCode",
    "vnp_TransactionType",
    "vnp_TxnRef",
    "vnp_Amount",
    "vnp_TransactionNo",
    "vnp_TransactionDate",
    "vnp_CreateBy",
    "vnp_CreateDate",
    "vnp_IpAddr",
    "vnp_OrderInfo",
)
REFUND_RESPONSE_ORDER = QUERY_RESPONSE_ORDER[:13]
REFUND_FULL, REFUND_PARTIAL = "02", "03"


def refund_body(
    config: Config,
    *,
    request_id: str,
    txn_ref: str,
    amount_vnd: int,
    transaction_no: str,
    transaction_date: dt.datetime,
    create_by: str,
    ip_addr: str,
    now: dt.datetime,
    partial: bool = False,
) -> dict[str, str]:
    """The signed JSON body of a refund request (amount in đồng × 100)."""
    body = {
        "vnp_RequestId": request_id,
        "vnp_Version": VERSION,
        "vnp_Command": "refund",
        "vnp_TmnCode": config.tmn_code,
        "vnp_TransactionType": REFUND_PARTIAL if partial else REFUND_FULL,
        "vnp_TxnRef": txn_ref,
        "vnp_Amount": str(int(amount_vnd) * 100),
        "vnp_TransactionNo": transaction_no,
        "vnp_TransactionDate": format_date(transaction_date),
        "vnp_CreateBy": ascii_text(create_by, 100) or "motcua",
        "vnp_CreateDate": format_date(now),
        "vnp_IpAddr": ip_addr or "127.0.0.1",
        "vnp_OrderInfo": ascii_text(f"Hoan tien giao dich {txn_ref}"),
    }
    body["vnp_SecureHash"] = hmac_sha512(
        config.hash_secret, "|".join(body[k] for k in REFUND_REQUEST_ORDER)
    )
    return body


def verify_refund_response(secret: str, answer: Mapping[str, Any]) -> bool:
    given = str(answer.get("vnp_SecureHash", ""))
    if not given:
        return False
    data = "|".join(str(answer.get(k, "") or "") for k in REFUND_RESPONSE_ORDER)
    return hmac.compare_digest(hmac_sha512(secret, data).lower(), given.lower())
