"""{{ user|person }}: a person's name in Vietnamese order (motcua.org.names.person_name)."""

from django import template
from django.contrib.auth.models import User

from motcua.org.names import person_name

register = template.Library()


@register.filter
def person(user: User | None) -> str:
    return person_name(user)
