"""Test helpers for the officers' second factor (motcua.org.otp).

`otp_login(client, user)` is `client.force_login(user)` for a session that has also passed
the second factor: a staff user gets a confirmed authenticator (made on first use) and the
session carries it, as `staff_otp_verify` + `django_otp.login` leave it. The check itself
stays on in the tests; a citizen is only force-logged-in. `totp_code(device)` is the code
the authenticator app would show now (django-otp's own TOTP, nothing mocked).
"""

from __future__ import annotations

from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from motcua.org.otp import TOTP_NAME, needs_second_factor


def totp_device(user, *, key: str | None = None) -> TOTPDevice:
    """`user`'s confirmed authenticator, made (with `key`, hex, if given) when missing."""
    device = TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()
    if device is None:
        extra = {"key": key} if key else {}
        device = TOTPDevice.objects.create(user=user, name=TOTP_NAME, confirmed=True, **extra)
    return device


def totp_code(device: TOTPDevice, *, offset_steps: int = 0) -> str:
    """The 6-digit code `device`'s app shows now (or `offset_steps` periods away)."""
    device.refresh_from_db()
    value = totp(
        device.bin_key,
        step=device.step,
        t0=device.t0 - offset_steps * device.step,
        digits=device.digits,
        drift=device.drift,
    )
    return str(value).zfill(device.digits)


def otp_login(client, user) -> None:
    """force_login, and for a staff account a session verified with its authenticator."""
    client.force_login(user)
    if needs_second_factor(user):
        device = totp_device(user)
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()


def fresh_code(user) -> str:
    """A code `user`'s second factor accepts now: the authenticator's current code, or the
    next period's (within django-otp's tolerance) when the current one was already used;
    failing both, a new recovery code. For logins driven like a person's (the browser)."""
    import time

    from django_otp.oath import TOTP
    from django_otp.plugins.otp_static.models import StaticDevice, StaticToken

    device = totp_device(user)
    device.refresh_from_db()
    clock = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    clock.time = time.time()
    for offset in (0, 1):
        if clock.t() + offset > device.last_t:
            return totp_code(device, offset_steps=offset)
    spare, _ = StaticDevice.objects.get_or_create(
        user=user, name="test", defaults={"confirmed": True}
    )
    token = StaticToken.random_token()
    while token.isdigit():
        token = StaticToken.random_token()
    spare.token_set.create(token=token)
    return token
