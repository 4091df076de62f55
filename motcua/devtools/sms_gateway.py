"""A local SMS and Zalo ZNS provider standing in for the real ones (eSMS-style brandname SMS,
Zalo's ZNS template API) in the demo and the tests.

    python -m motcua.devtools.sms_gateway --port 8405 [--api-key K --secret-key S --token T]

Speaks what motcua.notifications.channels sends:

- POST /MainService.svc/json/SendMultipleMessage_V4_post_json/ (and POST /sms): eSMS's JSON
  (ApiKey, SecretKey, Phone "84…", Content, Brandname, SmsType, IsUnicode, RequestId);
  answers {"CodeResult": "100", "SMSID": …} or an error code: 101 wrong keys, 145 bad
  content (accents with IsUnicode 0, longer than 160/70), 177 bad phone number. A
  RequestId seen before is answered with its first SMSID and not delivered again.
- POST /message/template: ZNS (header access_token; phone, template_id, template_data,
  tracking_id); answers {"error": 0, "message": "Success", "data": {"msg_id": …, …}} or
  -124 (wrong token), -108 (bad phone), -1123 (no template id). A tracking_id seen before
  is answered with its first msg_id.

For the tests and the demo (not in any real provider's API):
- GET /_received: [{"channel": "sms"|"zalo", "body": {…}, "at": …}] delivered so far;
- POST /_fail {"times": n, "status": 503}: the next n requests fail with that HTTP status
  (times -1: until told otherwise); POST /_reset: forget everything.
"""

from __future__ import annotations

import argparse
import json
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

SMS_PATHS = ("/MainService.svc/json/SendMultipleMessage_V4_post_json/", "/sms")
ZNS_PATH = "/message/template"


class State:
    def __init__(self, api_key: str, secret_key: str, token: str) -> None:
        self.api_key, self.secret_key, self.token = api_key, secret_key, token
        self.lock = threading.Lock()
        self.reset()

    def reset(self) -> None:
        self.received: list[dict[str, Any]] = []
        self.seen: dict[str, str] = {}
        self.fail_times = 0
        self.fail_status = 503


def _phone_ok(phone: str) -> bool:
    return phone.isdigit() and phone.startswith("84") and len(phone) in (11, 12)


def sms(state: State, body: dict[str, Any]) -> dict[str, Any]:
    if body.get("ApiKey") != state.api_key or body.get("SecretKey") != state.secret_key:
        return {"CodeResult": "101", "ErrorMessage": "Authorize Failed"}
    phone, content = str(body.get("Phone", "")), str(body.get("Content", ""))
    if not _phone_ok(phone):
        return {"CodeResult": "177", "ErrorMessage": "Phone number invalid"}
    unicode = str(body.get("IsUnicode", "0")) == "1"
    if not content or (not unicode and not content.isascii()):
        return {"CodeResult": "145", "ErrorMessage": "Content invalid"}
    if len(content) > (70 if unicode else 160) * 3:  # at most three segments
        return {"CodeResult": "145", "ErrorMessage": "Content too long"}
    key = "sms:" + str(body.get("RequestId") or uuid.uuid4())
    with state.lock:
        if key in state.seen:
            return {"CodeResult": "100", "SMSID": state.seen[key]}
        sms_id = uuid.uuid4().hex
        state.seen[key] = sms_id
        state.received.append({"channel": "sms", "body": body, "at": time.time(), "id": sms_id})
    return {"CodeResult": "100", "SMSID": sms_id}


def zns(state: State, token: str, body: dict[str, Any]) -> dict[str, Any]:
    if token != state.token:
        return {"error": -124, "message": "Access token is invalid"}
    if not _phone_ok(str(body.get("phone", ""))):
        return {"error": -108, "message": "Phone number is invalid"}
    if not body.get("template_id"):
        return {"error": -1123, "message": "Template id is invalid"}
    data = body.get("template_data")
    if not isinstance(data, dict) or any(len(str(v)) > 400 for v in data.values()):
        return {"error": -1124, "message": "Template data is invalid"}
    key = "zalo:" + str(body.get("tracking_id") or uuid.uuid4())
    with state.lock:
        if key not in state.seen:
            state.seen[key] = str(uuid.uuid4().int)[:18]
            state.received.append(
                {"channel": "zalo", "body": body, "at": time.time(), "id": state.seen[key]}
            )
        msg_id = state.seen[key]
    return {
        "error": 0,
        "message": "Success",
        "data": {
            "msg_id": msg_id,
            "sent_time": str(int(time.time() * 1000)),
            "sending_mode": "1",
            "quota": {"dailyQuota": "500", "remainingQuota": "499"},
        },
    }


def make_handler(state: State) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        # Headers and body leave in separate writes: without TCP_NODELAY, Nagle
        # and the client's delayed ACK hold every answer ~40 ms.
        disable_nagle_algorithm = True

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
            pass

        def _answer(self, status: int, body: Any) -> None:
            data = json.dumps(body, ensure_ascii=False).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def _body(self) -> Any:
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b""
            return json.loads(raw or b"{}")

        def do_GET(self) -> None:
            if self.path == "/_received":
                with state.lock:
                    self._answer(200, list(state.received))
                return
            self._answer(404, {"error": "not found"})

        def do_POST(self) -> None:
            try:
                body = self._body()
            except json.JSONDecodeError:
                self._answer(400, {"error": "not JSON"})
                return
            if self.path == "/_fail":
                with state.lock:
                    state.fail_times = int(body.get("times", 1))
                    state.fail_status = int(body.get("status", 503))
                self._answer(200, {"ok": True})
                return
            if self.path == "/_reset":
                with state.lock:
                    state.reset()
                self._answer(200, {"ok": True})
                return
            with state.lock:
                failing = state.fail_times != 0
                if state.fail_times > 0:
                    state.fail_times -= 1
                status = state.fail_status
            if failing:
                self._answer(status, {"error": "provider unavailable"})
                return
            if self.path in SMS_PATHS:
                self._answer(200, sms(state, body))
            elif self.path == ZNS_PATH:
                self._answer(200, zns(state, self.headers.get("access_token", ""), body))
            else:
                self._answer(404, {"error": "not found"})

    return Handler


def serve(port: int, *, api_key: str, secret_key: str, token: str, host: str = "127.0.0.1") -> None:
    server = ThreadingHTTPServer((host, port), make_handler(State(api_key, secret_key, token)))
    try:
        server.serve_forever()
    finally:
        server.server_close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--port", type=int, default=8405)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--api-key", default="dev-sms-key")
    parser.add_argument("--secret-key", default="dev-sms-secret")
    parser.add_argument("--token", default="dev-zalo-token")
    args = parser.parse_args()
    serve(
        args.port,
        api_key=args.api_key,
        secret_key=args.secret_key,
        token=args.token,
        host=args.host,
    )


if __name__ == "__main__":
    main()
