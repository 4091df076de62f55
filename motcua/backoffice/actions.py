"""The actions an officer takes on the dossier page: one small form per action that only
parses the input into the service's inputs (motcua.dossiers.actions says which service and
which inputs). Which actions show, and every rule (required reasons, limits, states,
roles), belong to motcua.dossiers.access and .services."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django import forms
from django.http import HttpRequest

from motcua.core.errors import DomainError
from motcua.core.templatetags.bilingual import pick
from motcua.dossiers import actions as dossier_actions
from motcua.dossiers.enums import COUNTER_CHANNELS, Action, PaymentChannel
from motcua.dossiers.models import Dossier
from motcua.dossiers.timing import VN
from motcua.dossiers.uploads import component_uploads

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

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        try:
            data["files"] = component_uploads(self.files)
        except DomainError as exc:
            self.add_error(None, pick(exc.message, exc.message_en))
        return data


class PaymentRequestForm(ReasonForm):
    amount_vnd = forms.IntegerField(required=False)


class ConfirmPaymentForm(ActionForm):
    """A payment taken at the counter: cash or POS, with the receipt's number. Online
    payments arrive from the provider's verified evidence (motcua.payments)."""

    amount_vnd = forms.IntegerField()
    channel = forms.ChoiceField(
        choices=[(c.value, c.label) for c in PaymentChannel if c in COUNTER_CHANNELS],
        initial=PaymentChannel.COUNTER_CASH,
    )
    receipt_number = forms.CharField(max_length=100)


class ApologizeForm(ReasonForm):
    new_due_date = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    new_due_time = forms.TimeField(
        widget=forms.TimeInput(attrs={"type": "time"}), initial=dt.time(17, 0)
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("new_due_date") and data.get("new_due_time"):
            data["new_due_at"] = dt.datetime.combine(
                data["new_due_date"], data["new_due_time"], tzinfo=VN
            )
        return data


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


@dataclass(frozen=True)
class ActionPage:
    action: str
    form: type[ActionForm]
    done_vi: str
    done_en: str
    # DomainError.field -> the form field that shows the message.
    fields: dict[str, str]

    def run(self, request: HttpRequest, dossier: Dossier, data: dict[str, Any]) -> Dossier:
        """The action's service with the form's cleaned data: its fields named as the
        service's inputs (dossiers.actions.CALLS)."""
        wanted = dossier_actions.CALLS[self.action].inputs
        return dossier_actions.run(
            self.action,
            dossier_id=dossier.pk,
            actor=request.user,
            expected_version=data["expected_version"],
            inputs={name: data[name] for name in wanted},
        )


ACTIONS: dict[str, ActionPage] = {
    page.action: page
    for page in (
        ActionPage(
            Action.RECEIVE,
            ActionForm,
            "Đã tiếp nhận hồ sơ. In giấy tiếp nhận và hẹn trả kết quả.",
            "Dossier received. Print the receipt and appointment.",
            {},
        ),
        ActionPage(
            Action.REFUSE,
            ReasonForm,
            "Đã từ chối tiếp nhận. In phiếu từ chối.",
            "Refused at receipt. Print the refusal form.",
            {"reason": "reason"},
        ),
        ActionPage(
            Action.FORWARD,
            NoteForm,
            "Đã chuyển hồ sơ sang bước tiếp theo.",
            "Forwarded to the next step.",
            {"note": "note"},
        ),
        ActionPage(
            Action.REQUEST_SUPPLEMENT,
            SupplementRequestForm,
            "Đã yêu cầu bổ sung hồ sơ; thời gian giải quyết tạm dừng.",
            "Supplement requested; the clock is paused.",
            {"reason": "reason", "missing_components": "missing_components"},
        ),
        ActionPage(
            Action.SUPPLEMENT,
            SupplementForm,
            "Đã nhận hồ sơ bổ sung; hồ sơ tiếp tục được xử lý.",
            "Supplement recorded; processing resumes.",
            {"files": "files", "note": "note"},
        ),
        ActionPage(
            Action.REQUEST_PAYMENT,
            PaymentRequestForm,
            "Đã yêu cầu thực hiện nghĩa vụ tài chính.",
            "Financial obligation requested.",
            {"amount_vnd": "amount_vnd", "reason": "reason"},
        ),
        ActionPage(
            Action.CONFIRM_PAYMENT,
            ConfirmPaymentForm,
            "Đã ghi nhận hoàn thành nghĩa vụ tài chính.",
            "Payment recorded.",
            {"amount_vnd": "amount_vnd", "channel": "channel", "receipt_number": "receipt_number"},
        ),
        ActionPage(
            Action.REQUEST_WITHDRAWAL,
            ReasonForm,
            "Đã ghi nhận yêu cầu rút hồ sơ.",
            "Withdrawal request recorded.",
            {"reason": "reason"},
        ),
        ActionPage(
            Action.STOP,
            ReasonForm,
            "Đã dừng xử lý hồ sơ.",
            "Processing stopped.",
            {"reason": "reason"},
        ),
        ActionPage(
            Action.APOLOGIZE,
            ApologizeForm,
            "Đã gửi văn bản xin lỗi và hẹn lại ngày trả kết quả.",
            "Apology sent with a new date.",
            {"reason": "reason", "new_due_at": "new_due_date", "at": "new_due_date"},
        ),
        ActionPage(
            Action.APPROVE,
            ApproveForm,
            "Đã phê duyệt: hồ sơ có kết quả.",
            "Approved: the result is ready.",
            {"result_note": "result_note"},
        ),
        ActionPage(
            Action.ATTACH_RESULT,
            AttachResultForm,
            "Đã đính kèm kết quả điện tử.",
            "Electronic result attached.",
            {"file": "file"},
        ),
        ActionPage(
            Action.RETURN_RESULT,
            ReturnForm,
            "Đã trả kết quả cho người nộp.",
            "Result returned to the applicant.",
            {"method": "method"},
        ),
    )
}


LABELS = {
    "note": ("Ghi chú", "Note"),
    "reason": ("Lý do", "Reason"),
    "missing_components": ("Thành phần cần bổ sung", "Components to supplement"),
    "amount_vnd": ("Số tiền (đồng)", "Amount (VND)"),
    "channel": ("Hình thức thu", "How it was paid"),
    "receipt_number": ("Số biên lai", "Receipt number"),
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
                {"aria-invalid": "true", "aria-describedby": f"{form[name].auto_id}-error"}
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
