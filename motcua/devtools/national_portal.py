"""A receiving service standing in for the national public service portal's dossier sync
(Cổng Dịch vụ công quốc gia, "DongBoHoSoMC"), for the demo and the tests.

    python -m motcua.devtools.national_portal --port 8410 --username motcua \\
        --password s3cret --dstcode 000.00.00.H03 [--db var/national.sqlite3] [--control]

It runs as its own process (never imported by motcua's code) and speaks the protocol
motcua's adapter (motcua.integration.national) speaks to the real one, in the shape public
provincial clients show (integration-reference §3.1; the official specification was not
seen, UNCONFIRMED):

- `POST /auth` {username, password} with the header `dstcode` → {session, error_code: 0};
- `POST /integration` {session, madonvi, service: "DongBoHoSoMC", isUpdating, MaYeuCau,
  data: [dossier]} with `dstcode` → {error_code: 0, result: {...}}; `service: "TraCuuHoSo"`
  {MaHoSo} → whether the portal has the dossier and its status.

It checks every dossier as the portal would, independently of motcua's own tables: the
required fields and their formats (dates `yyyyMMddHHmmss`, all values strings), the legal
status transitions of the ten DVCQG codes per dossier (an update from the status it holds;
an insert replaces), the dates in order (submitted ≤ received ≤ appointment; received ≤
finished ≤ returned), the session and the unit code. `MaYeuCau` is the idempotency id: a
repeat is answered as the first time and changes nothing. Errors keep the protocol's shape:
{error_code ≠ 0, message, errors: [{field, message}]}.

What it got is kept in SQLite (`--db`, default in memory): every request and its answer,
each dossier's last data and its status history. With --control it also takes
`POST /_control {"mode": "up" | "down" | "slow", "delay": seconds, "expire_sessions": true,
"reset": true}` (down: every call is a 503; slow: every call waits `delay` seconds; reset:
forget everything received) and answers
`GET /_control/dossiers/<MaHoSo>` and `GET /_control/stats` for the tests.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import secrets
import sqlite3
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import unquote, urlsplit

# Error codes of the answers (error_code).
OK = 0
AUTH_FAILED = 10
SESSION_INVALID = 11
INVALID_DATA = 20
ILLEGAL_TRANSITION = 21
UNKNOWN_DOSSIER = 22
DATES_OUT_OF_ORDER = 23
WRONG_UNIT = 24
UNKNOWN_SERVICE = 30

# The portal's status graph (TrangThaiHoSo, one-stop-reference §1.4): where a dossier in
# each status may go next. Staying in a status is an update (a new appointment, a result).
NEXT: dict[int, frozenset[int]] = {
    1: frozenset({2, 3, 7}),
    2: frozenset({4, 5, 6, 7}),
    3: frozenset(),
    4: frozenset({4, 5, 6, 7, 9}),
    5: frozenset({4, 7}),
    6: frozenset({4, 7}),
    7: frozenset({8}),
    8: frozenset(),
    9: frozenset({10}),
    10: frozenset(),
}
REQUIRED = ("MaHoSo", "MaTTHC", "KenhThucHien", "TrangThaiHoSo", "NgayNopHoSo", "ChuHoSo")
# Dates a status needs (received, accepted dossiers have an appointment; a decision has
# its end of processing; a returned result its return).
NEEDS: dict[str, frozenset[int]] = {
    "NgayTiepNhan": frozenset({2, 4, 5, 6, 9, 10}),
    "NgayHenTra": frozenset({2, 4, 5, 6, 9, 10}),
    "NgayKetThucXuLy": frozenset({9, 10}),
    "NgayTra": frozenset({10}),
}
DATES = ("NgayNopHoSo", "NgayTiepNhan", "NgayHenTra", "NgayKetThucXuLy", "NgayTra")
ORDER = (
    ("NgayNopHoSo", "NgayTiepNhan"),
    ("NgayTiepNhan", "NgayHenTra"),
    ("NgayTiepNhan", "NgayKetThucXuLy"),
    ("NgayKetThucXuLy", "NgayTra"),
)
SESSION_SECONDS = 3600


class Problem(Exception):
    def __init__(self, code: int, message: str, errors: list[dict[str, str]] | None = None):
        super().__init__(message)
        self.code = code
        self.message = message
        self.errors = errors or []

    def answer(self) -> dict[str, Any]:
        out: dict[str, Any] = {"error_code": self.code, "message": self.message}
        if self.errors:
            out["errors"] = self.errors
        return out


def parse_date(value: Any, name: str) -> dt.datetime:
    if not isinstance(value, str) or len(value) != 14 or not value.isdigit():
        raise Problem(
            INVALID_DATA,
            "Ngày tháng không đúng định dạng yyyyMMddHHmmss.",
            [{"field": name, "message": "định dạng yyyyMMddHHmmss"}],
        )
    try:
        return dt.datetime.strptime(value, "%Y%m%d%H%M%S")
    except ValueError:
        raise Problem(
            INVALID_DATA,
            "Ngày tháng không hợp lệ.",
            [{"field": name, "message": "ngày không tồn tại"}],
        ) from None


def check_dossier(item: Any) -> dict[str, Any]:
    """The portal's checks of one dossier object; the object, or a Problem."""
    if not isinstance(item, dict):
        raise Problem(INVALID_DATA, "Hồ sơ phải là một đối tượng JSON.")
    errors = [{"field": f, "message": "bắt buộc"} for f in REQUIRED if item.get(f) in (None, "")]
    not_strings = [
        {"field": k, "message": "giá trị phải là chuỗi"}
        for k, v in item.items()
        if v is not None and not isinstance(v, str | list | dict)
    ]
    if errors or not_strings:
        raise Problem(INVALID_DATA, "Thiếu trường bắt buộc hoặc sai kiểu.", errors + not_strings)
    if item["KenhThucHien"] not in ("1", "2", "3"):
        raise Problem(
            INVALID_DATA,
            "Kênh thực hiện không hợp lệ.",
            [{"field": "KenhThucHien", "message": "1, 2 hoặc 3"}],
        )
    if item["TrangThaiHoSo"] not in {str(s) for s in NEXT}:
        raise Problem(
            INVALID_DATA,
            "Trạng thái hồ sơ không hợp lệ.",
            [{"field": "TrangThaiHoSo", "message": "từ 1 đến 10"}],
        )
    if item.get("DuocThanhToanTrucTuyen", "0") not in ("0", "1", "2"):
        raise Problem(
            INVALID_DATA,
            "DuocThanhToanTrucTuyen không hợp lệ.",
            [{"field": "DuocThanhToanTrucTuyen", "message": "0, 1 hoặc 2"}],
        )
    status = int(item["TrangThaiHoSo"])
    missing = [
        {"field": f, "message": f"bắt buộc ở trạng thái {status}"}
        for f, statuses in NEEDS.items()
        if status in statuses and not item.get(f)
    ]
    if missing:
        raise Problem(INVALID_DATA, "Thiếu ngày bắt buộc theo trạng thái.", missing)
    dates = {f: parse_date(item[f], f) for f in DATES if item.get(f)}
    for earlier, later in ORDER:
        if earlier in dates and later in dates and dates[earlier] > dates[later]:
            raise Problem(
                DATES_OUT_OF_ORDER,
                f"{earlier} phải không muộn hơn {later}.",
                [{"field": later, "message": f"trước {earlier}"}],
            )
    return item


