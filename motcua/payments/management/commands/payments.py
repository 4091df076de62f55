"""`motcua payments import-statement FILE [--account N]`: import the collecting account's
statement (VietQR transfers matched; docs/payments.md).

`motcua payments query-pending [--older-than MINUTES]`: ask the gateway (querydr) about
every attempt still pending after that long, and apply its verified answers (an IPN may
never come: reference §1.8). Meant for cron or a periodic task.

`motcua payments reconcile --date YYYY-MM-DD [--provider vnpay|dvcqg]`: reconcile that day
(GMT+7), as the daily task does, and print the totals: the gateway's payments against its
settlement file, the national platform's against its get-bill answers (default: every
configured provider)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from motcua.core.errors import DomainError
from motcua.payments.models import Provider, ReconciliationRun
from motcua.payments.services import (
    payments_query_pending,
    reconcile,
    reconcile_configured,
    reconcile_national,
    statement_import,
)


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise CommandError(
            f"Ngày không hợp lệ, cần YYYY-MM-DD: {value!r} (not a YYYY-MM-DD date)"
        ) from exc


class Command(BaseCommand):
    help = (
        "Thanh toán: truy vấn các giao dịch còn chờ; đối soát một ngày "
        "(query pending payments; reconcile a day)"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="what", required=True)
        query = sub.add_parser("query-pending")
        query.add_argument("--older-than", type=int, default=5, help="phút (minutes)")
        rec = sub.add_parser("reconcile")
        rec.add_argument("--date", required=True, type=_date, help="YYYY-MM-DD (GMT+7)")
        rec.add_argument(
            "--provider",
            choices=[Provider.VNPAY.value, Provider.NATIONAL_PLATFORM.value],
            default=None,
            help="vnpay | dvcqg (mặc định: mọi đơn vị đã cấu hình; default: every configured)",
        )
        # Bank statement of the collecting account (VietQR transfers).
        imp = sub.add_parser("import-statement")
        imp.add_argument("file", help="tệp sao kê CSV/XLSX (statement file)")
        imp.add_argument(
            "--account", default=None, help="số tài khoản (default MOTCUA_VIETQR_ACCOUNT)"
        )

    def handle(self, *args: Any, what: str, **options: Any) -> None:
        if what == "reconcile":
            self.reconcile(options["date"], options.get("provider"))
            return
        if what == "import-statement":
            self._import(options["file"], options.get("account"))
            return
        older_than = int(options["older_than"])
        n = payments_query_pending(older_than=dt.timedelta(minutes=older_than))
        self.stdout.write(f"Đã truy vấn {n} giao dịch (queried {n} pending payments).")

    def reconcile(self, day: dt.date, provider: str | None) -> None:
        try:
            if provider == Provider.NATIONAL_PLATFORM:
                runs = [reconcile_national(day, trigger="command")]
            elif provider == Provider.VNPAY:
                runs = [reconcile(day, trigger="command")]
            else:
                runs = reconcile_configured(day, trigger="command") or [
                    reconcile(day, trigger="command")  # says what is not configured
                ]
        except DomainError as exc:
            raise CommandError(f"{exc.message} ({exc.message_en})") from exc
        for run in runs:
            self._print(day, run)

    def _print(self, day: dt.date, run: ReconciliationRun) -> None:
        w = self.stdout.write
        w(
            f"Đối soát ngày {day:%d/%m/%Y}, {Provider(run.provider).label} "
            f"(reconciliation of {day.isoformat()}, {run.provider})"
        )
        w(f"  Dòng trong file đối soát / trả lời truy vấn (settlement lines): {run.lines}")
        w(f"  Giao dịch của hệ thống (our payments): {run.payments}")
        w(f"  Mã tham chiếu đã so (references compared): {run.compared}")
        w(f"  Khớp (matched): {run.matched}")
        w(f"  Đã thu, thiếu trong file (paid here, missing there): {run.missing_there}")
        w(f"  Có trong file, chưa ghi nhận (in the file, not paid here): {run.missing_here}")
        w(f"    trong đó đã xác nhận bằng truy vấn (settled by query): {run.resolved_by_query}")
        w(f"  Không có ở hệ thống (unknown here): {run.unknown_here}")
        w(f"  Khác số tiền (amount differs): {run.amount}")
        w(f"  Khác trạng thái (status differs): {run.status}")
        w(f"  Chênh lệch mới (new items): {run.new_items}")

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
