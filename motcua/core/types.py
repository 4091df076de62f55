"""Types shared by every app.

`Actor` is who performs a service call: a signed-in user (officer or citizen), an
anonymous visitor (a lookup by code and secret), or None when the system itself acts (an
importer, the demo's generator, a periodic task). Services take it as `actor: Actor`.
"""

from __future__ import annotations

from typing import TypeAlias

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

Actor: TypeAlias = AbstractBaseUser | AnonymousUser | None

__all__ = ["Actor"]
