from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin

from .models import AdministrativeUnit, Agency, Applicant, StaffRole
from .names import person_name

User = get_user_model()


@admin.display(description="họ và tên", ordering="last_name")
def full_name_vi(obj) -> str:
    """Họ, tên đệm, tên (motcua.org.names.person_name), not Django's first + last."""
    user = getattr(obj, "user", obj)
    return person_name(user)


if admin.site.is_registered(User):
    admin.site.unregister(User)


@admin.register(User)
class PersonUserAdmin(UserAdmin):
    list_display = ("username", full_name_vi, "email", "is_staff", "is_active")
    search_fields = ("username", "last_name", "first_name", "email")
    ordering = ("username",)


@admin.register(AdministrativeUnit)
class AdministrativeUnitAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "kind", "parent", "valid_from", "valid_to", "successor")
    list_filter = ("kind", "valid_from", "valid_to")
    search_fields = ("name", "code")
    raw_id_fields = ("parent", "successor")
    list_select_related = ("parent", "successor")
    ordering = ("code", "-valid_from")


class StaffRoleInline(admin.TabularInline):
    model = StaffRole
    extra = 0
    raw_id_fields = ("user",)
    fields = ("user", "role", "title", "active", "valid_from", "valid_to")
    verbose_name = "cán bộ"
    verbose_name_plural = "cán bộ và vai trò"


@admin.register(Agency)
class AgencyAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "kind", "unit", "valid_from", "valid_to")
    list_filter = ("kind",)
    search_fields = ("code", "name", "short_name")
    raw_id_fields = ("unit", "parent", "successor")
    list_select_related = ("unit",)
    inlines = [StaffRoleInline]


@admin.register(StaffRole)
class StaffRoleAdmin(admin.ModelAdmin):
    list_display = (
        "user",
        full_name_vi,
        "agency",
        "role",
        "title",
        "active",
        "valid_from",
        "valid_to",
    )
    list_filter = ("role", "active")
    search_fields = ("user__username", "agency__name", "agency__code", "title")
    raw_id_fields = ("user", "agency")
    list_select_related = ("user", "agency")


@admin.register(Applicant)
class ApplicantAdmin(admin.ModelAdmin):
    list_display = ("full_name", "kind", "identifier_display", "phone", "email")
    list_filter = ("kind",)
    search_fields = ("full_name", "personal_id", "tax_code", "user__username", "email")
    raw_id_fields = ("user",)
    list_select_related = ("user",)

    @admin.display(description="số định danh / mã số thuế")
    def identifier_display(self, obj):
        return obj.identifier
