from django.contrib import admin

from .auth import token_revoke
from .models import ApiToken


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Tokens are created with `motcua token create USERNAME`; the admin only lists and
    revokes them (the plaintext is never stored, so it cannot be shown here)."""

    list_display = (
        "prefix",
        "user",
        "name",
        "created_at",
        "last_used_at",
        "expires_at",
        "revoked",
    )
    list_filter = ("revoked", "expires_at")
    search_fields = ("prefix", "user__username", "name")
    readonly_fields = ("user", "prefix", "created_at", "last_used_at", "expires_at")
    fields = ("user", "name", "prefix", "created_at", "last_used_at", "expires_at", "revoked")
    list_select_related = ("user",)

    def has_add_permission(self, request) -> bool:
        return False

    def get_readonly_fields(self, request, obj=None):
        # A revoked token stays revoked: its owner makes a new one.
        if obj is not None and obj.revoked:
            return (*self.readonly_fields, "revoked")
        return self.readonly_fields

    def save_model(self, request, obj, form, change):
        if change and "revoked" in form.changed_data and obj.revoked:
            obj.revoked = False  # token_revoke sets it, and writes the security log
            super().save_model(request, obj, form, change)
            token_revoke(token=obj, reason="admin")
            return
        super().save_model(request, obj, form, change)
