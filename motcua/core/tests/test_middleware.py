import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def test_pages_negotiate_the_language():
    r = Client().get("/", HTTP_ACCEPT_LANGUAGE="en")
    assert r.status_code == 200
    assert r["Content-Language"] == "en"
    assert "Accept-Language" in r["Vary"]


def test_the_api_skips_language_negotiation():
    r = Client().get(
        "/api/calendar/due",
        {"from": "2027-02-03 10:00", "value": "5"},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert r.status_code == 200
    assert not r.has_header("Content-Language")
