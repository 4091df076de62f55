"""`motcua documents repair [--days N | --all] [--grace-minutes M]`: render the forms that are
missing (a receipt for every received dossier, …) and delete form files that no row names.
The Celery beat schedule runs the same sweep; without a beat process, run it from cron."""

import datetime as dt

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from motcua.documents.services import documents_repair


class Command(BaseCommand):
    help = (
        "Giấy tờ: in lại giấy tờ còn thiếu, xóa tệp không có bản ghi "
        "(forms: render the missing ones, delete files without a row)."
    )

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="op", required=True)
        repair = sub.add_parser("repair", help="render missing forms, delete orphan files")
        scope = repair.add_mutually_exclusive_group()
        scope.add_argument(
            "--days",
            type=float,
            default=None,
            help="dossiers with events in the last N days "
            f"(default MOTCUA_DOCUMENTS_REPAIR_DAYS={settings.MOTCUA_DOCUMENTS_REPAIR_DAYS})",
        )
        scope.add_argument("--all", action="store_true", help="every dossier")
        repair.add_argument(
            "--grace-minutes",
            type=float,
            default=None,
            help="keep files without a row younger than this "
            f"(default {settings.MOTCUA_DOCUMENTS_ORPHAN_GRACE_MINUTES})",
        )

    def handle(self, *args, op, days=None, all=False, grace_minutes=None, **opts):  # noqa: A002
        if days is not None and days <= 0:
            raise CommandError("--days phải lớn hơn 0 (must be more than 0).")
        if grace_minutes is not None and grace_minutes < 0:
            raise CommandError("--grace-minutes phải ≥ 0 (must be ≥ 0).")
        now = timezone.now()
        since = None
        if not all:
            since = now - dt.timedelta(days=days or settings.MOTCUA_DOCUMENTS_REPAIR_DAYS)
        grace = dt.timedelta(minutes=grace_minutes) if grace_minutes is not None else None
        report = documents_repair(since=since, grace=grace, now=now)
        self.stdout.write(
            f"Đã in {report.rendered} giấy tờ còn thiếu, ghi lại {report.restored} tệp mất, "
            f"xóa {report.orphans_removed} tệp không có bản ghi, {report.failed} lỗi "
            f"(rendered {report.rendered} missing form(s), restored {report.restored} "
            f"missing file(s), removed {report.orphans_removed} orphan file(s), "
            f"{report.failed} failure(s))."
        )
        if report.failed:
            raise CommandError(f"{report.failed} giấy tờ không lưu được (forms failed).")
