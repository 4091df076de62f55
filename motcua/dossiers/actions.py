"""The transitions a caller runs on an existing dossier, written once: per Action, the
service that performs it and the inputs it takes besides the dossier, the actor and the
expected version.

The API's endpoints (dossiers.api), the back office's forms (backoffice.actions) and the
citizen's actions on the portal (portal.views) are each a table keyed by these actions that
says only what is theirs (a URL and a schema, a form and its messages, a page's fields);
they all run a transition through `run`, so which service an action calls, and with what,
lives here. The states and actors an action allows are enums.TRANSITIONS.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from motcua.core.types import Actor

from . import services
from .enums import Action
from .models import Dossier


@dataclass(frozen=True)
class Call:
    service: Callable[..., Dossier]
    # The service's keyword arguments besides dossier_id, actor, expected_version and at.
    inputs: tuple[str, ...] = ()
    # Keywords the generic callers (the API, the back office) do not give: documents taken
    # from the applicant's store, which only a caller above motcua.store resolves for the
    # owner (store.selectors.resolve_reuse).
    from_store: tuple[str, ...] = ()


CALLS: dict[str, Call] = {
    Action.RECEIVE: Call(services.dossier_receive),
    Action.REFUSE: Call(services.dossier_refuse, ("reason",)),
    Action.FORWARD: Call(services.dossier_forward, ("note",)),
    Action.REQUEST_SUPPLEMENT: Call(
        services.dossier_request_supplement, ("reason", "missing_components")
    ),
    Action.SUPPLEMENT: Call(services.dossier_supplement, ("files", "note"), ("reused",)),
    Action.REQUEST_PAYMENT: Call(services.dossier_request_payment, ("amount_vnd", "reason")),
    Action.CONFIRM_PAYMENT: Call(
        services.dossier_confirm_payment, ("amount_vnd", "channel", "receipt_number")
    ),
    Action.REQUEST_WITHDRAWAL: Call(services.dossier_request_withdrawal, ("reason",)),
    Action.STOP: Call(services.dossier_stop, ("reason",)),
    Action.APOLOGIZE: Call(services.dossier_apologize, ("reason", "new_due_at")),
    Action.APPROVE: Call(services.dossier_approve, ("result_note",)),
    Action.ATTACH_RESULT: Call(services.dossier_attach_result, ("file",)),
    Action.RETURN_RESULT: Call(services.dossier_return_result, ("method",)),
    Action.RATE: Call(services.dossier_rate, ("rating", "criteria", "comment")),
}


def run(
    action: str,
    *,
    dossier_id: int,
    actor: Actor,
    expected_version: int | None,
    inputs: Mapping[str, Any],
) -> Dossier:
    """Run `action` on the dossier with the caller's parsed `inputs`; an input the action
    does not take is a programming error (TypeError), not something to drop quietly."""
    call = CALLS[action]
    extra = set(inputs) - set(call.inputs)
    if extra:
        raise TypeError(f"{action} takes no input {sorted(extra)}")
    return call.service(
        dossier_id=dossier_id, actor=actor, expected_version=expected_version, **inputs
    )