class Portal:
    """The receiving side's state: sessions, the mode, the SQLite store."""

    def __init__(self, username: str, password: str, dstcode: str, db: str, control: bool) -> None:
        self.username = username
        self.password = password
        self.dstcode = dstcode
        self.control = control
        self.mode = "up"
        self.delay = 0.0
        self.sessions: dict[str, float] = {}
        self.lock = threading.Lock()
        self.db = sqlite3.connect(db, check_same_thread=False, isolation_level=None)
        self.db.executescript(
            """
            PRAGMA journal_mode = WAL;
            CREATE TABLE IF NOT EXISTS requests (
                id TEXT PRIMARY KEY, received_at TEXT, ma_ho_so TEXT, body TEXT, answer TEXT
            );
            CREATE TABLE IF NOT EXISTS dossiers (
                ma_ho_so TEXT PRIMARY KEY, status INTEGER, data TEXT, updated_at TEXT
            );
            CREATE TABLE IF NOT EXISTS history (
                ma_ho_so TEXT, status INTEGER, request_id TEXT, received_at TEXT
            );
            CREATE TABLE IF NOT EXISTS counters (name TEXT PRIMARY KEY, n INTEGER);
            """
        )

    def count(self, name: str) -> None:
        self.db.execute(
            "INSERT INTO counters VALUES (?, 1) ON CONFLICT(name) DO UPDATE SET n = n + 1",
            (name,),
        )

    def login(self, body: dict[str, Any], dstcode: str) -> dict[str, Any]:
        if (
            dstcode != self.dstcode
            or not secrets.compare_digest(str(body.get("username", "")), self.username)
            or not secrets.compare_digest(str(body.get("password", "")), self.password)
        ):
            raise Problem(AUTH_FAILED, "Sai tài khoản, mật khẩu hoặc mã đơn vị (dstcode).")
        token = secrets.token_urlsafe(24)
        with self.lock:
            self.sessions[token] = time.time() + SESSION_SECONDS
        return {"error_code": OK, "session": token}

    def integrate(self, body: dict[str, Any], dstcode: str) -> dict[str, Any]:
        if dstcode != self.dstcode:
            raise Problem(AUTH_FAILED, "Sai mã đơn vị (dstcode).")
        with self.lock:
            expires = self.sessions.get(str(body.get("session", "")))
        if expires is None or expires < time.time():
            raise Problem(SESSION_INVALID, "Phiên làm việc không hợp lệ hoặc đã hết hạn.")
        if body.get("madonvi") != self.dstcode:
            raise Problem(
                WRONG_UNIT, "Mã đơn vị không khớp.", [{"field": "madonvi", "message": "sai"}]
            )
        service = body.get("service")
        if service == "TraCuuHoSo":
            return self.lookup(str(body.get("MaHoSo", "")))
        if service != "DongBoHoSoMC":
            raise Problem(UNKNOWN_SERVICE, f"Không hỗ trợ dịch vụ {service!r}.")
        request_id = body.get("MaYeuCau")
        if not isinstance(request_id, str) or not request_id:
            raise Problem(
                INVALID_DATA, "Thiếu mã yêu cầu.", [{"field": "MaYeuCau", "message": "bắt buộc"}]
            )
        data = body.get("data")
        if not isinstance(data, list) or len(data) != 1:
            raise Problem(
                INVALID_DATA, "data phải có đúng một hồ sơ.", [{"field": "data", "message": "1"}]
            )
        with self.lock:  # one writer: the check and the write of a dossier are one step
            row = self.db.execute(
                "SELECT answer FROM requests WHERE id = ?", (request_id,)
            ).fetchone()
            if row is not None:
                self.count("duplicates")
                answer: dict[str, Any] = json.loads(row[0])
                answer["result"] = {**answer.get("result", {}), "duplicate": True}
                return answer
            try:
                answer = self.store(request_id, bool(body.get("isUpdating")), data[0])
            except Problem as p:
                self.count("rejected")
                raise p
            self.count("accepted")
            return answer

    def store(self, request_id: str, updating: bool, item: Any) -> dict[str, Any]:
        item = check_dossier(item)
        code, status = item["MaHoSo"], int(item["TrangThaiHoSo"])
        held = self.db.execute("SELECT status FROM dossiers WHERE ma_ho_so = ?", (code,)).fetchone()
        if updating:
            if held is None:
                raise Problem(UNKNOWN_DOSSIER, f"Không tìm thấy hồ sơ {code} để cập nhật.")
            if status != held[0] and status not in NEXT[held[0]]:
                raise Problem(
                    ILLEGAL_TRANSITION,
                    f"Không được chuyển hồ sơ từ trạng thái {held[0]} sang {status}.",
                    [{"field": "TrangThaiHoSo", "message": f"{held[0]} → {status}"}],
                )
        now = dt.datetime.now(dt.UTC).isoformat()
        answer = {"error_code": OK, "result": {"MaHoSo": code, "TrangThaiHoSo": str(status)}}
        self.db.execute("BEGIN")
        self.db.execute(
            "INSERT INTO dossiers VALUES (?, ?, ?, ?) ON CONFLICT(ma_ho_so) DO UPDATE SET "
            "status = excluded.status, data = excluded.data, updated_at = excluded.updated_at",
            (code, status, json.dumps(item, ensure_ascii=False), now),
        )
        self.db.execute("INSERT INTO history VALUES (?, ?, ?, ?)", (code, status, request_id, now))
        self.db.execute(
            "INSERT INTO requests VALUES (?, ?, ?, ?, ?)",
            (request_id, now, code, json.dumps(item, ensure_ascii=False), json.dumps(answer)),
        )
        self.db.execute("COMMIT")
        return answer

    def lookup(self, code: str) -> dict[str, Any]:
        with self.lock:
            row = self.db.execute(
                "SELECT status FROM dossiers WHERE ma_ho_so = ?", (code,)
            ).fetchone()
        if row is None:
            return {"error_code": OK, "result": {"exists": False}}
        return {"error_code": OK, "result": {"exists": True, "TrangThaiHoSo": str(row[0])}}

    def dossier(self, code: str) -> dict[str, Any] | None:
        with self.lock:
            row = self.db.execute(
                "SELECT status, data FROM dossiers WHERE ma_ho_so = ?", (code,)
            ).fetchone()
            history = self.db.execute(
                "SELECT status, request_id FROM history WHERE ma_ho_so = ? ORDER BY rowid",
                (code,),
            ).fetchall()
        if row is None:
            return None
        return {
            "status": row[0],
            "data": json.loads(row[1]),
            "history": [h[0] for h in history],
            "requests": [h[1] for h in history],
        }

    def stats(self) -> dict[str, int]:
        with self.lock:
            out = dict(self.db.execute("SELECT name, n FROM counters").fetchall())
            out["dossiers"] = self.db.execute("SELECT count(*) FROM dossiers").fetchone()[0]
        return {k: int(out.get(k, 0)) for k in ("accepted", "duplicates", "rejected", "dossiers")}


