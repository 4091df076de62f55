"""Form definitions: the meta-schema and the checks it cannot express.

A definition (docs/eforms.md, "Định dạng") is one JSON document: a JSON Schema of the
data, a layout of sections and fields, rules and a declaration. `definition_errors` is the
one check every definition passes before it is stored or loaded: the meta-schema
(`metaschema.json`, JSON Schema 2020-12) first, then what a schema cannot say — every
layout path exists in the data schema, every code list named exists, every condition reads
a path of the form, paths are not used twice, the data schema is itself a valid schema.
"""

from __future__ import annotations

import functools
import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from jsonschema import Draft202012Validator
from jsonschema.exceptions import SchemaError

from motcua.core.errors import ValidationFailed

HERE = Path(__file__).resolve().parent
METASCHEMA_PATH = HERE / "metaschema.json"

# The option lists of the types that always read a code list (format.md) unless the field
# names its own, and the fixed choices of result delivery.
DEFAULT_CODELIST = {"ethnic_group": "ethnic_groups", "nationality": "nationalities"}
RESULT_DELIVERY = [
    {"value": "counter", "label": {"vi": "Nhận tại bộ phận một cửa", "en": "At the counter"}},
    {"value": "post", "label": {"vi": "Nhận qua dịch vụ bưu chính", "en": "By post"}},
    {"value": "online", "label": {"vi": "Nhận trực tuyến", "en": "Online"}},
]
CHOICE_TYPES = {"choice", "multichoice", "ethnic_group", "nationality", "result_delivery"}


@functools.cache
def metaschema() -> dict[str, Any]:
    return json.loads(METASCHEMA_PATH.read_text(encoding="utf-8"))


@functools.cache
def _meta_validator() -> Draft202012Validator:
    return Draft202012Validator(metaschema())


