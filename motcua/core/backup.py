"""Backup and restore: the database and the stored files, with a manifest of hashes.

A backup is a directory:

    manifest.json        what is inside, with every size and SHA-256
    database.dump        PostgreSQL: `pg_dump --format=custom`
    database.sqlite3     SQLite: a copy made with the online backup API
    files/...            every file of the default storage (attachments, generated forms)

It is written into a temporary directory beside the target and renamed at the end, so a
directory with the target's name is always a complete backup; an existing one is never
overwritten. The database is dumped first and the files copied after: every file a dumped
row names was stored before its row was committed, so it is in the copy (files stored in
between are extra, harmless orphans that `motcua documents repair` sweeps).

Restore verifies every hash before it touches anything, refuses a database that already
holds data unless forced, then restores the database (pg_restore in one transaction, or the
SQLite backup API into the configured file) and the files, and brings the schema up to the
code's migrations.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

from django.apps import apps
from django.core.files.storage import Storage, default_storage
from django.db import connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.migrations.loader import MigrationLoader

MANIFEST = "manifest.json"
FILES_DIR = "files"
FORMAT = 1
CHUNK = 1024 * 1024
# Tables `migrate` fills by itself: a database holding rows only there is still "empty".
MIGRATE_TABLES = frozenset({"django_migrations", "django_content_type", "auth_permission"})


class BackupError(Exception):
    """A backup that cannot be made, checked or restored; the message is bilingual."""

    def __init__(self, code: str, message: str, message_en: str, *, path: str = "") -> None:
        super().__init__(f"{message} / {message_en}")
        self.code = code
        self.message = message
        self.message_en = message_en
        self.path = path


@dataclass
class RestoreReport:
    database_rows: dict[str, int] = field(default_factory=dict)
    files: int = 0
    file_bytes: int = 0
    migrated: list[str] = field(default_factory=list)


def _sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(CHUNK), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _motcua_version() -> str:
    try:
        return version("motcua")
    except PackageNotFoundError:
        return "unknown"


def _engine(conn: BaseDatabaseWrapper) -> str:
    if conn.vendor not in ("postgresql", "sqlite"):
        raise BackupError(
            "backup_engine",
            f"Không hỗ trợ sao lưu cơ sở dữ liệu loại {conn.vendor}.",
            f"Backing up a {conn.vendor} database is not supported.",
        )
    return conn.vendor


def _pg_command(conn: BaseDatabaseWrapper, tool: str) -> tuple[list[str], dict[str, str]]:
    """The tool's connection arguments from the Django settings; the password goes in the
    environment (PGPASSWORD), never on a command line other users can read."""
    s = conn.settings_dict
    argv = [tool, "--dbname", str(s["NAME"])]
    if s.get("HOST"):
        argv += ["--host", str(s["HOST"])]
    if s.get("PORT"):
        argv += ["--port", str(s["PORT"])]
    if s.get("USER"):
        argv += ["--username", str(s["USER"])]
    env = dict(os.environ)
    if s.get("PASSWORD"):
        env["PGPASSWORD"] = str(s["PASSWORD"])
    options = s.get("OPTIONS") or {}
    for key, var in (("sslmode", "PGSSLMODE"), ("sslrootcert", "PGSSLROOTCERT")):
        if options.get(key):
            env[var] = str(options[key])
    return argv + ["--no-password"], env


def _run(argv: list[str], env: dict[str, str]) -> None:
    try:
        done = subprocess.run(argv, env=env, capture_output=True, text=True, check=False)
    except OSError as exc:
        raise BackupError(
            "backup_tool",
            f"Không chạy được {argv[0]}: {exc}.",
            f"Could not run {argv[0]}: {exc}.",
        ) from exc
    if done.returncode != 0:
        raise BackupError(
            "backup_tool",
            f"{argv[0]} thất bại (mã {done.returncode}): {done.stderr.strip()}",
            f"{argv[0]} failed (exit {done.returncode}): {done.stderr.strip()}",
        )


def migration_state(conn: BaseDatabaseWrapper) -> dict[str, str]:
    """The last applied migration of each app: the applied one no other applied migration
    of the same app depends on."""
    loader = MigrationLoader(conn, ignore_no_migrations=True)
    applied = set(loader.applied_migrations)
    state: dict[str, str] = {}
    for app, name in sorted(applied):
        node = loader.graph.node_map.get((app, name))
        children = node.children if node is not None else set()
        if not any(c.key[0] == app and c.key in applied for c in children):
            state[app] = max(state.get(app, ""), name)
    return state


def code_migration_state(conn: BaseDatabaseWrapper) -> dict[str, str]:
    """The last migration of each app as the code has them."""
    loader = MigrationLoader(conn, ignore_no_migrations=True)
    return {app: name for app, name in sorted(loader.graph.leaf_nodes())}


def _storage_files(storage: Storage, folder: str = "") -> Iterator[str]:
    try:
        dirs, files = storage.listdir(folder)
    except FileNotFoundError:
        return
    for name in sorted(files):
        yield f"{folder}/{name}" if folder else name
    for name in sorted(dirs):
        yield from _storage_files(storage, f"{folder}/{name}" if folder else name)


def _storage_root(storage: Storage) -> Path | None:
    """The folder of a file-system storage, None for another kind (object storage)."""
    try:
        return Path(storage.path("")).resolve()
    except NotImplementedError:
        return None


def _dump_database(conn: BaseDatabaseWrapper, work: Path) -> str:
    if _engine(conn) == "postgresql":
        argv, env = _pg_command(conn, "pg_dump")
        _run(argv + ["--format=custom", "--file", str(work / "database.dump")], env)
        return "database.dump"
    conn.ensure_connection()
    target = sqlite3.connect(work / "database.sqlite3")
    try:
        # The online backup API copies a consistent snapshot while the server writes.
        conn.connection.backup(target)
        # The copy carries the source's WAL mode; as a plain rollback-journal file it stays
        # one file, and opening it later (restore) leaves no -wal/-shm beside it.
        target.execute("PRAGMA journal_mode=DELETE")
    finally:
        target.close()
    return "database.sqlite3"


def backup_create(
    dest: Path, *, using: str = "default", storage: Storage | None = None
) -> dict[str, Any]:
    """Write a complete backup to `dest` (which must not exist) and return its manifest."""
    storage = storage or default_storage
    dest = Path(dest)
    if dest.exists():
        raise BackupError(
            "backup_exists",
            f"{dest} đã tồn tại: không ghi đè một bản sao lưu.",
            f"{dest} already exists: a backup is never overwritten.",
            path=str(dest),
        )
    media = _storage_root(storage)
    if media is not None and (dest.resolve() == media or media in dest.resolve().parents):
        raise BackupError(
            "backup_inside_media",
            f"{dest} nằm trong thư mục tệp {media}: bản sao lưu sẽ tự chép chính nó.",
            f"{dest} lies inside the media folder {media}: the backup would copy itself.",
            path=str(dest),
        )
    dest.parent.mkdir(parents=True, exist_ok=True)
    conn = connections[using]
    work = Path(tempfile.mkdtemp(prefix=f".{dest.name}.", dir=dest.parent))
    try:
        started = dt.datetime.now(dt.UTC)
        state = migration_state(conn)
        db_name = _dump_database(conn, work)
        files: list[dict[str, Any]] = []
        for name in _storage_files(storage):
            target = work / FILES_DIR / name
            target.parent.mkdir(parents=True, exist_ok=True)
            digest = hashlib.sha256()
            size = 0
            with storage.open(name, "rb") as src, target.open("wb") as out:
                for chunk in iter(lambda: src.read(CHUNK), b""):
                    digest.update(chunk)
                    size += len(chunk)
                    out.write(chunk)
            files.append({"path": name, "size": size, "sha256": digest.hexdigest()})
        manifest: dict[str, Any] = {
            "format": FORMAT,
            "motcua_version": _motcua_version(),
            "created_at": started.isoformat(),
            "database": {
                "engine": conn.vendor,
                "file": db_name,
                "size": (work / db_name).stat().st_size,
                "sha256": _sha256_file(work / db_name),
            },
            "migrations": state,
            "files": files,
        }
        (work / MANIFEST).write_text(
            json.dumps(manifest, ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
        )
        for path in (work, *work.rglob("*")):
            os.chmod(path, 0o700 if path.is_dir() else 0o600)
        # The rename is the commit: a directory with the target's name is always complete.
        os.rename(work, dest)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    return manifest


def _bad(path: str, what: str, what_en: str) -> BackupError:
    return BackupError(
        "backup_corrupt",
        f"Bản sao lưu hỏng: {path} {what}. Không khôi phục.",
        f"The backup is damaged: {path} {what_en}. Nothing restored.",
        path=path,
    )


def backup_verify(src: Path) -> dict[str, Any]:
    """Check every size and hash of the backup in `src`; the first bad entry is named."""
    src = Path(src)
    try:
        manifest: dict[str, Any] = json.loads((src / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise _bad(MANIFEST, f"không đọc được ({exc})", f"cannot be read ({exc})") from exc
    if manifest.get("format") != FORMAT:
        raise _bad(MANIFEST, "có định dạng lạ", "has an unknown format")
    entries = [(str(manifest["database"]["file"]), manifest["database"])]
    entries += [(f"{FILES_DIR}/{f['path']}", f) for f in manifest["files"]]
    root = src.resolve()
    for rel, entry in entries:
        path = (src / rel).resolve()
        if root not in path.parents:
            raise _bad(rel, "nằm ngoài thư mục sao lưu", "lies outside the backup directory")
        if not path.is_file():
            raise _bad(rel, "bị thiếu", "is missing")
        if path.stat().st_size != entry["size"]:
            raise _bad(rel, "sai kích thước", "has the wrong size")
        if _sha256_file(path) != entry["sha256"]:
            raise _bad(rel, "sai mã băm SHA-256", "has the wrong SHA-256 hash")
    return manifest


def data_rows(conn: BaseDatabaseWrapper) -> dict[str, int]:
    """Rows per table of the installed models (the tables that exist)."""
    existing = set(conn.introspection.table_names())
    tables = sorted(
        {m._meta.db_table for m in apps.get_models(include_auto_created=True)} & existing
    )
    counts: dict[str, int] = {}
    with conn.cursor() as cur:
        for table in tables:
            # The names come from the installed models, quoted: no outside input.
            cur.execute(f"SELECT COUNT(*) FROM {conn.ops.quote_name(table)}")  # noqa: S608
            counts[table] = int(cur.fetchone()[0])
    return counts


def _restore_database(conn: BaseDatabaseWrapper, src: Path, manifest: dict[str, Any]) -> None:
    engine = _engine(conn)
    if manifest["database"]["engine"] != engine:
        raise BackupError(
            "backup_engine",
            f"Bản sao lưu là {manifest['database']['engine']}, cơ sở dữ liệu đích là {engine}.",
            f"The backup is {manifest['database']['engine']}, the target database is {engine}.",
        )
    dump = src / str(manifest["database"]["file"])
    if engine == "postgresql":
        conn.close()
        argv, env = _pg_command(conn, "pg_restore")
        _run(
            argv
            + ["--clean", "--if-exists", "--no-owner", "--single-transaction", "--exit-on-error"]
            + [str(dump)],
            env,
        )
        return
    conn.ensure_connection()
    source = sqlite3.connect(f"file:{dump}?mode=ro", uri=True)
    try:
        source.backup(conn.connection)
    finally:
        source.close()
    conn.close()


def _restore_files(storage: Storage, src: Path, manifest: dict[str, Any]) -> int:
    total = 0
    for entry in manifest["files"]:
        name = str(entry["path"])
        if storage.exists(name):
            storage.delete(name)
        with (src / FILES_DIR / name).open("rb") as fh:
            stored = storage.save(name, fh)
        if stored != name:
            raise BackupError(
                "backup_storage",
                f"Kho tệp lưu {name} dưới tên khác ({stored}).",
                f"The storage kept {name} under another name ({stored}).",
                path=name,
            )
        total += int(entry["size"])
    return total


def backup_restore(
    src: Path, *, force: bool = False, using: str = "default", storage: Storage | None = None
) -> RestoreReport:
    """Restore the backup in `src` into the configured database and storage.

    Refused, with nothing touched, when a hash does not match, when the backup holds
    migrations this code does not know (it was made by a newer version), or when the target
    database already holds data and `force` is not given."""
    from django.core.management import call_command

    storage = storage or default_storage
    src = Path(src)
    manifest = backup_verify(src)
    conn = connections[using]
    known = set(MigrationLoader(conn, ignore_no_migrations=True).graph.nodes)
    unknown = sorted(f"{a}.{n}" for a, n in manifest["migrations"].items() if (a, n) not in known)
    if unknown:
        raise BackupError(
            "backup_newer",
            f"Bản sao lưu có migration mà mã nguồn này không có: {', '.join(unknown)}.",
            f"The backup has migrations this code does not know: {', '.join(unknown)}.",
        )
    if not force:
        held = {t: n for t, n in data_rows(conn).items() if n and t not in MIGRATE_TABLES}
        if held:
            first = sorted(held)[0]
            raise BackupError(
                "restore_not_empty",
                f"Cơ sở dữ liệu đích đã có dữ liệu ({first}: {held[first]} dòng); "
                "dùng --force để ghi đè.",
                f"The target database already holds data ({first}: {held[first]} rows); "
                "use --force to overwrite it.",
            )
    _restore_database(conn, src, manifest)
    report = RestoreReport()
    report.file_bytes = _restore_files(storage, src, manifest)
    report.files = len(manifest["files"])
    before = migration_state(conn)
    if before != code_migration_state(conn):
        call_command("migrate", database=using, interactive=False, verbosity=0)
        after = migration_state(conn)
        report.migrated = sorted(f"{a}.{n}" for a, n in after.items() if before.get(a) != n)
    report.database_rows = data_rows(conn)
    return report
