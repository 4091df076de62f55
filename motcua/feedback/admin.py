from django.contrib import admin

from .models import Feedback, FeedbackEvent


class EventInline(admin.TabularInline):
    model = FeedbackEvent
    extra = 0
    can_delete = False
    fields = ("at", "action", "from_status", "to_status", "actor", "data")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Feedback)
class FeedbackAdmin(admin.ModelAdmin):
    """Read-only: every change goes through feedback.services (pages and API)."""

    list_display = ("__str__", "subject", "kind", "topic", "intake_agency", "agency", "status")
    list_filter = ("status", "subject", "kind", "topic")
    date_hierarchy = "received_at"
    inlines = [EventInline]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
