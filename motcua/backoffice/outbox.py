"""The outbox page (Hộp thư đi, đồng bộ): per destination, what waits and what failed (dead
letters), with a replay form per dead letter and one for all of a destination. Thin caller
of motcua.integration (its selectors, services and access rule); POST then redirect."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from motcua.core.errors import IllegalTransition, NotFound, PermissionDenied
from motcua.core.templatetags.bilingual import pick
from motcua.integration import access, selectors, services
from motcua.integration.models import STATE_EN, OutboxState

from .guards import forbidden, render_page, staff_required

LIMIT = 100


@require_GET
@staff_required
def outbox(request: HttpRequest) -> HttpResponse:
    if not access.can_see_outbox(request.user):
        return forbidden(request)
    can_replay = access.can_replay(request.user)
    groups = []
    for st in selectors.destination_status():
        dead = list(
            selectors.messages(destination=st.destination, states=[OutboxState.DEAD])[: LIMIT + 1]
        )
        waiting = list(
            selectors.messages(
                destination=st.destination,
                states=[OutboxState.PENDING, OutboxState.DELIVERING],
            )[: LIMIT + 1]
        )
        groups.append(
            {
                "s": st,
                "dead": dead[:LIMIT],
                "dead_more": len(dead) > LIMIT,
                "waiting": [
                    {"m": m, "state": pick(OutboxState(m.state).label, STATE_EN[m.state])}
                    for m in waiting[:LIMIT]
                ],
                "waiting_more": len(waiting) > LIMIT,
                "replay_all_url": reverse("backoffice:outbox_replay_all", args=[st.destination]),
            }
        )
    return render_page(
        request, "backoffice/outbox.html", {"groups": groups, "can_replay": can_replay}
    )


@require_POST
@staff_required
def replay(request: HttpRequest, message_id: int) -> HttpResponseBase:
    try:
        services.outbox_message_replay(
            actor=request.user, message_id=message_id, reason=request.POST.get("reason", "")
        )
    except PermissionDenied as exc:
        return forbidden(request, exc)
    except (NotFound, IllegalTransition) as exc:
        messages.error(request, pick(exc.message, exc.message_en))
        return redirect(reverse("backoffice:outbox"))
    messages.success(request, pick("Đã đưa thư vào hàng đợi gửi lại.", "Queued for replay."))
    return redirect(reverse("backoffice:outbox"))


@require_POST
@staff_required
def replay_all(request: HttpRequest, destination: str) -> HttpResponseBase:
    try:
        n = services.outbox_replay_dead(
            actor=request.user, destination=destination, reason=request.POST.get("reason", "")
        )
    except PermissionDenied as exc:
        return forbidden(request, exc)
    messages.success(
        request, pick(f"Đã đưa {n} thư vào hàng đợi gửi lại.", f"{n} message(s) queued again.")
    )
    return redirect(reverse("backoffice:outbox"))
