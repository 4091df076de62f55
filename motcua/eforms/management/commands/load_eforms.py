"""Load the shipped electronic form definitions (motcua/eforms/definitions/*.json)."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from motcua.core.errors import DomainError
from motcua.eforms.services import definitions_load


class Command(BaseCommand):
    help = "Nạp các tờ khai điện tử (definitions/*.json); tệp không đổi thì không làm gì."

    def add_arguments(self, parser):
        parser.add_argument("--dir", help="thư mục khác chứa tệp *.json")

    def handle(self, *args, **options):
        try:
            loaded = definitions_load(folder=Path(options["dir"]) if options["dir"] else None)
        except DomainError as exc:
            raise CommandError(exc.message) from None
        for key, version, created in loaded:
            state = "phiên bản mới / new version" if created else "không đổi / unchanged"
            self.stdout.write(f"{key} v{version}: {state}")
