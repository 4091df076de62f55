"""`motcua backup` / `motcua restore`: a world with dossiers, attachments and generated forms
is backed up, restored by the real command in another process into a fresh database and a
fresh media folder, and compared row by row and byte by byte. A backup with one byte changed
is refused, naming the file.

On SQLite the fresh database is a new file; on PostgreSQL (DATABASE_URL=postgres://…) it is
the database `h_backup_restore`, created and dropped here with psql.
"""

from __future__ import annotations

import json
import sqlite3
import subprocess
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from motcua.core.backup import BackupError, _pg_command, backup_verify
from motcua.core.tests.elsewhere import PYTHON, process_env, shared_database_url
from motcua.dossiers import services as s
from motcua.dossiers.models import Attachment, Dossier
from motcua.dossiers.tests.factories import PDF, PNG, make_world, vn

pytestmark = pytest.mark.django_db(transaction=True)
RESTORE_DB = "h_backup_restore"


@pytest.fixture
def world(settings):
    w = make_world()
    for i in range(3):
        d = s.dossier_submit(
            actor=w.citizen,
            procedure=w.procedure,
            receiving_agency=w.a.center,
            files={
                w.components[0].pk: [("to-khai.pdf", PDF + bytes([i]))],
                w.components[1].pk: [("chung-sinh.png", PNG + b"x" * i)],
            },
            at=vn(2026, 3, 4, 9, i),
        )
        s.dossier_receive(dossier_id=d.pk, actor=w.a.staff["c:counter"], at=vn(2026, 3, 4, 10, i))
    s.dossier_intake(
        actor=w.a.staff["c:counter"],
        procedure=w.procedure,
        receiving_agency=w.a.center,
        applicant={"name": "Lê Văn Ánh"},
        files={w.components[0].pk: [("giấy tờ.pdf", PDF)]},
        at=vn(2026, 3, 4, 11, 0),
    )
    assert Dossier.objects.count() == 4
    assert Attachment.objects.count() == 7
    return w


@pytest.fixture
def target(tmp_path):
    """A fresh, empty database other processes can open, and a fresh media folder."""
    media = tmp_path / "media-restored"
    if connection.vendor == "sqlite":
        yield {"url": f"sqlite:///{tmp_path / 'restored.sqlite3'}", "media": media}
        return
    url = shared_database_url()
    assert url is not None
    server = url.rsplit("/", 1)[0]

    def psql(sql: str) -> None:
        subprocess.run(["psql", f"{server}/postgres", "-qc", sql], check=True, capture_output=True)

    psql(f"DROP DATABASE IF EXISTS {RESTORE_DB} WITH (FORCE)")
    psql(f"CREATE DATABASE {RESTORE_DB}")
    yield {"url": f"{server}/{RESTORE_DB}", "media": media}
    psql(f"DROP DATABASE IF EXISTS {RESTORE_DB} WITH (FORCE)")


def motcua(target: dict, *argv: str) -> subprocess.CompletedProcess[str]:
    """The `motcua` command in another process, on the target database and media folder."""
    env = process_env(DATABASE_URL=target["url"], MOTCUA_MEDIA_ROOT=str(target["media"]))
    return subprocess.run(
        [PYTHON, "-m", "motcua.cli", *argv], env=env, capture_output=True, text=True, timeout=300
    )


def _tables(cur, vendor: str) -> list[str]:
    if vendor == "sqlite":
        cur.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
    else:
        cur.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename"
        )
    return [r[0] for r in cur.fetchall()]


def snapshot(url: str) -> dict[str, list[tuple]]:
    """Every row of every table, read with the bare driver (the same on both sides)."""
    if url.startswith("sqlite:///"):
        # Django's SQLite connection converts declared types; read the same way.
        db = sqlite3.connect(
            url.removeprefix("sqlite:///"),
            detect_types=sqlite3.PARSE_DECLTYPES | sqlite3.PARSE_COLNAMES,
            uri=url.startswith("sqlite:///file:"),
        )
        vendor = "sqlite"
    else:
        import psycopg

        db = psycopg.connect(url)
        vendor = "postgresql"
    try:
        cur = db.cursor()
        out = {}
        for table in _tables(cur, vendor):
            cur.execute(f'SELECT * FROM "{table}"')  # noqa: S608 - names from the catalogue
            out[table] = sorted((tuple(r) for r in cur.fetchall()), key=repr)
        return out
    finally:
        db.close()


