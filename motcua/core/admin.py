"""The audit trail in the admin ("Nhật ký thay đổi"), read only, and the mixin that the
admin pages of audited models use: their "Lịch sử" button opens the trail of the object,
and a refusal of the service they call is shown as a message rather than a server error."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlencode

from django.apps import apps
from django.contrib import admin, messages
from django.db.models import Model, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.html import format_html

from .errors import DomainError
from .models import AuditEntry


def history_url(obj: Model) -> str:
    """The admin list of the audit entries about `obj`."""
    query = urlencode({"object_type": obj._meta.label_lower, "object_id": str(obj.pk)})
    return f"{reverse('admin:core_auditentry_changelist')}?{query}"


def _type_label(label: str) -> str:
    try:
        return str(apps.get_model(label)._meta.verbose_name)
    except (LookupError, ValueError):
        return label


class ObjectTypeFilter(admin.SimpleListFilter):
    title = "loại đối tượng"
    parameter_name = "object_type"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        types = AuditEntry.objects.order_by().values_list("object_type", flat=True).distinct()
        return sorted(((t, _type_label(t)) for t in types), key=lambda x: x[1])

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        if self.value():
            return queryset.filter(object_type=self.value())
        return queryset


def _pretty(data: Any) -> str:
    if data is None:
        return "—"
    text = json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True)
    # Styled by motcua/admin.css (AuditEntryAdmin.Media): the CSP allows no inline style.
    return format_html('<pre class="audit-json">{}</pre>', text)


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin[AuditEntry]):
    """Append-only: listed and shown, never added, changed or deleted here."""

    list_display = ("at", "actor_label", "action", "operation", "type_label", "object_label")
    list_filter = (
        ObjectTypeFilter,
        "action",
        "operation",
        ("actor", admin.RelatedOnlyFieldListFilter),
    )
    search_fields = ("object_label", "actor_label", "reason")
    date_hierarchy = "at"
    list_select_related = ("actor",)
    fields = (
        "at",
        "actor",
        "actor_label",
        "action",
        "operation",
        "type_label",
        "object_id",
        "object_label",
        "before_pretty",
        "after_pretty",
        "reason",
        "request_id",
    )
    readonly_fields = fields

    class Media:
        css = {"all": ["motcua/admin.css"]}

    @admin.display(description="loại đối tượng", ordering="object_type")
    def type_label(self, obj: AuditEntry) -> str:
        return _type_label(obj.object_type)

    @admin.display(description="trước")
    def before_pretty(self, obj: AuditEntry) -> str:
        return _pretty(obj.before)

    @admin.display(description="sau")
    def after_pretty(self, obj: AuditEntry) -> str:
        return _pretty(obj.after)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class AuditedAdminMixin:
    """For the admin of a model whose changes go through audited services.

    - "Lịch sử" (the admin's history button) opens this object's audit entries;
    - a `DomainError` raised by the service that `save_model` / `delete_model` calls rolls
      the whole save back (the admin's view is atomic) and comes back as an error message
      on the same page.
    """

    def history_view(
        self, request: HttpRequest, object_id: str, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        model = self.model  # type: ignore[attr-defined]
        query = urlencode({"object_type": model._meta.label_lower, "object_id": object_id})
        return HttpResponseRedirect(f"{reverse('admin:core_auditentry_changelist')}?{query}")

    def changeform_view(
        self,
        request: HttpRequest,
        object_id: str | None = None,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        try:
            return super().changeform_view(  # type: ignore[misc, no-any-return]
                request, object_id, form_url, extra_context
            )
        except DomainError as exc:
            return self._refused(request, exc)

    def delete_view(
        self, request: HttpRequest, object_id: str, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        try:
            return super().delete_view(  # type: ignore[misc, no-any-return]
                request, object_id, extra_context
            )
        except DomainError as exc:
            return self._refused(request, exc)

    def _refused(self, request: HttpRequest, exc: DomainError) -> HttpResponse:
        where = f" [{exc.field}]" if exc.field else ""
        messages.error(request, f"{exc.message}{where} ({exc.code})")
        return HttpResponseRedirect(request.get_full_path())
