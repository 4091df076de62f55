"""What the form's templates need: sections and fields with their values, choices, errors
and prefill marks, from the definition, the answers (posted or stored) and the errors.

Pages (portal, counter intake, the admin's preview) put `eforms/fields.html` inside their
own <form>; the buttons of a repeated group ("add one more", "remove") are submit buttons
the page answers by calling `group_action` and showing the form again.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Mapping
from typing import Any

from django.http import QueryDict
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import mark_safe

from motcua.core.errors import DomainError
from motcua.core.templatetags.bilingual import pick

from . import units
from .answers import PREFIX, Prefilled
from .definitions import item_path, options_of, walk
from .logic import MISSING, Decision, decide, value_at

_ISO = re.compile(r"^\d{4}-\d{2}-\d{2}$")
VERIFIED_MARK = ("Đã xác thực từ VNeID", "Verified through VNeID")


def text(value: Mapping[str, str] | None) -> str:
    if not value:
        return ""
    return pick(value.get("vi", ""), value.get("en"))


def dom_id(path: str) -> str:
    return "f-" + path.replace(".", "-").replace("_", "-")


def display(kind: str, value: Any) -> str:
    if value is MISSING or value is None:
        return ""
    if kind == "date" and isinstance(value, str) and _ISO.match(value):
        y, m, d = value.split("-")
        return f"{d}/{m}/{y}"
    if kind == "money" and isinstance(value, int):
        return f"{value:,}".replace(",", ".")
    return str(value)


def group_action(document: dict[str, Any], post: QueryDict) -> tuple[dict[str, int], bool]:
    """The item counts of the groups after the "add" / "remove" button posted, and whether
    one was pressed (then the page shows the form again, without errors)."""
    counts: dict[str, int] = {}
    groups = [f for s in document["layout"] for f in s["fields"] if f["type"] == "group"]
    for g in groups:
        try:
            counts[g["path"]] = max(0, min(int(post.get(f"n.{g['path']}", "0")), 200))
        except ValueError:
            counts[g["path"]] = 0
    add = post.get("eform_add", "")
    if add in counts:
        counts[add] += 1
        return counts, True
    remove = post.get("eform_remove", "")
    return counts, bool(remove)


def remove_item(raw: dict[str, Any], post: QueryDict) -> None:
    """Drop the item whose "remove" button was pressed ("<group>.<index>")."""
    target = post.get("eform_remove", "")
    path, _, index = target.rpartition(".")
    items = value_at(raw, path) if path else MISSING
    if isinstance(items, list) and index.isdigit() and int(index) < len(items):
        items.pop(int(index))


def _field_ctx(
    f: dict[str, Any],
    path: str,
    value: Any,
    errors: Mapping[str, DomainError],
    required: bool,
    prefilled: Prefilled | None,
    today: dt.date,
    memo: dict[Any, Any] | None = None,
) -> dict[str, Any]:
    ctx: dict[str, Any] = {
        "type": f["type"],
        "path": path,
        "name": PREFIX + path,
        "id": dom_id(path),
        "label": text(f["label"]),
        "help": text(f.get("help")),
        "required": required,
        "error": errors.get(path),
        "verified": bool(prefilled and prefilled.verified),
        "locked": bool(prefilled and prefilled.locked),
        "show_if": json.dumps(f["show_if"], ensure_ascii=False) if f.get("show_if") else "",
        "widget": f.get("widget")
        or ("select" if f["type"] in ("ethnic_group", "nationality") else "radio"),
    }
    if prefilled is not None and prefilled.locked:
        value = prefilled.value
    if f["type"] in ("choice", "multichoice", "ethnic_group", "nationality", "result_delivery"):
        chosen = [str(v) for v in value] if isinstance(value, list) else [display("text", value)]
        options = options_of(f)
        ctx["options"] = [
            {
                "value": str(o["value"]),
                "label": text(o["label"]),
                "chosen": str(o["value"]) in chosen,
                "id": f"{ctx['id']}-{i}",
            }
            for i, o in enumerate(options)
        ]
        # A select's options as one escaped string: a code list has up to a few hundred,
        # and a template loop over them is most of a form's rendering time.
        ctx["options_html"] = mark_safe(  # noqa: S308 - every part escaped here
            "".join(
                f'<option value="{escape(o["value"])}"'
                f"{' selected' if o['chosen'] else ''}>{escape(o['label'])}</option>"
                for o in ctx["options"]
            )
        )
    elif f["type"] == "boolean":
        ctx["checked"] = value is True or str(value).lower() in ("1", "true", "on")
    elif f["type"] == "admin_unit":
        ctx.update(_unit_ctx(value, today, memo))
    else:
        ctx["value"] = display(f["type"], value)
    return ctx


def _unit_ctx(value: Any, today: dt.date, memo: dict[Any, Any] | None = None) -> dict[str, Any]:
    value = value if isinstance(value, dict) else {}
    memo = memo if memo is not None else {}
    former = bool(value.get("former")) or False
    stored = units.unit_of(value) if value.get("valid_on") else None
    if stored is not None and stored.valid_to is not None:
        former = True
    province_code = str(value.get("province") or "")
    if not province_code and stored is not None:
        owner = units.province_of(stored)
        province_code = owner.code if owner else ""
    # One query for the province list of a page, however many pickers it has.
    if ("provinces", former) not in memo:
        memo[("provinces", former)] = units.provinces(former=former, today=today)
    provinces = memo[("provinces", former)]
    province = next((p for p in provinces if p.code == province_code), None)
    q = str(value.get("q") or "")
    communes = units.communes(province, former=former, today=today, q=q)
    code = str(value.get("code") or "")
    return {
        "former": former,
        "q": q,
        "provinces": [
            {"code": p.code, "name": p.name, "chosen": p.code == province_code} for p in provinces
        ],
        "communes": [
            {
                "code": c.code,
                "name": units.label({"code": c.code, "valid_on": (c.valid_to or today).isoformat()})
                if q or former
                else c.name,
                "chosen": c.code == code,
            }
            for c in communes
        ],
        "unit_label": units.label(value) if value.get("valid_on") else "",
    }


def form_context(
    document: dict[str, Any],
    answers: dict[str, Any],
    *,
    errors: list[DomainError] | None = None,
    prefill: Mapping[str, Prefilled] | None = None,
    decision: Decision | None = None,
    counts: Mapping[str, int] | None = None,
    today: dt.date | None = None,
) -> dict[str, Any]:
    """The template context of a form: `eform` with its sections, and the error summary's
    list (each error with the id of its field)."""
    today = today or timezone.localdate()
    prefill = prefill or {}
    by_path = {e.field or "": e for e in errors or []}
    memo: dict[Any, Any] = {}
    decision = decision or decide(document, answers)
    sections = []
    for s in document["layout"]:
        fields = []
        for f in s["fields"]:
            path = f["path"]
            value = value_at(answers, path)
            if value is MISSING and path in prefill:
                value = prefill[path].value
            if f["type"] == "group":
                items = value if isinstance(value, list) else []
                n = (counts or {}).get(path, len(items))
                items = (items + [{}] * n)[:n]
                ctx = _field_ctx(f, path, None, by_path, path in decision.required, None, today)
                ctx["count"] = n
                ctx["max"] = f.get("max_items")
                ctx["items"] = [
                    {
                        "index": i,
                        "remove": f"{path}.{i}",
                        "fields": [
                            _field_ctx(
                                sub,
                                f"{path}.{i}.{item_path(f, sub)}",
                                value_at(item if isinstance(item, dict) else {}, item_path(f, sub)),
                                by_path,
                                _item_required(decision, path, i, f"{path}[].{item_path(f, sub)}"),
                                None,
                                today,
                                memo,
                            )
                            for sub in f["fields"]
                        ],
                    }
                    for i, item in enumerate(items)
                ]
                fields.append(ctx)
            else:
                fields.append(
                    _field_ctx(
                        f,
                        path,
                        value,
                        by_path,
                        path in decision.required,
                        prefill.get(path),
                        today,
                        memo,
                    )
                )
        sections.append(
            {
                "key": s["key"],
                "id": f"s-{s['key'].replace('_', '-')}",
                "title": text(s["title"]),
                "help": text(s.get("help")),
                "shown": s["key"] in decision.sections,
                "show_if": json.dumps(s["show_if"], ensure_ascii=False) if s.get("show_if") else "",
                "fields": fields,
            }
        )
    # Each error says in which section it is: labels repeat across sections (the child's,
    # the mother's and the father's "Họ, chữ đệm, tên").
    owners = [(f["path"], sec["title"]) for sec in sections for f in sec["fields"] if f.get("path")]

    def where(path: str | None) -> str:
        for prefix, title in owners:
            if path and (path == prefix or path.startswith((prefix + ".", prefix + "["))):
                return str(title)
        return ""

    summary = [
        {"href": "#" + dom_id(e.field) if e.field else "", "error": e, "where": where(e.field)}
        for e in errors or []
    ]
    return {
        "eform": {
            "title": text(document["title"]),
            "sections": sections,
            "notes": [text(n) for n in decision.notes],
            "verified_mark": pick(*VERIFIED_MARK),
        },
        "eform_errors": summary,
    }


def _item_required(decision: Decision, group: str, i: int, full: str) -> bool:
    rows = decision.items.get(group, [])
    return i < len(rows) and full in rows[i][1]


def answer_text(document: dict[str, Any], path: str, data: dict[str, Any]) -> str:
    """An answer as the officer's page and the declaration print it."""
    placed = {p.path: p for p in walk(document)}
    p = placed.get(path)
    value = value_at(data, path)
    if p is None or value is MISSING or value is None:
        return ""
    kind = p.field["type"]
    if kind == "group":
        subs = [q for q in placed.values() if q.group is p.field]
        rows = []
        for i, item in enumerate(value, 1):
            parts = []
            for q in subs:
                rel = q.path.split("[].", 1)[1]
                v = value_at(item, rel)
                if v is not MISSING and v is not None:
                    parts.append(f"{q.field['label']['vi']}: {display(q.field['type'], v)}")
            rows.append(f"{i}. " + "; ".join(parts))
        return "\n".join(rows)
    if kind == "admin_unit":
        return units.label(value)
    if kind == "boolean":
        return "Có" if value else "Không"
    if kind == "money":
        return f"{display('money', value)} đồng"
    options = options_of(p.field)
    if options:
        labels = {str(o["value"]): o["label"]["vi"] for o in options}
        values = value if isinstance(value, list) else [value]
        return ", ".join(labels.get(str(v), str(v)) for v in values)
    return display(kind, value)


def summary(document: dict[str, Any], data: dict[str, Any]) -> list[dict[str, Any]]:
    """The filled form for reading: per section answered, its title and (label, answer)
    rows of the answered fields."""
    out = []
    for s in document["layout"]:
        rows = []
        for f in s["fields"]:
            answer = answer_text(document, f["path"], data)
            if answer:
                rows.append((text(f["label"]), answer))
        if rows:
            out.append({"title": text(s["title"]), "rows": rows})
    return out
