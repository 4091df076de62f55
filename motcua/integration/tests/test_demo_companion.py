"""The demo starts the national portal's receiving service and points the sync at it."""

import requests

from motcua.demo import companions
from motcua.demo.national_portal import DEMO_UNIT, national_portal


def test_the_demo_companion_receives_the_sync(settings, tmp_path, monkeypatch):
    settings.MOTCUA_NATIONAL_SYNC_URL = "http://portal.example"
    assert national_portal() is None  # a real endpoint configured: no companion
    settings.MOTCUA_NATIONAL_SYNC_URL = ""
    settings.VAR_DIR = tmp_path
    c = national_portal()
    for key in c.settings:  # start() exports them; the test's end takes them back
        monkeypatch.delenv(key, raising=False)
    proc = companions.start(c)
    try:
        assert c.url == settings.MOTCUA_NATIONAL_SYNC_URL
        assert settings.MOTCUA_NATIONAL_SYNC_DSTCODE == DEMO_UNIT
        answer = requests.post(
            c.url + "/auth",
            json={
                "username": settings.MOTCUA_NATIONAL_SYNC_USERNAME,
                "password": settings.MOTCUA_NATIONAL_SYNC_PASSWORD,
            },
            headers={"dstcode": DEMO_UNIT},
            timeout=5,
        ).json()
        assert answer["error_code"] == 0 and answer["session"]
        assert (tmp_path / "national_portal.sqlite3").exists()
    finally:
        companions._stop(proc)
