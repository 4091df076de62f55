"""Dossiers in the admin are read-only: every change goes through the services."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib import admin
from django.db.models import Model, QuerySet
from django.http import HttpRequest

from motcua.core.text import fold

from .models import Attachment, Dossier, DossierEvent, Handover, Pause

if TYPE_CHECKING:  # the admin's classes are generic to the type checker only
    _Inline = admin.TabularInline[Any, Any]
    _Admin = admin.ModelAdmin[Dossier]
else:
    _Inline = admin.TabularInline
    _Admin = admin.ModelAdmin


class ReadOnlyInline(_Inline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False


class EventInline(ReadOnlyInline):
    model = DossierEvent
    fields = ("seq", "action", "at", "actor", "actor_role", "from_status", "to_status", "reason")
    readonly_fields = fields


class HandoverInline(ReadOnlyInline):
    model = Handover
    fields = ("step", "agency", "started_at", "due_at", "finished_at", "finished_by", "outcome")
    readonly_fields = fields


class PauseInline(ReadOnlyInline):
    model = Pause
    fields = ("started_at", "ended_at", "reason", "working_seconds")
    readonly_fields = fields


class AttachmentInline(ReadOnlyInline):
    model = Attachment
    fields = (
        "kind",
        "component",
        "original_name",
        "content_type",
        "size",
        "sha256",
        "scanned_at",
        "scan_engine",
    )
    readonly_fields = fields


@admin.register(Dossier)
class DossierAdmin(_Admin):
    list_display = (
        "code",
        "procedure",
        "applicant_name",
        "status",
        "channel",
        "receiving_agency",
        "received_at",
        "due_at",
    )
    list_filter = ("status", "channel", "receiving_agency")
    # search_key: the applicant's name, procedure code and name, accent-folded (ADR 0002).
    search_fields = ("code", "search_key")
    list_select_related = ("procedure", "receiving_agency")
    inlines = [EventInline, HandoverInline, PauseInline, AttachmentInline]
    show_full_result_count = False

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[Dossier], search_term: str
    ) -> tuple[QuerySet[Dossier], bool]:
        # "nguyen van an" and "Nguyễn Văn An" find the same dossiers.
        return super().get_search_results(request, queryset, fold(search_term) or search_term)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Dossier | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Dossier | None = None) -> bool:
        return False
