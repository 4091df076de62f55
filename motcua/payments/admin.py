"""Payments in the admin are read-only: every change comes from the provider's verified
evidence or the counter officer's confirmation (motcua.payments.services)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib import admin
from django.db.models import Model
from django.http import HttpRequest

from .models import Payment, PaymentEvent, StatementLine

if TYPE_CHECKING:
    _Admin = admin.ModelAdmin[Any]
    _Inline = admin.TabularInline[Any, Any]
else:
    _Admin = admin.ModelAdmin
    _Inline = admin.TabularInline


class _ReadOnly:
    def has_add_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False


class EventInline(_ReadOnly, _Inline):
    model = PaymentEvent
    extra = 0
    fields = ("at", "kind", "verified", "outcome", "answer", "from_status", "to_status")
    readonly_fields = fields


@admin.register(Payment)
class PaymentAdmin(_ReadOnly, _Admin):
    list_display = (
        "reference",
        "dossier",
        "channel",
        "amount_vnd",
        "status",
        "verified_by",
        "created_at",
    )
    list_filter = ("status", "channel", "verified_by")
    search_fields = ("reference", "provider_txn_no", "dossier__code")
    inlines = [EventInline]


@admin.register(PaymentEvent)
class PaymentEventAdmin(_ReadOnly, _Admin):
    list_display = ("at", "reference", "kind", "verified", "outcome", "answer")
    list_filter = ("kind", "verified", "outcome")
    search_fields = ("reference",)


# ------------------------------------------------ receipts and refunds (read-only too:
# receipts are issued with the payment; refunds move through motcua.payments.services and
# the back office's refund page /mot-cua/hoan-tra/).

from .models import CollectingAccount, Receipt, Refund  # noqa: E402


@admin.register(Receipt)
class ReceiptAdmin(_ReadOnly, _Admin):
    list_display = ("series", "number", "template", "agency", "dossier", "amount_vnd", "issued_at")
    list_filter = ("template", "series", "year", "channel")
    search_fields = ("dossier__code", "payer_name", "payment__reference", "provider_txn_no")
    exclude = ("file", "xml_file")


@admin.register(CollectingAccount)
class CollectingAccountAdmin(_Admin):
    """Each collecting agency's account for transfers (VietQR): editable here; an agency
    without one collects on the settings' account (MOTCUA_VIETQR_*)."""

    list_display = ("agency", "bin", "account", "name", "active")
    list_filter = ("active",)
    search_fields = ("agency__code", "agency__name", "account")
    autocomplete_fields = ("agency",)


@admin.register(Refund)
class RefundAdmin(_ReadOnly, _Admin):
    list_display = ("payment", "dossier", "amount_vnd", "status", "method", "requested_at")
    list_filter = ("status", "method")
    search_fields = ("dossier__code", "payment__reference", "method_reference")


# The collecting account's statement lines (VietQR transfers): read-only here too; they are
# imported and matched in the back office (/can-bo/sao-ke/) through the services.
@admin.register(StatementLine)
class StatementLineAdmin(_ReadOnly, _Admin):
    list_display = ("booked_at", "bank_txn_id", "amount_vnd", "status", "reference", "payment")
    list_filter = ("status",)
    search_fields = ("bank_txn_id", "text", "reference")
