"""The security log writes one JSON line per event, with the request's id and address."""

import json
import logging

import pytest
from django.test import RequestFactory

from motcua.core.requestid import current_request_id
from motcua.core.seclog import JsonLinesFormatter, security_event


def test_one_json_line_with_request_context(caplog):
    request = RequestFactory().get("/", REMOTE_ADDR="203.0.113.7")
    token = current_request_id.set("abc123")
    try:
        with caplog.at_level(logging.INFO, logger="motcua.security"):
            security_event("login_failed", request=request, username="nguyễn", channel="portal")
    finally:
        current_request_id.reset(token)
    (record,) = [r for r in caplog.records if r.name == "motcua.security"]
    line = JsonLinesFormatter().format(record)
    assert "\n" not in line
    data = json.loads(line)
    assert data["event"] == "login_failed"
    assert data["ip"] == "203.0.113.7"
    assert data["request_id"] == "abc123"
    assert data["username"] == "nguyễn"  # Vietnamese kept, not \\u-escaped
    assert "nguyễn" in line
    assert data["ts"].endswith("+00:00")


def test_unknown_event_is_refused():
    with pytest.raises(ValueError, match="Unknown security event"):
        security_event("something_else")


SCRIPT = """
import os, django
django.setup()
from django.test import Client
client = Client(enforce_csrf_checks=True, HTTP_HOST="localhost")
assert client.post("/dang-nhap/", {"username": "a", "password": "b"}).status_code == 403
os.rename(os.environ["MOTCUA_SECURITY_LOG"], os.environ["MOTCUA_SECURITY_LOG"] + ".1")
from motcua.core.seclog import security_event
security_event("login_failed", username="sau-khi-xoay", channel="portal")
"""


def test_motcua_security_log_file_gets_json_lines_and_follows_rotation(tmp_path):
    """MOTCUA_SECURITY_LOG in a fresh process: a real 403 (the CSRF check) lands in the file
    as one JSON line; after logrotate moves the file away (no copytruncate), the next line
    goes to a new file at the same path (WatchedFileHandler)."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    path = tmp_path / "security.jsonl"
    root = Path(__file__).resolve().parents[3]
    env = {
        **os.environ,
        "MOTCUA_SECURITY_LOG": str(path),
        "DJANGO_SETTINGS_MODULE": "motcua.settings",
        "PYTHONPATH": str(root),
    }
    env.pop("MOTCUA_SECURITY_LOG_LEVEL", None)
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT], env=env, cwd=root, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    rotated = [json.loads(x) for x in Path(f"{path}.1").read_text("utf-8").splitlines()]
    assert [(x["event"], x["code"], x["status"]) for x in rotated] == [
        ("permission_denied", "csrf", 403)
    ]
    assert rotated[0]["path"] == "/dang-nhap/"
    fresh = [json.loads(x) for x in path.read_text("utf-8").splitlines()]
    assert [(x["event"], x["username"]) for x in fresh] == [("login_failed", "sau-khi-xoay")]
    assert "permission_denied" not in done.stderr  # the file, not standard error


def test_on_commit_waits_for_the_commit(caplog, db, django_capture_on_commit_callbacks):
    from django.db import transaction

    from motcua.core.seclog import security_event_on_commit

    with (
        caplog.at_level(logging.INFO, logger="motcua.security"),
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        transaction.atomic(),
    ):
        security_event_on_commit("role_changed", change="groups")
        assert [r for r in caplog.records if r.name == "motcua.security"] == []
    assert len(callbacks) == 1
    (record,) = [r for r in caplog.records if r.name == "motcua.security"]
    assert record.security["change"] == "groups"
