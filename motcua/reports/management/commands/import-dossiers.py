"""`motcua import-dossiers FILE.csv [--allow-partial] [--dry-run]`: load legacy dossiers."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from motcua.reports.importer import import_dossiers


class Command(BaseCommand):
    help = (
        "Nạp hồ sơ từ hệ thống cũ từ tệp CSV, mỗi dòng một hồ sơ (import legacy dossiers; "
        "format: docs/import-format.md). Mặc định không ghi gì nếu có dòng lỗi."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="tệp CSV (UTF-8)")
        parser.add_argument(
            "--allow-partial",
            action="store_true",
            help="nạp các dòng đúng, bỏ qua dòng lỗi (import the good rows, skip the bad ones)",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="chỉ kiểm tra, không ghi (validate only)"
        )

    def handle(self, *args, file: str, allow_partial: bool, dry_run: bool, **options):
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"Không tìm thấy tệp {file} (file not found)")
        result = import_dossiers(path, allow_partial=allow_partial, dry_run=dry_run)
        for error in result.errors:
            self.stderr.write(str(error))
        bad = len(result.bad_lines)
        good = result.rows - bad
        self.stdout.write(
            f"{result.rows} dòng, {good} hợp lệ, {bad} lỗi "
            f"({result.rows} rows, {good} valid, {bad} bad)."
        )
        if dry_run:
            self.stdout.write("Chạy thử: không ghi gì (dry run: nothing written).")
        elif result.errors and not allow_partial:
            raise CommandError(
                "Có dòng lỗi: không nạp hồ sơ nào; sửa tệp hoặc dùng --allow-partial "
                "(bad rows: nothing imported)."
            )
        else:
            self.stdout.write(f"Đã nạp {result.imported} hồ sơ (imported {result.imported}).")
