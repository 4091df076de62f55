"""Feedback pages: the public form, the submitter's tracking page (with the rating and the
additional information), the published answers, and the officers' list and handling page.
Thin callers of feedback.services and feedback.selectors; every form works without
JavaScript (POST, then redirect)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from motcua.core.errors import DomainError
from motcua.core.http import client_address
from motcua.core.templatetags.bilingual import pick
from motcua.org.models import Agency, StaffRole
from motcua.org.selectors import staff_role_map, staff_roles_in_force

from . import rules, selectors, services
from .enums import Action, Kind, Satisfaction, Status, Subject, Topic

FORM_FIELDS = (
    "subject",
    "dossier_code",
    "procedure_code",
    "agency_code",
    "about_officer",
    "content",
    "submitter_name",
    "submitter_phone",
    "submitter_email",
    "submitter_address",
    "follows_code",
)


def _agencies() -> Any:
    return Agency.objects.filter(valid_to__isnull=True).order_by("name")


def _track_url(code: str) -> str:
    return reverse("feedback:track") + "?" + urlencode({"code": code})


def _late(f: Any) -> list[str]:
    return [pick(*rules.MISSED_LABELS[step]) for step in rules.missed(f)]


# ---------------------------------------------------------------------------- public


@require_http_methods(["GET", "POST"])
def submit(request: HttpRequest) -> HttpResponse:
    values: dict[str, Any] = {k: "" for k in FORM_FIELDS}
    values["subject"] = Subject.DOSSIER
    values.update(services.prefill(request.user))
    if request.GET.get("ho-so"):
        values["dossier_code"] = request.GET["ho-so"][:48]
    consent = False
    errors: dict[str, DomainError] = {}
    if request.method == "POST":
        values.update({k: request.POST.get(k, "") for k in FORM_FIELDS})
        consent = request.POST.get("consent_publish") == "1"
        try:
            f = services.feedback_submit(
                actor=request.user,
                consent_publish=consent,
                client=client_address(request),
                **values,
            )
        except DomainError as exc:
            errors = {exc.field or "__all__": exc}
        else:
            messages.success(
                request,
                pick(
                    f"Đã gửi phản ánh, kiến nghị. Mã theo dõi: {f.code} — hãy ghi lại mã này.",
                    f"Your feedback was sent. Tracking code: {f.code} — keep it.",
                ),
            )
            return redirect(_track_url(f.code))
    return render(
        request,
        "feedback/submit.html",
        {
            "values": values,
            "consent": consent,
            "errors": errors,
            "subjects": Subject.choices,
            "agencies": _agencies(),
        },
        status=(next(iter(errors.values())).status if errors else 200),
    )


@require_GET
def track(request: HttpRequest) -> HttpResponse:
    code = request.GET.get("code", "").strip()[:16]
    feedback, error = None, None
    if code:
        try:
            feedback = selectors.feedback_track(code=code, client=client_address(request))
        except DomainError as exc:
            error = exc
    return render(
        request,
        "feedback/track.html",
        {
            "code": code,
            "f": feedback,
            "error": error,
            "can_rate": feedback is not None
            and rules.allowed_from(Action.RATE, feedback.status)
            and feedback.rated_at is None,
            "satisfactions": Satisfaction.choices,
            "late": _late(feedback) if feedback else [],
            # A signed-in citizen's own feedback, to open without typing the code.
            "mine": list(selectors.my_feedback(user=request.user).order_by("-received_at")[:50]),
        },
        status=error.status if error else 200,
    )


def _submitter_post(request: HttpRequest, call: Any, done_vi: str, done_en: str) -> HttpResponse:
    code = request.POST.get("code", "").strip()[:16]
    try:
        call(code)
    except DomainError as exc:
        messages.error(request, pick(exc.message, exc.message_en))
    else:
        messages.success(request, pick(done_vi, done_en))
    return redirect(_track_url(code))


@require_POST
def rate(request: HttpRequest) -> HttpResponse:
    return _submitter_post(
        request,
        lambda code: services.feedback_rate(
            code=code, actor=request.user, satisfaction=request.POST.get("satisfaction", "")
        ),
        "Cảm ơn bạn đã đánh giá.",
        "Thank you for your rating.",
    )


@require_POST
def provide_info(request: HttpRequest) -> HttpResponse:
    return _submitter_post(
        request,
        lambda code: services.feedback_provide_info(
            code=code, actor=request.user, response=request.POST.get("response", "")
        ),
        "Đã gửi thông tin bổ sung.",
        "The additional information was sent.",
    )


@require_GET
def published_list(request: HttpRequest) -> HttpResponse:
    q = request.GET.get("q", "").strip()[:100]
    page = Paginator(selectors.published(q=q), 20).get_page(request.GET.get("trang"))
    return render(request, "feedback/published.html", {"page": page, "q": q})


@require_GET
def published_detail(request: HttpRequest, feedback_id: int) -> HttpResponse:
    try:
        f = selectors.published_get(feedback_id=feedback_id)
    except DomainError as exc:
        raise Http404("Không tìm thấy") from exc
    return render(request, "feedback/published_detail.html", {"f": f})


# ---------------------------------------------------------------------------- officers


def _staff(request: HttpRequest) -> HttpResponse | None:
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not staff_role_map(request.user):
        return HttpResponse(
            "Trang dành cho cán bộ.\nStaff only.\n",
            status=403,
            content_type="text/plain; charset=utf-8",
        )
    return None


@require_GET
def staff_list(request: HttpRequest) -> HttpResponse:
    refused = _staff(request)
    if refused:
        return refused
    status = request.GET.get("trang-thai", "")
    status = status if status in Status.values else ""
    late = request.GET.get("qua-han") == "1"
    now = timezone.now()
    qs = selectors.staff_list(user=request.user, status=status or None, late=late, now=now)
    page = Paginator(qs, 50).get_page(request.GET.get("trang"))
    return render(
        request,
        "feedback/staff_list.html",
        {
            "page": page,
            "rows": [(f, rules.missed(f, now)) for f in page],
            "status": status,
            "late": late,
            "statuses": Status.choices,
        },
    )


def _officers(agency_ids: list[int]) -> list[tuple[int, str, str]]:
    roles = StaffRole.objects.filter(staff_roles_in_force(), agency_id__in=agency_ids)
    seen: dict[int, tuple[int, str, str]] = {}
    for r in roles.select_related("user", "agency").order_by("agency__name", "user__username"):
        name = r.user.get_full_name() or r.user.username
        seen.setdefault(r.user_id, (r.user_id, name, r.agency.name))
    return list(seen.values())


def _detail(request: HttpRequest, f: Any, errors: dict[str, DomainError], status: int = 200):
    allowed = {
        a: rules.may_act(request.user, f, a) and rules.allowed_from(a, f.status)
        for a in rules.STAFF_ACTIONS
    }
    agency_ids = [i for i in (f.intake_agency_id, f.agency_id) if i is not None]
    return render(
        request,
        "feedback/staff_detail.html",
        {
            "f": f,
            "allowed": allowed,
            "errors": errors,
            "events": f.events.select_related("actor").order_by("pk"),
            "late": _late(f),
            "kinds": Kind.choices,
            "topics": Topic.choices,
            "agencies": _agencies(),
            "officers": _officers(agency_ids) if allowed[Action.ASSIGN] else [],
            "post": request.POST if request.method == "POST" else {},
        },
        status=status,
    )


@require_GET
def staff_detail(request: HttpRequest, feedback_id: int) -> HttpResponse:
    refused = _staff(request)
    if refused:
        return refused
    try:
        f = selectors.staff_get(user=request.user, feedback_id=feedback_id)
    except DomainError as exc:
        if exc.status == 404:
            raise Http404("Không tìm thấy") from exc
        return HttpResponse(
            f"{exc.message}\n{exc.message_en}\n",
            status=exc.status,
            content_type="text/plain; charset=utf-8",
        )
    return _detail(request, f, {})


def _int(raw: str | None) -> int | None:
    return int(raw) if raw and raw.isdigit() else None


@require_POST
def staff_act(request: HttpRequest, feedback_id: int, action: str) -> HttpResponse:
    refused = _staff(request)
    if refused:
        return refused
    p, user = request.POST, request.user
    calls = {
        Action.ACCEPT: lambda: services.feedback_accept(feedback_id=feedback_id, actor=user),
        Action.REJECT: lambda: services.feedback_reject(
            feedback_id=feedback_id, actor=user, reason=p.get("reason", "")
        ),
        Action.CLASSIFY: lambda: services.feedback_classify(
            feedback_id=feedback_id, actor=user, kind=p.get("kind", ""), topic=p.get("topic", "")
        ),
        Action.ASSIGN: lambda: services.feedback_assign(
            feedback_id=feedback_id,
            actor=user,
            agency_id=_int(p.get("agency")) or 0,
            officer_id=_int(p.get("officer")),
        ),
        Action.REQUEST_INFO: lambda: services.feedback_request_info(
            feedback_id=feedback_id, actor=user, request=p.get("request", "")
        ),
        Action.ANSWER: lambda: services.feedback_answer(
            feedback_id=feedback_id, actor=user, answer=p.get("answer", "")
        ),
        Action.PUBLISH: lambda: services.feedback_publish(
            feedback_id=feedback_id,
            actor=user,
            public_content=p.get("public_content", ""),
            public_answer=p.get("public_answer", ""),
        ),
    }
    call = calls.get(action)  # type: ignore[call-overload]
    if call is None:
        raise Http404("Không có thao tác này")
    try:
        selectors.staff_get(user=user, feedback_id=feedback_id)
        call()
    except DomainError as exc:
        if exc.status == 404:
            raise Http404("Không tìm thấy") from exc
        if exc.status == 403:
            return HttpResponse(
                f"{exc.message}\n{exc.message_en}\n",
                status=403,
                content_type="text/plain; charset=utf-8",
            )
        f = selectors.staff_get(user=user, feedback_id=feedback_id)
        return _detail(request, f, {action: exc}, status=exc.status)
    messages.success(request, pick(f"Đã {Action(action).label.lower()}.", "Done."))
    return redirect("feedback:staff_detail", feedback_id=feedback_id)