def source_snapshot() -> dict[str, list[tuple]]:
    if connection.vendor == "sqlite":
        # pytest's in-memory database, read through this process's connection.
        with connection.cursor() as cur:
            out = {}
            for table in _tables(cur, "sqlite"):
                cur.execute(f'SELECT * FROM "{table}"')  # noqa: S608
                out[table] = sorted((tuple(r) for r in cur.fetchall()), key=repr)
            return out
    url = shared_database_url()
    assert url is not None
    return snapshot(url)


def files_of(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def test_round_trip_restores_every_row_and_every_file(world, settings, target, tmp_path):
    media = Path(settings.MEDIA_ROOT)
    originals = files_of(media)
    # The seven attachments (stored under their hash) and the four receipts (generated forms).
    assert sum(1 for n in originals if n.startswith("dossiers/")) == 7
    assert sum(1 for n in originals if n.startswith("documents/")) == 4

    call_command("backup", str(tmp_path / "b1"))

    manifest = json.loads((tmp_path / "b1" / "manifest.json").read_text())
    assert {f["path"] for f in manifest["files"]} == set(originals)
    assert manifest["migrations"]["dossiers"] is not None
    assert manifest["database"]["engine"] == connection.vendor

    done = motcua(target, "restore", str(tmp_path / "b1"))
    assert done.returncode == 0, done.stderr
    assert "Đã khôi phục / restored" in done.stdout

    before, after = source_snapshot(), snapshot(target["url"])
    assert {t: len(r) for t, r in after.items()} == {t: len(r) for t, r in before.items()}
    assert len(after["dossiers_dossier"]) == 4
    assert len(after["dossiers_attachment"]) == 7
    for table in before:
        assert after[table] == before[table], table
    assert files_of(target["media"]) == originals
    # Restoring read the backup and left nothing beside it (no -wal/-shm of a SQLite copy).
    assert sorted(p.name for p in (tmp_path / "b1").iterdir()) == sorted(
        [manifest["database"]["file"], "files", "manifest.json"]
    )


def test_a_database_holding_data_is_refused_unless_forced(world, target, tmp_path):
    call_command("backup", str(tmp_path / "b1"))
    assert motcua(target, "restore", str(tmp_path / "b1")).returncode == 0

    again = motcua(target, "restore", str(tmp_path / "b1"))

    assert again.returncode != 0
    assert "Cơ sở dữ liệu đích đã có dữ liệu" in again.stderr
    assert "--force" in again.stderr
    # A backup of the restored database by the command in another process (on SQLite: a
    # file in WAL mode, as the server keeps it), one migration behind the code, restored
    # over it with --force: the restore brings the schema up to the code.
    back = motcua(target, "migrate", "documents", "0001")
    assert back.returncode == 0, back.stderr
    made = motcua(target, "backup", str(tmp_path / "b2"))
    assert made.returncode == 0, made.stderr
    older = backup_verify(tmp_path / "b2")
    assert older["migrations"]["documents"] == "0001_dossier_documents_and_procedure_templates"
    forced = motcua(target, "restore", "--force", str(tmp_path / "b2"))
    assert forced.returncode == 0, forced.stderr
    from django.db.migrations.loader import MigrationLoader

    [leaf] = [n for a, n in MigrationLoader(None).graph.leaf_nodes() if a == "documents"]
    assert f"migrate → documents.{leaf}" in forced.stdout  # brought up to the code's latest
    restored = snapshot(target["url"])
    assert len(restored["dossiers_dossier"]) == 4
    assert ("documents", "0002_acknowledgement_kind") in {
        (r[1], r[2]) for r in restored["django_migrations"]
    }
    dump = older["database"]["file"]
    assert sorted(p.name for p in (tmp_path / "b2").iterdir()) == [dump, "files", "manifest.json"]


def test_a_changed_byte_is_refused_by_verify_and_restore_naming_the_file(world, target, tmp_path):
    call_command("backup", str(tmp_path / "b1"))
    call_command("backup", "--verify", str(tmp_path / "b1"))
    manifest = backup_verify(tmp_path / "b1")
    victim = sorted(f["path"] for f in manifest["files"])[1]
    path = tmp_path / "b1" / "files" / victim
    data = bytearray(path.read_bytes())
    data[5] ^= 0x01
    path.write_bytes(bytes(data))

    with pytest.raises(CommandError) as refused:
        call_command("backup", "--verify", str(tmp_path / "b1"))
    assert f"files/{victim} sai mã băm SHA-256" in str(refused.value)
    assert "wrong SHA-256 hash" in str(refused.value)

    done = motcua(target, "restore", str(tmp_path / "b1"))
    assert done.returncode != 0
    assert f"Bản sao lưu hỏng: files/{victim}" in done.stderr
    check = motcua(target, "restore", "--check", str(tmp_path / "b1"))
    assert check.returncode != 0
    assert f"files/{victim}" in check.stderr
    # Nothing was restored: the target has no table and no file.
    assert snapshot(target["url"]) == {}
    assert not target["media"].exists() or files_of(target["media"]) == {}


def test_a_changed_database_dump_and_a_missing_file_are_named(world, tmp_path):
    call_command("backup", str(tmp_path / "b1"))
    manifest = backup_verify(tmp_path / "b1")
    dump = tmp_path / "b1" / manifest["database"]["file"]
    with dump.open("r+b") as fh:
        fh.seek(100)
        byte = fh.read(1)
        fh.seek(100)
        fh.write(bytes([byte[0] ^ 0xFF]))
    with pytest.raises(BackupError) as refused:
        backup_verify(tmp_path / "b1")
    assert refused.value.path == manifest["database"]["file"]

    call_command("backup", str(tmp_path / "b2"))
    gone = sorted(f["path"] for f in backup_verify(tmp_path / "b2")["files"])[0]
    (tmp_path / "b2" / "files" / gone).unlink()
    with pytest.raises(BackupError) as missing:
        backup_verify(tmp_path / "b2")
    assert missing.value.path == f"files/{gone}"
    assert "bị thiếu" in missing.value.message


def test_an_existing_directory_is_never_overwritten(world, tmp_path):
    (tmp_path / "b1").mkdir()
    (tmp_path / "b1" / "keep").write_text("x")

    with pytest.raises(CommandError) as refused:
        call_command("backup", str(tmp_path / "b1"))

    assert "không ghi đè" in str(refused.value)
    assert [p.name for p in (tmp_path / "b1").iterdir()] == ["keep"]
    # No half-written temporary directory is left beside it.
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".b1")) == []


