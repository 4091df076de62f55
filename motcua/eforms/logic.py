"""The logic of a form: from the definition and the answers, what is shown, what is
required, and which components of the dossier must be handed in.

`decide` is the one function: the portal's form page, the counter intake, the API's
validation and the dossier's component check all read its `Decision`. The components
follow catalog.cases.needed (the one rule for components), given the form's rules as
`required` / `omitted` names and the cases the rules declare.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from motcua.catalog import cases as catalog_cases

from .definitions import walk

MISSING = object()


def value_at(data: Any, path: str, item: dict[str, Any] | None = None) -> Any:
    """The answer at a dotted path; inside a group's item, the item's own field first."""
    if item is not None:
        found = _get(item, path)
        if found is not MISSING:
            return found
    return _get(data, path)


def _get(data: Any, path: str) -> Any:
    node = data
    for part in path.split("."):
        if not isinstance(node, dict) or part not in node:
            return MISSING
        node = node[part]
    return node


def filled(value: Any) -> bool:
    if value is MISSING or value is None:
        return False
    if isinstance(value, str | list | dict):
        return bool(value)
    return True


def holds(cond: dict[str, Any] | None, data: Any, item: dict[str, Any] | None = None) -> bool:
    """Does a condition (format.md, COND) hold for the answers? No condition holds."""
    if cond is None:
        return True
    if "all" in cond:
        return all(holds(c, data, item) for c in cond["all"])
    if "any" in cond:
        return any(holds(c, data, item) for c in cond["any"])
    if "not" in cond:
        return not holds(cond["not"], data, item)
    value = value_at(data, cond["field"], item)
    if "equals" in cond:
        return value is not MISSING and value == cond["equals"]
    if "in" in cond:
        if isinstance(value, list):
            return any(v in cond["in"] for v in value)
        return value is not MISSING and value in cond["in"]
    if "filled" in cond:
        return filled(value) == bool(cond["filled"])
    return False


def schema_required(schema: dict[str, Any], path: str) -> bool:
    """Is the last step of `path` in its parent object's `required` list?"""
    parts = path.split(".")
    node: dict[str, Any] | None = schema
    for part in parts[:-1]:
        if node is None:
            return False
        node = (node.get("properties") or {}).get(part.removesuffix("[]"))
        if node is not None and part.endswith("[]"):
            node = node.get("items")
    return node is not None and parts[-1] in (node.get("required") or [])


@dataclass
class Decision:
    """What the answers decide. Paths of a group's item fields are "group[].field";
    `items` gives, per visible group, for each item the item fields shown and required."""

    sections: list[str] = field(default_factory=list)
    fields: set[str] = field(default_factory=set)
    required: set[str] = field(default_factory=set)
    items: dict[str, list[tuple[set[str], set[str]]]] = field(default_factory=dict)
    require_components: list[str] = field(default_factory=list)
    omit_components: list[str] = field(default_factory=list)
    notes: list[dict[str, str]] = field(default_factory=list)

    def components_needed(self, components: Iterable[Any], declared: Iterable[str] = ()) -> list:
        """The components the dossier must carry: catalog.cases.needed with the form's
        rules (the declared cases are the applicant's own ticks, if any)."""
        declared = list(declared)
        return [
            c
            for c in components
            if catalog_cases.needed(
                c, declared, required=self.require_components, omitted=self.omit_components
            )
        ]


def _put(data: dict[str, Any], path: str, value: Any) -> None:
    node = data
    parts = path.split(".")
    for part in parts[:-1]:
        node = node.setdefault(part, {})
    node[parts[-1]] = value


def visible_answers(document: dict[str, Any], data: dict[str, Any]) -> dict[str, Any]:
    """The answers of what is shown only: an answer in a hidden section or field does not
    count (it is not asked for, so it cannot decide anything). Hiding may hide more, so
    this repeats until nothing changes."""
    current = data
    for _ in range(len(document["layout"]) + 8):
        shown = {s["key"] for s in document["layout"] if holds(s.get("show_if"), current)}
        pruned: dict[str, Any] = {}
        for p in walk(document):
            if p.group is not None or p.section["key"] not in shown:
                continue
            if not holds(p.field.get("show_if"), current):
                continue
            value = value_at(data, p.path)
            if value is not MISSING:
                _put(pruned, p.path, value)
        if pruned == current:
            break
        current = pruned
    return current


def decide(document: dict[str, Any], data: dict[str, Any]) -> Decision:
    out = Decision()
    data = visible_answers(document, data)
    shown_sections = {s["key"] for s in document["layout"] if holds(s.get("show_if"), data)}
    out.sections = [s["key"] for s in document["layout"] if s["key"] in shown_sections]
    schema = document["schema"]
    for p in walk(document):
        if p.section["key"] not in shown_sections:
            continue
        if p.group is None:
            if not holds(p.field.get("show_if"), data):
                continue
            out.fields.add(p.path)
            if schema_required(schema, p.path) or (
                "required_if" in p.field and holds(p.field["required_if"], data)
            ):
                out.required.add(p.path)
            if p.field["type"] == "group":
                items = value_at(data, p.path)
                out.items[p.path] = [
                    (set(), set()) for _ in (items if isinstance(items, list) else [])
                ]
        elif p.group["path"] in out.fields:
            items = value_at(data, p.group["path"])
            for i, item in enumerate(items if isinstance(items, list) else []):
                item = item if isinstance(item, dict) else {}
                if not holds(p.field.get("show_if"), data, item):
                    continue
                shown, required = out.items[p.group["path"]][i]
                shown.add(p.path)
                if schema_required(schema, p.path) or (
                    "required_if" in p.field and holds(p.field["required_if"], data, item)
                ):
                    required.add(p.path)
    for rule in document.get("rules", []):
        if holds(rule["when"], data):
            out.require_components += rule.get("require_components", [])
            out.omit_components += rule.get("omit_components", [])
            if rule.get("note"):
                out.notes.append(rule["note"])
    return out
