"""Back-office pages: the inbox, the dossier page, attachment previews and the actions.

Thin callers of motcua.dossiers: reads through its selectors (visibility included), writes
through its services, buttons from access.allowed_actions. Every form is a plain POST
followed by a redirect, so the pages work without JavaScript.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.views.decorators.http import require_GET, require_POST

from motcua.catalog.enums import Channel
from motcua.catalog.fees import FeeQuote
from motcua.core.errors import (
    Conflict,
    DomainError,
    IllegalTransition,
    NotFound,
    PermissionDenied,
)
from motcua.core.templatetags.bilingual import pick
from motcua.core.text import sorted_vi
from motcua.dossiers import selectors
from motcua.dossiers.access import allowed_actions, staff_roles
from motcua.dossiers.accesslog import staff_read
from motcua.dossiers.attachments import file_response
from motcua.dossiers.enums import (
    ACTION_EN,
    OPEN,
    PAYMENT_PROVIDER,
    STATUS_EN,
    Action,
    Status,
    StepOutcome,
)
from motcua.dossiers.models import Attachment, AttachmentKind, Dossier
from motcua.eforms import selectors as eform_selectors
from motcua.eforms.render import summary as eform_summary
from motcua.integration import selectors as integration_selectors
from motcua.integration.models import STATE_EN as OUTBOX_STATE_EN
from motcua.integration.models import OutboxState
from motcua.linked.selectors import member_for_dossier
from motcua.notifications import selectors as notification_selectors
from motcua.org.enums import Role
from motcua.org.models import Agency
from motcua.org.names import person_name
from motcua.payments import services as payment_services

from .actions import ACTIONS, make_form, mark_invalid
from .guards import forbidden, render_page, staff_required
from .signing import can_sign, issued_rows

PAGE_SIZE = 25
STALE_VI = "Trang đã cũ: hồ sơ có thể vừa được thay đổi. Vui lòng xem lại và thử lại."
STALE_EN = "This page is out of date: the dossier may have just changed. Check and try again."

SIGNALS = {
    "overdue": ("Quá hạn", "Overdue"),
    "soon": ("Đến hạn trong 1 ngày làm việc", "Due within one working day"),
    "in_time": ("Còn hạn", "In time"),
    "paused": ("Tạm dừng – chờ người nộp", "Paused – waiting for the applicant"),
    "early": ("Đã xử lý trước hạn", "Done early"),
    "on_time": ("Đã xử lý đúng hạn", "Done on time"),
    "late": ("Đã xử lý quá hạn", "Done late"),
    None: ("Chưa tiếp nhận", "Not received yet"),
}
OUTCOMES: dict[str, tuple[str, str]] = {
    StepOutcome.EARLY: ("Trước hạn", "Early"),
    StepOutcome.ON_TIME: ("Đúng hạn", "On time"),
    StepOutcome.LATE: ("Quá hạn", "Late"),
}
# Forms of the one-stop procedure, rendered by motcua.documents at /giay-to/<id>/<kind>.pdf.
FORMS = {
    "acknowledgement": (
        "Giấy xác nhận nộp hồ sơ trực tuyến",
        "Online submission acknowledgement",
    ),
    "receipt": ("Giấy tiếp nhận hồ sơ và hẹn trả kết quả", "Receipt and appointment"),
    "refusal": ("Phiếu từ chối tiếp nhận", "Refusal form"),
    "supplement_request": ("Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ", "Supplement request"),
    "apology": ("Phiếu xin lỗi và hẹn lại ngày trả kết quả", "Apology and new date"),
    "control_sheet": ("Phiếu kiểm soát quá trình giải quyết hồ sơ", "Control sheet"),
}


def status_label(value: int) -> str:
    return pick(Status(value).label, STATUS_EN[value])


def signal(value: str | None) -> dict:
    vi, en = SIGNALS[value]
    return {"key": value or "none", "label": pick(vi, en)}


def _outcome(value: str) -> dict | None:
    if not value:
        return None
    vi, en = OUTCOMES[value]
    return {"key": value, "label": pick(vi, en)}


# ---------------------------------------------------------------------------- inbox


class CappedPaginator(Paginator):
    """Counts at most COUNT_CAP rows: an inbox of 50,000 open dossiers says "more than
    10,000" instead of counting them all on every page view (filters narrow it down)."""

    COUNT_CAP = 10_000
    capped = False

    @cached_property
    def count(self) -> int:
        rows = self.object_list
        if isinstance(rows, QuerySet):
            n = rows.order_by()[: self.COUNT_CAP + 1].count()
        else:
            n = len(rows)
        self.capped = n > self.COUNT_CAP
        return min(n, self.COUNT_CAP)


