"""Counter intake: a walk-in or postal dossier entered by the counter officer.

Two steps, both plain forms: find the procedure (GET ?q=), then fill the applicant, tick
the cases that apply, count the originals and copies handed in and attach the scans per
component, tick the completeness checklist and receive (receipt) or refuse (refusal
form). The service motcua.dossiers.services.dossier_intake does the rest.
"""

from __future__ import annotations

import functools
from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone

from motcua.catalog import cases as catalog_cases
from motcua.catalog import fees
from motcua.catalog.enums import AgencyRole, Channel
from motcua.catalog.models import Procedure, ProcedureAgency, ProcedureVersion
from motcua.catalog.selectors import procedure_search
from motcua.core.errors import DomainError, PermissionDenied
from motcua.core.templatetags.bilingual import pick
from motcua.core.text import sorted_vi
from motcua.core.validation import errors_from
from motcua.digitization.models import Scan
from motcua.dossiers import services
from motcua.dossiers.access import staff_roles
from motcua.dossiers.enums import TRANSITIONS, Action
from motcua.dossiers.models import Dossier
from motcua.dossiers.uploads import component_uploads
from motcua.eforms import selectors as eform_selectors
from motcua.eforms import services as eform_services
from motcua.eforms.answers import Result, read_post, validate
from motcua.eforms.models import FormDefinition
from motcua.eforms.render import form_context, group_action, remove_item
from motcua.org.models import Agency

from .actions import mark_invalid
from .guards import forbidden, render_page, staff_required

AUTHORIZATION = "authorization"  # the file field of the authorisation's scan
PARTY_FIELDS = ("name", "id_number", "phone", "email", "address")
FIELDS = {
    "applicant": "applicant_name",
    "channel": "channel",
    "receiving_agency": "receiving_agency",
    "settling_agency": "settling_agency",
    "reason": "refuse_reason",
    "received": "checked",
    "cases": "cases",
}


