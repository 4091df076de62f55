"""`motcua drafts purge [--days N]` deletes the uploaded files of submission drafts older
than N days (default: the session lifetime). Run it daily, e.g. from cron."""

import datetime as dt

from django.core.management.base import BaseCommand, CommandError

from motcua.portal.drafts import drafts_purge


class Command(BaseCommand):
    help = "Delete the files of abandoned online-submission drafts."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="op", required=True)
        purge = sub.add_parser("purge", help="delete draft files older than --days")
        purge.add_argument("--days", type=float, default=None)

    def handle(self, *args, op, days=None, **opts):
        if days is not None and days <= 0:
            raise CommandError("--days must be more than 0.")
        older = dt.timedelta(days=days) if days is not None else None
        removed = drafts_purge(older_than=older)
        self.stdout.write(f"Đã xóa {removed} tệp nháp / removed {removed} draft file(s).")
