"""`motcua catalog import FILE [--effective-from YYYY-MM-DD] [--dry-run] [--skip-invalid]`,
`motcua catalog export [--out FILE] [--code CODE ...]` and
`motcua catalog set-limit CODE --channel all|1|2|3 --unit U [--value N] [--cutoff 15:00]
--source "…"` (the same `time_limit_set` as the admin) and `motcua catalog
load-fee-policies` (the shipped fee policies missing from the database, through the same
audited `fee_policy_save` as the admin)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from motcua.catalog.enums import Channel, TimeUnit
from motcua.catalog.importer import catalog_export, catalog_import
from motcua.catalog.limits import limit_label
from motcua.catalog.models import Procedure
from motcua.catalog.services import current_version, time_limit_set
from motcua.core.errors import DomainError, ValidationFailed


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise CommandError(f"--effective-from: '{value}' is not a date (YYYY-MM-DD).") from exc


class Command(BaseCommand):
    help = "Import or export the procedure catalog (JSON)."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        imp = sub.add_parser("import", help="Import procedure records from a JSON file.")
        imp.add_argument("file", help="JSON array of procedure records")
        imp.add_argument("--effective-from", type=str, default=None, help="YYYY-MM-DD")
        imp.add_argument("--dry-run", action="store_true", help="Validate and roll back.")
        imp.add_argument(
            "--skip-invalid", action="store_true", help="Write the valid records only."
        )
        exp = sub.add_parser("export", help="Export procedures as JSON.")
        exp.add_argument("--out", default=None, help="Output file (default: stdout)")
        exp.add_argument("--code", action="append", default=[], help="Procedure code (repeat)")
        lim = sub.add_parser(
            "set-limit",
            help="Đặt thời hạn giải quyết của phiên bản hiện hành / set a version's time limit.",
        )
        lim.add_argument("code", help="mã thủ tục")
        lim.add_argument("--channel", default="all", choices=["all", "1", "2", "3"])
        lim.add_argument("--unit", required=True, choices=TimeUnit.values)
        lim.add_argument("--value", default=None, help="số (bỏ trống với same_day)")
        lim.add_argument("--cutoff", default=None, help="same_day: giờ chốt, mặc định 15:00")
        lim.add_argument("--source", required=True, help="căn cứ pháp lý của thời hạn")
        lim.add_argument("--by", default=None, help="tên đăng nhập người thực hiện (nhật ký)")
        sub.add_parser(
            "load-fee-policies",
            help="Nạp các chính sách miễn, giảm phí kèm theo / load the shipped fee policies.",
        )

    def handle(self, *args, **options):
        if options["action"] == "import":
            return self._import(options)
        if options["action"] == "set-limit":
            return self._set_limit(options)
        if options["action"] == "load-fee-policies":
            return self._load_fee_policies()
        return self._export(options)

    def _load_fee_policies(self) -> None:
        from motcua.catalog.fee_services import fee_policy_save
        from motcua.catalog.feepolicies import policy_rows
        from motcua.catalog.models import FeePolicy

        for row in policy_rows():
            if FeePolicy.objects.filter(code=row["code"]).exists():
                self.stdout.write(f"present\t{row['code']}")
                continue
            fee_policy_save(policy=FeePolicy(**row), reason="load-fee-policies")
            self.stdout.write(f"created\t{row['code']}\t{row['confidence']}")

    def _set_limit(self, options) -> None:
        from django.contrib.auth import get_user_model

        actor = None
        if options["by"]:
            actor = get_user_model().objects.filter(username=options["by"]).first()
            if actor is None:
                raise CommandError(f"--by: không có người dùng / no user '{options['by']}'.")
        try:
            version = current_version(options["code"])
            time_limit_set(
                version=version,
                channels=None if options["channel"] == "all" else [int(options["channel"])],
                value=options["value"],
                unit=options["unit"],
                cutoff=options["cutoff"],
                source=options["source"],
                actor=actor,
            )
        except DomainError as exc:
            where = f" [{exc.field}]" if exc.field else ""
            raise CommandError(f"{exc.code}: {exc.message} / {exc.message_en}{where}") from None
        version.refresh_from_db()
        for ch in Channel:
            self.stdout.write(f"{version}\t{ch.label}\t{limit_label(version, ch)}")

    def _import(self, options) -> None:
        path = Path(options["file"])
        try:
            records = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError as exc:
            raise CommandError(f"File not found: {path}") from exc
        except (OSError, UnicodeDecodeError) as exc:
            raise CommandError(f"Cannot read {path}: {exc}") from exc
        except json.JSONDecodeError as exc:
            raise CommandError(
                f"{path} is not valid JSON (line {exc.lineno}, column {exc.colno}): {exc.msg}"
            ) from exc
        effective_from = _date(options["effective_from"]) if options["effective_from"] else None
        try:
            report = catalog_import(
                records=records,
                effective_from=effective_from,
                dry_run=options["dry_run"],
                skip_invalid=options["skip_invalid"],
            )
        except ValidationFailed as exc:
            lines = [f"{e['field']}: {e['message_en']}" for e in exc.data.get("errors", [])]
            raise CommandError(
                "\n".join([exc.message_en, *lines[:50]])
                + (f"\n… {len(lines) - 50} more" if len(lines) > 50 else "")
            ) from exc
        for note in report.notes:
            self.stdout.write(f"note: {note}")
        for u in report.unread_limits:
            self.stdout.write(
                f"time limit not read: {u['code']} ({u['field']}): {u['message_en']} / "
                f"{u['message']}"
            )
        for e in report.errors:
            self.stderr.write(f"skipped {e['field']}: {e['message_en']}")
        prefix = "dry run (rolled back): " if report.dry_run else ""
        self.stdout.write(self.style.SUCCESS(prefix + report.summary()))

    def _export(self, options) -> None:
        procedures = None
        if options["code"]:
            procedures = list(Procedure.objects.filter(code__in=options["code"]))
            missing = sorted(set(options["code"]) - {p.code for p in procedures})
            if missing:
                raise CommandError(f"Unknown procedure code(s): {', '.join(missing)}")
        text = json.dumps(catalog_export(procedures), ensure_ascii=False, indent=2) + "\n"
        if options["out"]:
            try:
                Path(options["out"]).write_text(text, encoding="utf-8")
            except OSError as exc:
                raise CommandError(f"Cannot write {options['out']}: {exc}") from exc
            self.stdout.write(self.style.SUCCESS(f"exported to {options['out']}"))
        else:
            self.stdout.write(text, ending="")
