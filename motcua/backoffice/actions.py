"""The actions an officer takes on the dossier page: one small form per action that only
parses the input, and the service it calls. Which actions show, and every rule (required
reasons, limits, states, roles), belong to motcua.dossiers.access and .services."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django import forms

from motcua.core.templatetags.bilingual import pick
from motcua.dossiers import services
from motcua.dossiers.enums import Action, PaidOnline
from motcua.dossiers.timing import VN

TEXT = forms.Textarea(attrs={"rows": 3})


class ActionForm(forms.Form):
    expected_version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class NoteForm(ActionForm):
    note = forms.CharField(required=False, widget=TEXT, max_length=4000)


class ReasonForm(ActionForm):
    # Whether a reason is required is the service's rule: an empty one reaches it.
    reason = forms.CharField(required=False, widget=TEXT, max_length=4000)


class SupplementRequestForm(ReasonForm):
    missing_components = forms.TypedMultipleChoiceField(
        required=False, coerce=int, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, components=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["missing_components"].choices = [(c.pk, c.name) for c in components]


class SupplementForm(NoteForm):
    """A paper supplement brought to the counter: scans per component (component_<id>)."""


class PaymentRequestForm(ReasonForm):
    amount_vnd = forms.IntegerField(required=False)


class ConfirmPaymentForm(ActionForm):
    amount_vnd = forms.IntegerField()
    paid_online = forms.TypedChoiceField(
        coerce=int, choices=PaidOnline.choices, initial=PaidOnline.NO
    )
    reference = forms.CharField(required=False, max_length=200)


class ApologizeForm(ReasonForm):
    new_due_date = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    new_due_time = forms.TimeField(
        widget=forms.TimeInput(attrs={"type": "time"}), initial=dt.time(17, 0)
    )


class ApproveForm(ActionForm):
    result_note = forms.CharField(required=False, widget=TEXT, max_length=4000)


class AttachResultForm(ActionForm):
    file = forms.FileField()


class ReturnForm(ActionForm):
    method = forms.ChoiceField(
        choices=[
            ("counter", "Trả trực tiếp tại bộ phận một cửa"),
            ("post", "Trả qua dịch vụ bưu chính"),
            ("online", "Trả trực tuyến"),
        ],
        initial="counter",
    )


def _files(request, dossier, data) -> dict[int, list]:
    """component_<id> uploads, keyed by component id (the service checks they belong)."""
    files: dict[int, list] = {}
    for key in request.FILES:
        if key.startswith("component_") and key[len("component_") :].isdigit():
            files[int(key[len("component_") :])] = request.FILES.getlist(key)
    return files


def _new_due(data) -> dt.datetime:
    return dt.datetime.combine(data["new_due_date"], data["new_due_time"], tzinfo=VN)


@dataclass(frozen=True)
class ActionPage:
    form: type[ActionForm]
    run: Callable[..., Any]  # (request, dossier, cleaned data) -> Dossier
    done_vi: str
    done_en: str
    # DomainError.field -> the form field that shows the message.
    fields: dict[str, str]


def _call(service, **kw):
    def run(request, dossier, data):
        extra = {name: fn(request, dossier, data) for name, fn in kw.items()}
        return service(
            dossier_id=dossier.pk,
            actor=request.user,
            expected_version=data["expected_version"],
            **extra,
        )

    return run


def _field(name: str):
    return lambda request, dossier, data: data.get(name) or ""


ACTIONS: dict[str, ActionPage] = {
    Action.RECEIVE: ActionPage(
        ActionForm,
        _call(services.dossier_receive),
        "Đã tiếp nhận hồ sơ. In giấy tiếp nhận và hẹn trả kết quả.",
        "Dossier received. Print the receipt and appointment.",
        {},
    ),
    Action.REFUSE: ActionPage(
        ReasonForm,
        _call(services.dossier_refuse, reason=_field("reason")),
        "Đã từ chối tiếp nhận. In phiếu từ chối.",
        "Refused at receipt. Print the refusal form.",
        {"reason": "reason"},
    ),
    Action.FORWARD: ActionPage(
        NoteForm,
        _call(services.dossier_forward, note=_field("note")),
        "Đã chuyển hồ sơ sang bước tiếp theo.",
        "Forwarded to the next step.",
        {"note": "note"},
    ),
    Action.REQUEST_SUPPLEMENT: ActionPage(
        SupplementRequestForm,
        _call(
            services.dossier_request_supplement,
            reason=_field("reason"),
            missing_components=lambda r, d, data: list(data.get("missing_components") or []),
        ),
        "Đã yêu cầu bổ sung hồ sơ; thời gian giải quyết tạm dừng.",
        "Supplement requested; the clock is paused.",
        {"reason": "reason", "missing_components": "missing_components"},
    ),
    Action.SUPPLEMENT: ActionPage(
        SupplementForm,
        _call(services.dossier_supplement, note=_field("note"), files=_files),
        "Đã nhận hồ sơ bổ sung; hồ sơ tiếp tục được xử lý.",
        "Supplement recorded; processing resumes.",
        {"files": "files", "note": "note"},
    ),
    Action.REQUEST_PAYMENT: ActionPage(
        PaymentRequestForm,
        _call(
            services.dossier_request_payment,
            reason=_field("reason"),
            amount_vnd=lambda r, d, data: data.get("amount_vnd"),
        ),
        "Đã yêu cầu thực hiện nghĩa vụ tài chính.",
        "Financial obligation requested.",
        {"amount_vnd": "amount_vnd", "reason": "reason"},
    ),
    Action.CONFIRM_PAYMENT: ActionPage(
        ConfirmPaymentForm,
        _call(
            services.dossier_confirm_payment,
            amount_vnd=lambda r, d, data: data["amount_vnd"],
            paid_online=lambda r, d, data: data["paid_online"],
            reference=_field("reference"),
        ),
        "Đã ghi nhận hoàn thành nghĩa vụ tài chính.",
        "Payment recorded.",
        {"amount_vnd": "amount_vnd", "paid_online": "paid_online"},
    ),
    Action.REQUEST_WITHDRAWAL: ActionPage(
        ReasonForm,
        _call(services.dossier_request_withdrawal, reason=_field("reason")),
        "Đã ghi nhận yêu cầu rút hồ sơ.",
        "Withdrawal request recorded.",
        {"reason": "reason"},
    ),
    Action.STOP: ActionPage(
        ReasonForm,
        _call(services.dossier_stop, reason=_field("reason")),
        "Đã dừng xử lý hồ sơ.",
        "Processing stopped.",
        {"reason": "reason"},
    ),
    Action.APOLOGIZE: ActionPage(
        ApologizeForm,
        _call(
            services.dossier_apologize,
            reason=_field("reason"),
            new_due_at=lambda r, d, data: _new_due(data),
        ),
        "Đã gửi văn bản xin lỗi và hẹn lại ngày trả kết quả.",
        "Apology sent with a new date.",
        {"reason": "reason", "new_due_at": "new_due_date", "at": "new_due_date"},
    ),
    Action.APPROVE: ActionPage(
        ApproveForm,
        _call(services.dossier_approve, result_note=_field("result_note")),
        "Đã phê duyệt: hồ sơ có kết quả.",
        "Approved: the result is ready.",
        {"result_note": "result_note"},
    ),
    Action.ATTACH_RESULT: ActionPage(
        AttachResultForm,
        _call(services.dossier_attach_result, file=lambda r, d, data: data["file"]),
        "Đã đính kèm kết quả điện tử.",
        "Electronic result attached.",
        {"file": "file"},
    ),
    Action.RETURN_RESULT: ActionPage(
        ReturnForm,
        _call(services.dossier_return_result, method=lambda r, d, data: data["method"]),
        "Đã trả kết quả cho người nộp.",
        "Result returned to the applicant.",
        {"method": "method"},
    ),
}


LABELS = {
    "note": ("Ghi chú", "Note"),
    "reason": ("Lý do", "Reason"),
    "missing_components": ("Thành phần cần bổ sung", "Components to supplement"),
    "amount_vnd": ("Số tiền (đồng)", "Amount (VND)"),
    "paid_online": ("Hình thức thanh toán", "Payment channel"),
    "reference": ("Số biên lai / mã giao dịch", "Receipt or transaction number"),
    "new_due_date": ("Ngày hẹn trả mới", "New date"),
    "new_due_time": ("Giờ hẹn trả mới", "New time"),
    "result_note": ("Kết quả giải quyết", "Result"),
    "file": ("Tệp kết quả (PDF)", "Result file (PDF)"),
    "method": ("Hình thức trả kết quả", "How the result is returned"),
}


def mark_invalid(form: forms.Form) -> None:
    """aria-invalid and aria-describedby on each field with an error (screen readers read
    the message shown next to it; see _field.html for the ids)."""
    for name in form.errors:
        if name in form.fields:
            form.fields[name].widget.attrs.update(
                {"aria-invalid": "true", "aria-describedby": f"{form.auto_id % name}-error"}
            )


def make_form(action: str, dossier, components, data=None, files=None) -> ActionForm:
    """The form of `action`; ids are prefixed with the action (several forms on one page)."""
    page = ACTIONS[action]
    kwargs: dict[str, Any] = {"auto_id": f"{action}-%s"}
    if page.form is SupplementRequestForm:
        kwargs["components"] = components
    if data is None:
        form = page.form(initial={"expected_version": dossier.version}, **kwargs)
    else:
        form = page.form(data, files, **kwargs)
    for name, field in form.fields.items():
        if name in LABELS:
            field.label = pick(*LABELS[name])
    return form
