"""{{ user|person }}: a person's name in Vietnamese order (motcua.org.names.person_name)."""

from django import template

from motcua.org.names import person_name

register = template.Library()


@register.filter
def person(user) -> str:
    return person_name(user)
