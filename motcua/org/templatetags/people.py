"""{{ user|person }}: a person's name in Vietnamese order (motcua.org.names.person_name).
{% is_officer request.user as officer %}: whether to show the back-office link.
"""

from django import template
from django.contrib.auth.models import User

from motcua.core.types import Actor
from motcua.org.names import person_name
from motcua.org.selectors import staff_role_map

register = template.Library()


@register.filter
def person(user: User | None) -> str:
    return person_name(user)


@register.simple_tag(name="is_officer")
def is_officer(user: Actor) -> bool:
    """True for a user with a staff role in force (or Django staff): shows the back-office
    link. The one role lookup (motcua.org.selectors.staff_role_map) decides."""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    if getattr(user, "is_staff", False):
        return True
    return bool(staff_role_map(user))