def test_the_password_goes_in_the_environment_not_on_the_command_line():
    class Conn:
        settings_dict = {
            "NAME": "motcua",
            "HOST": "db.example",
            "PORT": "5433",
            "USER": "motcua",
            "PASSWORD": "s3cret",
            "OPTIONS": {"sslmode": "require"},
        }

    argv, env = _pg_command(Conn(), "pg_dump")  # type: ignore[arg-type]

    assert argv == [
        "pg_dump",
        "--dbname",
        "motcua",
        "--host",
        "db.example",
        "--port",
        "5433",
        "--username",
        "motcua",
        "--no-password",
    ]
    assert env["PGPASSWORD"] == "s3cret"
    assert env["PGSSLMODE"] == "require"


def test_a_backup_from_newer_code_is_refused_before_anything_is_touched(world, target, tmp_path):
    call_command("backup", str(tmp_path / "b1"))
    manifest_path = tmp_path / "b1" / "manifest.json"
    manifest = json.loads(manifest_path.read_text())
    manifest["migrations"]["dossiers"] = "9999_from_the_future"
    manifest_path.write_text(json.dumps(manifest))

    done = motcua(target, "restore", str(tmp_path / "b1"))

    assert done.returncode != 0
    assert "migration mà mã nguồn này không có: dossiers.9999_from_the_future" in done.stderr
    assert snapshot(target["url"]) == {}


def test_a_backup_inside_the_media_folder_is_refused(world, settings):
    media = Path(settings.MEDIA_ROOT)

    with pytest.raises(CommandError) as refused:
        call_command("backup", str(media / "backups" / "b1"))

    assert "nằm trong thư mục tệp" in str(refused.value)
    assert not (media / "backups").exists()
