"""The demo starts the SMS / Zalo provider and points the adapters at it."""

import json

import pytest
import requests

from motcua.demo import companions
from motcua.demo.sms_gateway import DEMO_ZNS_TEMPLATES, sms_gateway
from motcua.dossiers.enums import Status
from motcua.notifications.models import Preference

from .conftest import advance, deliver

pytestmark = pytest.mark.django_db


def test_the_demo_companion_receives_sms_and_zalo(world, settings, monkeypatch):
    settings.MOTCUA_SMS_URL = "https://rest.esms.vn/x"
    assert sms_gateway() is None  # a real provider configured: no companion
    settings.MOTCUA_SMS_URL = ""
    settings.MOTCUA_OUTBOX_KICK = False
    c = sms_gateway()
    for key in c.settings:  # start() exports them; the test's end takes them back
        monkeypatch.delenv(key, raising=False)
    proc = companions.start(c)
    try:
        assert json.loads(settings.MOTCUA_ZALO_TEMPLATE_IDS) == DEMO_ZNS_TEMPLATES
        Preference.objects.create(user=world.citizen, email=False, sms=True, zalo=True)
        d = advance(world, Status.RECEIVED)
        assert deliver()["delivered"] == 2
        got = requests.get(c.url, timeout=5).json()
        assert sorted(r["channel"] for r in got) == ["sms", "zalo"]
        zns = next(r for r in got if r["channel"] == "zalo")
        assert zns["body"]["template_id"] == "301001"
        assert zns["body"]["template_data"]["dossier_code"] == d.code
    finally:
        companions._stop(proc)
