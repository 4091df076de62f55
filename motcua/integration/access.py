"""Who may see the outbox and replay its dead letters (one rule, read by the services and
the back-office page). The outbox carries every agency's messages to the outside (the
national portal, notifications): a province-wide operation.

- see: a superuser, an agency administrator or a monitoring officer (any agency);
- replay: a superuser or an agency administrator;
- the system itself (None: a periodic task, `motcua sync retry` on the server's shell).
"""

from __future__ import annotations

from motcua.core.errors import PermissionDenied
from motcua.core.types import Actor
from motcua.dossiers.access import staff_roles
from motcua.org.enums import Role

SEE = frozenset({Role.AGENCY_ADMIN, Role.MONITOR})
REPLAY = frozenset({Role.AGENCY_ADMIN})


def _roles(user: Actor) -> set[str]:
    return {r for roles in staff_roles(user).values() for r in roles}


def can_see_outbox(user: Actor) -> bool:
    if user is None:
        return True
    if not user.is_authenticated:
        return False
    return bool(getattr(user, "is_superuser", False) or _roles(user) & SEE)


def can_replay(user: Actor) -> bool:
    if user is None:
        return True
    if not user.is_authenticated:
        return False
    return bool(getattr(user, "is_superuser", False) or _roles(user) & REPLAY)


def check_replay(user: Actor) -> None:
    if not can_replay(user):
        raise PermissionDenied(
            "Chỉ quản trị đơn vị mới được gửi lại thư thất bại.",
            "Only an agency administrator may replay dead letters.",
            code="outbox_replay_forbidden",
        )
