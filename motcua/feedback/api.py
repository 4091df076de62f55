"""Feedback (PAKN) over HTTP.

Public (no login): POST /api/feedback sends one (tied to the account when a token or a
session comes with it); GET /api/feedback/track?code= follows it, and with the code the
submitter rates the answer or adds the information asked for; GET /api/feedback/published
lists the published answers (no personal data). Officers: /api/feedback/staff/..., the
same services as the pages, each action a transition (409 from the wrong status, 403 for
the wrong role or agency: feedback.rules)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from django.http import HttpRequest
from ninja import Field, Path, Router, Schema
from ninja import Status as HttpStatus

# The function, not ninja's `Query` shortcut, which the type checker sees as a generic alias.
from ninja.params.functions import Query

from motcua.api.auth import AUTH, token_auth
from motcua.api.openapi import declare
from motcua.core.http import client_address
from motcua.core.paging import MAX_OFFSET

from . import rules, selectors, services
from .enums import Channel, Kind, Satisfaction, Status, Subject, Topic
from .models import Feedback

router = Router(tags=["feedback"])
RowId = Path(..., ge=1, le=2**63 - 1)
NonBlank = Annotated[str, Field(min_length=1, max_length=10000, pattern=r"\S")]
TrackCode = Annotated[str, Field(min_length=1, max_length=16)]


class FeedbackIn(Schema):
    subject: Subject
    content: Annotated[str, Field(min_length=1, max_length=5000, pattern=r"\S")]
    submitter_name: Annotated[str, Field(min_length=1, max_length=255, pattern=r"\S")]
    submitter_phone: str = Field("", max_length=20)
    submitter_email: str = Field("", max_length=254)
    submitter_address: str = Field("", max_length=255)
    consent_publish: bool = False
    dossier_code: str = Field("", max_length=48)
    procedure_code: str = Field("", max_length=32)
    agency_code: str = Field("", max_length=32)
    about_officer: str = Field("", max_length=255)
    follows_code: str = Field("", max_length=16)


class FeedbackTrackOut(Schema):
    """What the submitter sees with the tracking code."""

    code: str
    status: Status
    subject: Subject
    kind: Kind | None
    topic: Topic | None
    intake_agency: str
    agency: str | None
    content: str
    received_at: dt.datetime
    answer_due_at: dt.datetime
    reject_reason: str
    info_request: str
    answer: str
    answered_at: dt.datetime | None
    published_at: dt.datetime | None
    satisfaction: Satisfaction | None
    late: list[str]


class FeedbackPublishedOut(Schema):
    id: int
    kind: Kind | None
    agency: str | None
    procedure: str | None
    content: str
    answer: str
    answered_at: dt.datetime | None
    published_at: dt.datetime | None


class FeedbackPublishedPageOut(Schema):
    count: int
    items: list[FeedbackPublishedOut]


class FeedbackStaffOut(FeedbackTrackOut):
    id: int
    channel: Channel
    dossier: str | None
    procedure: str | None
    about_officer: str
    submitter_name: str
    submitter_phone: str
    submitter_email: str
    consent_publish: bool
    officer: int | None
    follows: str | None
    reject_due_at: dt.datetime
    info_due_at: dt.datetime
    publish_due_at: dt.datetime | None


class FeedbackStaffPageOut(Schema):
    count: int
    items: list[FeedbackStaffOut]


class FeedbackRatingIn(Schema):
    code: TrackCode
    satisfaction: Satisfaction


class FeedbackInfoIn(Schema):
    code: TrackCode
    response: NonBlank


class FeedbackRejectIn(Schema):
    reason: NonBlank


class FeedbackClassifyIn(Schema):
    kind: Kind
    topic: Topic


class FeedbackAssignIn(Schema):
    agency: Annotated[str, Field(min_length=1, max_length=32, description="agency code")]
    officer: int | None = Field(None, ge=1, le=2**63 - 1)


class FeedbackRequestInfoIn(Schema):
    request: NonBlank


class FeedbackAnswerIn(Schema):
    answer: NonBlank


class FeedbackPublishIn(Schema):
    public_content: str = Field("", max_length=5000)
    public_answer: str = Field("", max_length=10000)


def _track(f: Feedback) -> dict[str, Any]:
    return {
        "code": f.code,
        "status": f.status,
        "subject": f.subject,
        "kind": f.kind or None,
        "topic": f.topic or None,
        "intake_agency": f.intake_agency.code,
        "agency": f.agency.code if f.agency else None,
        "content": f.content,
        "received_at": f.received_at,
        "answer_due_at": f.answer_due_at,
        "reject_reason": f.reject_reason,
        "info_request": f.info_request if f.status == Status.AWAITING_INFO else "",
        "answer": f.answer,
        "answered_at": f.answered_at,
        "published_at": f.published_at,
        "satisfaction": f.satisfaction or None,
        "late": rules.missed(f),
    }


def _staff(f: Feedback) -> dict[str, Any]:
    return {
        **_track(f),
        "id": f.pk,
        "channel": f.channel,
        "dossier": f.dossier.code if f.dossier else None,
        "procedure": f.procedure.code if f.procedure else None,
        "about_officer": f.about_officer,
        "submitter_name": f.submitter_name,
        "submitter_phone": f.submitter_phone,
        "submitter_email": f.submitter_email,
        "consent_publish": f.consent_publish,
        "officer": f.officer_id,
        "follows": f.follows.code if f.follows_id and f.follows else None,
        "reject_due_at": f.reject_due_at,
        "info_due_at": f.info_due_at,
        "publish_due_at": f.publish_due_at,
    }


def _published(f: Feedback) -> dict[str, Any]:
    return {
        "id": f.pk,
        "kind": f.kind or None,
        "agency": f.agency.code if f.agency else None,
        "procedure": f.procedure.code if f.procedure else None,
        "content": f.public_content,
        "answer": f.public_answer,
        "answered_at": f.answered_at,
        "published_at": f.published_at,
    }


def _actor(request: HttpRequest) -> Any:
    """A public call may carry a token or a session: then the feedback is the account's."""
    return token_auth(request) or request.user