def _choice_field(form: forms.Form, name: str) -> forms.ChoiceField:
    field = form.fields[name]
    if not isinstance(field, forms.ChoiceField):
        raise TypeError(f"{name} is not a choice field")
    return field


class InboxFilter(forms.Form):
    agency = forms.TypedChoiceField(coerce=int, required=False, empty_value=None)
    status = forms.TypedChoiceField(coerce=int, required=False, empty_value=None)
    step = forms.IntegerField(required=False, min_value=1, max_value=1000)
    role = forms.ChoiceField(required=False)
    due = forms.ChoiceField(required=False)
    q = forms.CharField(required=False, max_length=200, strip=True)

    def __init__(self, data, agencies):
        super().__init__(data, auto_id="f-%s")
        f = {name: _choice_field(self, name) for name in ("agency", "status", "role", "due")}
        f["agency"].choices = [("", pick("Tất cả cơ quan của tôi", "All my agencies"))] + [
            (a.pk, a.name) for a in agencies
        ]
        f["status"].choices = [("", pick("Đang giải quyết", "Open"))] + [
            (s, status_label(s)) for s in Status.values
        ]
        f["role"].choices = [("", pick("Mọi vai trò", "Any role"))] + [
            (r, Role(r).label) for r in (Role.COUNTER, Role.SPECIALIST, Role.LEADER)
        ]
        f["due"].choices = [
            ("", pick("Mọi hạn", "Any")),
            ("overdue", signal("overdue")["label"]),
            ("soon", signal("soon")["label"]),
            ("ok", signal("in_time")["label"]),
            ("paused", signal("paused")["label"]),
        ]


FILTER_LABELS = {
    "agency": ("Cơ quan", "Agency"),
    "status": ("Trạng thái", "Status"),
    "due": ("Hạn giải quyết", "Due date"),
    "step": ("Bước xử lý (số thứ tự)", "Process step (number)"),
    "role": ("Vai trò ở bước hiện tại", "Role of the current step"),
    "q": ("Tìm theo mã hồ sơ, người nộp, thủ tục", "Search code, applicant, procedure"),
}


def _filter_fields(form: InboxFilter, show_agency: bool) -> list[dict]:
    """The filter form as plain data: rendering Django widgets per request costs more than
    the whole table of rows."""
    out = []
    for name in ("agency", "status", "due", "step", "role", "q"):
        if name == "agency" and not show_agency:
            continue
        current = form.data.get(name, "")
        field = form.fields[name]
        item = {
            "name": name,
            "id": f"f-{name}",
            "label": pick(*FILTER_LABELS[name]),
            "errors": form.errors.get(name, []),
            "value": current,
        }
        if hasattr(field, "choices"):
            item["options"] = [
                (str(value), label, str(value) == current) for value, label in field.choices
            ]
        else:
            item["type"] = "number" if name == "step" else "search"
        out.append(item)
    return out


