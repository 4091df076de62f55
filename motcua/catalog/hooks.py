"""Listeners of catalog changes, for the apps above the catalog (which it may not import).

`version_created(fn)`: fn(version=..., actor=...) runs inside the transaction that created
a procedure version (the importer, through `services.version_record_created`), once its
components, limits and steps are written. The electronic forms use it so that a procedure's
new version keeps its form (motcua.eforms.services.procedure_form_follow). Apps register in
their AppConfig.ready().
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

Listener = Callable[..., Any]
_VERSION_CREATED: list[Listener] = []


def version_created(fn: Listener) -> Listener:
    if fn not in _VERSION_CREATED:
        _VERSION_CREATED.append(fn)
    return fn


def dispatch_version_created(*, version: Any, actor: Any) -> None:
    for fn in _VERSION_CREATED:
        fn(version=version, actor=actor)
