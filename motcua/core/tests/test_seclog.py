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
