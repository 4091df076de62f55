from django.contrib import admin

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
