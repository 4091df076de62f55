"""Types shared by every app.

`Actor` is who performs a service call: a signed-in user (officer or citizen), an
anonymous visitor (a lookup by code and secret), or None when the system itself acts (an
importer, the demo's generator, a periodic task). Services take it as `actor: Actor`.
"""

from __future__ import annotations

from typing import TypeAlias

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser, User

Actor: TypeAlias = AbstractBaseUser | AnonymousUser | None


def actor_user(actor: Actor) -> User | None:
    """The actor as a stored user (what a `created_by` column holds), or None for an
    anonymous visitor and for the system."""
    if isinstance(actor, User) and actor.pk is not None:
        return actor
    return None


__all__ = ["Actor", "actor_user"]
