"""The security log's view of dossier access (motcua.core.seclog, docs/security.md).

- `staff_read`: a dossier, one of its files or one of its forms opened by anyone but its
  owner (an officer, a monitor, a superuser): who, when, which dossier (id and code), from
  where, through which view. A log line, not a database row: a read costs no write (the
  per-call figure is printed by bench/seclog.py). Lists (the inbox, search results, the
  API's /inbox and /mine) are not reads of a dossier: they show a row of summary fields,
  and logging every row of every page would drown the reads that matter; the dossier's
  page, its files, its forms and the API's GET of it are.
- `hidden_refusal`: a dossier that exists but that the caller may not see is answered
  with a 404, so that no one learns which dossiers exist; for the log it is a refusal
  (`permission_denied`, `status` 404, `hidden` true), as the issue's "permission
  refusals" asks: one citizen trying another's dossier ids is what the log is for.
"""

from __future__ import annotations

import logging
from typing import Any

from django.http import HttpRequest

from motcua.core.seclog import current_request, security_event
from motcua.core.types import Actor
from motcua.org.selectors import applicant_id

from .models import Dossier


def _view_name(request: HttpRequest | None) -> str | None:
    match = getattr(request, "resolver_match", None)
    return match.view_name if match is not None else None


def staff_read(request: HttpRequest, dossier: Dossier, *, what: str, **fields: Any) -> None:
    """Log that `request.user` read `dossier` (`what`: dossier, attachment, document), unless
    the reader is its owner. `fields`: the file's id, the form's kind."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return
    if dossier.owner_id is not None and applicant_id(user) == dossier.owner_id:
        return
    security_event(
        "dossier_read",
        request=request,
        user=user,
        dossier_id=dossier.pk,
        dossier_code=dossier.code,
        what=what,
        view=_view_name(request),
        **fields,
    )


def hidden_refusal(user: Actor, dossier: Dossier, **fields: Any) -> None:
    """Log a refusal answered as 404: `dossier` exists but `user` may not see it."""
    request = current_request.get()
    security_event(
        "permission_denied",
        request=request,
        user=user if user is not None and user.is_authenticated else None,
        level=logging.WARNING,
        status=404,
        hidden=True,
        code="dossier_not_visible",
        dossier_id=dossier.pk,
        view=_view_name(request),
        **fields,
    )
