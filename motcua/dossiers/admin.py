"""Dossiers in the admin are read-only: every change goes through the services."""

from django.contrib import admin

from motcua.core.text import fold

from .models import Attachment, Dossier, DossierEvent, Handover, Pause


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
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
    fields = ("kind", "component", "original_name", "content_type", "size", "sha256")
    readonly_fields = fields


@admin.register(Dossier)
class DossierAdmin(admin.ModelAdmin):
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

    def get_search_results(self, request, queryset, search_term):
        # "nguyen van an" and "Nguyễn Văn An" find the same dossiers.
        return super().get_search_results(request, queryset, fold(search_term) or search_term)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
