"""`motcua payments query-pending [--older-than MINUTES]`: ask the gateway (querydr) about
every attempt still pending after that long, and apply its verified answers (an IPN may
never come: reference §1.8). Meant for cron or a periodic task."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from motcua.payments.services import payments_query_pending


class Command(BaseCommand):
    help = "Thanh toán: truy vấn các giao dịch còn chờ (query pending payments at the gateway)"

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="what", required=True)
        query = sub.add_parser("query-pending")
        query.add_argument("--older-than", type=int, default=5, help="phút (minutes)")

    def handle(self, *args: Any, what: str, older_than: int, **options: Any) -> None:
        n = payments_query_pending(older_than=dt.timedelta(minutes=older_than))
        self.stdout.write(f"Đã truy vấn {n} giao dịch (queried {n} pending payments).")