@require_GET
@staff_required
def inbox(request):
    user = request.user
    agency_ids = list(staff_roles(user))
    agencies = sorted_vi(Agency.objects.filter(pk__in=agency_ids), key=lambda a: a.name)
    form = InboxFilter(request.GET, agencies)
    form.is_valid()  # invalid filters are shown next to their field and ignored
    data = form.cleaned_data
    now = timezone.now()
    try:
        qs = selectors.inbox(
            user=user,
            agency_id=data.get("agency"),
            status=data.get("status"),
            step_order=data.get("step"),
            role=data.get("role") or None,
            due=data.get("due") or None,
            q=data.get("q") or None,
            now=now,
        )
    except DomainError as exc:  # pragma: no cover - the form only offers valid values
        form.add_error(None, exc.message)
        qs = selectors.inbox(user=user, now=now)
    # Page through ids only (no joins while PostgreSQL sorts thousands of rows), then load
    # the page's rows with their relations by primary key.
    page = CappedPaginator(qs.values_list("pk", flat=True), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    ids = list(page.object_list)
    found = Dossier.objects.select_related(*selectors.LIST_RELATED).in_bulk(ids)
    prefix = reverse("backoffice:inbox")  # one reverse() instead of one per row
    rows = [
        {
            "dossier": d,
            "url": f"{prefix}ho-so/{d.pk}/",
            "status": status_label(d.status),
            "signal": signal(selectors.due_signal(d, now)),
        }
        for d in (found[pk] for pk in ids if pk in found)
    ]
    roles = staff_roles(user)
    return render_page(
        request,
        "backoffice/inbox.html",
        {
            "form": form,
            "filters": _filter_fields(form, show_agency=len(agencies) > 1),
            "page": page,
            "rows": rows,
            "agencies": agencies,
            "can_intake": any("counter" in r for r in roles.values()),
        },
    )


# ---------------------------------------------------------------------------- dossier


def _get(request, dossier_id: int):
    try:
        return selectors.dossier_get(user=request.user, dossier_id=dossier_id)
    except NotFound:
        raise Http404 from None


def _role_label(role: str) -> str:
    if role == PAYMENT_PROVIDER:  # settled on the payment provider's verified word
        return pick("Hệ thống thanh toán (đã xác thực)", "Payment system (verified)")
    return Role(role).label if role in Role.values else ""


def _events(dossier):
    rows = []
    for e in dossier.events.select_related("actor", "actor_agency").order_by("seq"):
        label = pick(Action(e.action).label, ACTION_EN.get(e.action, e.action))
        rows.append(
            {
                "event": e,
                "label": label,
                "who": person_name(e.actor),
                "role": _role_label(e.actor_role),
                "to_status": status_label(e.to_status),
            }
        )
    return rows


def _handovers(dossier, now):
    rows = []
    for h in dossier.handovers.select_related("step", "agency", "finished_by"):
        open_signal = None
        if h.finished_at is None:
            open_signal = "overdue" if h.due_at < now else "in_time"
        rows.append(
            {
                "h": h,
                "role": Role(h.step.role).label if h.step.role in Role.values else h.step.role,
                "who": person_name(h.finished_by),
                "outcome": _outcome(h.outcome),
                "open_signal": signal(open_signal) if open_signal else None,
            }
        )
    return rows


def _documents(dossier) -> list[dict]:
    kinds = []
    if dossier.channel == Channel.ONLINE:
        kinds.append("acknowledgement")
    if dossier.received_at:
        kinds.append("receipt")
    if dossier.status == Status.REFUSED:
        kinds.append("refusal")
    if dossier.supplement_count:
        kinds.append("supplement_request")
    if dossier.apology_count:
        kinds.append("apology")
    if dossier.received_at:
        kinds.append("control_sheet")
    return [
        {"kind": k, "url": f"/giay-to/{dossier.pk}/{k}.pdf", "label": pick(*FORMS[k])}
        for k in kinds
    ]


def _sync_log(dossier):
    rows = []
    for m in integration_selectors.sync_log(dossier):
        action = m.payload.get("action", "")
        status = m.payload.get("data", {}).get("TrangThaiHoSo", "")
        rows.append(
            {
                "m": m,
                "action": (
                    pick(Action(action).label, ACTION_EN[action])
                    if action in ACTION_EN
                    else pick("Gửi lại toàn bộ", "Full resend")
                    if action == "resend"
                    else action
                ),
                "status": status_label(int(status)) if status.isdigit() else status,
                "state": pick(OutboxState(m.state).label, OUTBOX_STATE_EN[m.state]),
            }
        )
    return rows


def _render_dossier(request, dossier, *, bound=None, status=200):
    """The dossier page; `bound` = (action, form) re-shows a form with its errors."""
    now = timezone.now()
    components = list(dossier.procedure_version.components.order_by("order", "pk"))
    attachments = list(dossier.attachments.all())
    handed: dict[int, list] = {}
    for r in dossier.received.all():
        handed.setdefault(r.component_id, []).append(r)
    by_component: dict[int | None, list] = {}
    for a in attachments:
        if a.kind != AttachmentKind.RESULT:
            by_component.setdefault(a.component_id, []).append(a)
    forms_ = []
    for action in allowed_actions(request.user, dossier):
        if action not in ACTIONS:
            continue
        is_bound = bool(bound and bound[0] == action)
        form = bound[1] if is_bound else make_form(action, dossier, components)
        if is_bound:
            mark_invalid(form)
        forms_.append(
            {
                "action": action,
                "label": pick(Action(action).label, ACTION_EN[action]),
                "form": form,
                "url": reverse("backoffice:act", args=[dossier.pk, action]),
                "open": is_bound,
                "files": action == Action.SUPPLEMENT,
            }
        )
    names = {c.pk: c.name for c in components}
    filled = eform_selectors.dossier_form(dossier.pk)
    context = {
        "d": dossier,
        "eform": filled,
        "eform_summary": eform_summary(filled.definition.document, filled.data) if filled else [],
        "status": status_label(dossier.status),
        "signal": signal(selectors.due_signal(dossier, now)),
        "is_open": dossier.status in OPEN,
        "components": [
            {"c": c, "attachments": by_component.get(c.pk, []), "received": handed.get(c.pk, [])}
            for c in components
        ],
        "other_attachments": by_component.get(None, []),
        "results": [a for a in attachments if a.kind == AttachmentKind.RESULT],
        "handovers": _handovers(dossier, now),
        "events": _events(dossier),
        "pauses": [
            {"p": p, "missing": [names[c] for c in p.missing_components if c in names]}
            for p in dossier.pauses.all()
        ],
        "documents": _documents(dossier),
        # Fee receipts, their files, and whether the applicant was mailed them.
        "fee_receipts": payment_services.receipts_for_dossier(dossier.pk),
        # What the applicant (and officers) were told, and whether it reached them.
        "notifications": notification_selectors.messages_for_dossier(dossier.pk),
        "actions": forms_,
        "can_sign": can_sign(request.user, dossier),
        "issued": issued_rows(request.user, dossier),
        # The dossier's messages to the national portal (motcua.integration).
        "sync_log": _sync_log(dossier),
        # The amount due as assessed at submission (catalog.fees): what a request for
        # payment asks when the officer leaves the amount empty.
        "fee_quote": (
            FeeQuote.from_json(dossier.fee_assessment) if dossier.fee_assessment else None
        ),
        # A member of a linked application (motcua.linked): the data and result passed on.
        "linked": member_for_dossier(dossier.pk),
    }
    return render_page(request, "backoffice/dossier.html", context, status=status)


@require_GET
@staff_required
def dossier(request, dossier_id: int):
    d = _get(request, dossier_id)
    staff_read(request, d, what="dossier")
    return _render_dossier(request, d)


@require_GET
@staff_required
def attachment(request, dossier_id: int, att_id: int):
    """A file of a dossier the officer may see: images and PDFs inline, the rest as
    downloads. The type was sniffed from the content when the file was stored."""
    d = _get(request, dossier_id)
    att = Attachment.objects.filter(pk=att_id, dossier_id=d.pk).first()
    if att is None:
        raise Http404
    staff_read(request, d, what="attachment", attachment_id=att.pk)
    return file_response(
        att.file,
        original_name=att.original_name,
        content_type=att.content_type,
        sha256=att.sha256,
    )


@require_POST
@staff_required
def act(request, dossier_id: int, action: str):
    """One action on one dossier: parse, call the service, redirect (PRG)."""
    if action not in ACTIONS:
        raise Http404
    dossier = _get(request, dossier_id)
    page = ACTIONS[action]
    components = list(dossier.procedure_version.components.order_by("order", "pk"))
    form = make_form(action, dossier, components, request.POST, request.FILES)
    here = reverse("backoffice:dossier", args=[dossier.pk])
    if not form.is_valid():
        if "expected_version" in form.errors:
            messages.error(request, pick(STALE_VI, STALE_EN))
            return redirect(here)
        return _render_dossier(request, dossier, bound=(action, form), status=422)
    try:
        page.run(request, dossier, form.cleaned_data)
    except PermissionDenied as exc:
        return forbidden(request, exc)
    except NotFound as exc:
        if exc.field == "dossier_id":
            raise Http404 from None
        form.add_error(None, pick(exc.message, exc.message_en))
        return _render_dossier(request, dossier, bound=(action, form), status=422)
    except (Conflict, IllegalTransition) as exc:
        # Someone else acted first, or the state no longer allows it: say so and reload.
        messages.error(request, pick(exc.message, exc.message_en))
        return redirect(here)
    except DomainError as exc:
        target = page.fields.get((exc.field or "").split(".")[0])
        if target not in form.fields:
            target = None  # shown at the top of the form (file inputs, the moment)
        form.add_error(target, pick(exc.message, exc.message_en))
        return _render_dossier(request, dossier, bound=(action, form), status=422)
    messages.success(request, pick(page.done_vi, page.done_en))
    return redirect(here)
