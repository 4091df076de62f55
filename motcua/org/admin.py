from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin

from motcua.core.admin import AuditedAdminMixin

from .models import (
    AdministrativeUnit,
    Agency,
    Applicant,
    ApplicantIdentity,
    StaffRole,
    VerifiedAttribute,
)
from .names import person_name
from .services import (
    AGENCY_CHANGEABLE,
    agency_change,
    agency_create,
    applicant_attribute_verify,
    staff_assign_role,
    staff_otp_reset,
    staff_role_change,
)

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
    actions = ["reset_second_factor"]

    @admin.action(
        description="Đặt lại xác thực hai lớp (xóa ứng dụng xác thực và mã dự phòng)",
        permissions=["change"],
    )
    def reset_second_factor(self, request, queryset):
        """Each selected account's authenticator and recovery codes are deleted
        (`staff_otp_reset`: audited, logged); it enrols anew at its next login."""
        done = [
            u.get_username()
            for u in queryset
            if staff_otp_reset(user=u, actor=request.user, request=request)
        ]
        if done:
            self.message_user(
                request,
                f"Đã đặt lại xác thực hai lớp cho {len(done)} tài khoản: {', '.join(done)}. "
                "Lần đăng nhập tới họ sẽ đăng ký lại ứng dụng xác thực. "
                f"(Second factor reset for {len(done)} account(s).)",
            )
        else:
            self.message_user(
                request,
                "Không tài khoản nào được chọn có xác thực hai lớp để đặt lại. "
                "(None of the selected accounts had a second factor.)",
                level="warning",
            )


@admin.register(AdministrativeUnit)
class AdministrativeUnitAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "kind", "parent", "valid_from", "valid_to", "successor")
    list_filter = ("kind", "valid_from", "valid_to")
    search_fields = ("name", "code")
    raw_id_fields = ("parent", "successor")
    list_select_related = ("parent", "successor")
    ordering = ("code", "-valid_from")


class StaffRoleInline(admin.TabularInline):
    """Read only: a role is given, changed and withdrawn on its own page, through the
    audited services."""

    model = StaffRole
    extra = 0
    fields = ("user", "role", "title", "active", "valid_from", "valid_to")
    readonly_fields = fields
    can_delete = False
    show_change_link = True
    verbose_name = "cán bộ"
    verbose_name_plural = "cán bộ và vai trò"

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Agency)
class AgencyAdmin(AuditedAdminMixin, admin.ModelAdmin):
    """Saves through `agency_create` / `agency_change` (audited). An agency is closed (its
    `valid_to`), never deleted: dossiers and history point to it."""

    list_display = ("code", "name", "kind", "unit", "valid_from", "valid_to")
    list_filter = ("kind",)
    search_fields = ("code", "name", "short_name")
    raw_id_fields = ("unit", "parent", "successor")
    list_select_related = ("unit",)
    inlines = [StaffRoleInline]

    def get_readonly_fields(self, request, obj=None):
        # The code is the agency's identity; a new agency opens (closing is a change).
        return ("code",) if obj is not None else ("valid_to", "successor")

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        if change:
            changes = {f: data[f] for f in form.changed_data if f in AGENCY_CHANGEABLE}
            saved = agency_change(agency=obj, actor=request.user, **changes)
        else:
            saved = agency_create(
                code=data["code"],
                name=data["name"],
                kind=data["kind"],
                unit=data["unit"],
                parent=data.get("parent"),
                short_name=data.get("short_name") or "",
                address=data.get("address") or "",
                phone=data.get("phone") or "",
                valid_from=data.get("valid_from"),
                actor=request.user,
            )
        obj.pk = saved.pk
        obj.refresh_from_db()


@admin.register(StaffRole)
class StaffRoleAdmin(AuditedAdminMixin, admin.ModelAdmin):
    """Saves through `staff_assign_role` / `staff_role_change` (audited). A role is
    withdrawn (inactive), never deleted: the row is its history."""

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

    def get_readonly_fields(self, request, obj=None):
        return ("user", "agency", "role") if obj is not None else ()

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        if change:
            changes = {
                f: data[f]
                for f in form.changed_data
                if f in ("active", "title", "valid_from", "valid_to")
            }
            saved = staff_role_change(staff_role=obj, actor=request.user, **changes)
        else:
            saved = staff_assign_role(
                user=data["user"],
                agency=data["agency"],
                role=data["role"],
                title=data.get("title") or "",
                actor=request.user,
            )
            extra = {f: data[f] for f in ("valid_from", "valid_to") if data.get(f) is not None}
            if not data.get("active", True):
                extra["active"] = False
            if extra:
                saved = staff_role_change(staff_role=saved, actor=request.user, **extra)
        obj.pk = saved.pk
        obj.refresh_from_db()


class ApplicantIdentityInline(admin.TabularInline):
    """The identities proven by the national login: facts from the login, read only."""

    model = ApplicantIdentity
    extra = 0
    can_delete = False
    fields = ("issuer", "subject", "number", "acr", "verified_at", "last_login_at", "linked_local")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Applicant)
class ApplicantAdmin(admin.ModelAdmin):
    list_display = ("full_name", "kind", "identifier_display", "phone", "email")
    list_filter = ("kind",)
    search_fields = ("full_name", "personal_id", "tax_code", "user__username", "email")
    raw_id_fields = ("user",)
    list_select_related = ("user",)
    inlines = [ApplicantIdentityInline]

    def get_readonly_fields(self, request, obj=None):
        # A number the identity provider proved is not edited by hand.
        if obj is not None and obj.identities.exists():
            return ("kind", "personal_id", "tax_code", "user")
        return ()

    @admin.display(description="số định danh / mã số thuế")
    def identifier_display(self, obj):
        return obj.identifier


@admin.register(VerifiedAttribute)
class VerifiedAttributeAdmin(AuditedAdminMixin, admin.ModelAdmin):
    """An officer records an attribute of an applicant that was proven to them (the
    evidence is required), through `applicant_attribute_verify` (audited). The fee policies
    grant subject exemptions on it (catalog.fees). Those from the identity login are
    read-only here."""

    list_display = ("applicant", "name", "source", "verified_at", "verified_by", "valid_to")
    list_filter = ("name", "source")
    search_fields = ("applicant__full_name", "applicant__personal_id", "name")
    autocomplete_fields = ("applicant",)
    fields = ("applicant", "name", "evidence", "valid_to")

    def has_change_permission(self, request, obj=None) -> bool:
        return obj is None and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def save_model(self, request, obj, form, change):
        saved = applicant_attribute_verify(
            actor=request.user,
            applicant=form.cleaned_data["applicant"],
            name=form.cleaned_data["name"],
            source=VerifiedAttribute.Source.OFFICER,
            evidence=form.cleaned_data["evidence"],
            valid_to=form.cleaned_data["valid_to"],
        )
        obj.pk = saved.pk
