"""The demo officers' second factor (motcua.org.otp): one shared TOTP secret.

Every staff account of the demo (the officers and the administrator `motcua demo` prints)
gets a confirmed authenticator with the same secret, random on first run and kept in
var/demo_otp_key (never in the repository), like the shared demo password. A person trying
the demo adds that secret once to any authenticator app (one entry opens every demo
officer), or asks `motcua demo --otp-code` for the current code. A production database
never runs this: officers there enrol their own phone at their first login.
"""

from __future__ import annotations

import secrets
from base64 import b32encode
from binascii import unhexlify
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from motcua.org.otp import TOTP_NAME

KEY_HEX_LENGTH = 40  # 20 bytes, as django-otp's own default keys


def demo_otp_key(path: Path | None = None) -> str:
    """The shared secret (hex) of the demo's authenticators: random on first run, kept."""
    path = path or Path(settings.VAR_DIR) / "demo_otp_key"
    if path.exists():
        kept = path.read_text().strip()
        if len(kept) == KEY_HEX_LENGTH and all(c in "0123456789abcdef" for c in kept):
            return kept
    key = secrets.token_hex(KEY_HEX_LENGTH // 2)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(key + "\n")
    path.chmod(0o600)
    return key


def demo_otp_secret(key: str) -> str:
    """The secret as an authenticator app takes it: base32, in groups of four."""
    text = b32encode(unhexlify(key)).decode().rstrip("=")
    return " ".join(text[i : i + 4] for i in range(0, len(text), 4))


def demo_otp_code(key: str) -> str:
    """The code the demo's authenticators show now (6 digits, 30 s periods)."""
    return f"{totp(unhexlify(key)):06d}"


@transaction.atomic
def demo_otp_enrol(usernames: list[str], key: str) -> int:
    """Give each of these accounts a confirmed authenticator with the shared `key` (the one
    it has is re-keyed: a new var/demo_otp_key still opens an existing database); return
    how many accounts got one."""
    users = list(get_user_model().objects.filter(username__in=usernames).only("pk"))
    TOTPDevice.objects.filter(user__in=users).exclude(key=key).update(
        key=key, last_t=-1, drift=0, throttling_failure_count=0
    )
    have = set(TOTPDevice.objects.filter(user__in=users).values_list("user_id", flat=True))
    TOTPDevice.objects.bulk_create(
        TOTPDevice(user=u, name=TOTP_NAME, confirmed=True, key=key)
        for u in users
        if u.pk not in have
    )
    return len(users)