def canonical(document: dict[str, Any]) -> bytes:
    """The bytes the sha256 is taken of: sorted keys, no spaces, UTF-8."""
    return json.dumps(document, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


def sha256_of(document: dict[str, Any]) -> str:
    return hashlib.sha256(canonical(document)).hexdigest()


# ---------------------------------------------------------------------------- code lists


def codelist_dirs() -> list[Path]:
    """Where code lists are read: the package's `codelists/` then EFORMS_CODELIST_DIRS."""
    extra = getattr(settings, "EFORMS_CODELIST_DIRS", []) or []
    return [HERE / "codelists", *(Path(d) for d in extra)]


@functools.cache
def _codelist_file(path: str, mtime: float) -> dict[str, Any]:
    return json.loads(Path(path).read_text(encoding="utf-8"))


def _codelist_path(name: str) -> Path | None:
    for folder in codelist_dirs():
        path = folder / f"{name}.json"
        if path.is_file():
            return path
    return None


def codelist(name: str) -> dict[str, Any] | None:
    """A code list ({"name", "source", "items": [{"code", "name"}]}) by name, or None."""
    path = _codelist_path(name)
    return _codelist_file(str(path), path.stat().st_mtime) if path else None


@functools.cache
def _codelist_options(path: str, mtime: float) -> list[dict[str, Any]]:
    """A code list's items as choice options, made once per version of the file."""
    return [
        {"value": i["code"], "label": {"vi": i["name"], "en": i.get("name_en", "")}}
        for i in _codelist_file(path, mtime)["items"]
    ]


def options_of(field: dict[str, Any]) -> list[dict[str, Any]]:
    """The choices of a choice-type field: {"value", "label": {"vi", "en"}} each."""
    if field["type"] == "result_delivery" and "options" not in field:
        return RESULT_DELIVERY
    if field["type"] == "boolean":
        return []
    spec = field.get("options")
    if spec is None and field["type"] in DEFAULT_CODELIST:
        spec = f"codelist:{DEFAULT_CODELIST[field['type']]}"
    if isinstance(spec, list):
        return spec
    if isinstance(spec, str) and spec.startswith("codelist:"):
        path = _codelist_path(spec.removeprefix("codelist:"))
        return _codelist_options(str(path), path.stat().st_mtime) if path else []
    return []


# ---------------------------------------------------------------------------- walking


@dataclass(frozen=True)
class Placed:
    """A field where it stands: its section, the group it is an item field of (if any),
    and its full data path (a group's item fields are relative to the item)."""

    section: dict[str, Any]
    field: dict[str, Any]
    group: dict[str, Any] | None
    path: str


def item_path(group: dict[str, Any], field: dict[str, Any]) -> str:
    """An item field's path relative to its item: written relative ("ho_ten") or in full
    ("con.ho_ten"), both read the same."""
    return field["path"].removeprefix(group["path"] + ".")


def walk(document: dict[str, Any]) -> Iterator[Placed]:
    for section in document.get("layout", []):
        for field in section.get("fields", []):
            yield Placed(section, field, None, field["path"])
            if field.get("type") == "group":
                for sub in field.get("fields", []):
                    yield Placed(section, sub, field, f"{field['path']}[].{item_path(field, sub)}")


def schema_at(schema: dict[str, Any], path: str) -> dict[str, Any] | None:
    """The sub-schema of a dotted data path ("con[].ho_ten" steps into array items)."""
    node: dict[str, Any] | None = schema
    for part in path.split("."):
        if node is None:
            return None
        arrays = part.endswith("[]")
        name = part.removesuffix("[]")
        node = (node.get("properties") or {}).get(name)
        if node is not None and arrays:
            node = node.get("items")
    return node


def _conds(cond: Any) -> Iterator[str]:
    if not isinstance(cond, dict):
        return
    if "field" in cond:
        yield cond["field"]
    for key in ("all", "any"):
        for sub in cond.get(key, []):
            yield from _conds(sub)
    if "not" in cond:
        yield from _conds(cond["not"])


def _cond_known(path: str, group: dict[str, Any] | None, known: set[str]) -> bool:
    if path in known:
        return True
    return group is not None and f"{group['path']}[].{path}" in known


def definition_errors(document: Any) -> list[str]:
    """Every problem of a definition, each a sentence naming where; [] when it is good."""
    errors = [
        f"{'/'.join(str(p) for p in e.absolute_path) or '(gốc)'}: {e.message}"
        for e in sorted(
            _meta_validator().iter_errors(document), key=lambda e: list(map(str, e.path))
        )
    ]
    if errors:
        return errors
    try:
        Draft202012Validator.check_schema(document["schema"])
    except SchemaError as exc:
        errors.append(f"schema: lược đồ dữ liệu không hợp lệ / invalid data schema: {exc.message}")
        return errors
    placed = list(walk(document))
    known = {p.path for p in placed}
    seen: set[str] = set()
    sections: set[str] = set()
    for section in document["layout"]:
        if section["key"] in sections:
            errors.append(f"layout/{section['key']}: khóa mục trùng / duplicate section key")
        sections.add(section["key"])
        for path in _conds(section.get("show_if")):
            if path not in known:
                errors.append(
                    f"layout/{section['key']}/show_if: trường '{path}' không có trong tờ khai "
                    f"/ unknown field"
                )
    for p in placed:
        where = f"layout/{p.section['key']}/{p.path}"
        if p.path in seen:
            errors.append(f"{where}: đường dẫn dùng hai lần / path used twice")
        seen.add(p.path)
        node = schema_at(document["schema"], p.path)
        if node is None:
            errors.append(
                f"{where}: đường dẫn không có trong lược đồ dữ liệu / path not in the data schema"
            )
        elif p.field["type"] == "group" and node.get("type") != "array":
            errors.append(f"{where}: nhóm lặp cần kiểu array / a group needs an array")
        spec = p.field.get("options")
        if isinstance(spec, str) and codelist(spec.removeprefix("codelist:")) is None:
            errors.append(f"{where}: không có danh mục '{spec}' / unknown code list")
        if p.field["type"] in DEFAULT_CODELIST and spec is None:
            name = DEFAULT_CODELIST[p.field["type"]]
            if codelist(name) is None:
                errors.append(f"{where}: không có danh mục '{name}' / unknown code list")
        for key in ("show_if", "required_if"):
            for path in _conds(p.field.get(key)):
                if not _cond_known(path, p.group, known):
                    errors.append(
                        f"{where}/{key}: trường '{path}' không có trong tờ khai / unknown field"
                    )
    for i, rule in enumerate(document.get("rules", [])):
        for path in _conds(rule["when"]):
            if path not in known:
                errors.append(f"rules/{i}/when: trường '{path}' không có / unknown field")
    for i, line in enumerate((document.get("declaration") or {}).get("lines", [])):
        path = line.get("path")
        if path and path not in known:
            errors.append(f"declaration/lines/{i}: trường '{path}' không có / unknown field")
    return errors


def check_definition(document: Any) -> dict[str, Any]:
    """The definition when good; a ValidationFailed listing every problem otherwise."""
    errors = definition_errors(document)
    if errors:
        raise ValidationFailed(
            "invalid_form_definition",
            "Định nghĩa tờ khai không hợp lệ: " + "; ".join(errors),
            "Invalid form definition: " + "; ".join(errors),
            field="document",
            data={"problems": errors},
        )
    return document
