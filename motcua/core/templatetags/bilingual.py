"""Bilingual page helpers: Vietnamese first, English when the visitor chose it.

{% load bilingual %}
{% t "Đăng ký khai sinh" "Birth registration" %}
{{ error|msg }}            a DomainError (or anything with .message/.message_en)
{{ dossier.received_at|vndate }}     27/11/2026 14:05 in Asia/Ho_Chi_Minh
{{ fee.amount|vnd }}       8.000 đ
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from django import template
from django.utils import timezone
from django.utils.translation import get_language

register = template.Library()

_VN = ZoneInfo("Asia/Ho_Chi_Minh")


def is_english() -> bool:
    return (get_language() or "vi").lower().startswith("en")


def pick(vi: str, en: str | None) -> str:
    """The English text when English is active and one exists, else the Vietnamese."""
    if is_english() and en:
        return en
    return vi


@register.simple_tag(name="t")
def translate(vi: str, en: str = "") -> str:
    return pick(vi, en)


@register.filter(name="msg")
def domain_message(error: Any) -> str:
    """The message of a DomainError in the active language."""
    if error is None:
        return ""
    vi = getattr(error, "message", None)
    if vi is None and isinstance(error, dict):
        return pick(str(error.get("message", "")), error.get("message_en"))
    if vi is None:
        return str(error)
    return pick(str(vi), getattr(error, "message_en", None))


@register.filter(name="bi")
def bilingual_field(obj: object, attr: str) -> str:
    """`{{ procedure|bi:"name" }}` -> procedure.name_en in English when it is filled."""
    vi = str(getattr(obj, attr, "") or "")
    return pick(vi, str(getattr(obj, f"{attr}_en", "") or ""))


@register.filter(name="vndate")
def vn_datetime(value: object) -> str:
    """dd/mm/yyyy HH:MM in Vietnam time; a date alone is dd/mm/yyyy."""
    if value in (None, ""):
        return ""
    if isinstance(value, dt.datetime):
        if timezone.is_aware(value):
            value = value.astimezone(_VN)
        return value.strftime("%d/%m/%Y %H:%M")
    if isinstance(value, dt.date):
        return value.strftime("%d/%m/%Y")
    return str(value)


@register.filter(name="vnday")
def vn_date(value: object) -> str:
    """dd/mm/yyyy (the day, in Vietnam time for a datetime)."""
    if isinstance(value, dt.datetime):
        if timezone.is_aware(value):
            value = value.astimezone(_VN)
        return value.strftime("%d/%m/%Y")
    return vn_datetime(value)


@register.filter(name="vnd")
def vn_money(value: Any) -> str:
    """An integer number of đồng as '8.000 đ'."""
    if value in (None, ""):
        return ""
    try:
        amount = int(value)
    except (TypeError, ValueError):
        return str(value)
    sign = "-" if amount < 0 else ""
    return f"{sign}{abs(amount):,} đ".replace(",", ".")