# ---------------------------------------------------------------------------- public


@router.post(
    "",
    response={201: FeedbackTrackOut},
    auth=None,
    url_name="feedback_submit",
    openapi_extra=declare(throttled=True),
)
def submit(request: HttpRequest, body: FeedbackIn) -> HttpStatus:
    f = services.feedback_submit(
        actor=_actor(request),
        channel=Channel.API,
        client=client_address(request),
        **body.dict(),
    )
    return HttpStatus(201, _track(selectors.feedback_track(code=f.code)))


@router.get(
    "/track",
    response=FeedbackTrackOut,
    auth=None,
    url_name="feedback_track",
    openapi_extra=declare(throttled=True, not_found=True),
)
def track(request: HttpRequest, code: str = Query(..., min_length=1, max_length=16)) -> Any:
    return _track(selectors.feedback_track(code=code, client=client_address(request)))


@router.post(
    "/track/rating",
    response=FeedbackTrackOut,
    auth=None,
    url_name="feedback_rate",
    openapi_extra=declare(transition=True, not_found=True, forbidden=True),
)
def rate(request: HttpRequest, body: FeedbackRatingIn) -> Any:
    f = services.feedback_rate(
        code=body.code, actor=_actor(request), satisfaction=body.satisfaction
    )
    return _track(selectors.feedback_track(code=f.code))


@router.post(
    "/track/info",
    response=FeedbackTrackOut,
    auth=None,
    url_name="feedback_provide_info",
    openapi_extra=declare(transition=True, not_found=True, forbidden=True),
)
def provide_info(request: HttpRequest, body: FeedbackInfoIn) -> Any:
    f = services.feedback_provide_info(
        code=body.code, actor=_actor(request), response=body.response
    )
    return _track(selectors.feedback_track(code=f.code))


@router.get(
    "/published", response=FeedbackPublishedPageOut, auth=None, url_name="feedback_published"
)
def published(
    request: HttpRequest,
    q: str = Query("", max_length=100),
    offset: int = Query(0, ge=0, le=MAX_OFFSET),
    limit: int = Query(20, ge=1, le=100),
) -> dict[str, Any]:
    qs = selectors.published(q=q)
    return {"count": qs.count(), "items": [_published(f) for f in qs[offset : offset + limit]]}


@router.get(
    "/published/{feedback_id}",
    response=FeedbackPublishedOut,
    auth=None,
    url_name="feedback_published_detail",
)
def published_detail(request: HttpRequest, feedback_id: int = RowId) -> dict[str, Any]:
    return _published(selectors.published_get(feedback_id=feedback_id))


# ---------------------------------------------------------------------------- officers