class IntakeForm(forms.Form):
    receiving_agency = forms.TypedChoiceField(coerce=int, label="Nơi tiếp nhận")
    settling_agency = forms.TypedChoiceField(
        coerce=int, required=False, empty_value=None, label="Cơ quan giải quyết"
    )
    channel = forms.TypedChoiceField(
        coerce=int,
        choices=[(Channel.COUNTER, "Trực tiếp tại quầy"), (Channel.POST, "Qua bưu chính")],
        initial=Channel.COUNTER,
        widget=forms.RadioSelect,
        label="Hình thức nộp",
    )
    applicant_name = forms.CharField(required=False, max_length=255, label="Họ tên người nộp")
    applicant_id_number = forms.CharField(
        required=False, max_length=14, label="Số định danh cá nhân / mã số thuế"
    )
    applicant_phone = forms.CharField(required=False, max_length=20, label="Điện thoại")
    # Checked by the service (motcua.core.validation), with every other field at once.
    applicant_email = forms.CharField(required=False, max_length=254, label="Thư điện tử")
    applicant_address = forms.CharField(required=False, max_length=255, label="Địa chỉ")
    # Filing for someone else (đại diện theo ủy quyền): checked by the service.
    principal_name = forms.CharField(required=False, max_length=255, label="Người ủy quyền")
    principal_id_number = forms.CharField(
        required=False, max_length=20, label="Số định danh / mã số thuế của người ủy quyền"
    )
    request_summary = forms.CharField(
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 2}),
        label="Nội dung yêu cầu giải quyết",
    )
    cases = forms.MultipleChoiceField(required=False, widget=forms.CheckboxSelectMultiple)
    checked = forms.TypedMultipleChoiceField(
        coerce=int, required=False, widget=forms.CheckboxSelectMultiple
    )
    decision = forms.ChoiceField(choices=[("receive", "receive"), ("refuse", "refuse")])
    refuse_reason = forms.CharField(
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 2}),
        label="Lý do từ chối tiếp nhận",
    )

    def __init__(
        self, *args, agencies, settling, components, fee_questions=(), eform=None, **kwargs
    ):
        super().__init__(*args, auto_id="i-%s", **kwargs)
        self.components = components
        # The electronic form's decision (eforms.logic) when the version has a form: the
        # components it requires or omits, and the declaration it makes.
        self.eform: dict = eform or {}
        # What the fee items count (catalog.fees.answer_keys): copies, pages, people, m².
        self.fee_keys = [key for key, _label in fee_questions]
        for key, label in fee_questions:
            self.fields[f"fee_{key}"] = forms.IntegerField(
                required=False, min_value=0, max_value=10**9, label=label
            )
        self.fields["receiving_agency"].choices = [(a.pk, a.name) for a in agencies]
        self.fields["settling_agency"].choices = [
            ("", pick("Theo thẩm quyền (tự động)", "By competence (automatic)"))
        ] + [(a.pk, a.name) for a in settling]
        self.fields["checked"].choices = [(c.pk, c.name) for c in components]
        self.fields["cases"].choices = [(k, k) for k in catalog_cases.cases_of(components)]
        for c in components:
            for name, label in (("originals", "Bản chính"), ("copies", "Bản sao")):
                self.fields[f"{name}_{c.pk}"] = forms.IntegerField(
                    required=False, min_value=0, max_value=99, label=label
                )

    def fee_answers(self) -> dict[str, int]:
        return {
            k: self.cleaned_data[f"fee_{k}"]
            for k in self.fee_keys
            if self.cleaned_data.get(f"fee_{k}") is not None
        }

    def counts(self) -> dict[int, dict[str, int]]:
        """The originals and copies counted per component (components with none left out)."""
        out = {}
        for c in self.components:
            pair = {
                name: self.cleaned_data.get(f"{name}_{c.pk}") or 0
                for name in ("originals", "copies")
            }
            if any(pair.values()):
                out[c.pk] = pair
        return out

    def clean(self):
        data = super().clean()
        if data.get("decision") == "receive":
            # The officer's own checklist: receive only what was checked against the list
            # (the components required, and those of the cases ticked: catalog.cases).
            declared = data.get("cases", [])
            unchecked = [
                c.name
                for c in self.components
                if catalog_cases.needed(
                    c,
                    declared,
                    required=self.eform.get("required", ()),
                    omitted=self.eform.get("omitted", ()),
                )
                and c.pk not in data.get("checked", [])
                and c.pk != self.eform.get("declaration")
            ]
            if unchecked:
                self.add_error(
                    "checked",
                    pick(
                        "Chưa kiểm tra đủ thành phần hồ sơ: "
                        + "; ".join(unchecked)
                        + ". Hướng dẫn người nộp bổ sung hoặc từ chối tiếp nhận.",
                        "Not every component is checked: "
                        + "; ".join(unchecked)
                        + ". Guide the applicant to complete it, or refuse it.",
                    ),
                )
        return data


def _counter_agencies(user) -> list[Agency]:
    actors = TRANSITIONS[Action.INTAKE][2]
    ids = [a for a, roles in staff_roles(user).items() if roles & actors]
    return sorted_vi(Agency.objects.filter(pk__in=ids), key=lambda a: a.name)


def _procedure(request: HttpRequest) -> tuple[str, Procedure | None]:
    """The procedure chosen (POST or ?procedure=), by its code."""
    code = (request.POST.get("procedure") or request.GET.get("procedure") or "").strip()
    if not code:
        return code, None
    return code, Procedure.objects.select_related("field").filter(code=code).first()


def _search(request: HttpRequest, unknown: str) -> HttpResponse:
    q = (request.GET.get("q") or "").strip()[:200]
    found = procedure_search(q=q, limit=20) if q else None
    return render_page(
        request, "backoffice/intake_search.html", {"q": q, "found": found, "unknown": unknown}
    )


def _settling(procedure: Procedure) -> list[Agency]:
    return [
        pa.agency
        for pa in ProcedureAgency.objects.filter(
            procedure=procedure, role=AgencyRole.SETTLING
        ).select_related("agency")
    ]


