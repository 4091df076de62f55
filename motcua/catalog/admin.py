from django import forms
from django.contrib import admin, messages
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join

from motcua.core.admin import AuditedAdminMixin
from motcua.core.errors import DomainError
from motcua.core.text import fold

from . import limits
from .enums import Channel, TimeUnit
from .fee_services import (
    FEE_ITEM_CHANGEABLE,
    FEE_POLICY_FIELDS,
    fee_item_change,
    fee_policy_save,
)
from .fees import fee_item_problems
from .models import (
    Component,
    FeeItem,
    FeePolicy,
    Field,
    LinkedMember,
    LinkedProcedure,
    Procedure,
    ProcedureAgency,
    ProcedureTimeLimit,
    ProcedureVersion,
    ProcessStep,
)
from .services import (
    VERSION_CHANGEABLE,
    linked_chain_delete,
    linked_chain_record,
    linked_chain_snapshot,
    process_set_steps,
    time_limit_set,
    version_change,
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


class _RecordInline(admin.TabularInline):
    """Read only: a version's components and fees are its published record; a changed
    record is a new version (the import), never an edit in place."""

    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


class ComponentInline(_RecordInline):
    model = Component
    verbose_name = "thành phần hồ sơ"
    verbose_name_plural = "thành phần hồ sơ"


class FeeInline(_RecordInline):
    """Listed here; changed on its own page (the change link), through `fee_item_change`."""

    model = FeeItem
    fields = ("name", "kind", "computation", "amount_vnd", "channels", "legal_basis_number")
    readonly_fields = fields
    show_change_link = True
    verbose_name = "phí, lệ phí"
    verbose_name_plural = "phí, lệ phí"


class StepInline(admin.TabularInline):
    """Edited here, saved through `process_set_steps` (checked against the limit, audited):
    see `ProcedureVersionAdmin.save_formset`."""

    model = ProcessStep
    extra = 0
    verbose_name = "bước quy trình nội bộ"
    verbose_name_plural = "quy trình nội bộ"


class TimeLimitInline(admin.TabularInline):
    """Read only: a limit changes through `time_limit_set` (the "Đặt thời hạn" page), which
    checks it and writes the audit entry."""

    model = ProcedureTimeLimit
    fields = ("channel", "value", "unit", "cutoff")
    readonly_fields = fields
    extra = 0
    can_delete = False
    verbose_name = "thời hạn giải quyết"
    verbose_name_plural = "thời hạn giải quyết theo cách thức thực hiện"

    def has_add_permission(self, request, obj=None) -> bool:
        return False


class MissingLimitFilter(admin.SimpleListFilter):
    title = "thời hạn giải quyết"
    parameter_name = "thoi_han"

    def lookups(self, request, model_admin):
        return [("thieu", "Chưa có thời hạn"), ("co", "Đã có thời hạn")]

    def queryset(self, request, queryset):
        if self.value() == "thieu":
            return queryset.filter(time_limits__isnull=True)
        if self.value() == "co":
            return queryset.filter(time_limits__isnull=False).distinct()
        return queryset


class TimeLimitForm(forms.Form):
    channel = forms.ChoiceField(
        label="Cách thức thực hiện",
        choices=[("all", "Tất cả cách thức")] + [(str(c.value), c.label) for c in Channel],
    )
    unit = forms.ChoiceField(label="Đơn vị", choices=TimeUnit.choices)
    value = forms.CharField(
        label="Thời hạn", required=False, help_text="Để trống với thời hạn 'trong ngày'."
    )
    cutoff = forms.CharField(
        label="Giờ chốt (trong ngày)",
        required=False,
        help_text="Tiếp nhận sau giờ này: ngày làm việc tiếp theo. Mặc định 15:00.",
    )
    source = forms.CharField(
        label="Căn cứ pháp lý",
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Ví dụ: Nghị định 23/2015/NĐ-CP, Điều 7.",
    )


@admin.register(ProcedureVersion)
class ProcedureVersionAdmin(AuditedAdminMixin, admin.ModelAdmin):
    """Saves through `version_change` (the fields of `VERSION_CHANGEABLE`) and
    `process_set_steps` (the steps), both audited; limits through `time_limit_set`."""

    list_display = (
        "procedure",
        "number",
        "effective_from",
        "effective_to",
        "online_level",
        "time_limit_labels",
    )
    list_filter = ("online_level", MissingLimitFilter)
    search_fields = ("procedure__code", "procedure__search_key")
    list_select_related = ("procedure",)
    readonly_fields = ("procedure", "number", "time_limit_labels", "set_limit_link")
    exclude = ()
    inlines = (TimeLimitInline, ComponentInline, FeeInline, StepInline)

    def has_add_permission(self, request) -> bool:
        return False  # versions come from the import

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # dossiers and the trail point to them

    def get_readonly_fields(self, request, obj=None):
        record_fields = [
            f.name
            for f in self.model._meta.concrete_fields
            if f.editable
            and not f.primary_key
            and f.name not in VERSION_CHANGEABLE
            and f.name not in self.readonly_fields
        ]
        return (*self.readonly_fields, *record_fields)

    def save_model(self, request, obj, form, change):
        changes = {f: form.cleaned_data[f] for f in form.changed_data if f in VERSION_CHANGEABLE}
        if changes:
            version_change(version=obj, actor=request.user, **changes)
        obj.refresh_from_db()

    def save_formset(self, request, form, formset, change):
        if formset.model is not ProcessStep:
            formset.save()
            return
        # The admin's change message reads these; the audit trail holds the real change.
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        if not formset.has_changed():
            return
        kept = [
            f.cleaned_data
            for f in formset.forms
            if f.cleaned_data and not f.cleaned_data.get("DELETE")
        ]
        kept.sort(key=lambda d: d.get("order") or 0)
        steps = [
            {k: d.get(k) for k in ("name", "role", "agency_role", "duration_hours")} for d in kept
        ]
        process_set_steps(version=form.instance, steps=steps, actor=request.user)

    @admin.display(description="thời hạn giải quyết")
    def time_limit_labels(self, obj):
        return format_html_join(
            "",
            "<div>{}: {}</div>",
            ((c.label, limits.limit_label(obj, c)) for c in Channel),
        )

    @admin.display(description="đặt thời hạn")
    def set_limit_link(self, obj):
        if obj.pk is None:
            return "—"
        url = reverse("admin:catalog_procedureversion_set_limit", args=[obj.pk])
        return format_html('<a href="{}">Đặt thời hạn giải quyết</a>', url)

    def get_urls(self):
        return [
            path(
                "<int:pk>/thoi-han/",
                self.admin_site.admin_view(self.set_limit_view),
                name="catalog_procedureversion_set_limit",
            ),
            *super().get_urls(),
        ]

    def set_limit_view(self, request, pk: int):
        """The admin's way to set a limit: the same `time_limit_set` as the command."""
        version = get_object_or_404(ProcedureVersion.objects.select_related("procedure"), pk=pk)
        if not self.has_change_permission(request, version):
            return redirect("admin:index")
        form = TimeLimitForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            channel = data["channel"]
            try:
                time_limit_set(
                    version=version,
                    channels=None if channel == "all" else [int(channel)],
                    value=data["value"] or None,
                    unit=data["unit"],
                    cutoff=data["cutoff"] or None,
                    source=data["source"],
                    actor=request.user,
                )
            except DomainError as exc:
                field = exc.field if exc.field in form.fields else None
                form.add_error(field, f"{exc.message} ({exc.code})")
            else:
                messages.success(request, "Đã cập nhật thời hạn giải quyết.")
                return redirect("admin:catalog_procedureversion_change", version.pk)
        context = {
            **self.admin_site.each_context(request),
            "title": f"Đặt thời hạn giải quyết — {version}",
            "version": version,
            "form": form,
            "labels": [(c.label, limits.limit_label(version, c)) for c in Channel],
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/catalog/set_time_limit.html", context)


@admin.register(ProcedureAgency)
class ProcedureAgencyAdmin(admin.ModelAdmin):
    list_display = ("procedure", "agency", "role")
    list_filter = ("role",)
    list_select_related = ("procedure", "agency")
    autocomplete_fields = ("procedure", "agency")


class LinkedMemberInline(admin.TabularInline):
    model = LinkedMember
    extra = 0
    autocomplete_fields = ("procedure",)
    fields = (
        "order",
        "procedure",
        "agency_kind",
        "start",
        "data_keys",
        "takes_previous_result",
        "result_component",
    )


@admin.register(LinkedProcedure)
class LinkedProcedureAdmin(AuditedAdminMixin, admin.ModelAdmin):
    """The chain of a linked procedure (liên thông), edited with its members in order
    (docs/linked.md). Every edit, the members' included, is written to the audit trail
    (`linked_chain_record`: the chain before → after, in the view's transaction)."""

    list_display = ("procedure", "active", "confidence")
    list_select_related = ("procedure",)
    autocomplete_fields = ("procedure",)
    inlines = (LinkedMemberInline,)

    def save_model(self, request, obj, form, change):
        # The chain as stored, locked, before the form's changes to it and its members.
        request._linked_before = linked_chain_snapshot(obj.pk if change else None)
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        linked_chain_record(
            linked=form.instance,
            before=getattr(request, "_linked_before", None),
            actor=request.user,
        )

    def delete_model(self, request, obj):
        linked_chain_delete(linked=obj, actor=request.user)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            linked_chain_delete(linked=obj, actor=request.user)


class FeeItemForm(forms.ModelForm):
    """Checks the item as the import does (a service refusal past this comes back as a
    message: AuditedAdminMixin)."""

    class Meta:
        model = FeeItem
        fields = FEE_ITEM_CHANGEABLE

    def clean(self):
        data = super().clean()
        probe = {k: data.get(k, getattr(self.instance, k)) for k in FEE_ITEM_CHANGEABLE}
        for k in ("unit", "answer_key", "multiplier_key", "legal_basis_number", "legal_basis_text"):
            probe[k] = probe[k] or ""
        for k in ("bands", "channels"):
            probe[k] = probe[k] or []
        for field, vi, _en in fee_item_problems(probe):
            field = field.split("[", 1)[0]
            self.add_error(field if field in self.fields else None, vi)
        return data


@admin.register(FeeItem)
class FeeItemAdmin(AuditedAdminMixin, admin.ModelAdmin):
    """A fee item's computation and legal basis, saved through `fee_item_change` (checked as
    the import checks it, audited). Its name and note are the record's wording."""

    form = FeeItemForm
    list_display = ("name", "version", "kind", "computation", "amount_vnd")
    list_filter = ("kind", "computation")
    search_fields = ("name", "version__procedure__code")
    list_select_related = ("version__procedure",)
    readonly_fields = ("version", "name", "note")
    fieldsets = (
        (None, {"fields": ("version", "name", "note")}),
        ("Loại và căn cứ", {"fields": ("kind", "legal_basis_number", "legal_basis_text")}),
        (
            "Cách tính",
            {
                "fields": (
                    "computation",
                    "amount_vnd",
                    "unit",
                    "answer_key",
                    "multiplier_key",
                    "bands",
                    "minimum_vnd",
                    "maximum_vnd",
                    "channels",
                )
            },
        ),
    )

    def has_add_permission(self, request) -> bool:
        return False  # items come with their version (the import)

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def save_model(self, request, obj, form, change):
        changes = {f: form.cleaned_data[f] for f in form.changed_data if f in FEE_ITEM_CHANGEABLE}
        for k in ("unit", "answer_key", "multiplier_key", "legal_basis_number", "legal_basis_text"):
            if k in changes and changes[k] is None:
                changes[k] = ""
        # The form sets obj's fields; the row as stored says what really changes.
        stored = FeeItem.objects.get(pk=obj.pk)
        changes = {f: v for f, v in changes.items() if getattr(stored, f) != v}
        if changes:
            fee_item_change(item=obj, actor=request.user, **changes)
        obj.refresh_from_db()


class FeePolicyForm(forms.ModelForm):
    source_url = forms.URLField(
        label="Nguồn", required=False, max_length=500, assume_scheme="https"
    )

    class Meta:
        model = FeePolicy
        fields = FEE_POLICY_FIELDS


@admin.register(FeePolicy)
class FeePolicyAdmin(AuditedAdminMixin, admin.ModelAdmin):
    """Fee policies (miễn, giảm phí), saved through `fee_policy_save` (checked, audited).
    Never deleted: a policy that no longer applies ends (valid_to) or is switched off."""

    form = FeePolicyForm
    list_display = ("name", "effect", "percent", "valid_from", "valid_to", "confidence", "active")
    list_filter = ("effect", "confidence", "active", "scope")
    search_fields = ("code", "name", "legal_basis_number")
    fieldsets = (
        (None, {"fields": ("code", "name", "active")}),
        (
            "Căn cứ pháp lý",
            {"fields": ("legal_basis_number", "legal_basis_text", "confidence", "source_url")},
        ),
        ("Hiệu lực", {"fields": ("valid_from", "valid_to")}),
        ("Phạm vi", {"fields": ("scope", "procedure_codes", "fee_kind")}),
        ("Tác động", {"fields": ("effect", "percent", "rounding")}),
        ("Đối tượng và cách chứng minh", {"fields": ("subject", "proof_kind", "proof_key")}),
        (None, {"fields": ("note",)}),
    )

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def save_model(self, request, obj, form, change):
        fee_policy_save(policy=obj, actor=request.user)
