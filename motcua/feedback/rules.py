"""The rules of feedback handling, each in one place: which transition is allowed from
which status (TRANSITIONS), who may take it (may_act), the due moments on the work
calendar (deadline, due_moments) and the on-time verdict (missed, late_q) that the
pages, the API and indicator 5.2 all read.

Legal time limits (docs/feedback.md): the 766 operational values (reference §4.2 G6
5.2: reject ≤ 2 working days, first request for more information ≤ 5, handled ≤ 15,
published ≤ 2). Which act each limit starts from, and whether the 15 days of Official
Dispatch 89/CĐ-TTg (calendar days, feedback on legal documents) applies instead, is
UNCONFIRMED: the values and the unit are settings."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.db.models import F, Q
from django.utils import timezone

from motcua.core.types import Actor
from motcua.org.enums import Role
from motcua.org.selectors import staff_role_map
from motcua.workcalendar.selectors import get_calendar

from .enums import Action, Status
from .models import Feedback

# action -> (statuses it may start from, the status it leads to; None = unchanged).
TRANSITIONS: dict[str, tuple[frozenset[str], str | None]] = {
    Action.ACCEPT: (frozenset({Status.RECEIVED}), Status.ACCEPTED),
    Action.REJECT: (frozenset({Status.RECEIVED}), Status.REJECTED),
    Action.CLASSIFY: (frozenset({Status.ACCEPTED, Status.CLASSIFIED}), Status.CLASSIFIED),
    Action.ASSIGN: (frozenset({Status.CLASSIFIED, Status.ASSIGNED}), Status.ASSIGNED),
    Action.REQUEST_INFO: (frozenset({Status.ASSIGNED}), Status.AWAITING_INFO),
    Action.PROVIDE_INFO: (frozenset({Status.AWAITING_INFO}), Status.ASSIGNED),
    Action.ANSWER: (frozenset({Status.ASSIGNED}), Status.ANSWERED),
    Action.PUBLISH: (frozenset({Status.ANSWERED}), Status.PUBLISHED),
    Action.RATE: (frozenset({Status.ANSWERED, Status.PUBLISHED}), None),
}

# Officers' actions: the roles that may take them, and in which agency — the intake
# agency (the one the feedback was sent to) or the handling agency (after assignment).
INTAKE_ROLES = frozenset({Role.COUNTER, Role.LEADER, Role.AGENCY_ADMIN})
ASSIGN_ROLES = frozenset({Role.LEADER, Role.AGENCY_ADMIN})
HANDLE_ROLES = frozenset({Role.LEADER})  # besides the assigned officer himself
PUBLISH_ROLES = frozenset({Role.LEADER, Role.AGENCY_ADMIN})
READ_ROLES = frozenset(Role.values)

STAFF_ACTIONS = (
    Action.ACCEPT,
    Action.REJECT,
    Action.CLASSIFY,
    Action.ASSIGN,
    Action.REQUEST_INFO,
    Action.ANSWER,
    Action.PUBLISH,
)


def allowed_from(action: str, status: str) -> bool:
    return status in TRANSITIONS[action][0]


def target_status(action: str, status: str) -> str:
    return TRANSITIONS[action][1] or status


def _roles_in(user: Actor, agency_id: int | None) -> set[str]:
    if agency_id is None:
        return set()
    return staff_role_map(user).get(agency_id, set())


def may_act(user: Actor, feedback: Feedback, action: str) -> bool:
    """May this officer take `action` on this feedback (its status aside)? Intake
    (accept, reject, classify) belongs to the intake agency's counter, leaders and
    administrators; assignment to the leaders and administrators of the intake agency or,
    to forward it again, of the handling agency; the request for information and the
    answer to the assigned officer and the handling agency's leaders; publication to the
    handling agency's leaders and administrators."""
    if action in (Action.ACCEPT, Action.REJECT, Action.CLASSIFY):
        return bool(_roles_in(user, feedback.intake_agency_id) & INTAKE_ROLES)
    if action == Action.ASSIGN:
        return bool(
            (_roles_in(user, feedback.intake_agency_id) | _roles_in(user, feedback.agency_id))
            & ASSIGN_ROLES
        )
    if action in (Action.REQUEST_INFO, Action.ANSWER):
        if user is not None and feedback.officer_id is not None and user.pk == feedback.officer_id:
            return bool(_roles_in(user, feedback.agency_id))
        return bool(_roles_in(user, feedback.agency_id) & HANDLE_ROLES)
    if action == Action.PUBLISH:
        return bool(_roles_in(user, feedback.agency_id) & PUBLISH_ROLES)
    return False


def may_read(user: Actor, feedback: Feedback) -> bool:
    """Officers of the intake agency or of the handling agency read a feedback whole."""
    roles = staff_role_map(user)
    return feedback.intake_agency_id in roles or (
        feedback.agency_id is not None and feedback.agency_id in roles
    )


def staff_q(user: Actor) -> Q:
    """The feedback an officer may read (the list's filter, the same rule as may_read)."""
    agencies = list(staff_role_map(user))
    if not agencies:
        return Q(pk__in=[])
    return Q(intake_agency_id__in=agencies) | Q(agency_id__in=agencies)


# ---------------------------------------------------------------------------- deadlines


