"""`motcua restore DIR [--force]` restores a backup made by `motcua backup`: every hash is
checked first; a database that already holds data is refused unless --force;
`motcua restore --check DIR` only checks the backup."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from motcua.core.backup import BackupError, backup_restore, backup_verify


class Command(BaseCommand):
    help = "Khôi phục bản sao lưu DIR / Restore the backup in DIR."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("dir", type=Path)
        parser.add_argument(
            "--force",
            action="store_true",
            help="ghi đè cơ sở dữ liệu đã có dữ liệu / overwrite a database that holds data",
        )
        parser.add_argument(
            "--check",
            action="store_true",
            help="chỉ kiểm tra, không khôi phục / only check, restore nothing",
        )

    def handle(self, *args: Any, dir: Path, force: bool, check: bool, **opts: Any) -> None:
        started = time.perf_counter()
        try:
            if check:
                manifest = backup_verify(dir)
                self.stdout.write(
                    f"Bản sao lưu nguyên vẹn / backup intact: {dir} — "
                    f"{len(manifest['files'])} tệp / files"
                )
                return
            report = backup_restore(dir, force=force)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        rows = sum(report.database_rows.values())
        self.stdout.write(
            f"Đã khôi phục / restored: {dir} — {len(report.database_rows)} bảng / tables, "
            f"{rows} dòng / rows, {report.files} tệp / files ({report.file_bytes} byte), "
            f"{time.perf_counter() - started:.2f} s"
        )
        for name in report.migrated:
            self.stdout.write(f"  migrate → {name}")
