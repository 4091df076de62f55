from django.contrib import admin

from .models import DeclaredDay, WorkingHours


@admin.register(DeclaredDay)
class DeclaredDayAdmin(admin.ModelAdmin):
    list_display = ("date", "kind", "name", "created_by", "created_at")
    list_filter = ("kind",)
    search_fields = ("name",)
    date_hierarchy = "date"
    readonly_fields = ("created_by", "created_at", "updated_at")

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(WorkingHours)
class WorkingHoursAdmin(admin.ModelAdmin):
    list_display = ("agency", "morning_start", "morning_end", "afternoon_start", "afternoon_end")
    readonly_fields = ("updated_at",)
