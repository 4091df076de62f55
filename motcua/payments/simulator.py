"""A VNPay-style payment gateway, from the gateway's side, as its own process: for the demo
and the tests, since no real gateway is reachable from here.

    python -m motcua.payments.simulator --port N --tmn-code X --hash-secret S --ipn-url URL

It is plain WSGI (the standard library's wsgiref, one thread per request) and imports
nothing of motcua's: the signature code below is written again from the protocol, on
purpose, so a mistake on either side shows up as a refusal instead of cancelling out.

    GET  /paymentv2/vpcpay.html?…       the checkout page (checks terminal, signature,
                                         version, amount, expiry; else the error page)
    POST /paymentv2/pay                  the customer's choice: success, refused, cancel;
                                         then the IPN (per its mode) and the redirect back
                                         to vnp_ReturnUrl with signed parameters
    POST /merchant_webapi/api/transaction   querydr and refund (signed JSON in and out)
    GET  /merchant_webapi/settlement/YYYYMMDD.csv   the day's transactions (GMT+7)
    POST /_control/mode                  {"mode": …, "txn_ref"?: …, "delay"?: s, "count"?: k}
    POST /_control/flush                 send every late IPN now
    POST /_control/reset                 forget every order and transaction
    GET  /_control/ipn-log               every IPN sent and the merchant's answer
    POST /_control/settlement            {"txn_ref", "amount"?, "status"?,
                                         "response_code"?, "omit"?}: change
                                         what the settlement file says of a transaction
                                         (its amount in đồng, its TransactionStatus, or
                                         leave it out), or add one the
                                         merchant never sent (for reconciliation tests)
    GET  /_control/health

IPN modes: normal, late (after `delay` seconds, or at /_control/flush), duplicate (`count`
copies at once, or one after the other with "together": false), missing, bad_signature,
wrong_amount.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import hashlib
import hmac
import html
import io
import json
import secrets
import threading
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterable
from socketserver import ThreadingMixIn
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

GMT7 = dt.timezone(dt.timedelta(hours=7))
FMT = "%Y%m%d%H%M%S"
MODES = ("normal", "late", "duplicate", "missing", "bad_signature", "wrong_amount")
BANKS = [
    ("NCB", "Ngân hàng NCB"),
    ("VCB", "Vietcombank"),
    ("BIDV", "BIDV"),
    ("VIETINBANK", "VietinBank"),
    ("AGRIBANK", "Agribank"),
]
CARDS = [("ATM", "Thẻ ATM nội địa"), ("VISA", "Thẻ quốc tế"), ("QRCODE", "VNPAY-QR")]
# The customer's choice -> (vnp_ResponseCode, vnp_TransactionStatus)
OUTCOMES = {"success": ("00", "00"), "refused": ("51", "02"), "cancel": ("24", "02")}
QUERY_RESPONSE_FIELDS = (
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
QUERY_REQUEST_FIELDS = (
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

# The refund command (reference §1.6), written here apart from motcua.payments.vnpay.
REFUND_REQUEST_FIELDS = (
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
REFUND_RESPONSE_FIELDS = QUERY_RESPONSE_FIELDS[:13]

Environ = dict[str, Any]
StartResponse = Callable[..., Any]


def _hmac(secret: str, data: str) -> str:
    return hmac.new(secret.encode(), data.encode(), hashlib.sha512).hexdigest()


def _signed_string(params: dict[str, str]) -> str:
    keys = sorted(
        k
        for k in params
        if k.startswith("vnp_") and k not in ("vnp_SecureHash", "vnp_SecureHashType")
    )
    return "&".join(k + "=" + urllib.parse.quote_plus(params[k]) for k in keys)


def _now() -> dt.datetime:
    return dt.datetime.now(GMT7)


class Gateway:
    """The gateway's state: orders seen on the checkout page, transactions, IPN modes."""

    def __init__(self, tmn_code: str, hash_secret: str, ipn_url: str) -> None:
        self.tmn_code = tmn_code
        self.secret = hash_secret
        self.ipn_url = ipn_url
        self.lock = threading.Lock()
        self.orders: dict[str, dict[str, str]] = {}  # txn_ref -> the signed order params
        self.transactions: dict[str, dict[str, str]] = {}  # txn_ref -> result params
        self.mode: dict[str, Any] = {"mode": "normal"}
        self.order_modes: dict[str, dict[str, Any]] = {}
        self.late: list[dict[str, str]] = []
        self.ipn_log: list[dict[str, Any]] = []
        self.request_ids: set[tuple[str, str]] = set()
        self.next_no = 14000000
        self.settlement_overrides: dict[str, dict[str, str]] = {}
        self.refunds: dict[str, dict[str, str]] = {}  # txn_ref -> the refund's answer

    # ----------------------------------------------------------------- the WSGI app

    def __call__(self, environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
        method = environ["REQUEST_METHOD"]
        path = environ.get("PATH_INFO", "")
        try:
            if path == "/paymentv2/vpcpay.html" and method == "GET":
                return self.checkout(environ, start_response)
            if path == "/paymentv2/pay" and method == "POST":
                return self.pay(environ, start_response)
            if path == "/merchant_webapi/api/transaction" and method == "POST":
                return self.querydr(environ, start_response)
            if path.startswith("/merchant_webapi/settlement/") and method == "GET":
                return self.settlement(path, start_response)
            if path.startswith("/_control/"):
                return self.control(path, method, environ, start_response)
        except Exception as exc:  # noqa: BLE001 (the gateway answers, whatever happens)
            return self.error_page(
                start_response, "99", f"Lỗi hệ thống: {exc}", "500 Internal Server Error"
            )
        return _send(start_response, "404 Not Found", b"Not found", "text/plain")

    # ------------------------------------------------------------------ checkout page

    def _check_order(self, params: dict[str, str]) -> tuple[str, str] | None:
        """(code, message) of the first thing wrong with an incoming payment URL."""
        if params.get("vnp_TmnCode") != self.tmn_code:
            return "02", "Mã website (vnp_TmnCode) không tồn tại."
        given = params.get("vnp_SecureHash", "")
        if not hmac.compare_digest(_hmac(self.secret, _signed_string(params)), given.lower()):
            return "70", "Sai chữ ký (vnp_SecureHash)."
        if params.get("vnp_Version") != "2.1.0" or params.get("vnp_Command") != "pay":
            return "03", "Dữ liệu gửi sang không đúng định dạng (phiên bản, lệnh)."
        amount = params.get("vnp_Amount", "")
        if not amount.isdigit() or int(amount) <= 0 or int(amount) % 100:
            return "03", "Số tiền không hợp lệ."
        if params.get("vnp_CurrCode") != "VND":
            return "03", "Loại tiền tệ không hợp lệ."
        for key in ("vnp_TxnRef", "vnp_ReturnUrl", "vnp_CreateDate", "vnp_OrderInfo", "vnp_IpAddr"):
            if not params.get(key):
                return "03", f"Thiếu tham số {key}."
        expire = params.get("vnp_ExpireDate", "")
        try:
            expires = dt.datetime.strptime(expire, FMT).replace(tzinfo=GMT7) if expire else None
        except ValueError:
            return "03", "Thời gian hết hạn không đúng định dạng."
        if expires is not None and expires < _now():
            return "15", "Giao dịch đã quá thời gian chờ thanh toán."
        with self.lock:
            seen = self.orders.get(params["vnp_TxnRef"])
            if params["vnp_TxnRef"] in self.transactions:
                return "94", "Giao dịch đã được thực hiện (trùng mã tham chiếu)."
            if seen is not None and seen["vnp_Amount"] != amount:
                return "94", "Mã tham chiếu đã dùng cho số tiền khác."
        return None

    def checkout(self, environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
        params = dict(
            urllib.parse.parse_qsl(environ.get("QUERY_STRING", ""), keep_blank_values=True)
        )
        wrong = self._check_order(params)
        if wrong:
            return self.error_page(start_response, *wrong)
        with self.lock:
            self.orders[params["vnp_TxnRef"]] = params
        amount_text = f"{int(params['vnp_Amount']) // 100:,}".replace(",", ".")
        e = html.escape
        banks = "".join(
            f'<label><input type="radio" name="bank" value="{c}"{" checked" if i == 0 else ""}> {e(n)}</label><br>'
            for i, (c, n) in enumerate(BANKS)
        )
        cards = "".join(
            f'<label><input type="radio" name="card" value="{c}"{" checked" if i == 0 else ""}> {e(n)}</label><br>'
            for i, (c, n) in enumerate(CARDS)
        )
        body = f"""<!doctype html><html lang="vi"><head><meta charset="utf-8">
<title>Cổng thanh toán (mô phỏng)</title></head><body>
<h1>Cổng thanh toán (mô phỏng) · Payment gateway (simulator)</h1>
<p>Đơn vị: {e(self.tmn_code)} · Mã giao dịch: <strong>{e(params["vnp_TxnRef"])}</strong></p>
<p>Nội dung: {e(params["vnp_OrderInfo"])}</p>
<p>Số tiền: <strong>{amount_text} VND</strong></p>
<form method="post" action="/paymentv2/pay">
<input type="hidden" name="txn_ref" value="{e(params["vnp_TxnRef"])}">
<fieldset><legend>Ngân hàng</legend>{banks}</fieldset>
<fieldset><legend>Loại thẻ</legend>{cards}</fieldset>
<button type="submit" name="outcome" value="success">Thanh toán thành công</button>
<button type="submit" name="outcome" value="refused">Thẻ bị từ chối</button>
<button type="submit" name="outcome" value="cancel">Hủy giao dịch</button>
</form></body></html>"""
        return _send(start_response, "200 OK", body.encode(), "text/html; charset=utf-8")

    def error_page(
        self,
        start_response: StartResponse,
        code: str,
        message: str,
        status: str = "400 Bad Request",
    ) -> Iterable[bytes]:
        body = (
            '<!doctype html><html lang="vi"><head><meta charset="utf-8"><title>Lỗi giao dịch</title>'
            f'</head><body><h1>Thông báo lỗi</h1><p class="error" data-code="{html.escape(code)}">'
            f"Mã lỗi {html.escape(code)}: {html.escape(message)}</p></body></html>"
        )
        return _send(start_response, status, body.encode(), "text/html; charset=utf-8")

    # ------------------------------------------------------------------------ paying

    def pay(self, environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
        form = _form(environ)
        ref = form.get("txn_ref", "")
        outcome = form.get("outcome", "")
        with self.lock:
            order = self.orders.get(ref)
            done = ref in self.transactions
        if order is None or outcome not in OUTCOMES:
            return self.error_page(start_response, "03", "Giao dịch không tồn tại.")
        if done:
            return self.error_page(start_response, "94", "Giao dịch đã được thực hiện.")
        expire = order.get("vnp_ExpireDate", "")
        if expire and dt.datetime.strptime(expire, FMT).replace(tzinfo=GMT7) < _now():
            return self.error_page(
                start_response, "15", "Giao dịch đã quá thời gian chờ thanh toán."
            )
        response_code, status = OUTCOMES[outcome]
        with self.lock:
            self.next_no += 1
            number = str(self.next_no)
        result = {
            "vnp_Amount": order["vnp_Amount"],
            "vnp_BankCode": form.get("bank", "NCB"),
            "vnp_BankTranNo": f"VNP{number}" if outcome == "success" else "",
            "vnp_CardType": form.get("card", "ATM"),
            "vnp_OrderInfo": order["vnp_OrderInfo"],
            "vnp_PayDate": _now().strftime(FMT),
            "vnp_ResponseCode": response_code,
            "vnp_TmnCode": self.tmn_code,
            "vnp_TransactionNo": number if outcome != "cancel" else "0",
            "vnp_TransactionStatus": status,
            "vnp_TxnRef": ref,
        }
        result = {k: v for k, v in result.items() if v != ""}
        with self.lock:
            self.transactions[ref] = {**result, "vnp_CreateDate": order["vnp_CreateDate"]}
        self.notify(result)
        signed = {**result, "vnp_SecureHash": _hmac(self.secret, _signed_string(result))}
        back = order["vnp_ReturnUrl"]
        location = back + ("&" if "?" in back else "?") + urllib.parse.urlencode(signed)
        start_response("302 Found", [("Location", location), ("Content-Length", "0")])
        return [b""]

    # ---------------------------------------------------------------------------- IPN

    def _mode_for(self, ref: str) -> dict[str, Any]:
        with self.lock:
            return dict(self.order_modes.get(ref) or self.mode)

    def notify(self, result: dict[str, str]) -> None:
        mode = self._mode_for(result["vnp_TxnRef"])
        kind = mode.get("mode", "normal")
        params = dict(result)
        secret = self.secret
        if kind == "missing":
            return
        if kind == "wrong_amount":
            params["vnp_Amount"] = str(int(params["vnp_Amount"]) + 100_000)
        if kind == "bad_signature":
            secret = secret + "x"
        params["vnp_SecureHash"] = _hmac(secret, _signed_string(params))
        if kind == "late":
            delay = float(mode.get("delay", 30))
            with self.lock:
                self.late.append(params)
            timer = threading.Timer(delay, self._send_late, args=(params,))
            timer.daemon = True
            timer.start()
            return
        copies = int(mode.get("count", 2)) if kind == "duplicate" else 1
        if not mode.get("together", True):
            for _ in range(copies):  # one after the other
                self.send_ipn(params)
            return
        threads = [threading.Thread(target=self.send_ipn, args=(params,)) for _ in range(copies)]
        for t in threads:  # all copies at once: the merchant sees them concurrently
            t.start()
        for t in threads:
            t.join()

    def _send_late(self, params: dict[str, str]) -> None:
        with self.lock:
            if params not in self.late:
                return
            self.late.remove(params)
        self.send_ipn(params)

    def send_ipn(self, params: dict[str, str]) -> None:
        url = self.ipn_url + ("&" if "?" in self.ipn_url else "?") + urllib.parse.urlencode(params)
        entry: dict[str, Any] = {"txn_ref": params.get("vnp_TxnRef"), "params": params}
        try:
            with urllib.request.urlopen(url, timeout=30) as r:  # noqa: S310 (the configured IPN URL)
                entry["http_status"] = r.status
                entry["answer"] = json.loads(r.read().decode() or "{}")
        except Exception as exc:  # noqa: BLE001 (recorded for the tests to see)
            entry["error"] = str(exc)
        with self.lock:
            self.ipn_log.append(entry)

    # ------------------------------------------------------------------------ querydr

    def querydr(self, environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
        try:
            body = json.loads(_read(environ) or b"{}")
        except ValueError:
            body = {}
        if isinstance(body, dict) and body.get("vnp_Command") == "refund":
            return self.refund(body, start_response)
        answer: dict[str, str] = {
            "vnp_ResponseId": secrets.token_hex(16),
            "vnp_Command": "querydr",
            "vnp_TmnCode": str(body.get("vnp_TmnCode", "")),
            "vnp_TxnRef": str(body.get("vnp_TxnRef", "")),
        }
        data = "|".join(str(body.get(k, "")) for k in QUERY_REQUEST_FIELDS)
        ref = str(body.get("vnp_TxnRef", ""))
        day = _now().strftime("%Y%m%d")
        if body.get("vnp_Command") != "querydr" or not all(
            body.get(k) for k in QUERY_REQUEST_FIELDS[:6]
        ):
            answer.update(vnp_ResponseCode="03", vnp_Message="Invalid request format")
        elif body.get("vnp_TmnCode") != self.tmn_code:
            answer.update(vnp_ResponseCode="02", vnp_Message="Invalid TmnCode")
        elif not hmac.compare_digest(
            _hmac(self.secret, data), str(body.get("vnp_SecureHash", "")).lower()
        ):
            answer.update(vnp_ResponseCode="97", vnp_Message="Invalid Checksum")
        else:
            with self.lock:
                duplicate = (day, str(body["vnp_RequestId"])) in self.request_ids
                self.request_ids.add((day, str(body["vnp_RequestId"])))
                txn = self.transactions.get(ref)
            if duplicate:
                answer.update(vnp_ResponseCode="94", vnp_Message="Duplicate request")
            elif txn is None:
                answer.update(vnp_ResponseCode="91", vnp_Message="Not found transaction")
            else:
                answer.update(
                    vnp_ResponseCode="00",
                    vnp_Message="QueryDR Success",
                    vnp_Amount=txn["vnp_Amount"],
                    vnp_BankCode=txn.get("vnp_BankCode", ""),
                    vnp_PayDate=txn["vnp_PayDate"],
                    vnp_TransactionNo=txn["vnp_TransactionNo"],
                    vnp_TransactionType="01",
                    vnp_TransactionStatus=txn["vnp_TransactionStatus"],
                    vnp_OrderInfo=txn["vnp_OrderInfo"],
                    vnp_CardType=txn.get("vnp_CardType", ""),
                    vnp_PromotionCode="",
                    vnp_PromotionAmount="",
                )
        signed = "|".join(answer.get(k, "") for k in QUERY_RESPONSE_FIELDS)
        answer["vnp_SecureHash"] = _hmac(self.secret, signed)
        return _send(start_response, "200 OK", json.dumps(answer).encode(), "application/json")

    # ------------------------------------------------------------------------- refund

    def refund(self, body: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        """A full (02) or partial (03) refund of a paid transaction: 91 not found, 94 a
        refund already made or pending for it, 95 the original was not paid, 97 bad
        checksum, 03 bad format or an amount above the original."""
        ref = str(body.get("vnp_TxnRef", ""))
        answer: dict[str, str] = {
            "vnp_ResponseId": secrets.token_hex(16),
            "vnp_Command": "refund",
            "vnp_TmnCode": str(body.get("vnp_TmnCode", "")),
            "vnp_TxnRef": ref,
            "vnp_Amount": str(body.get("vnp_Amount", "")),
            "vnp_TransactionType": str(body.get("vnp_TransactionType", "")),
        }
        data = "|".join(str(body.get(k, "")) for k in REFUND_REQUEST_FIELDS)
        day = _now().strftime("%Y%m%d")
        if not all(body.get(k) for k in REFUND_REQUEST_FIELDS[:12]) or body.get(
            "vnp_TransactionType"
        ) not in ("02", "03"):
            answer.update(vnp_ResponseCode="03", vnp_Message="Invalid request format")
        elif body.get("vnp_TmnCode") != self.tmn_code:
            answer.update(vnp_ResponseCode="02", vnp_Message="Invalid TmnCode")
        elif not hmac.compare_digest(
            _hmac(self.secret, data), str(body.get("vnp_SecureHash", "")).lower()
        ):
            answer.update(vnp_ResponseCode="97", vnp_Message="Invalid Checksum")
        else:
            with self.lock:
                duplicate = (day, str(body["vnp_RequestId"])) in self.request_ids
                self.request_ids.add((day, str(body["vnp_RequestId"])))
                txn = self.transactions.get(ref)
                refunded = ref in self.refunds
                amount = str(body.get("vnp_Amount", ""))
                if duplicate or refunded:
                    answer.update(vnp_ResponseCode="94", vnp_Message="Refund already requested")
                elif txn is None:
                    answer.update(vnp_ResponseCode="91", vnp_Message="Not found transaction")
                elif txn.get("vnp_TransactionStatus") != "00":
                    answer.update(vnp_ResponseCode="95", vnp_Message="Transaction not success")
                elif not amount.isdigit() or int(amount) > int(txn["vnp_Amount"]):
                    answer.update(vnp_ResponseCode="03", vnp_Message="Invalid amount")
                else:
                    self.next_no += 1
                    answer.update(
                        vnp_ResponseCode="00",
                        vnp_Message="Refund success",
                        vnp_BankCode=txn.get("vnp_BankCode", ""),
                        vnp_PayDate=_now().strftime(FMT),
                        vnp_TransactionNo=str(self.next_no),
                        vnp_TransactionStatus="05",  # refund being processed
                        vnp_OrderInfo=str(body.get("vnp_OrderInfo", "")),
                    )
                    self.refunds[ref] = dict(answer)
        signed = "|".join(answer.get(k, "") for k in REFUND_RESPONSE_FIELDS)
        answer["vnp_SecureHash"] = _hmac(self.secret, signed)
        return _send(start_response, "200 OK", json.dumps(answer).encode(), "application/json")

    # --------------------------------------------------------------------- settlement

    def settlement(self, path: str, start_response: StartResponse) -> Iterable[bytes]:
        day = path.rsplit("/", 1)[-1].removesuffix(".csv")
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(
            [
                "TmnCode",
                "TxnRef",
                "TransactionNo",
                "Amount",
                "BankCode",
                "CardType",
                "PayDate",
                "ResponseCode",
                "TransactionStatus",
            ]
        )
        with self.lock:
            rows = sorted(
                (
                    {**t, **self.settlement_overrides.get(ref, {})}
                    for ref, t in self.transactions.items()
                ),
                key=lambda t: t["vnp_PayDate"],
            )
        for t in rows:
            if t["vnp_PayDate"].startswith(day) and not t.get("omit"):
                writer.writerow(
                    [
                        self.tmn_code,
                        t["vnp_TxnRef"],
                        t["vnp_TransactionNo"],
                        int(t["vnp_Amount"]) // 100,
                        t.get("vnp_BankCode", ""),
                        t.get("vnp_CardType", ""),
                        t["vnp_PayDate"],
                        t["vnp_ResponseCode"],
                        t["vnp_TransactionStatus"],
                    ]
                )
        return _send(start_response, "200 OK", out.getvalue().encode(), "text/csv; charset=utf-8")

    # ------------------------------------------------------------------------ control

    def control(
        self, path: str, method: str, environ: Environ, start_response: StartResponse
    ) -> Iterable[bytes]:
        answer: Any = {"ok": True}
        if path == "/_control/health":
            pass
        elif path == "/_control/ipn-log" and method == "GET":
            with self.lock:
                answer = list(self.ipn_log)
        elif path == "/_control/mode" and method == "POST":
            spec = json.loads(_read(environ) or b"{}")
            if spec.get("mode") not in MODES:
                return _send(
                    start_response, "400 Bad Request", b'{"error":"mode"}', "application/json"
                )
            ref = spec.pop("txn_ref", None)
            with self.lock:
                if ref:
                    self.order_modes[ref] = spec
                else:
                    self.mode = spec
                    self.order_modes.clear()
        elif path == "/_control/settlement" and method == "POST":
            spec = json.loads(_read(environ) or b"{}")
            ref = str(spec.get("txn_ref", ""))
            if not ref:
                return _send(
                    start_response, "400 Bad Request", b'{"error":"txn_ref"}', "application/json"
                )
            change: dict[str, str] = {}
            if "amount" in spec:
                change["vnp_Amount"] = str(int(spec["amount"]) * 100)
            if "status" in spec:
                change["vnp_TransactionStatus"] = str(spec["status"])
            if "response_code" in spec:
                change["vnp_ResponseCode"] = str(spec["response_code"])
            if spec.get("omit"):
                change["omit"] = "1"
            with self.lock:
                if ref not in self.transactions:  # a transaction the merchant never sent
                    self.next_no += 1
                    self.transactions[ref] = {
                        "vnp_Amount": change.get("vnp_Amount", "1000000"),
                        "vnp_BankCode": "NCB",
                        "vnp_CardType": "ATM",
                        "vnp_OrderInfo": "Giao dich ngoai he thong",
                        "vnp_PayDate": _now().strftime(FMT),
                        "vnp_ResponseCode": "00",
                        "vnp_TmnCode": self.tmn_code,
                        "vnp_TransactionNo": str(self.next_no),
                        "vnp_TransactionStatus": "00",
                        "vnp_TxnRef": ref,
                        "vnp_CreateDate": _now().strftime(FMT),
                    }
                else:
                    self.settlement_overrides[ref] = change
        elif path == "/_control/reset" and method == "POST":
            with self.lock:  # forget every order and transaction (a fresh gateway)
                self.orders.clear()
                self.transactions.clear()
                self.settlement_overrides.clear()
                self.order_modes.clear()
                self.late.clear()
                self.ipn_log.clear()
                self.mode = {"mode": "normal"}
        elif path == "/_control/flush" and method == "POST":
            with self.lock:
                pending, self.late = self.late, []
            for params in pending:
                self.send_ipn(params)
            answer = {"sent": len(pending)}
        else:
            return _send(start_response, "404 Not Found", b"{}", "application/json")
        return _send(start_response, "200 OK", json.dumps(answer).encode(), "application/json")


def _read(environ: Environ) -> bytes:
    length = int(environ.get("CONTENT_LENGTH") or 0)
    return environ["wsgi.input"].read(length) if length > 0 else b""


def _form(environ: Environ) -> dict[str, str]:
    return dict(urllib.parse.parse_qsl(_read(environ).decode("utf-8"), keep_blank_values=True))


def _send(
    start_response: StartResponse, status: str, body: bytes, content_type: str
) -> list[bytes]:
    start_response(status, [("Content-Type", content_type), ("Content-Length", str(len(body)))])
    return [body]


class _ThreadingServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True
    request_queue_size = 128


class _QuietHandler(WSGIRequestHandler):
    # Headers and body leave in separate writes: without TCP_NODELAY, Nagle
    # and the client's delayed ACK hold every answer ~40 ms.
    disable_nagle_algorithm = True

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        pass


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="VNPay-style payment gateway simulator")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--tmn-code", required=True)
    parser.add_argument("--hash-secret", required=True)
    parser.add_argument("--ipn-url", required=True)
    args = parser.parse_args(argv)
    app = Gateway(args.tmn_code, args.hash_secret, args.ipn_url)
    server = make_server(
        args.host, args.port, app, server_class=_ThreadingServer, handler_class=_QuietHandler
    )
    print(f"gateway simulator on http://{args.host}:{args.port}/", flush=True)  # noqa: T201
    server.serve_forever()


if __name__ == "__main__":
    main()
