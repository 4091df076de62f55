"""Writes on payments: the only code that changes a Payment.

Every write is one transaction that locks the dossier row, then the payment row (always in
that order), checks the state, changes it and appends a PaymentEvent. A payment becomes
paid only from the provider's verified evidence: a signed IPN (`payment_ipn`) or a signed
query answer (`payment_query`); the browser's return (`payment_return`) only shows what
the server knows and may trigger a query. When the evidence says paid and the dossier waits
for this obligation, the dossier moves 6 → 4 in the same transaction through
motcua.dossiers.services.dossier_settle_payment (the one rule for every channel).

Duplicates and races: the row locks serialize every message about one dossier; the second
of two identical IPNs finds the payment paid and answers 02; the database's partial unique
index (one paid payment per obligation) is the last guard.
"""

from ._common import (
    GatewayNotConfigured,
    amount_outstanding,
    current_obligation,
    gateway_config,
    gateway_origin,
    log,
)
from .counter import counter_payment
from .evidence import payment_ipn, payment_query, payment_return, payments_query_pending
from .national import (  # the national portal's payment platform (channel national_platform)
    national_callback,
    national_configured,
    national_origin,
    national_payment_start,
    national_query,
    national_return,
)

# Receipts and refunds (docs/payments.md "Biên lai điện tử", "Hoàn trả").
from .receipts import (  # noqa: E402
    issue_receipt,
    receipt_mail,
    receipt_series_for,
    receipts_for_dossier,
    receipts_unmailed,
)
from .reconcile import (  # reconciliation (đối soát): a day against the settlement file
    ReconciliationNotConfigured,
    reconcile,
    reconcile_configured,
    reconcile_national,
    reconciliation_resolve,
)
from .refunds import (  # noqa: E402
    refund_on_dossier_end,
    refund_reconcile,
    refund_record,
    refund_request,
    refund_via_gateway,
)
from .start import Started, payment_start

# Bank transfer by VietQR and the statement (vietqr-statements work).
from .transfer import (
    Imported,
    TransferNotConfigured,
    can_match,
    dossier_account,
    matchable_accounts,
    pending_transfer,
    statement_import,
    statement_match,
    statement_queue,
    statement_totals,
    transfer_account,
    transfer_for_request,
    transfer_payload,
    vietqr_payment,
)

__all__ = [
    "GatewayNotConfigured",
    "Started",
    "amount_outstanding",
    "counter_payment",
    "current_obligation",
    "gateway_config",
    "gateway_origin",
    "log",
    "payment_ipn",
    "payment_query",
    "payment_return",
    "payment_start",
    "payments_query_pending",
    # the national platform
    "national_callback",
    "national_configured",
    "national_origin",
    "national_payment_start",
    "national_query",
    "national_return",
    # reconciliation
    "ReconciliationNotConfigured",
    "reconcile",
    "reconcile_configured",
    "reconcile_national",
    "reconciliation_resolve",
    "issue_receipt",
    "receipt_series_for",
    "receipt_mail",
    "receipts_unmailed",
    "receipts_for_dossier",
    "refund_on_dossier_end",
    "refund_reconcile",
    "refund_record",
    "refund_request",
    "refund_via_gateway",
    # VietQR and the statement
    "Imported",
    "TransferNotConfigured",
    "can_match",
    "dossier_account",
    "matchable_accounts",
    "pending_transfer",
    "statement_import",
    "statement_match",
    "statement_queue",
    "statement_totals",
    "transfer_account",
    "transfer_for_request",
    "transfer_payload",
    "vietqr_payment",
]
