"""Admin of the electronic forms: a definition is edited as JSON, checked in full
(definitions.definition_errors, every problem listed), and saving makes a new version
(services.definition_save): a stored version is never altered. Each version has a
preview page rendering the form as applicants see it."""

from __future__ import annotations

import json

from django import forms
from django.contrib import admin, messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import path, reverse
from django.utils.html import format_html

from .answers import read_post, validate
from .definitions import definition_errors
from .models import DossierForm, FormDefinition, ProcedureForm
from .render import form_context, group_action, remove_item
from .services import definition_save


class DefinitionForm(forms.ModelForm):
    document_text = forms.CharField(
        label="Định nghĩa (JSON) / Definition (JSON)",
        widget=forms.Textarea(attrs={"rows": 30, "cols": 100, "spellcheck": "false"}),
        help_text="Lưu sẽ tạo phiên bản mới; dữ liệu đã nộp giữ nguyên phiên bản cũ. / "
        "Saving makes a new version; submitted data keeps its version.",
    )

    class Meta:
        model = FormDefinition
        fields: list[str] = []

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["document_text"].initial = json.dumps(
                self.instance.document, ensure_ascii=False, indent=2
            )

    def clean_document_text(self):
        try:
            document = json.loads(self.cleaned_data["document_text"])
        except json.JSONDecodeError as exc:
            raise forms.ValidationError(f"JSON không hợp lệ / invalid JSON: {exc}") from None
        errors = definition_errors(document)
        if errors:
            raise forms.ValidationError(errors)
        return document


@admin.register(FormDefinition)
class FormDefinitionAdmin(admin.ModelAdmin):
    form = DefinitionForm
    list_display = ("key", "version", "title", "published", "created_at", "preview_link")
    list_filter = ("published",)
    search_fields = ("key",)
    readonly_fields = ("key", "version", "sha256", "published", "created_at", "created_by")

    def get_readonly_fields(self, request, obj=None):
        return self.readonly_fields if obj else ()

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="xem trước / preview")
    def preview_link(self, obj):
        return format_html(
            '<a href="{}">xem trước</a>',
            reverse("admin:eforms_formdefinition_preview", args=[obj.pk]),
        )

    def save_model(self, request, obj, form, change):
        row, created = definition_save(
            actor=request.user, document=form.cleaned_data["document_text"]
        )
        obj.pk = row.pk
        obj.__dict__.update({k: v for k, v in row.__dict__.items() if not k.startswith("_")})
        if not created:
            messages.info(request, "Định nghĩa không thay đổi: không tạo phiên bản mới.")
        else:
            messages.success(request, f"Đã tạo phiên bản {row.version} của «{row.key}».")

    def get_urls(self):
        return [
            path(
                "<int:pk>/preview/",
                self.admin_site.admin_view(self.preview),
                name="eforms_formdefinition_preview",
            ),
            *super().get_urls(),
        ]

    def preview(self, request: HttpRequest, pk: int) -> HttpResponse:
        """The form as applicants see it; posting validates it (nothing is stored)."""
        row = get_object_or_404(FormDefinition, pk=pk)
        document = row.document
        answers: dict = {}
        errors: list = []
        counts = None
        if request.method == "POST":
            answers = read_post(document, request.POST)
            counts, pressed = group_action(document, request.POST)
            if pressed:
                remove_item(answers, request.POST)
                counts = None if request.POST.get("eform_remove") else counts
            elif not request.POST.get("eform_refresh"):
                result = validate(document, answers)
                errors = result.errors
                if result.ok:
                    messages.success(request, "Tờ khai hợp lệ / The form is valid.")
        context = {
            **self.admin_site.each_context(request),
            "title": f"Xem trước: {row}",
            "definition": row,
            **form_context(document, answers, errors=errors, counts=counts),
        }
        return render(request, "eforms/preview.html", context, status=400 if errors else 200)


@admin.register(ProcedureForm)
class ProcedureFormAdmin(admin.ModelAdmin):
    list_display = ("procedure_version", "form_key")
    raw_id_fields = ("procedure_version",)


@admin.register(DossierForm)
class DossierFormAdmin(admin.ModelAdmin):
    list_display = ("dossier", "definition", "submitted_at")
    readonly_fields = ("dossier", "definition", "data", "sha256", "submitted_at", "submitted_by")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
