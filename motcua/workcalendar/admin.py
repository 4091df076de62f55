from django import forms
from django.contrib import admin
from django.http import HttpRequest

from motcua.core.types import actor_user

from .models import DeclaredDay, WorkingHours


@admin.register(DeclaredDay)
class DeclaredDayAdmin(admin.ModelAdmin[DeclaredDay]):
    list_display = ("date", "kind", "name", "created_by", "created_at")
    list_filter = ("kind",)
    search_fields = ("name",)
    date_hierarchy = "date"
    readonly_fields = ("created_by", "created_at", "updated_at")

    def save_model(
        self,
        request: HttpRequest,
        obj: DeclaredDay,
        form: forms.ModelForm[DeclaredDay],
        change: bool,
    ) -> None:
        if not change:
            obj.created_by = actor_user(request.user)
        super().save_model(request, obj, form, change)


@admin.register(WorkingHours)
class WorkingHoursAdmin(admin.ModelAdmin[WorkingHours]):
    list_display = ("agency", "morning_start", "morning_end", "afternoon_start", "afternoon_end")
    readonly_fields = ("updated_at",)
