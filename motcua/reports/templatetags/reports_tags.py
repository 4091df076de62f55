"""Numbers the Vietnamese way on report pages: 1.234 and 98,50."""

from django import template

from motcua.reports.charts import vn_decimal

register = template.Library()


@register.filter(name="vnnum")
def vn_number(value) -> str:
    """Integers with '.' thousands; decimals with ',' and two places; None as N/A."""
    return vn_decimal(value)


@register.filter(name="get")
def get_item(mapping, key):
    return mapping.get(key) if mapping is not None else None
