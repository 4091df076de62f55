"""Post an admin change form as a browser would: every field of the page's form and of its
inline formsets with the value it shows, then the changes a test makes."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Model


def _value(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, Model):
        return value.pk
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return [_value(v) for v in value]
    return value


def _form_data(form: Any, data: dict[str, Any]) -> None:
    for name in form.fields:
        bound = form[name]
        value = bound.value()
        if value is False:
            continue  # an unchecked box is not posted
        if value is True:
            value = "on"
        data[bound.html_name] = _value(value)


def form_data(response: Any, **changes: Any) -> dict[str, Any]:
    """The data the admin page of `response` would post, with `changes` applied."""
    data: dict[str, Any] = {}
    _form_data(response.context["adminform"].form, data)
    for inline in response.context.get("inline_admin_formsets", []):
        formset = inline.formset
        _form_data(formset.management_form, data)
        for form in formset.forms:
            _form_data(form, data)
    for key, value in changes.items():
        if value is None or value is False:
            data.pop(key, None)
        else:
            data[key] = _value(value)
    return data
