from django.contrib import admin

from motcua.core.text import fold

from .models import (
    Component,
    FeeItem,
    Field,
    Procedure,
    ProcedureAgency,
    ProcedureVersion,
    ProcessStep,
)


@admin.register(Field)
class FieldAdmin(admin.ModelAdmin):
    list_display = ("code", "name")
    search_fields = ("code", "name")


class VersionInline(admin.TabularInline):
    model = ProcedureVersion
    fields = ("number", "effective_from", "effective_to", "online_level")
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True
    verbose_name = "phiên bản"
    verbose_name_plural = "các phiên bản"

    def has_add_permission(self, request, obj=None) -> bool:
        return False  # versions come from the import, which closes the previous one


class AgencyInline(admin.TabularInline):
    model = ProcedureAgency
    extra = 0
    autocomplete_fields = ("agency",)
    verbose_name = "cơ quan thực hiện"
    verbose_name_plural = "cơ quan thực hiện"


@admin.register(Procedure)
class ProcedureAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "field", "level", "active")
    list_filter = ("level", "active", "field")
    search_fields = ("code", "search_key")
    list_select_related = ("field",)
    inlines = (AgencyInline, VersionInline)

    def get_search_results(self, request, queryset, search_term):
        # search_key is accent-folded: fold the term the same way
        return super().get_search_results(request, queryset, fold(search_term) or search_term)


class ComponentInline(admin.TabularInline):
    model = Component
    extra = 0
    verbose_name = "thành phần hồ sơ"
    verbose_name_plural = "thành phần hồ sơ"


class FeeInline(admin.TabularInline):
    model = FeeItem
    extra = 0
    verbose_name = "phí, lệ phí"
    verbose_name_plural = "phí, lệ phí"


class StepInline(admin.TabularInline):
    model = ProcessStep
    extra = 0
    verbose_name = "bước quy trình nội bộ"
    verbose_name_plural = "quy trình nội bộ"


@admin.register(ProcedureVersion)
class ProcedureVersionAdmin(admin.ModelAdmin):
    list_display = ("procedure", "number", "effective_from", "effective_to", "online_level")
    list_filter = ("online_level", "time_limit_unit")
    search_fields = ("procedure__code", "procedure__search_key")
    list_select_related = ("procedure",)
    readonly_fields = ("procedure", "number")
    inlines = (ComponentInline, FeeInline, StepInline)


@admin.register(ProcedureAgency)
class ProcedureAgencyAdmin(admin.ModelAdmin):
    list_display = ("procedure", "agency", "role")
    list_filter = ("role",)
    list_select_related = ("procedure", "agency")
    autocomplete_fields = ("procedure", "agency")
