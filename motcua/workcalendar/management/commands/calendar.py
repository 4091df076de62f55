"""`motcua calendar due|declare|undeclare|list`: the working calendar from the console.

motcua calendar due --from "2027-02-03 10:00" --working-days 5 [--agency CODE]
motcua calendar due --from "2026-04-23 10:00" --calendar-days 3
motcua calendar due --from "2027-02-03 15:30" --same-day [--cutoff 15:00]
motcua calendar declare --date 2027-02-13 --kind working_day --name "Làm bù Tết" \
    [--source "Thông báo …/TB-BNV"] [--by USER]
motcua calendar undeclare --date 2027-02-13 [--source "…"] [--by USER]

--source and --by go to the audit trail (the announcement, who did it; default: the system).
motcua calendar list --year 2027
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from motcua.core.errors import DomainError
from motcua.core.types import Actor
from motcua.workcalendar.cutoff import default_cutoff, parse_cutoff
from motcua.workcalendar.engine import parse_date, parse_moment
from motcua.workcalendar.enums import DeclaredDayKind, TimeUnit
from motcua.workcalendar.selectors import agency_by_code, calendar_year, get_calendar
from motcua.workcalendar.services import declared_day_delete, declared_day_set

WEEKDAYS_VI = ("Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy", "Chủ Nhật")


def _number(text: str) -> Decimal:
    try:
        return Decimal(text)
    except InvalidOperation:
        raise CommandError(f"'{text}' is not a number / không phải là số.") from None


class Command(BaseCommand):
    help = "Lịch làm việc: tính hạn xử lý, khai báo ngày nghỉ / làm bù, liệt kê ngày nghỉ."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(
            dest="action", required=True, metavar="{due,declare,undeclare,list}"
        )

        due = sub.add_parser("due", help="In thời điểm đến hạn (ISO 8601).")
        due.add_argument("--from", dest="start", required=True, help='"2027-02-03 10:00"')
        amount = due.add_mutually_exclusive_group(required=True)
        amount.add_argument("--working-days", type=str, metavar="N")
        amount.add_argument("--working-hours", type=str, metavar="N")
        amount.add_argument("--calendar-days", type=str, metavar="N")
        amount.add_argument(
            "--same-day",
            action="store_true",
            help="trong ngày: hết giờ làm việc cùng ngày; sau giờ chốt, ngày làm việc tiếp theo",
        )
        due.add_argument(
            "--cutoff", metavar="HH:MM", help="giờ chốt của --same-day (mặc định 15:00)"
        )
        due.add_argument("--agency", metavar="CODE", help="mã định danh của cơ quan")

        declare = sub.add_parser("declare", help="Khai báo ngày nghỉ hoặc ngày làm việc bù.")
        declare.add_argument("--date", required=True, help="2027-02-13 hoặc 13/02/2027")
        declare.add_argument("--kind", required=True, choices=DeclaredDayKind.values)
        declare.add_argument("--name", required=True)

        undeclare = sub.add_parser("undeclare", help="Bỏ một ngày đã khai báo.")
        undeclare.add_argument("--date", required=True)
        for audited in (declare, undeclare):
            audited.add_argument("--source", default="", help="căn cứ (nhật ký thay đổi)")
            audited.add_argument("--by", default=None, help="tên đăng nhập người thực hiện")

        listing = sub.add_parser("list", help="Liệt kê ngày lễ và ngày khai báo của một năm.")
        listing.add_argument("--year", type=int, required=True)

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            getattr(self, f"_{options['action']}")(options)
        except DomainError as exc:
            where = f" [{exc.field}]" if exc.field else ""
            raise CommandError(f"{exc.message} / {exc.message_en}{where}") from None

    def _due(self, options: dict[str, Any]) -> None:
        start = parse_moment(options["start"], "from")
        agency = agency_by_code(options["agency"]) if options.get("agency") else None
        if options.get("same_day"):
            cutoff = parse_cutoff(options["cutoff"]) if options.get("cutoff") else default_cutoff()
            due = get_calendar(agency).add(start, None, TimeUnit.SAME_DAY, cutoff=cutoff)
            self.stdout.write(due.isoformat())
            return
        if options.get("cutoff"):
            raise CommandError("--cutoff chỉ dùng với --same-day / --cutoff goes with --same-day.")
        for unit in (TimeUnit.WORKING_DAYS, TimeUnit.WORKING_HOURS, TimeUnit.CALENDAR_DAYS):
            text = options.get(unit.value)
            if text is not None:
                break
        if text is None:  # argparse's required group names one of them
            raise CommandError("Thiếu thời hạn / a duration is required.")
        due = get_calendar(agency).add(start, _number(text), unit)
        self.stdout.write(due.isoformat())

    def _actor(self, options: dict[str, Any]) -> Actor:
        if not options.get("by"):
            return None
        user = get_user_model().objects.filter(username=options["by"]).first()
        if user is None:
            raise CommandError(f"--by: không có người dùng / no user '{options['by']}'.")
        return user

    def _declare(self, options: dict[str, Any]) -> None:
        day = declared_day_set(
            date=parse_date(options["date"]),
            kind=options["kind"],
            name=options["name"],
            actor=self._actor(options),
            reason=options["source"],
        )
        self.stdout.write(f"{day.date:%d/%m/%Y}\t{day.get_kind_display()}\t{day.name}")

    def _undeclare(self, options: dict[str, Any]) -> None:
        day = parse_date(options["date"])
        declared_day_delete(date=day, actor=self._actor(options), reason=options["source"])
        self.stdout.write(f"{day:%d/%m/%Y}\tđã bỏ khai báo / declaration removed")

    def _list(self, options: dict[str, Any]) -> None:
        for row in calendar_year(options["year"]):
            day = row["date"]
            status = "làm việc" if row["working"] else "nghỉ"
            self.stdout.write(
                f"{day.isoformat()}\t{WEEKDAYS_VI[day.weekday()]}\t{status}\t"
                f"{row['source']}\t{row['name']}"
            )
