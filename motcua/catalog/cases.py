"""Conditional components: which components of a procedure apply only in a case.

The national record lists some components that apply only in a case: a heading such as
"Trường hợp ủy quyền …" or "(1.7) Đối với công trình nhà ở riêng lẻ" over a group of
components, or a component whose own name says so ("Trường hợp …", "… (nếu có)",
"… trong trường hợp …"). Such a component is not required unless the applicant declares
that its case applies. One rule (`needed`) decides what must be handed in; the importer
(`derive_cases`), the services, the portal and the counter intake all use it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Protocol

from motcua.core.text import fold

# "(1.7) ", "a) ", "1) " in front of a heading, once folded ("1 7 ", "a ", "1 ").
_ENUMERATOR = re.compile(r"^(?:(?:[0-9]+|[a-z]) )+")


class _Component(Protocol):
    case: str
    required: bool


def _words(text: str) -> str:
    return f" {fold(text)} "


def conditional_name(name: str) -> bool:
    """A component whose own name states its condition."""
    key = _words(name)
    return (
        key.startswith(" truong hop ")
        or " neu co " in key
        or " trong truong hop " in key
        or " doi voi truong hop " in key
    )


def case_heading(group: str) -> bool:
    """A group heading that names a case ("Trường hợp …", "(1.1) Đối với …", "… nếu có")."""
    key = f" {_ENUMERATOR.sub('', fold(group))} "
    return (
        key.startswith(" truong hop ")
        or key.startswith(" doi voi ")
        or " neu co " in key
        or " truong hop " in key
    )


def _lead(group: str, n: int = 3) -> tuple[str, ...]:
    return tuple(_ENUMERATOR.sub("", fold(group)).split()[:n])


def derive_cases(components: Sequence[tuple[str, str]]) -> list[str]:
    """The case of each (name, group) of one version, in order; "" = always applies.

    The most specific condition wins: a name that states its condition is its own case,
    otherwise the group's heading when it names a case. Headings that begin like a case
    heading of the same version ("Đăng ký thường trú vào chỗ ở … thuê, mượn" beside
    "Đăng ký thường trú tại chỗ ở … đối với những trường hợp …") are alternatives of it:
    cases too.
    """
    groups = {g for _, g in components if g}
    cased = {g for g in groups if case_heading(g)}
    leads = {_lead(g) for g in cased}
    cased |= {g for g in groups if len(_lead(g)) == 3 and _lead(g) in leads}
    out = []
    for name, group in components:
        if conditional_name(name):
            out.append(name)
        elif group in cased:
            out.append(group)
        else:
            out.append("")
    return out


def cases_of(components: Iterable[_Component]) -> list[str]:
    """The distinct cases of a version's components, in the order they first appear."""
    seen: dict[str, None] = {}
    for c in components:
        if c.case:
            seen.setdefault(c.case, None)
    return list(seen)


def names_component(component: _Component, ref: str) -> bool:
    """Does `ref` (a rule's "require_components"/"omit_components" entry of an electronic
    form, motcua.eforms) name this component: its case text, or the start of its name,
    accents and case ignored?"""
    key = fold(ref)
    if not key:
        return False
    if component.case and fold(component.case) == key:
        return True
    return _words(getattr(component, "name", "")).startswith(f" {key} ")


def needed(
    component: _Component,
    declared: Iterable[str] = (),
    *,
    required: Iterable[str] = (),
    omitted: Iterable[str] = (),
) -> bool:
    """Must this component be handed in? One the applicant's electronic form omits
    (`omitted`: names or case texts, `names_component`): no; one it requires (`required`):
    yes. Otherwise a component of a case: when the applicant declared the case; any other:
    when it is required."""
    if any(names_component(component, ref) for ref in omitted):
        return False
    if any(names_component(component, ref) for ref in required):
        return True
    if component.case:
        return component.case in set(declared)
    return component.required


def missing(
    components: Iterable,
    declared: Iterable[str],
    handed_in: Iterable[int],
    *,
    required: Iterable[str] = (),
    omitted: Iterable[str] = (),
) -> list:
    """The components that must be handed in and were not, in order."""
    declared, given = set(declared), set(handed_in)
    required, omitted = list(required), list(omitted)
    return [
        c
        for c in components
        if needed(c, declared, required=required, omitted=omitted) and c.pk not in given
    ]


def authorization_components(components: Iterable) -> list:
    """The components that ARE the authorisation document ("Văn bản ủy quyền …", "Giấy ủy
    quyền …"): filing for a principal (the dossier's principal with its authorisation file)
    hands them in and declares their case; declaring their case means filing for one."""
    return [
        c
        for c in components
        if _words(c.name).startswith((" van ban uy quyen ", " giay uy quyen "))
    ]