def _take_in(
    request: HttpRequest,
    form: IntakeForm,
    procedure: Procedure,
    agencies: list[Agency],
    settling: list[Agency],
    eform: tuple[ProcedureVersion, FormDefinition, dict[str, Any]] | None = None,
) -> Dossier:
    """The service with the form's cleaned data (and the uploads: malformed names refused);
    with the electronic form filled, the intake with the form (eforms.services)."""
    data = form.cleaned_data
    receiving = {a.pk: a for a in agencies}[data["receiving_agency"]]
    with_form = eform is not None and data["decision"] != "refuse"
    take: Any = (
        functools.partial(
            eform_services.dossier_intake_with_form,
            version=eform[0],
            definition=eform[1],
            answers=eform[2],
            place=receiving.name,
        )
        if with_form and eform is not None
        else functools.partial(services.dossier_intake, procedure=procedure)
    )
    return take(
        actor=request.user,
        receiving_agency=receiving,
        settling_agency={a.pk: a for a in settling}.get(data["settling_agency"]),
        channel=data["channel"],
        applicant={k: data[f"applicant_{k}"] for k in PARTY_FIELDS},
        principal={"name": data["principal_name"], "id_number": data["principal_id_number"]},
        authorization=request.FILES.get(AUTHORIZATION),
        request_summary=data["request_summary"],
        files=component_uploads(request.FILES, others=(AUTHORIZATION,)),
        received=form.counts(),
        cases=data["cases"],
        fee_answers=form.fee_answers(),
        refuse_reason=data["refuse_reason"] if data["decision"] == "refuse" else None,
    )


def _place_errors(form: IntakeForm, exc: DomainError) -> tuple[dict[int, str], str]:
    """Every error of the refusal next to its field: on the form, on its component's row
    (returned by component id), or at the authorisation's input (returned)."""
    by_component: dict[int, str] = {}
    authorization = ""
    for err in errors_from(exc):
        head, _, rest = (err.field or "").partition(".")
        text = pick(err.message, err.message_en)
        cid = rest.partition(".")[0]
        if head in ("files", "received") and cid.isdigit():
            by_component[int(cid)] = text
        elif head == "authorization":
            authorization = text
        elif head == "fee_answers" and f"fee_{rest}" in form.fields:
            form.add_error(f"fee_{rest}", text)
        else:
            target = f"{head}_{rest}" if head in ("applicant", "principal") else FIELDS.get(head)
            form.add_error(target if target in form.fields else None, text)
    return by_component, authorization


def _queue_ocr(request: HttpRequest, dossier: Dossier) -> None:
    """Say how many of the scans handed in with the form went to the OCR: the intake
    service queued them (motcua.digitization.services.scan_handed_in, for every intake
    path); the dossier is received whatever happens there."""
    queued = Scan.objects.filter(dossier_id=dossier.pk).count()
    if queued:
        messages.info(
            request,
            pick(
                f"Đang số hóa {queued} bản quét (nhận dạng chữ); xem trang Số hóa.",
                f"{queued} scan(s) queued for OCR; see the Digitization page.",
            ),
        )


def _done(request: HttpRequest, dossier: Dossier, refused: bool) -> HttpResponse:
    if refused:
        messages.success(
            request,
            pick(
                "Đã từ chối tiếp nhận hồ sơ. In phiếu từ chối tiếp nhận.",
                "Dossier refused. Print the refusal form.",
            ),
        )
    else:
        messages.success(
            request,
            pick(
                f"Đã tiếp nhận hồ sơ {dossier.code}. In giấy tiếp nhận và hẹn trả kết quả.",
                f"Dossier {dossier.code} received. Print the receipt and appointment.",
            ),
        )
    return redirect(reverse("backoffice:dossier", args=[dossier.pk]))


