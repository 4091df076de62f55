from typing import Any

from django import forms
from django.contrib import admin

from .models import DossierDocument, ProcedureTemplate
from .rendering import forms as _forms  # noqa: F401  (registers the templates)
from .rendering import sheets as _sheets  # noqa: F401
from .rendering.base import TEMPLATES, template_choices


class ProcedureTemplateForm(forms.ModelForm):
    template = forms.ChoiceField(label="mẫu", choices=template_choices)

    class Meta:
        model = ProcedureTemplate
        fields = ["procedure", "kind", "template"]

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        key, kind = data.get("template"), data.get("kind")
        if key and kind and TEMPLATES[key].kind != kind:
            self.add_error("template", "Mẫu này không dùng cho loại giấy tờ đã chọn.")
        return data


@admin.register(ProcedureTemplate)
class ProcedureTemplateAdmin(admin.ModelAdmin):
    form = ProcedureTemplateForm
    list_display = ["procedure", "kind", "template"]
    list_filter = ["kind", "template"]
    autocomplete_fields = ["procedure"]
    search_fields = ["procedure__code", "procedure__name"]


@admin.register(DossierDocument)
class DossierDocumentAdmin(admin.ModelAdmin):
    list_display = ["dossier", "kind", "template", "size", "sha256", "created_at"]
    list_filter = ["kind", "template"]
    raw_id_fields = ["dossier", "event"]
    search_fields = ["dossier__code"]
    readonly_fields = ["dossier", "kind", "event", "template", "file", "sha256", "size"]

    def has_add_permission(self, request):
        return False