@router.get("/staff", response=FeedbackStaffPageOut, auth=AUTH, url_name="feedback_staff_list")
def staff_list(
    request: HttpRequest,
    status: Status | None = None,
    late: bool = False,
    offset: int = Query(0, ge=0, le=MAX_OFFSET),
    limit: int = Query(50, ge=1, le=200),
) -> dict[str, Any]:
    qs = selectors.staff_list(user=request.user, status=status, late=late).select_related("follows")
    return {"count": qs.count(), "items": [_staff(f) for f in qs[offset : offset + limit]]}


@router.get(
    "/staff/{feedback_id}",
    response=FeedbackStaffOut,
    auth=AUTH,
    url_name="feedback_staff_detail",
    openapi_extra=declare(forbidden=True),
)
def staff_detail(request: HttpRequest, feedback_id: int = RowId) -> dict[str, Any]:
    return _staff(selectors.staff_get(user=request.user, feedback_id=feedback_id))


def _act(request: HttpRequest, feedback_id: int, call: Any) -> dict[str, Any]:
    selectors.staff_get(user=request.user, feedback_id=feedback_id)  # 404 / 403 first
    call()
    return _staff(selectors.staff_get(user=request.user, feedback_id=feedback_id))


TRANSITION = declare(transition=True, forbidden=True)


@router.post(
    "/staff/{feedback_id}/accept", response=FeedbackStaffOut, auth=AUTH, openapi_extra=TRANSITION
)
def accept(request: HttpRequest, feedback_id: int = RowId) -> dict[str, Any]:
    return _act(
        request,
        feedback_id,
        lambda: services.feedback_accept(feedback_id=feedback_id, actor=request.user),
    )


@router.post(
    "/staff/{feedback_id}/reject", response=FeedbackStaffOut, auth=AUTH, openapi_extra=TRANSITION
)
def reject(request: HttpRequest, body: FeedbackRejectIn, feedback_id: int = RowId) -> Any:
    return _act(
        request,
        feedback_id,
        lambda: services.feedback_reject(
            feedback_id=feedback_id, actor=request.user, reason=body.reason
        ),
    )


@router.post(
    "/staff/{feedback_id}/classify", response=FeedbackStaffOut, auth=AUTH, openapi_extra=TRANSITION
)
def classify(request: HttpRequest, body: FeedbackClassifyIn, feedback_id: int = RowId) -> Any:
    return _act(
        request,
        feedback_id,
        lambda: services.feedback_classify(
            feedback_id=feedback_id, actor=request.user, kind=body.kind, topic=body.topic
        ),
    )


@router.post(
    "/staff/{feedback_id}/assign", response=FeedbackStaffOut, auth=AUTH, openapi_extra=TRANSITION
)
def assign(request: HttpRequest, body: FeedbackAssignIn, feedback_id: int = RowId) -> Any:
    from motcua.org.models import Agency

    agency = Agency.objects.filter(code=body.agency).first()
    return _act(
        request,
        feedback_id,
        lambda: services.feedback_assign(
            feedback_id=feedback_id,
            actor=request.user,
            agency_id=agency.pk if agency else 0,
            officer_id=body.officer,
        ),
    )


@router.post(
    "/staff/{feedback_id}/request-info",
    response=FeedbackStaffOut,
    auth=AUTH,
    openapi_extra=TRANSITION,
)
def request_info(
    request: HttpRequest, body: FeedbackRequestInfoIn, feedback_id: int = RowId
) -> Any:
    return _act(
        request,
        feedback_id,
        lambda: services.feedback_request_info(
            feedback_id=feedback_id, actor=request.user, request=body.request
        ),
    )


@router.post(
    "/staff/{feedback_id}/answer", response=FeedbackStaffOut, auth=AUTH, openapi_extra=TRANSITION
)
def answer(request: HttpRequest, body: FeedbackAnswerIn, feedback_id: int = RowId) -> Any:
    return _act(
        request,
        feedback_id,
        lambda: services.feedback_answer(
            feedback_id=feedback_id, actor=request.user, answer=body.answer
        ),
    )


@router.post(
    "/staff/{feedback_id}/publish", response=FeedbackStaffOut, auth=AUTH, openapi_extra=TRANSITION
)
def publish(request: HttpRequest, body: FeedbackPublishIn, feedback_id: int = RowId) -> Any:
    return _act(
        request,
        feedback_id,
        lambda: services.feedback_publish(
            feedback_id=feedback_id,
            actor=request.user,
            public_content=body.public_content,
            public_answer=body.public_answer,
        ),
    )
