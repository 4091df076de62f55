"""`motcua indicators --from YYYY-MM-DD --to YYYY-MM-DD [--period P] [--agency CODE]
[--procedure CODE] [--field CODE] [--unit CODE] [--format json|table]` and
`motcua indicators rebuild`."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from motcua.core.errors import DomainError
from motcua.indicators import selectors
from motcua.indicators.services import indicators_rebuild


def _date(value: str, flag: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise CommandError(f"{flag}: '{value}' is not a date (YYYY-MM-DD).") from exc


class Command(BaseCommand):
    help = "Print the Decision 766 indicators of a period and scope, or rebuild them."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", nargs="?", choices=["rebuild"], help="rebuild the facts")
        parser.add_argument("--from", dest="date_from", default=None, help="YYYY-MM-DD")
        parser.add_argument("--to", dest="date_to", default=None, help="YYYY-MM-DD")
        parser.add_argument(
            "--period", default=None, help="YYYY, YYYY-MM, YYYY-Qn, YYYY-H1/H2, YYYY-9M"
        )
        parser.add_argument("--agency", default=None, help="agency code")
        parser.add_argument("--procedure", default=None, help="procedure code")
        parser.add_argument("--field", default=None, help="field code")
        parser.add_argument("--unit", default=None, help="administrative unit code")
        parser.add_argument("--format", choices=["json", "table"], default="table")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            if options["action"] == "rebuild":
                done = indicators_rebuild()
                self.stdout.write(
                    f"Rebuilt the facts of {done['dossiers']} dossiers "
                    f"({done['counts']} counter rows)."
                )
                return
            self._compute(options)
        except DomainError as exc:
            raise CommandError(f"{exc.message_en} ({exc.message})") from exc

    def _compute(self, options: dict[str, Any]) -> None:
        if options["period"]:
            date_from, date_to = selectors.period_parse(options["period"])
        elif options["date_from"] and options["date_to"]:
            date_from = _date(options["date_from"], "--from")
            date_to = _date(options["date_to"], "--to")
        else:
            raise CommandError("Give --from and --to, or --period.")
        card = selectors.indicators_compute(
            date_from=date_from,
            date_to=date_to,
            agency=options["agency"],
            procedure=options["procedure"],
            field=options["field"],
            unit=options["unit"],
        )
        if options["format"] == "json":
            self.stdout.write(json.dumps(card.as_dict(), ensure_ascii=False, indent=2))
            return
        scope = ", ".join(f"{k}={v}" for k, v in card.scope.items()) or "province"
        self.stdout.write(f"Decision 766 — {date_from} … {date_to} — {scope}")
        self.stdout.write(
            f"{'id':<5} {'numerator':>12} {'denominator':>12} {'rate':>8} {'points':>7}  name"
        )
        for f in card.all_figures:
            if not f.computable:
                self.stdout.write(f"{f.id:<5} {f.reason_vi} (tối đa {f.max_points})  {f.name_vi}")
                continue
            rate = (
                "N/A" if f.rate is None else (f"{f.rate}" + ("d" if f.unit != "percent" else "%"))
            )
            points = "" if f.points is None else f"{f.points}/{f.max_points}"
            self.stdout.write(
                f"{f.id:<5} {f.numerator:>12} {f.denominator:>12} {rate:>8} {points:>7}  "
                f"{f.name_vi}"
            )
        for g in card.groups:
            self.stdout.write(
                f"group {g['id']}: {g['points'] or 'N/A'} of {g['computed_max_points']} computed "
                f"({g['max_points']} in the Decision)"
            )
        t = card.total
        self.stdout.write(
            f"total: {t['points'] or 'N/A'} of {t['computed_max_points']} computed "
            f"({t['max_points']} in the Decision)"
        )
