"""Schemas of the dossier API: what comes in (validated at the edge) and what goes out.

Every write body may carry `expected_version`; every dossier that goes out carries `version`.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from ninja import Schema
from pydantic import AwareDatetime, Field, StrictInt

# The one verdict (motcua.dossiers.deadlines; docs/rules.md "Verdict").
Verdict = Literal["overdue", "soon", "in_time", "paused", "early", "on_time", "late"]
VERDICT_DOC = (
    "Hạn giải quyết / the verdict: overdue, soon (due within one working day), in_time, "
    "paused (waiting for the applicant) while open; early, on_time, late once processing "
    "ended; null before receipt."
)

Text = Annotated[str, Field(max_length=4000)]
# A reason in writing: not blank. The services strip whitespace (motcua.core.text.nfc,
# Python's str whitespace, which also counts U+001C–U+001F) and refuse an empty reason;
# the schema says the same, so the OpenAPI document and the server agree.
NON_BLANK = r"[^\s\x1c-\x1f]"
Reason = Annotated[
    str,
    Field(
        min_length=1,
        max_length=4000,
        pattern=NON_BLANK,
        description="lý do, không để trống (the reason, not blank)",
    ),
]
Code = Annotated[str, Field(min_length=1, max_length=48)]
Money = Annotated[StrictInt, Field(gt=0, le=10**12)]
Version = Annotated[int | None, Field(None, ge=1)]


# A personal number (12 digits) or a tax code (10 digits, or 13 as NNNNNNNNNN-NNN), spaces
# allowed between digits; which one, its province code and check digit are the server's
# check (motcua.core.identifiers), 422 naming the field.
ID_NUMBER = r"^[0-9 ]*-?[0-9 ]*$"
ID_DOC = (
    "số định danh cá nhân 12 chữ số hoặc mã số thuế 10 / 13 chữ số "
    "(personal number, 12 digits, or tax code, NNNNNNNNNN or NNNNNNNNNN-NNN)"
)


def _id_field(max_length: int) -> Any:
    return Field("", max_length=max_length, pattern=ID_NUMBER, description=ID_DOC)


# ---------------------------------------------------------------------------- in


class VersionIn(Schema):
    expected_version: Version = None


class ApplicantIn(Schema):
    name: str = Field("", max_length=255)
    id_number: str = _id_field(14)
    phone: str = Field("", max_length=20)
    email: str = Field("", max_length=254)
    address: str = Field("", max_length=255)


class SubmitIn(Schema):
    """Form fields of an online submission (files come as component_<id>; the authorisation
    document, when filing for a principal, as `authorization`). The applicant's name and
    personal number / tax code come from the account: applicant_name / applicant_id_number
    may be left out, and are refused when they differ from the account's."""

    procedure: Code
    receiving_agency: Code
    settling_agency: Code | None = None
    request_summary: Text = ""
    applicant_name: str = Field("", max_length=255)
    applicant_id_number: str = _id_field(14)
    applicant_phone: str = Field("", max_length=20)
    applicant_email: str = Field("", max_length=254)
    applicant_address: str = Field("", max_length=255)
    principal_name: str = Field("", max_length=255)
    principal_id_number: str = _id_field(20)
    form: str = Field(
        "",
        max_length=200_000,
        description="the electronic form's answers, a JSON object (when the procedure "
        "version has a form: GET /api/eforms/procedures/{code}); validated as the portal "
        "does, every error at once as form.<path>; the declaration is then made from them",
    )


class PrincipalIn(Schema):
    """The person the applicant files for; the authorisation's scan comes as the multipart
    file `authorization`."""

    name: str = Field("", max_length=255)
    id_number: str = _id_field(20)


class ReceivedIn(Schema):
    """The papers of one component counted at the counter."""

    component: int = Field(ge=1, le=2**53)
    originals: int = Field(0, ge=0, le=99)
    copies: int = Field(0, ge=0, le=99)


