"""`motcua backup DIR` writes a backup (database + stored files + manifest.json) to DIR;
`motcua backup --verify DIR` checks an existing backup's hashes without restoring it."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from motcua.core.backup import BackupError, backup_create, backup_verify


class Command(BaseCommand):
    help = "Sao lưu cơ sở dữ liệu và tệp vào DIR / Back up the database and the files to DIR."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("dir", type=Path)
        parser.add_argument(
            "--verify",
            action="store_true",
            help="chỉ kiểm tra bản sao lưu DIR / only check the backup in DIR",
        )

    def handle(self, *args: Any, dir: Path, verify: bool, **opts: Any) -> None:
        started = time.perf_counter()
        try:
            manifest = backup_verify(dir) if verify else backup_create(dir)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        files = manifest["files"]
        size = manifest["database"]["size"] + sum(f["size"] for f in files)
        verb = (
            ("Bản sao lưu nguyên vẹn", "backup intact") if verify else ("Đã sao lưu", "backed up")
        )
        self.stdout.write(
            f"{verb[0]} / {verb[1]}: {dir} — {manifest['database']['engine']}, "
            f"{len(files)} tệp / files, {size} byte, {time.perf_counter() - started:.2f} s"
        )