def _form_page(
    request: HttpRequest,
    procedure: Procedure,
    version: ProcedureVersion | None,
    form: IntakeForm,
    component_errors: dict[int, str],
    authorization_error: str,
    status: int,
    eform: dict[str, Any] | None = None,
) -> HttpResponse:
    posted = request.method == "POST"
    ticked = set(request.POST.getlist("checked")) if posted else set()
    chosen = set(request.POST.getlist("cases")) if posted else set()
    mark_invalid(form)
    links = [
        (f"#{'components' if name == 'checked' else form[name].auto_id}", message)
        for name, messages_ in form.errors.items()
        if name != "__all__"
        for message in messages_
    ] + [(f"#component-{cid}", message) for cid, message in component_errors.items()]
    if authorization_error:
        links.append(("#i-authorization", authorization_error))
    return render_page(
        request,
        "backoffice/intake.html",
        {
            "procedure": procedure,
            "version": version,
            "error_links": links,
            "form": form,
            "fee_fields": [form[f"fee_{k}"] for k in form.fee_keys],
            "authorization_error": authorization_error,
            "components": [
                {
                    "c": c,
                    "error": component_errors.get(c.pk),
                    "checked": str(c.pk) in ticked,
                    "originals": form[f"originals_{c.pk}"],
                    "copies": form[f"copies_{c.pk}"],
                }
                for c in form.components
            ],
            "cases": [
                {"text": k, "i": i, "chosen": k in chosen}
                for i, k in enumerate(catalog_cases.cases_of(form.components))
            ],
            **(eform or {}),
        },
        status=status,
    )


@staff_required
def intake(request: HttpRequest) -> HttpResponse:
    agencies = _counter_agencies(request.user)
    if not agencies:
        return forbidden(
            request,
            PermissionDenied(
                "Chỉ cán bộ một cửa mới tiếp nhận hồ sơ trực tiếp.",
                "Only counter officers take in walk-in dossiers.",
            ),
        )
    code, procedure = _procedure(request)
    if procedure is None:
        return _search(request, code)
    version = procedure.version_on(timezone.localdate())
    components = list(version.components.order_by("order", "pk")) if version else []
    settling = _settling(procedure)
    kw = {
        "agencies": agencies,
        "settling": settling,
        "components": components,
        "fee_questions": fees.answer_keys(version) if version else [],
    }
    definition = eform_selectors.form_for_version(version) if version else None
    if request.method != "POST":
        form = IntakeForm(initial={"receiving_agency": agencies[0].pk}, **kw)
        page = form_context(definition.document, {}) if definition else None
        return _form_page(request, procedure, version, form, {}, "", 200, page)
    answers: dict[str, Any] = {}
    checked: Result | None = None
    if definition is not None:
        document = definition.document
        answers = read_post(document, request.POST)
        counts, pressed = group_action(document, request.POST)
        if pressed or request.POST.get("eform_refresh"):
            # "Thêm một mục", "Bỏ mục này", "Cập nhật tờ khai": the page again, nothing taken.
            if request.POST.get("eform_remove"):
                remove_item(answers, request.POST)
                counts = {}
            form = IntakeForm(request.POST, **kw)
            page = form_context(document, answers, counts=counts or None)
            return _form_page(request, procedure, version, form, {}, "", 200, page)
        checked = validate(document, answers)
        assert checked.decision is not None
        declared = eform_services.declaration_component(document, components)
        kw["eform"] = {
            "required": checked.decision.require_components,
            "omitted": checked.decision.omit_components,
            "declaration": declared.pk if declared is not None else None,
        }
    form = IntakeForm(request.POST, **kw)
    component_errors: dict[int, str] = {}
    authorization_error = ""
    refusing = request.POST.get("decision") == "refuse"
    form_failed = checked is not None and not checked.ok and not refusing
    if form.is_valid() and not form_failed:
        try:
            dossier = _take_in(
                request,
                form,
                procedure,
                agencies,
                settling,
                (version, definition, answers) if definition is not None and version else None,
            )
        except PermissionDenied as exc:
            return forbidden(request, exc)
        except DomainError as exc:
            component_errors, authorization_error = _place_errors(form, exc)
        else:
            refused = form.cleaned_data["decision"] == "refuse"
            if not refused:
                _queue_ocr(request, dossier)
            return _done(request, dossier, refused)
    page = None
    if definition is not None:
        errors = checked.errors if checked is not None and not refusing else []
        page = form_context(definition.document, answers, errors=errors)
    return _form_page(
        request, procedure, version, form, component_errors, authorization_error, 422, page
    )
