"""Templates are edited in the admin (checked by the sandbox on save); the message log and
the early warnings are read-only."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django import forms
from django.contrib import admin
from django.db.models import Model
from django.http import HttpRequest

from motcua.core.errors import DomainError

from . import rendering
from .models import EarlyWarning, Message, Preference, Template

if TYPE_CHECKING:
    _Admin = admin.ModelAdmin[Any]
else:
    _Admin = admin.ModelAdmin


class TemplateForm(forms.ModelForm):
    class Meta:
        model = Template
        fields = ("subject", "body")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for name in ("subject", "body"):
            try:
                rendering.check(data.get(name) or "", field=name)
            except DomainError as exc:
                self.add_error(name, f"{exc.message} / {exc.message_en}")
        return data


@admin.register(Template)
class TemplateAdmin(_Admin):
    form = TemplateForm
    list_display = ("event", "channel", "language", "subject", "updated_at")
    list_filter = ("event", "channel", "language")
    readonly_fields = ("event", "channel", "language", "help_text", "updated_at")
    fields = ("event", "channel", "language", "subject", "body", "help_text", "updated_at")

    @admin.display(description="Biến dùng được / Variables")
    def help_text(self, obj: Template | None) -> str:
        return (
            "{{ applicant_name }} {{ dossier_code }} {{ procedure_name }} {{ procedure_code }} "
            "{{ status }} {{ received_date }} {{ due_date }} {{ due_moment }} {{ fee_due }} "
            "{{ reason }} {{ agency_name }} {{ lookup_url }}"
        )

    def has_add_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False


class _ReadOnly(_Admin):
    def has_add_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False


@admin.register(Message)
class MessageAdmin(_ReadOnly):
    list_display = ("created_at", "event", "channel", "recipient", "status", "attempts", "dossier")
    list_filter = ("status", "channel", "event")
    search_fields = ("recipient", "dossier__code", "dedup_id")
    raw_id_fields = ("dossier", "user")


@admin.register(EarlyWarning)
class EarlyWarningAdmin(_ReadOnly):
    list_display = ("dossier", "due_at", "warn_at", "warned_at")
    raw_id_fields = ("dossier",)


@admin.register(Preference)
class PreferenceAdmin(_ReadOnly):
    list_display = ("user", "email", "sms", "zalo", "language", "updated_at")
    raw_id_fields = ("user",)
