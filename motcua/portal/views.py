"""Citizen portal pages: thin callers of the catalog and dossier selectors and services.

Every form works without JavaScript (POST, then redirect); a DomainError from a service is
shown next to the field it names. Dossiers the user may not see answer 404.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods, require_POST

from motcua.catalog.enums import Channel, Level
from motcua.catalog.legal import legal_documents
from motcua.catalog.limits import limit_label, limits_of
from motcua.catalog.selectors import field_list, procedure_detail, receiving_agencies
from motcua.core.db import reads_from_replica
from motcua.core.errors import DomainError, NotFound
from motcua.core.http import client_address
from motcua.core.templatetags.bilingual import pick
from motcua.core.text import sorted_vi
from motcua.core.validation import errors_from
from motcua.dossiers import actions as dossier_actions
from motcua.dossiers import selectors as dossier_selectors
from motcua.dossiers import timing
from motcua.dossiers.access import allowed_actions, applicant_id, can_see_attachment
from motcua.dossiers.attachments import file_response
from motcua.dossiers.enums import Action, Status
from motcua.dossiers.models import Attachment, AttachmentKind, Dossier
from motcua.dossiers.uploads import component_uploads
from motcua.org.models import Agency
from motcua.payments import services as payment_services
from motcua.payments import vietqr

from . import search as portal_search
from . import wording
from .linked import linked_offer, my_applications

PAGE_SIZE = 20


def _error_map(exc: DomainError) -> dict[str, DomainError]:
    """Each error of a (possibly combined) refusal under its field, to show it there."""
    return {e.field or "__all__": e for e in errors_from(exc)}


def _not_found() -> Http404:
    return Http404("Không tìm thấy")


# ---------------------------------------------------------------------------- catalog


@reads_from_replica
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/home.html", {"fields": field_list()[:24]})


@reads_from_replica
def procedures(request: HttpRequest, *, submit_mode: bool = False) -> HttpResponse:
    q = request.GET.get("q", "").strip()[:200]
    field = request.GET.get("linh_vuc", "").strip()
    level = request.GET.get("cap", "").strip()
    agency = request.GET.get("co_quan", "").strip()
    try:
        page_no = max(1, int(request.GET.get("trang", "1")))
    except ValueError:
        page_no = 1
    result = portal_search.search(
        q=q,
        field=field,
        level=level if level in Level.values else None,
        agency=agency,
        limit=PAGE_SIZE,
        offset=(page_no - 1) * PAGE_SIZE,
    )
    pages = max(1, -(-result.page.count // PAGE_SIZE))
    params = {
        k: v for k, v in (("q", q), ("linh_vuc", field), ("cap", level), ("co_quan", agency)) if v
    }

    def page_url(n: int) -> str:
        return "?" + urlencode({**params, "trang": n})

    items = []
    for p in result.page.items:
        version = p.current_versions[0] if p.current_versions else None
        offered, no_limit = online_state(version) if version else (False, False)
        items.append(
            {
                "procedure": p,
                "version": version,
                "online": offered and not no_limit,
                "online_no_limit": no_limit,
                "level_label": _level(p.level),
            }
        )
    return render(
        request,
        "portal/procedures.html",
        {
            "q": q,
            "field": field,
            "level": level,
            "agency": agency,
            "fields": field_list(),
            "levels": [(v, _level(v)) for v in Level.values],
            "agencies": sorted_vi(
                Agency.objects.filter(procedures__isnull=False)
                .distinct()
                .only("pk", "code", "name"),
                key=lambda a: a.name,
            )[:500],
            "result": result,
            "items": items,
            "page_no": page_no,
            "pages": pages,
            "prev_url": page_url(page_no - 1) if page_no > 1 else None,
            "next_url": page_url(page_no + 1) if page_no < pages else None,
            "submit_mode": submit_mode,
            "searched": bool(params),
        },
    )


def _level(value: str) -> str:
    return pick(Level(value).label, wording.LEVEL_EN[value]) if value in Level.values else value


@reads_from_replica
def submit_start(request: HttpRequest) -> HttpResponse:
    return procedures(request, submit_mode=True)


def _version_or_404(code: str):
    try:
        return procedure_detail(code)
    except NotFound:
        raise _not_found() from None


def _receiving_agencies(procedure) -> list[Agency]:
    return receiving_agencies(procedure)


def online_state(version) -> tuple[bool, bool]:
    """(offered online, and its online limit is missing): a procedure without a limit for
    the online channel takes no online submission (`time_limit_missing`), and the page says
    why rather than offering a form that would be refused."""
    offered = Channel.ONLINE in (version.channels or [])
    return offered, offered and Channel.ONLINE not in limits_of(version)


def due_preview(version, agency, channel: int):
    """The appointment if received now by `channel`; None without a limit for it."""
    if channel not in limits_of(version):
        return None
    return timing.appointment(version, agency, timezone.now(), channel, version.procedure.code)


@reads_from_replica
def procedure_page(request: HttpRequest, code: str) -> HttpResponse:
    version = _version_or_404(code)
    offered, no_limit = online_state(version)
    preview_channel = Channel.ONLINE if offered and not no_limit else Channel.COUNTER
    due = due_preview(version, None, preview_channel)
    return render(
        request,
        "portal/procedure.html",
        {
            "version": version,
            "procedure": version.procedure,
            "components": list(version.components.all()),
            "fees": list(version.fees.all()),
            "steps": list(version.steps.all()),
            "due_preview": due,
            "online": offered and not no_limit,
            "online_no_limit": no_limit,
            # One line per channel, each with the one label of its limit.
            "limits": [
                {
                    "channel": pick(Channel(c).label, wording.CHANNEL_EN[c]),
                    "label": pick(limit_label(version, c), limit_label(version, c, english=True)),
                }
                for c in sorted(set(version.channels or []) | set(limits_of(version)))
                if c in Channel.values
            ],
            "channels": [
                pick(Channel(c).label, wording.CHANNEL_EN[c])
                for c in version.channels or []
                if c in Channel.values
            ],
            "level_label": _level(version.procedure.level),
            "agencies": _receiving_agencies(version.procedure),
            "legal_documents": legal_documents(version.legal_basis),
            "linked": linked_offer(version.procedure),
        },
    )


# ---------------------------------------------------------------------------- my dossiers


def _get(request: HttpRequest, dossier_id: int):
    try:
        dossier = dossier_selectors.dossier_get(user=request.user, dossier_id=dossier_id)
    except NotFound:
        raise _not_found() from None
    if dossier.owner_id is None or dossier.owner_id != applicant_id(request.user):
        raise _not_found()  # the portal shows one's own dossiers; staff use /can-bo/
    return dossier


def _status(dossier) -> dict:
    vi, en, tone = wording.STATUS_PLAIN[dossier.status]
    return {"text": pick(vi, en), "tone": tone}


@login_required
def my_dossiers(request: HttpRequest) -> HttpResponse:
    paginator = Paginator(dossier_selectors.my_dossiers(user=request.user), PAGE_SIZE)
    page = paginator.get_page(request.GET.get("trang"))
    rows = [{"dossier": d, "status": _status(d)} for d in page.object_list]
    context = {"page": page, "rows": rows, "applications": my_applications(request)}
    return render(request, "portal/my_dossiers.html", context)


def _timeline(dossier, released: bool) -> list[dict]:
    """The dossier's events in plain words; a draft result's attachment stays out until the
    result is released to the applicant (access.can_see_attachment)."""
    entries = []
    for e in dossier.events.select_related("actor_agency").order_by("seq"):
        if not released and e.action == Action.ATTACH_RESULT:
            continue
        vi, en = wording.EVENT_PLAIN.get(e.action, (e.action, e.action))
        entries.append({"event": e, "text": pick(vi, en)})
    return entries


def _dossier_context(request: HttpRequest, dossier, **extra) -> dict:
    actions = allowed_actions(request.user, dossier)
    attachments = list(dossier.attachments.select_related("component").order_by("pk"))
    components = list(dossier.procedure_version.components.all())
    missing: list = []
    if dossier.status == Status.SUPPLEMENT_REQUESTED:
        pause = dossier.pauses.filter(ended_at__isnull=True).first()
        wanted = set(pause.missing_components) if pause else set()
        missing = [c for c in components if c.pk in wanted]
        extra.setdefault("pause", pause)
    next_step = wording.NEXT_PLAIN.get(dossier.status)
    waiting = dossier.status == Status.FINANCIAL_OBLIGATION
    can_pay = waiting and dossier.owner_id and applicant_id(request.user) == dossier.owner_id
    context = {
        "can_pay": can_pay,
        **(_transfer_context(dossier) if can_pay else {}),
        "national_on": bool(can_pay) and payment_services.national_configured(),
        "payments": list(dossier.payments.order_by("-created_at")[:5]) if can_pay else [],
        # Fee receipts and refunds (motcua.payments; PDFs at /giay-to/<id>/bien-lai/<r>.pdf).
        "fee_receipts": list(dossier.fee_receipts.order_by("pk")),
        "refunds": list(dossier.refunds.order_by("pk")),
        "dossier": dossier,
        "status": _status(dossier),
        "next_step": pick(*next_step) if next_step else "",
        "documents": _documents(dossier),
        "timeline": _timeline(
            dossier, can_see_attachment(request.user, dossier, AttachmentKind.RESULT)
        ),
        "actions": actions,
        "submitted": [a for a in attachments if a.kind != AttachmentKind.RESULT],
        "results": [
            a
            for a in attachments
            if a.kind == AttachmentKind.RESULT and can_see_attachment(request.user, dossier, a.kind)
        ],
        "components": components,
        "missing": missing,
        "errors": {},
        "rating_choices": [(v, pick(vi, en)) for v, vi, en in wording.RATING_CHOICES],
        "criteria": [(k, pick(vi, en)) for k, vi, en in wording.CRITERIA],
        "count_criteria": [(k, pick(vi, en)) for k, vi, en in wording.COUNT_CRITERIA],
        "count_choices": [(v, pick(vi, en)) for v, vi, en in wording.COUNT_CHOICES],
        "rated": dossier.rating is not None,
        "rating_text": next(
            (pick(vi, en) for v, vi, en in wording.RATING_CHOICES if v == dossier.rating), ""
        ),
    }
    context.update(extra)
    return context


def _render_dossier(request: HttpRequest, context: dict, status: int = 200) -> HttpResponse:
    """The dossier page. Where it offers "Thanh toán trực tuyến", its form's answer is a
    redirect to the gateway: the page's form-action (CSP) allows the gateway's origin too,
    or the browser would block the redirect."""
    response = render(request, "portal/dossier.html", context, status=status)
    origins = []
    if context.get("can_pay"):
        origins = [payment_services.gateway_origin()]
        if context.get("national_on"):
            origins.append(payment_services.national_origin())
    allowed = sorted({o for o in origins if o})
    if allowed:
        response._csp_update = {"form-action": allowed}  # type: ignore[attr-defined]
    return response


def _documents(dossier) -> list[tuple[str, str]]:
    """Links to the official forms (motcua.documents at /giay-to/) this dossier has."""
    docs = []
    if dossier.channel == Channel.ONLINE:
        docs.append(
            (
                "acknowledgement",
                pick("Giấy xác nhận nộp hồ sơ trực tuyến", "Online submission acknowledgement"),
            )
        )
    if dossier.received_at:
        docs.append(
            (
                "receipt",
                pick("Giấy tiếp nhận hồ sơ và hẹn trả kết quả", "Receipt and appointment"),
            )
        )
    if dossier.status == Status.REFUSED:
        docs.append(("refusal", pick("Phiếu từ chối tiếp nhận", "Refusal notice")))
    if dossier.status == Status.FINANCIAL_OBLIGATION:
        docs.append(("payment_request", pick("Thông báo nộp phí, lệ phí", "Request for the fees")))
    if dossier.supplement_count:
        docs.append(("supplement_request", pick("Phiếu yêu cầu bổ sung", "Supplement request")))
    if dossier.apology_count:
        docs.append(("apology", pick("Phiếu xin lỗi và hẹn lại ngày trả", "Apology letter")))
    return docs


@login_required
def dossier_page(request: HttpRequest, dossier_id: int) -> HttpResponse:
    dossier = _get(request, dossier_id)
    return _render_dossier(request, _dossier_context(request, dossier))


@login_required
def receipt(request: HttpRequest, dossier_id: int) -> HttpResponse:
    dossier = _get(request, dossier_id)
    return render(
        request,
        "portal/receipt.html",
        {
            "dossier": dossier,
            "status": _status(dossier),
            "attachments": list(dossier.attachments.select_related("component").order_by("pk")),
            "due_preview": due_preview(
                dossier.procedure_version, dossier.settling_agency, dossier.channel
            )
            if dossier.due_at is None
            else None,
        },
    )


# ---------------------------------------------------------------------------- actions


def _supplement_inputs(request: HttpRequest, dossier: Dossier) -> dict[str, Any]:
    return {"files": component_uploads(request.FILES), "note": request.POST.get("note", "")}


def _withdrawal_inputs(request: HttpRequest, dossier: Dossier) -> dict[str, Any]:
    return {"reason": request.POST.get("reason", "")}


def _rating_inputs(request: HttpRequest, dossier: Dossier) -> dict[str, Any]:
    raw = request.POST.get("rating", "")
    criteria: dict[str, int] = {}
    for key, _vi, _en in [*wording.CRITERIA, *wording.COUNT_CRITERIA]:
        value = request.POST.get(f"criterion_{key}", "")
        if value.lstrip("-").isdigit():
            criteria[key] = int(value)
    return {
        "rating": int(raw) if raw.lstrip("-").isdigit() else 99,
        "criteria": criteria,
        "comment": request.POST.get("comment", ""),
    }


@dataclass(frozen=True)
class CitizenAction:
    """How the dossier page takes one of the citizen's actions (the service it runs and
    its inputs: motcua.dossiers.actions)."""

    path: str  # ho-so/<id>/<path>/
    url_name: str
    # The service's inputs from the POST; values it must refuse are passed on for it to.
    inputs: Callable[[HttpRequest, Dossier], dict[str, Any]]
    done_vi: str
    done_en: str
    echo: tuple[str, ...] = ()  # POST fields shown again (as form_<name>) after a refusal


CITIZEN_ACTIONS: dict[str, CitizenAction] = {
    Action.SUPPLEMENT: CitizenAction(
        "bo-sung",
        "supplement",
        _supplement_inputs,
        "Đã gửi giấy tờ bổ sung.",
        "Your documents were sent.",
        echo=("note",),
    ),
    Action.REQUEST_WITHDRAWAL: CitizenAction(
        "rut",
        "withdraw",
        _withdrawal_inputs,
        "Đã gửi yêu cầu rút hồ sơ.",
        "Your withdrawal request was sent.",
        echo=("reason",),
    ),
    Action.RATE: CitizenAction(
        "danh-gia",
        "rate",
        _rating_inputs,
        "Cảm ơn bạn đã đánh giá.",
        "Thank you for your rating.",
        echo=("comment",),
    ),
}

# Errors under these fields show next to their input; the rest at the top of the page.
FORM_FIELDS = {"reason", "rating"}


@login_required
@require_POST
def act(request: HttpRequest, dossier_id: int, action: str) -> HttpResponse:
    """One of the citizen's actions on their dossier (urls: one path per CITIZEN_ACTIONS
    entry); on refusal, the page again with the error next to its field."""
    page = CITIZEN_ACTIONS[action]
    dossier = _get(request, dossier_id)
    try:
        dossier_actions.run(
            action,
            dossier_id=dossier.pk,
            actor=request.user,
            expected_version=_version(request),
            inputs=page.inputs(request, dossier),
        )
    except DomainError as exc:
        dossier = _get(request, dossier_id)
        errors = _error_map(exc)
        general = [
            e for k, e in errors.items() if k not in FORM_FIELDS and not k.startswith("files")
        ]
        echoed = {f"form_{name}": request.POST.get(name, "") for name in page.echo}
        context = _dossier_context(
            request, dossier, errors=errors, general_errors=general, **echoed
        )
        return _render_dossier(request, context, status=400)
    messages.success(request, pick(page.done_vi, page.done_en))
    return redirect("portal:dossier", dossier_id=dossier_id)


# ---------------------------------------------------------------------------- payment


@login_required
@require_POST
def pay_online(request: HttpRequest, dossier_id: int) -> HttpResponse:
    """The applicant's "Thanh toán trực tuyến": start (or resume) the attempt and go to the
    gateway's checkout page. Nothing is paid here: only the gateway's verified
    notification or a verified query records a payment (motcua.payments.services)."""
    dossier = _get(request, dossier_id)
    try:
        started = payment_services.payment_start(
            dossier_id=dossier.pk,
            actor=request.user,
            return_url=request.build_absolute_uri(reverse("portal:payment_return")),
            client_ip=client_address(request),
        )
    except DomainError as exc:
        context = _dossier_context(request, dossier, general_errors=[exc])
        return _render_dossier(request, context, status=exc.status)
    return redirect(started.redirect_url)


# ------------------------------------------- the national portal's payment platform


@login_required
@require_POST
def pay_national(request: HttpRequest, dossier_id: int) -> HttpResponse:
    """ "Thanh toán qua Nền tảng thanh toán quốc gia" (Flow A): start the attempt (the
    platform's init message) and go to the platform's checkout page (UrlThanhToan from its
    verified answer). Nothing is paid here: only the platform's verified callback or its
    verified get-bill answer records a payment."""
    dossier = _get(request, dossier_id)
    try:
        started = payment_services.national_payment_start(
            dossier_id=dossier.pk, actor=request.user, client_ip=client_address(request)
        )
    except DomainError as exc:
        context = _dossier_context(request, dossier, general_errors=[exc])
        return _render_dossier(request, context, status=exc.status)
    return redirect(started.redirect_url)


@login_required
def national_return(request: HttpRequest) -> HttpResponse:
    """Where the platform's page sends the browser back (?MaThamChieu=…): what the server
    knows about the attempt (asking the platform if its callback has not come yet)."""
    payment = payment_services.national_return(
        request.GET.get("MaThamChieu", ""), actor=request.user, client_ip=client_address(request)
    )
    return render(
        request,
        "portal/payment_return.html",
        {"payment": payment, "dossier": payment.dossier if payment else None},
        status=200 if payment is not None else 404,
    )


# ------------------------------------------------------- bank transfer by VietQR


def _transfer_context(dossier) -> dict:
    """What the payment card shows for a transfer: whether a collecting account is set, and
    the pending transfer (its QR is an <img> of this site: img-src 'self')."""
    try:
        account = payment_services.dossier_account(dossier)
    except payment_services.TransferNotConfigured:
        return {"transfer_on": False}
    return {
        "transfer_on": True,
        "transfer_account": account,
        "transfer": payment_services.pending_transfer(dossier),
    }


@login_required
@require_POST
def pay_transfer(request: HttpRequest, dossier_id: int) -> HttpResponse:
    """ "Chuyển khoản bằng VietQR": create (or re-use) the pending transfer payment with its
    reference, then show the dossier page with the QR. Nothing is paid here: the bank's
    statement says when the money came (motcua.payments.services.statement_import)."""
    dossier = _get(request, dossier_id)
    try:
        payment_services.vietqr_payment(dossier_id=dossier.pk, actor=request.user)
    except DomainError as exc:
        context = _dossier_context(request, dossier, general_errors=[exc])
        return _render_dossier(request, context, status=exc.status)
    return redirect(reverse("portal:dossier", args=[dossier.pk]) + "#pay-title")


@login_required
def transfer_qr(request: HttpRequest, dossier_id: int, payment_id: int) -> HttpResponse:
    """The VietQR of the applicant's pending transfer, as a PNG (only to its applicant)."""
    dossier = _get(request, dossier_id)
    payment = dossier.payments.filter(pk=payment_id, channel="vietqr_transfer").first()
    if payment is None:
        raise _not_found()
    try:
        code = payment_services.transfer_payload(payment)
    except DomainError:
        raise _not_found() from None
    response = HttpResponse(vietqr.png(code), content_type="image/png")
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
def payment_return(request: HttpRequest) -> HttpResponse:
    """Where the gateway sends the browser back. Shows what the server knows about the
    attempt (asking the gateway if its notification has not come yet); the parameters of
    this URL are never taken as the outcome."""
    payment = payment_services.payment_return(
        request.GET.dict(), actor=request.user, client_ip=client_address(request)
    )
    status = 200 if payment is not None else 404
    return render(
        request,
        "portal/payment_return.html",
        {"payment": payment, "dossier": payment.dossier if payment else None},
        status=status,
    )


def _version(request: HttpRequest) -> int | None:
    raw = request.POST.get("version", "")
    return int(raw) if raw.isdigit() else None


@login_required
def attachment(request: HttpRequest, dossier_id: int, att_id: int) -> HttpResponseBase:
    dossier = _get(request, dossier_id)
    att = Attachment.objects.filter(pk=att_id, dossier_id=dossier.pk).first()
    if att is None or not can_see_attachment(request.user, dossier, att.kind):
        raise _not_found()
    return file_response(
        att.file,
        original_name=att.original_name,
        content_type=att.content_type,
        sha256=att.sha256,
    )


# ---------------------------------------------------------------------------- lookup


def lookup(request: HttpRequest) -> HttpResponse:
    code = request.GET.get("code", "").strip()[:48]
    secret = request.GET.get("secret", "").strip()[:16]
    dossier = None
    error = None
    if code or secret:
        try:
            dossier = dossier_selectors.dossier_lookup(
                code=code, secret=secret, client=client_address(request)
            )
        except DomainError as exc:
            error = exc
    return render(
        request,
        "portal/lookup.html",
        {
            "code": code,
            "secret": secret,
            "dossier": dossier,
            "status": _status(dossier) if dossier else None,
            "error": error,
        },
        status=error.status if error else 200,
    )


# ---------------------------------------------------------------------------- accounts

REGISTER_FIELDS = (
    "kind",
    "username",
    "full_name",
    "personal_id",
    "tax_code",
    "phone",
    "email",
    "address",
)


@require_http_methods(["GET", "POST"])
def register(request: HttpRequest) -> HttpResponse:
    from motcua.org.services import applicant_register

    values = {k: "" for k in REGISTER_FIELDS}
    values["kind"] = "person"
    errors: dict[str, DomainError] = {}
    if request.method == "POST":
        values.update({k: request.POST.get(k, "").strip() for k in REGISTER_FIELDS})
        password = request.POST.get("password", "")
        try:
            account = applicant_register(
                password=password,
                password_confirmation=request.POST.get("password2", ""),
                **values,
            )
        except DomainError as exc:
            errors = _error_map(exc)
        else:
            login(request, account.user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(
                request,
                pick("Đã tạo tài khoản. Chào mừng bạn!", "Your account is ready. Welcome!"),
            )
            target = request.POST.get("next", "")
            if not url_has_allowed_host_and_scheme(
                target, {request.get_host()}, require_https=request.is_secure()
            ):
                target = reverse("portal:my_dossiers")
            return redirect(target)
    return render(
        request,
        "portal/register.html",
        {"values": values, "errors": errors},
        status=400 if errors else 200,
    )
