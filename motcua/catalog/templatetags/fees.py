"""{{ amount|dong }} → "50.000 đồng" (catalog.fees.vnd), the money format of fee quotes."""

from typing import Any

from django import template

from motcua.catalog.fees import vnd

register = template.Library()


@register.filter(name="dong")
def dong(value: Any) -> str:
    return vnd(None if value in (None, "") else int(value))