class IntakeIn(Schema):
    procedure: Code
    receiving_agency: Code
    settling_agency: Code | None = None
    channel: int = Field(1, description="1 counter, 3 post")
    applicant: ApplicantIn
    principal: PrincipalIn | None = None
    request_summary: Text = ""
    decision: Literal["receive", "refuse"] = "receive"
    refuse_reason: Text | None = None
    received: list[ReceivedIn] = Field(
        default_factory=list, max_length=200, description="originals and copies per component"
    )
    cases: list[Text] = Field(
        default_factory=list, max_length=200, description="the cases that apply (catalog)"
    )
    fee_answers: dict[str, int] = Field(
        default_factory=dict,
        max_length=20,
        description="answers the fee items ask for (copies, pages, area…): "
        "GET /api/catalog/procedures/{code}, `fees[].answer_key`",
    )


class IntakeForm(Schema):
    """The multipart spelling of IntakeIn (documentation of the form's fields; the view
    folds applicant_* / principal_* into objects and originals_<id> / copies_<id> into
    `received`, then validates IntakeIn)."""

    procedure: Code
    receiving_agency: Code
    settling_agency: Code | None = None
    channel: int = Field(1, description="1 counter, 3 post")
    applicant_name: str = Field("", max_length=255)
    applicant_id_number: str = _id_field(14)
    applicant_phone: str = Field("", max_length=20)
    applicant_email: str = Field("", max_length=254)
    applicant_address: str = Field("", max_length=255)
    principal_name: str = Field("", max_length=255)
    principal_id_number: str = _id_field(20)
    request_summary: Text = ""
    decision: Literal["receive", "refuse"] = "receive"
    refuse_reason: Text | None = None


class ReasonIn(VersionIn):
    reason: Reason


class ForwardIn(VersionIn):
    note: Text = ""


class ApproveIn(VersionIn):
    result_note: Text = ""


class ReturnIn(VersionIn):
    method: Literal["counter", "post", "online"] = "counter"


class SupplementRequestIn(VersionIn):
    reason: Reason
    missing_components: list[StrictInt] = Field(default_factory=list, max_length=100)


class SupplementForm(VersionIn):
    note: Text = ""


class PaymentRequestIn(VersionIn):
    amount_vnd: Money | None = None
    reason: Text = ""


class PaymentIn(VersionIn):
    """A payment taken at the counter (cash or POS) with its receipt number; online
    payments are recorded from the provider's evidence, never through this endpoint."""

    amount_vnd: Money
    channel: Literal["counter_cash", "counter_pos"] = "counter_cash"
    receipt_number: str = Field(..., min_length=1, max_length=100)


class ApologyIn(VersionIn):
    reason: Reason
    new_due_at: AwareDatetime


class RatingIn(VersionIn):
    rating: Literal[-1, 0, 1]
    criteria: dict[Annotated[str, Field(max_length=64)], Literal[-1, 0, 1]] = Field(
        default_factory=dict, max_length=20
    )
    comment: Text = ""


# ---------------------------------------------------------------------------- out


STATUS_DOC = "trạng thái hồ sơ (TrangThaiHoSo, dossier status) 1–10"


class StatusOut(Schema):
    value: int = Field(ge=1, le=10, description=STATUS_DOC)
    label: str
    label_en: str


class RefOut(Schema):
    code: str
    name: str


class DossierStepOut(Schema):
    order: int
    name: str
    role: str
    agency_role: str


class ApplicantOut(Schema):
    name: str
    id_number: str
    phone: str
    email: str
    address: str


class PrincipalOut(Schema):
    """The person the applicant files for (đại diện theo ủy quyền)."""

    name: str
    id_number: str


class FeePolicyAppliedOut(Schema):
    policy_id: int | None
    name: str
    legal_basis: str
    effect: str
    percent: int
    before_vnd: int | None
    reduction_vnd: int | None
    after_vnd: int
    confidence: str


class FeeLineOut(Schema):
    item_id: int | None
    name: str
    kind: str
    computation: str
    explanation: str
    base_vnd: int | None
    final_vnd: int | None
    legal_basis: str
    unknown: bool
    applied: list[FeePolicyAppliedOut]