@dataclass(frozen=True)
class Limits:
    reject: int
    info: int
    handle: int
    publish: int
    unit: str


def limits() -> Limits:
    return Limits(
        reject=int(getattr(settings, "MOTCUA_FEEDBACK_REJECT_DAYS", 2)),
        info=int(getattr(settings, "MOTCUA_FEEDBACK_INFO_DAYS", 5)),
        handle=int(getattr(settings, "MOTCUA_FEEDBACK_HANDLE_DAYS", 15)),
        publish=int(getattr(settings, "MOTCUA_FEEDBACK_PUBLISH_DAYS", 2)),
        unit=str(getattr(settings, "MOTCUA_FEEDBACK_DAY_UNIT", "working_days")),
    )


def deadline(start: dt.datetime, days: int, agency_id: int | None) -> dt.datetime:
    """`days` after `start` on the agency's work calendar (working days by default:
    weekends, public holidays and Tết do not count; motcua.workcalendar)."""
    return get_calendar(agency_id).add(start, days, limits().unit)


def due_moments(received_at: dt.datetime, agency_id: int | None) -> dict[str, dt.datetime]:
    """The due moments fixed at submission, all counted from the moment it was sent."""
    lim = limits()
    return {
        "reject_due_at": deadline(received_at, lim.reject, agency_id),
        "info_due_at": deadline(received_at, lim.info, agency_id),
        "answer_due_at": deadline(received_at, lim.handle, agency_id),
    }


def publish_due(answered_at: dt.datetime, agency_id: int | None) -> dt.datetime:
    return deadline(answered_at, limits().publish, agency_id)


# What each missed deadline is called on the pages (Vietnamese, English).
MISSED_LABELS = {
    "intake": ("tiếp nhận", "intake"),
    "reject": ("từ chối tiếp nhận", "rejection"),
    "info": ("đề nghị bổ sung", "request for information"),
    "answer": ("trả lời", "answer"),
    "publish": ("công khai", "publication"),
}


def missed(f: Feedback, as_of: dt.datetime | None = None) -> list[str]:
    """The deadlines this feedback missed by `as_of` (empty = on time), the one verdict:
    - intake: still not accepted or rejected after reject_due_at, or rejected after it;
    - first request for more information made after info_due_at;
    - answer: not answered by answer_due_at (a rejected feedback has no answer due);
    - publication: consented, answered, and not published by publish_due_at."""
    as_of = as_of or timezone.now()
    out: list[str] = []
    if f.rejected_at is not None:
        if f.rejected_at > f.reject_due_at:
            out.append("reject")
        return out
    if (
        f.accepted_at is None
        and as_of > f.reject_due_at
        or f.accepted_at is not None
        and f.accepted_at > f.reject_due_at
    ):
        out.append("intake")
    if f.info_requested_at is not None and f.info_requested_at > f.info_due_at:
        out.append("info")
    answered = f.answered_at
    if (answered is None and as_of > f.answer_due_at) or (
        answered is not None and answered > f.answer_due_at
    ):
        out.append("answer")
    if f.publish_due_at is not None and f.consent_publish:
        published = f.published_at
        if (published is None and as_of > f.publish_due_at) or (
            published is not None and published > f.publish_due_at
        ):
            out.append("publish")
    return out


def late_q(as_of: dt.datetime) -> Q:
    """The query twin of `missed(...) != []` (lists filter by it; a test holds them equal)."""
    rejected_late = Q(rejected_at__isnull=False, rejected_at__gt=F("reject_due_at"))
    live = Q(rejected_at__isnull=True)
    intake = Q(accepted_at__isnull=True, reject_due_at__lt=as_of) | Q(
        accepted_at__isnull=False, accepted_at__gt=F("reject_due_at")
    )
    info = Q(info_requested_at__isnull=False, info_requested_at__gt=F("info_due_at"))
    answer = Q(answered_at__isnull=True, answer_due_at__lt=as_of) | Q(
        answered_at__isnull=False, answered_at__gt=F("answer_due_at")
    )
    publish = Q(publish_due_at__isnull=False, consent_publish=True) & (
        Q(published_at__isnull=True, publish_due_at__lt=as_of)
        | Q(published_at__isnull=False, published_at__gt=F("publish_due_at"))
    )
    return rejected_late | (live & (intake | info | answer | publish))


# ---------------------------------------------------------------------------- publication

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")
_PHONE = re.compile(r"(?<!\d)(\+84|0)[\s.-]?\d{2,3}([\s.-]?\d{3}){2}(?!\d)")
_ID_NUMBER = re.compile(r"(?<!\d)\d{9,13}(?!\d)")  # personal id (12), old id (9), tax code
MASK = "***"


def redact(text: str, names: Iterable[str] = ()) -> str:
    """The text with personal data hidden before it is published (Decree 13/2023 asks for
    no more than the purpose needs): e-mail addresses, phone numbers, identity numbers and
    tax codes, and the given names (the submitter's) replaced by ***."""
    out = _EMAIL.sub(MASK, text)
    out = _PHONE.sub(MASK, out)
    out = _ID_NUMBER.sub(MASK, out)
    for name in names:
        name = name.strip()
        if len(name) >= 2:
            out = re.sub(re.escape(name), MASK, out, flags=re.IGNORECASE)
    return out
