from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.forms import ModelForm
from django.http import HttpRequest

from motcua.core.admin import AuditedAdminMixin

from .models import DeclaredDay, WorkingHours
from .services import (
    declared_day_delete,
    declared_day_set,
    working_hours_delete,
    working_hours_set,
)


@admin.register(DeclaredDay)
class DeclaredDayAdmin(AuditedAdminMixin, admin.ModelAdmin[DeclaredDay]):
    """Saves and deletes through `declared_day_set` / `declared_day_delete` (audited)."""

    list_display = ("date", "kind", "name", "created_by", "created_at")
    list_filter = ("kind",)
    search_fields = ("name",)
    date_hierarchy = "date"

    def get_readonly_fields(
        self, request: HttpRequest, obj: DeclaredDay | None = None
    ) -> tuple[str, ...]:
        # A declaration is keyed by its date: another date is another declaration.
        common = ("created_by", "created_at", "updated_at")
        return ("date", *common) if obj is not None else common

    def save_model(
        self, request: HttpRequest, obj: DeclaredDay, form: ModelForm[DeclaredDay], change: bool
    ) -> None:
        saved = declared_day_set(date=obj.date, kind=obj.kind, name=obj.name, actor=request.user)
        obj.pk = saved.pk
        obj.refresh_from_db()

    def delete_model(self, request: HttpRequest, obj: DeclaredDay) -> None:
        declared_day_delete(date=obj.date, actor=request.user)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[DeclaredDay]) -> None:
        for day in queryset.order_by("date"):
            declared_day_delete(date=day.date, actor=request.user)


@admin.register(WorkingHours)
class WorkingHoursAdmin(AuditedAdminMixin, admin.ModelAdmin[WorkingHours]):
    """Saves and deletes through `working_hours_set` / `working_hours_delete` (audited)."""

    list_display = ("agency", "morning_start", "morning_end", "afternoon_start", "afternoon_end")

    def get_readonly_fields(
        self, request: HttpRequest, obj: WorkingHours | None = None
    ) -> tuple[str, ...]:
        return ("agency", "updated_at") if obj is not None else ("updated_at",)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # The province default (no agency) is changed, never removed.
        return obj is None or obj.agency_id is not None

    def save_model(
        self,
        request: HttpRequest,
        obj: WorkingHours,
        form: ModelForm[WorkingHours],
        change: bool,
    ) -> None:
        saved = working_hours_set(
            agency=obj.agency,
            morning_start=obj.morning_start,
            morning_end=obj.morning_end,
            afternoon_start=obj.afternoon_start,
            afternoon_end=obj.afternoon_end,
            actor=request.user,
        )
        obj.pk = saved.pk
        obj.refresh_from_db()

    def delete_model(self, request: HttpRequest, obj: WorkingHours) -> None:
        if obj.agency is not None:
            working_hours_delete(agency=obj.agency, actor=request.user)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[WorkingHours]) -> None:
        for row in queryset.filter(agency__isnull=False).select_related("agency"):
            assert row.agency is not None
            working_hours_delete(agency=row.agency, actor=request.user)
