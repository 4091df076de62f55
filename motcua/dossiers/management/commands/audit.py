"""`motcua audit verify [--dossier CODE]`: walk the hash chains (docs/adr/0010) — the
audit trail's one chain and every dossier's event chain — and report the first broken
link (table, row, what is wrong; exit status 1), or the counts and the head hashes to
record elsewhere (exit status 0). With `--dossier CODE`, that dossier's chain only."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from motcua.core.audit import audit_verify
from motcua.core.chain import Broken
from motcua.dossiers.chain import dossiers_verify
from motcua.dossiers.models import Dossier


class Command(BaseCommand):
    help = "Kiểm tra chuỗi băm nhật ký / Verify the audit and dossier-event hash chains."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        verify = sub.add_parser(
            "verify", help="kiểm tra chuỗi băm / verify the hash chains (exit 1 if broken)"
        )
        verify.add_argument(
            "--dossier", metavar="CODE", help="chỉ hồ sơ này / only this dossier's chain"
        )

    def handle(self, *args: Any, action: str, dossier: str | None = None, **opts: Any) -> None:
        started = time.perf_counter()
        if dossier is not None:
            if not Dossier.objects.filter(code=dossier).exists():
                raise CommandError(f"Không có hồ sơ {dossier} (no dossier {dossier}).")
        else:
            count, head, broken = audit_verify()
            if broken is not None:
                self._fail(broken)
            self.stdout.write(
                f"core_auditentry: {count} bản ghi / entries, mã băm cuối / head {head}"
            )
        result = dossiers_verify(dossier)
        if result.broken is not None:
            self._fail(result.broken)
        seconds = time.perf_counter() - started
        rate = result.events / seconds if seconds else 0.0
        self.stdout.write(
            f"dossiers_dossierevent: {result.dossiers} hồ sơ / dossiers, {result.events} sự "
            f"kiện / events, {seconds:.2f} s ({rate:,.0f} sự kiện/s / events/s)"
        )
        if dossier is not None:
            head = Dossier.objects.filter(code=dossier).values_list("chain_head", flat=True)[0]
            self.stdout.write(f"hồ sơ / dossier {dossier}: mã băm cuối / head {head}")
        self.stdout.write(self.style.SUCCESS("Chuỗi băm nguyên vẹn / the hash chains are intact."))

    def _fail(self, broken: Broken) -> None:
        raise CommandError(f"Chuỗi băm bị đứt / broken hash chain — {broken}")
