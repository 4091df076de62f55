"""The national portal's payment platform (Nền tảng thanh toán Cổng DVC quốc gia), from
the platform's side, as its own process: for the demo and the tests (no platform is
reachable from here). Message shapes as integration reference §1.4 and docs/payments.md
describe; the checksum code is written again here, on purpose, so a mistake on either
side shows up as a refusal.

    python -m motcua.payments.dvcqg_simulator --port N --partner-code X --hash-key K \
        --callback-url URL [--return-url URL]

    POST /api/khoitao        the init message (JSON): checks partner, checksum, amount,
                             reference; answers {MaLoi, …, UrlThanhToan, MaXacThuc}
    GET  /thanhtoan?ma=REF   the citizen's checkout page (Vietnamese, no JavaScript)
    POST /thanhtoan          the citizen's choice: success or refused; then the signed
                             callback (per its mode) and the result page, with a link back
                             to the province's return URL (?MaThamChieu=REF; registered
                             with the operator like the callback URL, so --return-url)
    POST /api/laybienlai     get bill: the transaction, signed as the callback
    POST /_control/mode      {"mode": normal|missing|bad_signature|wrong_amount}
    POST /_control/transaction  {"ref", "MaLoi"?, "SoTien"?, "omit"?}: change what get bill
                             answers of a transaction (reconciliation tests)
    GET  /_control/log       every callback sent and the answer received
    GET  /_control/health
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import hmac
import html
import json
import threading
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterable
from socketserver import ThreadingMixIn
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

GMT7 = dt.timezone(dt.timedelta(hours=7))
MODES = ("normal", "missing", "bad_signature", "wrong_amount")
INIT = [
    "LoaiBanTin",
    "PhienBan",
    "MaDoiTac",
    "MaThamChieu",
    "SoTien",
    "LoaiHinhThanhToan",
    "MaKenhThanhToan",
    "MaThietBi",
    "NgonNgu",
    "MaTienTe",
    "MaNganHang",
    "ThongTinGiaoDich",
    "ThoiGianGD",
    "Ip",
]
INIT_ANSWER = ["MaLoi", "MaDoiTac", "MaThamChieu", "UrlThanhToan", "ThoiGianGD"]
CALLBACK = [
    "LoaiBanTin",
    "MaLoi",
    "MaDoiTac",
    "MaThamChieu",
    "SoTien",
    "MaTienTe",
    "MaGiaoDich",
    "MaNganHang",
    "ThoiGianGD",
    "ThongTinGiaoDich",
]
QUERY = ["LoaiBanTin", "PhienBan", "MaDoiTac", "MaThamChieu", "ThoiGianGD"]
REPLY = ["MaLoi", "MaDoiTac", "MaThamChieu", "ThoiGianGD"]

Environ = dict[str, Any]
StartResponse = Callable[..., Any]


def _sum(values: list[str], key: str) -> str:
    return hashlib.sha256(("|".join(values) + "|" + key).encode("utf-8")).hexdigest()


def _s(v: Any) -> str:
    return "" if v is None else str(v)


class Platform:
    def __init__(self, partner: str, key: str, callback_url: str, return_url: str = "") -> None:
        self.partner = partner
        self.key = key
        self.callback_url = callback_url
        self.return_url = return_url
        self.lock = threading.Lock()
        self.orders: dict[str, dict[str, Any]] = {}
        self.transactions: dict[str, dict[str, str]] = {}
        self.mode = "normal"
        self.log: list[dict[str, Any]] = []
        self.next_no = 52000000

    def __call__(self, environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
        method, path = environ["REQUEST_METHOD"], environ.get("PATH_INFO", "")
        try:
            if path == "/api/khoitao" and method == "POST":
                return self.init(environ, start_response)
            if path == "/thanhtoan" and method == "GET":
                return self.checkout(environ, start_response)
            if path == "/thanhtoan" and method == "POST":
                return self.pay(environ, start_response)
            if path == "/api/laybienlai" and method == "POST":
                return self.get_bill(environ, start_response)
            if path.startswith("/_control/"):
                return self.control(path, method, environ, start_response)
        except Exception as exc:  # noqa: BLE001 (the platform answers, whatever happens)
            return _json(start_response, {"MaLoi": "99", "MoTaLoi": f"Lỗi hệ thống: {exc}"})
        return _send(start_response, "404 Not Found", b"Not found", "text/plain")

    # ---------------------------------------------------------------------- init

    def init(self, environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
        msg = json.loads(_read(environ) or b"{}")
        ref = _s(msg.get("MaThamChieu"))
        now = dt.datetime.now(GMT7).strftime("%Y%m%d%H%M%S")
        code, text, url = "00", "Thành công", ""
        amount = _s(msg.get("SoTien"))
        bill = msg.get("ThongTinBienLai")
        if _s(msg.get("MaDoiTac")) != self.partner:
            code, text = "02", "Mã đối tác không tồn tại"
        elif not hmac.compare_digest(
            _sum([_s(msg.get(k)) for k in INIT], self.key), _s(msg.get("MaXacThuc")).lower()
        ):
            code, text = "03", "Sai mã xác thực"
        elif not amount.isdigit() or int(amount) <= 0 or _s(msg.get("MaTienTe")) != "VND":
            code, text = "04", "Số tiền không hợp lệ"
        elif not ref or len(ref) > 20 or not ref.isalnum() or not ref.isascii():
            code, text = "05", "Mã tham chiếu không hợp lệ"
        elif not isinstance(bill, dict) or bill.get("MaDichVu") not in (1, 2):
            code, text = "06", "Thiếu thông tin biên lai"
        else:
            with self.lock:
                if ref in self.orders:
                    code, text = "07", "Trùng mã tham chiếu"
                else:
                    self.orders[ref] = msg
            base = f"{environ['wsgi.url_scheme']}://{environ['HTTP_HOST']}"
            if code == "00":
                url = f"{base}/thanhtoan?ma={urllib.parse.quote(ref)}"
        answer = {
            "MaLoi": code,
            "MoTaLoi": text,
            "MaDoiTac": self.partner,
            "MaThamChieu": ref,
            "UrlThanhToan": url,
            "ThoiGianGD": now,
        }
        answer["MaXacThuc"] = _sum([answer[k] for k in INIT_ANSWER], self.key)
        return _json(start_response, answer)

    # ------------------------------------------------------------------ checkout

    def checkout(self, environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
        ref = dict(urllib.parse.parse_qsl(environ.get("QUERY_STRING", ""))).get("ma", "")
        with self.lock:
            order = self.orders.get(ref)
        if order is None:
            return _page(start_response, "Giao dịch không tồn tại.", "404 Not Found")
        e = html.escape
        amount = f"{int(order['SoTien']):,}".replace(",", ".")
        body = f"""<p>Mã tham chiếu: <strong>{e(ref)}</strong></p>
