"""`motcua report bieu06 --from 2026-01-01 --to 2026-03-31 [--agency CODE] --format xlsx
--out FILE`: periodic reports as files."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from motcua.org.models import Agency
from motcua.reports.bieu06 import bieu06, check_identities
from motcua.reports.exports import filename, render


def _day(text: str) -> dt.date:
    for fmt in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise CommandError(f"Ngày không hợp lệ: {text} (use YYYY-MM-DD or dd/mm/yyyy)")


class Command(BaseCommand):
    help = "Báo cáo định kỳ (periodic reports): bieu06 — Biểu số 06/VPCP/KSTT."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="which", required=True)
        b = sub.add_parser("bieu06", help="Biểu số 06/VPCP/KSTT")
        b.add_argument("--from", dest="date_from", required=True, help="từ ngày YYYY-MM-DD")
        b.add_argument("--to", dest="date_to", required=True, help="đến ngày YYYY-MM-DD")
        b.add_argument("--agency", help="mã định danh cơ quan (default: toàn tỉnh)")
        b.add_argument("--format", dest="fmt", choices=("xlsx", "csv", "pdf"), default="xlsx")
        b.add_argument("--out", help="tệp ghi ra (default: bieu06-….<format>)")

    def handle(self, *args, which: str, date_from, date_to, agency, fmt, out, **options):
        agency_obj = None
        if agency:
            agency_obj = Agency.objects.filter(code=agency).first()
            if agency_obj is None:
                raise CommandError(f"Không có cơ quan mã {agency} (unknown agency)")
        report = bieu06(date_from=_day(date_from), date_to=_day(date_to), agency=agency_obj)
        broken = check_identities(report)
        if broken:  # a defect, never expected: say so loudly rather than file a wrong table
            raise CommandError("Biểu 06 không cân: " + "; ".join(broken))
        path = Path(out or filename(report, fmt))
        path.write_bytes(render(report, fmt))
        v = report.total.values
        self.stdout.write(
            f"{path}: nhận {v['received']}, đã giải quyết {v['settled']}, "
            f"đang giải quyết {v['pending']}."
        )
