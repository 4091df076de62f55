"""`motcua demo --serve`: the receipts' QR codes point where the demo serves."""

import io

import pytest
from django.core.management import call_command

from motcua.demo.management.commands import demo as command

pytestmark = pytest.mark.django_db(transaction=True)


def test_serve_sets_and_prints_the_public_url(settings, monkeypatch):
    # Through the fixture, so that what the command sets is undone after the test.
    settings.MOTCUA_PUBLIC_URL = "http://127.0.0.1:8000"
    served = []
    # runserver would block the test: record what it would serve instead.
    monkeypatch.setattr(
        command, "call_command", lambda name, addr, **kw: served.append((name, addr))
    )
    monkeypatch.delenv("MOTCUA_PUBLIC_URL", raising=False)
    out = io.StringIO()
    call_command("demo", dossiers=0, serve=True, addr="0.0.0.0:8123", stdout=out)
    assert served == [("runserver", "0.0.0.0:8123")]
    assert settings.MOTCUA_PUBLIC_URL == "http://127.0.0.1:8123"
    text = out.getvalue()
    assert "(public URL in the receipts' QR codes, MOTCUA_PUBLIC_URL): http://127.0.0.1:8123" in (
        text
    )
    assert "Mở (open) http://127.0.0.1:8123/" in text
