"""`motcua org load-units [--province 24 ...]` and `motcua org list-agencies`."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from motcua.core.errors import DomainError
from motcua.org.models import Agency
from motcua.org.services import legacy_units_load, units_load


class Command(BaseCommand):
    help = "Danh mục tổ chức: nạp đơn vị hành chính, liệt kê cơ quan."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="subcommand", required=True)
        load = sub.add_parser(
            "load-units",
            help="Nạp tỉnh và xã hiện hành (vietnam-provinces) và các đơn vị cũ trước 01/07/2025.",
        )
        load.add_argument(
            "--province",
            type=int,
            action="append",
            dest="provinces",
            metavar="CODE",
            help="Chỉ nạp tỉnh có mã này (lặp lại được), ví dụ --province 24.",
        )
        sub.add_parser("list-agencies", help="Liệt kê cơ quan.")

    def handle(self, *args, **options):
        try:
            if options["subcommand"] == "load-units":
                self._load_units(options["provinces"])
            else:
                self._list_agencies()
        except DomainError as exc:
            raise CommandError(f"{exc.message} ({exc.code})") from exc

    def _load_units(self, provinces):
        current = units_load(province_codes=provinces)
        legacy = legacy_units_load()
        self.stdout.write(
            f"Đơn vị hiện hành: {current} tạo mới hoặc cập nhật; đơn vị cũ: {legacy} tạo mới hoặc cập nhật."
        )

    def _list_agencies(self):
        agencies = Agency.objects.select_related("unit").order_by("unit__code", "code")
        for agency in agencies:
            ended = f" (hết hiệu lực {agency.valid_to:%d/%m/%Y})" if agency.valid_to else ""
            self.stdout.write(
                f"{agency.code}\t{agency.get_kind_display()}\t{agency.name}\t{agency.unit.name}{ended}"
            )
        self.stdout.write(f"{len(agencies)} cơ quan.")
