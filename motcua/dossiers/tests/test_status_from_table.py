"""The status a transition leads to is the table's (enums.status_after), set in one place
(services._base.Transition.save): no phase of the services sets it by hand (issue 9)."""

from __future__ import annotations

import ast
import pathlib

import pytest

from motcua.dossiers import services
from motcua.dossiers.enums import CREATION, TRANSITIONS, Action, Status, status_after

PACKAGE = pathlib.Path(services.__file__).parent


def _by_table(value: ast.expr) -> bool:
    """`status=` given by the table, or a constant (the HTTP status of an error)."""
    if isinstance(value, ast.Constant):
        return True
    return isinstance(value, ast.Call) and ast.unparse(value.func) == "status_after"


def _status_writes(path: pathlib.Path) -> list[int]:
    """Lines that assign an attribute `status`, or pass `status=` not from the table."""
    lines = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        targets = node.targets if isinstance(node, ast.Assign) else []
        if isinstance(node, ast.AugAssign | ast.AnnAssign):
            targets = [node.target]
        lines += [t.lineno for t in targets if isinstance(t, ast.Attribute) and t.attr == "status"]
        if isinstance(node, ast.keyword) and node.arg == "status" and not _by_table(node.value):
            lines.append(node.value.lineno)
    return lines


def test_only_the_base_sets_the_status():
    found = {
        path.name: lines for path in sorted(PACKAGE.glob("*.py")) if (lines := _status_writes(path))
    }
    assert found == {"_base.py": found.get("_base.py", [])} and len(found["_base.py"]) == 1


@pytest.mark.parametrize("action", list(TRANSITIONS))
def test_status_after_follows_the_table(action):
    sources, target, _ = TRANSITIONS[action]
    if action in CREATION:
        assert status_after(action, None) == Status.SUBMITTED
        return
    for status in sources:
        assert status_after(action, status) == (status if target is None else target)


def test_a_fact_needs_a_dossier():
    with pytest.raises(ValueError):
        status_after(Action.RATE, None)
