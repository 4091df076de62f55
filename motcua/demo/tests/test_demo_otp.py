"""The demo officers' second factor (motcua.demo.otp): the shared secret printed with the
demo logins, and `motcua demo --otp-code`, open a demo officer's verification."""

from __future__ import annotations

import base64
import io
from binascii import unhexlify

import pytest
from django.core.management import call_command
from django_otp.plugins.otp_totp.models import TOTPDevice

from motcua.demo.otp import demo_otp_code, demo_otp_enrol, demo_otp_key, demo_otp_secret
from motcua.dossiers.tests.factories import make_world
from motcua.org.services import staff_otp_verify

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(db):
    return make_world()


def test_the_printed_secret_opens_every_demo_officer(world, tmp_path, settings):
    settings.VAR_DIR = tmp_path
    key = demo_otp_key()
    assert (tmp_path / "demo_otp_key").stat().st_mode & 0o777 == 0o600
    assert demo_otp_key() == key  # kept
    officers = [world.a.staff["c:counter"], world.a.staff["s:leader"], world.admin]
    assert demo_otp_enrol([u.username for u in officers], key) == 3
    # What a person types into an app: the base32 secret printed by `motcua demo`.
    typed = demo_otp_secret(key).replace(" ", "")
    assert base64.b32decode(typed + "=" * (-len(typed) % 8)) == unhexlify(key)
    out = io.StringIO()
    call_command("demo", otp_code=True, stdout=out)
    code = out.getvalue().strip()
    assert code == demo_otp_code(key) and len(code) == 6
    for user in officers:
        assert staff_otp_verify(user=user, code=code).key == key


def test_a_new_key_re_keys_the_existing_demo_devices(world, tmp_path, settings):
    settings.VAR_DIR = tmp_path
    officer = world.a.staff["c:counter"]
    demo_otp_enrol([officer.username], demo_otp_key())
    (tmp_path / "demo_otp_key").unlink()
    new = demo_otp_key()
    demo_otp_enrol([officer.username], new)
    assert list(TOTPDevice.objects.filter(user=officer).values_list("key", flat=True)) == [new]
    assert staff_otp_verify(user=officer, code=demo_otp_code(new))
