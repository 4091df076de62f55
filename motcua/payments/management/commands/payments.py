"""`motcua payments import-statement FILE [--account N]`: import the collecting account's
statement (VietQR transfers matched; docs/payments.md).

`motcua payments query-pending [--older-than MINUTES]`: ask the gateway (querydr) about
every attempt still pending after that long, and apply its verified answers (an IPN may
never come: reference §1.8). Meant for cron or a periodic task."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from motcua.core.errors import DomainError
from motcua.payments.services import payments_query_pending, statement_import


class Command(BaseCommand):
    help = "Thanh toán: truy vấn các giao dịch còn chờ (query pending payments at the gateway)"

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="what", required=True)
        query = sub.add_parser("query-pending")
        query.add_argument("--older-than", type=int, default=5, help="phút (minutes)")
        # Bank statement of the collecting account (VietQR transfers).
        imp = sub.add_parser("import-statement")
        imp.add_argument("file", help="tệp sao kê CSV/XLSX (statement file)")
        imp.add_argument(
            "--account", default=None, help="số tài khoản (default MOTCUA_VIETQR_ACCOUNT)"
        )

    def handle(self, *args: Any, what: str, **options: Any) -> None:
        if what == "import-statement":
            self._import(options["file"], options.get("account"))
            return
        older_than = int(options["older_than"])
        n = payments_query_pending(older_than=dt.timedelta(minutes=older_than))
        self.stdout.write(f"Đã truy vấn {n} giao dịch (queried {n} pending payments).")

    def _import(self, path: str, account: str | None) -> None:
        from pathlib import Path

        try:
            result = statement_import(
                Path(path).read_bytes(), name=Path(path).name, account=account
            )
        except OSError as exc:
            raise CommandError(f"Không đọc được tệp {path} (cannot read): {exc}") from None
        except DomainError as exc:
            raise CommandError(f"{exc.message} ({exc.message_en})") from None
        counts = ", ".join(f"{k}: {v}" for k, v in sorted(result.by_status.items())) or "-"
        self.stdout.write(
            f"Đã nhập {result.lines} dòng, bỏ qua {result.duplicates} dòng đã có "
            f"(imported {result.lines}, skipped {result.duplicates} already imported). {counts}"
        )