<p>Hồ sơ: {e(_s(order["ThongTinBienLai"].get("MaHoSo")))} · Người nộp:
{e(_s(order["ThongTinBienLai"].get("HoTenNguoiNop")))}</p>
<p>Số tiền: <strong>{amount} VND</strong></p>
<form method="post" action="/thanhtoan"><input type="hidden" name="ma" value="{e(ref)}">
<button type="submit" name="outcome" value="success">Thanh toán thành công</button>
<button type="submit" name="outcome" value="refused">Thanh toán không thành công</button>
</form>"""
        return _page(start_response, body)

    def pay(self, environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
        form = dict(urllib.parse.parse_qsl(_read(environ).decode("utf-8")))
        ref, outcome = form.get("ma", ""), form.get("outcome", "")
        with self.lock:
            order = self.orders.get(ref)
            done = ref in self.transactions
            self.next_no += 1
            number = str(self.next_no)
        if order is None or outcome not in ("success", "refused") or done:
            return _page(start_response, "Giao dịch không hợp lệ.", "400 Bad Request")
        txn = {
            "LoaiBanTin": "3",
            "MaLoi": "00" if outcome == "success" else "51",
            "MaDoiTac": self.partner,
            "MaThamChieu": ref,
            "SoTien": _s(order["SoTien"]),
            "MaTienTe": "VND",
            "MaGiaoDich": f"DVC{number}",
            "MaNganHang": "VCB",
            "ThoiGianGD": dt.datetime.now(GMT7).strftime("%Y%m%d%H%M%S"),
            "ThongTinGiaoDich": _s(order.get("ThongTinGiaoDich")),
        }
        with self.lock:
            self.transactions[ref] = txn
            mode = self.mode
        if mode != "missing":
            msg = dict(txn)
            if mode == "wrong_amount":
                msg["SoTien"] = str(int(msg["SoTien"]) + 1000)
            key = self.key + ("x" if mode == "bad_signature" else "")
            msg["MaXacThuc"] = _sum([msg[k] for k in CALLBACK], key)
            self.send_callback(msg)
        text = "Giao dịch thành công." if outcome == "success" else "Giao dịch không thành công."
        back = ""
        if self.return_url:
            sep = "&" if "?" in self.return_url else "?"
            href = f"{self.return_url}{sep}{urllib.parse.urlencode({'MaThamChieu': ref})}"
            back = (
                f'<p><a href="{html.escape(href)}">Quay về Cổng dịch vụ công '
                "(back to the public-service portal)</a></p>"
            )
        return _page(
            start_response, f'<p class="result" data-ma="{html.escape(ref)}">{text}</p>{back}'
        )

    def send_callback(self, msg: dict[str, str]) -> None:
        entry: dict[str, Any] = {"ref": msg["MaThamChieu"], "sent": msg}
        req = urllib.request.Request(  # noqa: S310 (the configured callback URL)
            self.callback_url,
            data=json.dumps(msg, ensure_ascii=False).encode("utf-8"),
            headers={"Content-Type": "application/json"},
            method="POST",
        )
        try:
            with urllib.request.urlopen(req, timeout=30) as r:  # noqa: S310 (configured URL)
                answer = json.loads(r.read().decode("utf-8") or "{}")
            entry["answer"] = answer
            entry["answer_verified"] = hmac.compare_digest(
                _sum([_s(answer.get(k)) for k in REPLY], self.key),
                _s(answer.get("MaXacThuc")).lower(),
            )
        except Exception as exc:  # noqa: BLE001 (recorded for the tests to see)
            entry["error"] = str(exc)
        with self.lock:
            self.log.append(entry)

    # ------------------------------------------------------------------ get bill

    def get_bill(self, environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
        msg = json.loads(_read(environ) or b"{}")
        ref = _s(msg.get("MaThamChieu"))
        now = dt.datetime.now(GMT7).strftime("%Y%m%d%H%M%S")
        valid = _s(msg.get("MaDoiTac")) == self.partner and hmac.compare_digest(
            _sum([_s(msg.get(k)) for k in QUERY], self.key), _s(msg.get("MaXacThuc")).lower()
        )
        with self.lock:
            txn = self.transactions.get(ref)
        if not valid:
            answer = {"MaLoi": "03", "MaThamChieu": ref, "MaDoiTac": self.partner}
        elif txn is None or txn.get("omit"):
            answer = {"MaLoi": "01", "MaThamChieu": ref, "MaDoiTac": self.partner}
        else:
            answer = {k: v for k, v in txn.items() if k in CALLBACK}
        answer.setdefault("ThoiGianGD", now)
        answer["MaXacThuc"] = _sum([_s(answer.get(k)) for k in CALLBACK], self.key)
        return _json(start_response, answer)

    # ------------------------------------------------------------------- control

    def control(
        self, path: str, method: str, environ: Environ, start_response: StartResponse
    ) -> Iterable[bytes]:
        answer: Any = {"ok": True}
        if path == "/_control/log":
            with self.lock:
                answer = list(self.log)
        elif path == "/_control/mode" and method == "POST":
            mode = json.loads(_read(environ) or b"{}").get("mode")
            if mode not in MODES:
                return _send(start_response, "400 Bad Request", b"{}", "application/json")
            with self.lock:
                self.mode = mode
        elif path == "/_control/transaction" and method == "POST":
            change = json.loads(_read(environ) or b"{}")
            with self.lock:
                txn = self.transactions.get(_s(change.get("ref")))
                if txn is None:
                    return _send(start_response, "404 Not Found", b"{}", "application/json")
                for k in ("MaLoi", "SoTien"):
                    if k in change:
                        txn[k] = _s(change[k])
                if "omit" in change:
                    txn["omit"] = "1" if change["omit"] else ""
        elif path != "/_control/health":
            return _send(start_response, "404 Not Found", b"{}", "application/json")
        return _json(start_response, answer)


def _read(environ: Environ) -> bytes:
    length = int(environ.get("CONTENT_LENGTH") or 0)
    return environ["wsgi.input"].read(length) if length > 0 else b""


def _send(start_response: StartResponse, status: str, body: bytes, ctype: str) -> list[bytes]:
    start_response(status, [("Content-Type", ctype), ("Content-Length", str(len(body)))])
    return [body]


def _json(start_response: StartResponse, answer: Any) -> list[bytes]:
    body = json.dumps(answer, ensure_ascii=False).encode("utf-8")
    return _send(start_response, "200 OK", body, "application/json; charset=utf-8")


def _page(start_response: StartResponse, body: str, status: str = "200 OK") -> list[bytes]:
    doc = (
        '<!doctype html><html lang="vi"><head><meta charset="utf-8">'
        "<title>Nền tảng thanh toán Cổng DVC quốc gia (mô phỏng)</title></head><body>"
        "<h1>Nền tảng thanh toán Cổng DVC quốc gia (mô phỏng) · National payment platform "
        f"(simulator)</h1>{body}</body></html>"
    )
    return _send(start_response, status, doc.encode("utf-8"), "text/html; charset=utf-8")


class _ThreadingServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True


class _QuietHandler(WSGIRequestHandler):
    # Headers and body leave in separate writes: without TCP_NODELAY, Nagle
    # and the client's delayed ACK hold every answer ~40 ms.
    disable_nagle_algorithm = True

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        pass


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="National payment platform simulator")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--partner-code", required=True)
    parser.add_argument("--hash-key", required=True)
    parser.add_argument("--callback-url", required=True)
    parser.add_argument("--return-url", default="", help="the province's page for the browser")
    args = parser.parse_args(argv)
    app = Platform(args.partner_code, args.hash_key, args.callback_url, args.return_url)
    server = make_server(
        args.host, args.port, app, server_class=_ThreadingServer, handler_class=_QuietHandler
    )
    print(f"national platform simulator on http://{args.host}:{args.port}/", flush=True)  # noqa: T201
    server.serve_forever()


if __name__ == "__main__":
    main()
