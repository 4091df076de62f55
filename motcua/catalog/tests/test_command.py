import json

import pytest
from django.core.management import CommandError, call_command

from motcua.catalog.importer import FIXTURE_PATH
from motcua.catalog.models import Procedure, ProcedureVersion

pytestmark = pytest.mark.django_db


def run(*args):
    from io import StringIO

    out = StringIO()
    call_command("catalog", *args, stdout=out)
    return out.getvalue()


def test_import_fixture_then_reimport(db):
    out = run("import", str(FIXTURE_PATH), "--effective-from", "2025-07-01")
    assert "created 55, updated 0, unchanged 0, rejected 0" in out
    assert Procedure.objects.count() == 55
    out = run("import", str(FIXTURE_PATH))
    assert "created 0, updated 0, unchanged 55, rejected 0" in out


def test_dry_run(db):
    out = run("import", str(FIXTURE_PATH), "--dry-run")
    assert "dry run (rolled back): created 55" in out
    assert Procedure.objects.count() == 0


def test_export_to_file_and_by_code(db, tmp_path):
    run("import", str(FIXTURE_PATH), "--effective-from", "2025-07-01")
    out_file = tmp_path / "out.json"
    run("export", "--out", str(out_file), "--code", "1.001193", "--code", "1.001456")
    text = out_file.read_text(encoding="utf-8")
    assert "Thủ tục đăng ký khai sinh" in text  # ensure_ascii=False
    assert [r["code"] for r in json.loads(text)] == ["1.001193", "1.001456"]
    assert json.loads(run("export"))[0]["code"] == "1.000656"
    with pytest.raises(CommandError, match="Unknown procedure code"):
        run("export", "--code", "0.000000")


def test_bad_inputs_raise_command_error(db, tmp_path):
    with pytest.raises(CommandError, match="File not found"):
        run("import", str(tmp_path / "missing.json"))
    bad = tmp_path / "bad.json"
    bad.write_text("[{", encoding="utf-8")
    with pytest.raises(CommandError, match="not valid JSON"):
        run("import", str(bad))
    obj = tmp_path / "obj.json"
    obj.write_text("{}", encoding="utf-8")
    with pytest.raises(CommandError, match="JSON array"):
        run("import", str(obj))
    rec = tmp_path / "rec.json"
    rec.write_text(json.dumps([{"code": "1.1", "name": "X", "field": "Y", "level": "?"}]))
    with pytest.raises(CommandError, match=r"records\[0\]\.level"):
        run("import", str(rec))
    with pytest.raises(CommandError, match="not a date"):
        run("import", str(FIXTURE_PATH), "--effective-from", "1/7/2025")
    assert ProcedureVersion.objects.count() == 0
