"""Writes on dossiers: every transition of the one-stop lifecycle, one module per phase.

Each service is one transaction: it locks the dossier row (SELECT … FOR UPDATE OF the row,
a precompiled statement of motcua.core.rows: docs/adr/0003), checks the state against the
one TRANSITIONS table and the actor against motcua.dossiers.access, changes the row, and
appends one DossierEvent. That opening and closing is written once (`_base.transition`);
the status a transition leads to is the table's (enums.status_after), never set by hand.
Illegal transitions raise IllegalTransition (409) and change nothing; a stale
`expected_version` raises Conflict.

    submission  submit online (with the idempotency key), intake at the counter or by post
    receipt     receive, refuse
    processing  forward through the process steps, approve
    supplement  request a supplement, supplement
    payment     request the financial obligation, confirm the payment
    result      attach the electronic result, return the result
    withdrawal  request withdrawal, stop
    apology     apologize with a new date, rate

Legal sources: Decree 61/2018 and Circular 01/2018/TT-VPCP (dossiers received before
01/07/2025), Decree 118/2025 and Circular 03/2025/TT-VPCP (after). The rules the texts
available to us do not settle (how many supplement requests, how many re-appointments) are
settings, with the 2018 practice as default: see docs/rules.md.
"""

from __future__ import annotations

from ._base import (
    Transition,
    _book_number,
    _check_state,
    _event,
    _lock,
    _now,
    lock_for_transition,
    transition,
)
from ._clock import _close_step, _end_pause, _open_step, _pause_data
from ._files import MAX_PAPERS, Counts, Files
from ._offer import by_code
from .apology import dossier_apologize, dossier_rate
from .payment import (
    PAYMENT_PAUSE_REASON,
    dossier_confirm_payment,
    dossier_request_payment,
    dossier_settle_payment,
)
from .processing import dossier_approve, dossier_forward
from .receipt import dossier_receive, dossier_refuse
from .result import dossier_attach_result, dossier_attach_signed_result, dossier_return_result
from .submission import SECRET_ALPHABET, dossier_intake, dossier_submit, submission_for_key
from .supplement import dossier_request_supplement, dossier_supplement
from .withdrawal import dossier_request_withdrawal, dossier_stop

__all__ = [
    "by_code",
    "MAX_PAPERS",
    "PAYMENT_PAUSE_REASON",
    "SECRET_ALPHABET",
    "Counts",
    "Files",
    "Transition",
    "_book_number",
    "_check_state",
    "_close_step",
    "_end_pause",
    "_event",
    "_lock",
    "_now",
    "lock_for_transition",
    "_open_step",
    "_pause_data",
    "dossier_apologize",
    "dossier_approve",
    "dossier_attach_result",
    "dossier_attach_signed_result",
    "dossier_confirm_payment",
    "dossier_forward",
    "dossier_intake",
    "dossier_rate",
    "dossier_receive",
    "dossier_refuse",
    "dossier_request_payment",
    "dossier_request_supplement",
    "dossier_request_withdrawal",
    "dossier_return_result",
    "dossier_settle_payment",
    "dossier_stop",
    "dossier_submit",
    "dossier_supplement",
    "submission_for_key",
    "transition",
]