class Handler(BaseHTTPRequestHandler):
    # Headers and body leave in separate writes: without TCP_NODELAY, Nagle
    # and the client's delayed ACK hold every answer ~40 ms.
    disable_nagle_algorithm = True
    server: PortalServer
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        if self.server.verbose:
            sys.stderr.write("national_portal: " + (format % args) + "\n")

    def _json(self, status: int, data: dict[str, Any]) -> None:
        body = json.dumps(data, ensure_ascii=False).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _body(self) -> Any:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        try:
            return json.loads(raw or b"{}")
        except ValueError:
            return None

    def do_GET(self) -> None:  # noqa: N802
        portal = self.server.portal
        path = urlsplit(self.path).path
        if portal.control and path == "/_control/stats":
            self._json(200, portal.stats())
        elif portal.control and path.startswith("/_control/dossiers/"):
            found = portal.dossier(unquote(path.removeprefix("/_control/dossiers/")))
            self._json(200 if found else 404, found or {"error": "not_found"})
        else:
            self._json(404, {"error_code": 404, "message": "Không tìm thấy."})

    def do_POST(self) -> None:  # noqa: N802
        portal = self.server.portal
        path = urlsplit(self.path).path
        body = self._body()
        if path == "/_control" and portal.control:
            self.control(body or {})
            return
        if portal.mode == "down":
            self._json(503, {"error_code": 503, "message": "Hệ thống đang bảo trì."})
            return
        if portal.mode == "slow":
            time.sleep(portal.delay)
        if not isinstance(body, dict):
            self._json(400, {"error_code": INVALID_DATA, "message": "Nội dung không phải JSON."})
            return
        dstcode = self.headers.get("dstcode", "")
        try:
            if path == "/auth":
                answer = portal.login(body, dstcode)
            elif path == "/integration":
                answer = portal.integrate(body, dstcode)
            else:
                self._json(404, {"error_code": 404, "message": "Không tìm thấy."})
                return
        except Problem as p:
            answer = p.answer()
        self._json(200, answer)

    def control(self, data: dict[str, Any]) -> None:
        portal = self.server.portal
        mode = data.get("mode", portal.mode)
        if mode not in ("up", "down", "slow"):
            self._json(400, {"error": f"unknown mode {mode}"})
            return
        with portal.lock:
            portal.mode = mode
            portal.delay = float(data.get("delay", portal.delay))
            if data.get("expire_sessions"):
                portal.sessions.clear()
            if data.get("reset"):
                portal.sessions.clear()
                for table in ("requests", "dossiers", "history", "counters"):
                    portal.db.execute(f"DELETE FROM {table}")  # noqa: S608 - fixed names
        self._json(200, {"mode": portal.mode, "delay": portal.delay})


class PortalServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, address: tuple[str, int], portal: Portal, verbose: bool) -> None:
        super().__init__(address, Handler)
        self.portal = portal
        self.verbose = verbose


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description="National portal dossier sync, for motcua's tests")
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--username", default="motcua")
    ap.add_argument("--password", default="motcua-demo-secret")
    ap.add_argument("--dstcode", required=True, help="the province's unit code (madonvi)")
    ap.add_argument("--db", default=":memory:", help="SQLite file of what was received")
    ap.add_argument("--control", action="store_true", help="accept /_control (tests)")
    ap.add_argument("--verbose", action="store_true", help="log every request")
    args = ap.parse_args(argv)
    portal = Portal(args.username, args.password, args.dstcode, args.db, args.control)
    server = PortalServer((args.host, args.port), portal, args.verbose)
    sys.stderr.write(f"national_portal: http://{args.host}:{args.port} ready\n")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


if __name__ == "__main__":
    main()
