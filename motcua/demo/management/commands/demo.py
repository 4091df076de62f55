"""`motcua demo`: load Bắc Ninh with a year of dossiers, print the logins, optionally serve."""

from __future__ import annotations

import os
import time
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db.models import Count

from motcua.catalog.enums import Channel
from motcua.demo.companions import start_all
from motcua.demo.generator import demo_load, demo_password
from motcua.demo.otp import demo_otp_code, demo_otp_enrol, demo_otp_key, demo_otp_secret
from motcua.dossiers.enums import STATUS_EN, Status
from motcua.dossiers.models import Dossier


def _vn(n: int) -> str:
    """20000 -> '20.000' (Vietnamese thousands separator)."""
    return f"{n:,}".replace(",", ".")


def _vn_pct(x: float) -> str:
    """44.2 -> '44,2%' (Vietnamese decimal comma)."""
    return f"{x:.1f}".replace(".", ",") + "%"


def public_url_for(addr: str) -> str:
    """The address `runserver addr` serves at, as a browser or a phone reaches it: a bare
    port is 127.0.0.1's; a wildcard host (0.0.0.0, ::) is written as 127.0.0.1 too (set
    MOTCUA_PUBLIC_URL to the machine's name for other devices)."""
    host, sep, port = addr.rpartition(":")
    if not sep:
        host, port = "", addr
    host = host or "127.0.0.1"
    if host in ("0.0.0.0", "[::]", "::"):  # noqa: S104 (an address, not a binding)
        host = "127.0.0.1"
    return f"http://{host}:{port}"


class Command(BaseCommand):
    help = (
        "Nạp dữ liệu mẫu tỉnh Bắc Ninh với một năm hồ sơ (load the Bắc Ninh demo with a "
        "year of dossiers), in tài khoản demo, và tùy chọn chạy máy chủ (--serve)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dossiers", type=int, default=20_000, help="số hồ sơ (default 20000)")
        parser.add_argument("--seed", type=int, default=2025, help="hạt ngẫu nhiên (seed)")
        parser.add_argument(
            "--reset", action="store_true", help="xóa toàn bộ hồ sơ rồi tạo lại (wipe dossiers)"
        )
        parser.add_argument("--serve", action="store_true", help="chạy máy chủ web sau khi nạp")
        parser.add_argument("--addr", default="127.0.0.1:8000", help="địa chỉ:cổng (addr:port)")
        parser.add_argument(
            "--otp-code",
            action="store_true",
            help="chỉ in mã xác thực hai lớp hiện tại của cán bộ demo (print the demo "
            "officers' current second-factor code, then stop)",
        )

    def handle(self, *args, dossiers, seed, reset, serve, addr, **options):
        if options.get("otp_code"):
            self.stdout.write(demo_otp_code(demo_otp_key()))
            return
        if dossiers < 0:
            raise CommandError("--dossiers phải ≥ 0 (must be ≥ 0)")
        if serve and not os.environ.get("MOTCUA_PUBLIC_URL"):
            # The receipts' QR codes (rendered while loading) point where the demo serves.
            settings.MOTCUA_PUBLIC_URL = public_url_for(addr)
        started = time.monotonic()
        password = demo_password()
        self.stdout.write("Đang nạp dữ liệu tỉnh Bắc Ninh (loading the demo province)…")
        result = demo_load(count=dossiers, seed=seed, reset=reset, password=password)
        elapsed = time.monotonic() - started
        if result.skipped:
            self.stdout.write(
                "Đã có hồ sơ trong cơ sở dữ liệu: giữ nguyên, dùng --reset để tạo lại "
                "(dossiers already present: kept; use --reset to regenerate)."
            )
        else:
            self.stdout.write(
                f"Đã tạo {_vn(result.generated)} hồ sơ lịch sử và {len(result.live)} hồ sơ "
                f"trực tiếp của công dân demo trong {elapsed:.1f} giây (synthesized history "
                f"+ live dossiers, {elapsed:.1f} s)."
            )
        self._summary()
        # Every demo staff account: an authenticator with the shared demo secret.
        otp_key = demo_otp_key()
        demo_otp_enrol([u for u, _r, _a in result.province.logins], otp_key)
        self._logins(result.province.logins, password)
        self._second_factor(otp_key)
        self.stdout.write(
            f"Địa chỉ công khai trong mã QR của giấy tiếp nhận (public URL in the receipts' "
            f"QR codes, MOTCUA_PUBLIC_URL): {settings.MOTCUA_PUBLIC_URL}"
        )
        if serve:
            # The counterparts of what a demo machine cannot reach (demo/companions.py).
            start_all(self.stdout.write)
            self.stdout.write(f"Mở (open) {settings.MOTCUA_PUBLIC_URL.rstrip('/')}/")
            # The demo serves its own static files (styles, Swagger UI) whatever DEBUG says:
            # DEBUG is off unless the developer turns it on (MOTCUA_DEBUG=1), and runserver
            # then serves static files only when told to (--insecure).
            call_command("runserver", addr, use_reloader=False, insecure_serving=True)

    def _summary(self):
        total = Dossier.objects.count()
        self.stdout.write(f"\nHồ sơ theo trạng thái (dossiers by status), tổng {_vn(total)}:")
        rows = dict(Dossier.objects.values_list("status").annotate(n=Count("pk")))
        for status in Status:
            n = rows.get(status.value, 0)
            self.stdout.write(
                f"  {status.value:>2} {status.label} ({STATUS_EN[status.value]}): {_vn(n)}"
            )
        self.stdout.write("Hồ sơ theo kênh (by channel):")
        rows = dict(Dossier.objects.values_list("channel").annotate(n=Count("pk")))
        for channel in Channel:
            n = rows.get(channel.value, 0)
            share = 100 * n / total if total else 0
            self.stdout.write(
                f"  {channel.label} ({channel.name.lower()}): {_vn(n)} ({_vn_pct(share)})"
            )

    def _logins(self, logins, password):
        self.stdout.write("\nTài khoản demo (demo logins) — mật khẩu chung (password): " + password)
        width = max(len(u) for u, _r, _a in logins)
        self.stdout.write(f"  {'tên đăng nhập'.ljust(width)}  vai trò (role) — cơ quan (agency)")
        for username, role, agency in logins:
            self.stdout.write(f"  {username.ljust(width)}  {role} — {agency}")
        where = Path(settings.VAR_DIR) / "demo_password"
        self.stdout.write(f"Mật khẩu lưu tại {where} (stored there, never in the repository).")

    def _second_factor(self, key):
        where = Path(settings.VAR_DIR) / "demo_otp_key"
        self.stdout.write(
            "\nXác thực hai lớp (second factor): sau mật khẩu, mọi tài khoản cán bộ và quản trị "
            "ở trên nhập mã 6 chữ số (staff accounts give a 6-digit code after the password; "
            "citizens do not).\n"
            f"  Khóa bí mật chung (shared secret, TOTP, 6 chữ số, 30 giây): {demo_otp_secret(key)}\n"
            "  Thêm khóa này một lần vào ứng dụng xác thực (Aegis, FreeOTP, Google "
            "Authenticator…: nhập khóa, loại theo thời gian) — một mục dùng cho mọi cán bộ demo "
            "(add it once to an authenticator app: one entry serves every demo officer);\n"
            "  hoặc lấy mã hiện tại bằng lệnh (or get the current code with): "
            "motcua demo --otp-code\n"
            f"  Khóa lưu tại {where} (stored there, never in the repository)."
        )