class FeeAssessmentOut(Schema):
    procedure: str
    channel: int
    on_date: dt.date
    answers: dict[str, int]
    total_vnd: int
    has_unknown: bool
    lines: list[FeeLineOut]


class DossierOut(Schema):
    id: int
    code: str | None
    secret: str
    version: int
    status: StatusOut
    channel: int
    rule_set: str
    procedure: RefOut
    receiving_agency: RefOut
    settling_agency: RefOut
    applicant: ApplicantOut
    principal: PrincipalOut | None
    request_summary: str
    submitted_at: dt.datetime
    received_at: dt.datetime | None
    due_at: dt.datetime | None
    original_due_at: dt.datetime | None
    finished_at: dt.datetime | None
    returned_at: dt.datetime | None
    stopped_at: dt.datetime | None
    paused_at: dt.datetime | None
    current_step: DossierStepOut | None
    current_step_due_at: dt.datetime | None
    due_signal: Verdict | None = Field(description=VERDICT_DOC)
    supplement_count: int
    apology_count: int
    fee_due_vnd: int
    fee_paid_vnd: int
    fee_assessment: FeeAssessmentOut | None = Field(
        description="the amount due as assessed once at submission (catalog.fees.quote): "
        "lines, policies applied, total; null for dossiers from before"
    )
    paid_online: int
    electronic_result: bool
    rating: int | None
    result_note: str
    refusal_reason: str


class AttachmentOut(Schema):
    id: int
    kind: str
    name: str
    size: int
    sha256: str
    content_type: str
    uploaded_at: dt.datetime
    digitized: bool
    # Where it came from: "upload", or the applicant's store ("store_result",
    # "store_component", "store_upload"; docs/store.md) with what the officer reads.
    source: str
    source_label: str
    reused: bool  # counts as reuse of digitized data (indicator 4.3, dossiers.reuse)
    url: str


class DossierComponentOut(Schema):
    id: int
    order: int
    name: str
    attachments: list[AttachmentOut]


class EventOut(Schema):
    seq: int
    action: str
    at: dt.datetime
    actor_role: str
    actor_agency: str | None
    from_status: int | None
    to_status: int
    reason: str
    data: dict[str, Any]


class HandoverOut(Schema):
    step: DossierStepOut
    agency: RefOut
    started_at: dt.datetime
    due_at: dt.datetime
    finished_at: dt.datetime | None
    outcome: str
    note: str


class PauseOut(Schema):
    started_at: dt.datetime
    ended_at: dt.datetime | None
    reason: str
    missing_components: list[int]
    working_seconds: int | None


class DossierFormOut(Schema):
    """The dossier's electronic form, frozen at submission (motcua.eforms)."""

    key: str
    version: int
    title: str
    data: dict[str, Any]
    sha256: str
    submitted_at: dt.datetime


class DossierDetailOut(DossierOut):
    form: DossierFormOut | None = None
    components: list[DossierComponentOut]
    results: list[AttachmentOut]
    authorizations: list[AttachmentOut]  # the authorisation document(s) of a principal
    events: list[EventOut]
    handovers: list[HandoverOut]
    pauses: list[PauseOut]
    allowed_actions: list[str]


class DossierPageOut(Schema):
    count: int
    items: list[DossierOut]


class InboxItemOut(Schema):
    id: int
    code: str | None
    version: int
    status: StatusOut
    procedure: RefOut
    applicant_name: str
    received_at: dt.datetime | None
    due_at: dt.datetime | None
    due_signal: Verdict | None = Field(description=VERDICT_DOC)
    current_step: DossierStepOut | None
    current_step_due_at: dt.datetime | None


class InboxPageOut(Schema):
    count: int
    items: list[InboxItemOut]


class LookupOut(Schema):
    code: str
    procedure: str
    status: StatusOut
    received_at: dt.datetime | None
    due_at: dt.datetime | None
    returned_at: dt.datetime | None
