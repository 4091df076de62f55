"""API shapes of the catalog."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from ninja import Field, Schema


class FieldOut(Schema):
    code: str
    name: str


class FieldWithCountOut(FieldOut):
    procedure_count: int


class ChannelLimitOut(Schema):
    channel: int = Field(..., description="1 trực tiếp, 2 trực tuyến, 3 bưu chính")
    channel_label: str
    value: Decimal | None = Field(..., description="none for same_day")
    unit: str = Field(..., description="working_days | working_hours | calendar_days | same_day")
    unit_label: str
    cutoff: str | None = Field(..., description="same_day: received later → next working day")
    label: str = Field(..., description="'17 ngày làm việc', 'Trong ngày (sau 15 giờ: …)'")
    label_en: str


class TimeLimitOut(Schema):
    text: str = Field(..., description="the record's wording, verbatim")
    limits: list[ChannelLimitOut]
    missing: list[int] = Field(
        ..., description="channels offered without a limit: no dossiers by them until set"
    )


class ProcedureItemOut(Schema):
    code: str
    name: str
    field: FieldOut
    level: str
    level_label: str
    version: int | None
    time_limit: TimeLimitOut | None
    channels: list[int]
    online_level: str | None


class ProcedurePageOut(Schema):
    count: int
    items: list[ProcedureItemOut]


class ComponentOut(Schema):
    """A dossier component; an online submission names its files component_<id>."""

    id: int
    order: int
    name: str
    original_count: int
    copy_count: int
    required: bool
    form: str
    group: str
    case: str = Field("", description="the case it applies in; empty: always (catalog.cases)")


class FeeBandOut(Schema):
    from_: int = Field(alias="from")
    to: int | None
    amount_vnd: int


class FeeOut(Schema):
    """A fee item (catalog.fees computes the amount due from it): amount_vnd null = the
    record gives no figure (the officer sets it at the request for payment); per unit,
    tiered and band items read the applicant's answer `answer_key` (a submission's
    `fee_<key>`); channels empty = every channel."""

    name: str
    kind: str = Field(description="phi | le_phi | '' (not stated)")
    computation: str = Field(description="fixed | per_unit | tiered | band")
    amount_vnd: int | None
    unit: str
    answer_key: str
    multiplier_key: str
    bands: list[FeeBandOut]
    minimum_vnd: int | None
    maximum_vnd: int | None
    channels: list[int]
    legal_basis_number: str
    legal_basis_text: str
    note: str


class StepOut(Schema):
    order: int
    name: str
    role: str
    agency_role: str
    duration_hours: Decimal


class AgencyRefOut(Schema):
    """A receiving agency: its electronic identifier is the `receiving_agency` of a
    submission."""

    code: str
    name: str


class LegalDocumentOut(Schema):
    number: str
    title: str | None


class SourceOut(Schema):
    """Where the record comes from (never the catalog's curation notes)."""

    url: str | None = None
    portal_url: str | None = None
    record_date: str | None = None


class ProcedureDetailOut(Schema):
    code: str
    name: str
    field: FieldOut
    level: str
    level_label: str
    active: bool
    version: int
    effective_from: dt.date
    effective_to: dt.date | None
    time_limit: TimeLimitOut
    statutory_hours: Decimal | None
    channels: list[int]
    steps_text: str
    subjects: list[str]
    result: str
    paper_result_required: bool
    conditions: str
    legal_basis: list[str]
    legal_documents: list[LegalDocumentOut]
    online_level: str
    eligible_full_online: bool
    deciding_agency: str
    receiving_agency: str
    settling_agency: str
    publication_decision: str
    source: SourceOut
    fee_total_vnd: int = Field(
        description="the sum of the figures the record states, every channel together: not "
        "the amount a dossier owes, which catalog.fees computes at submission (per channel, "
        "answers, policies) and the dossier keeps as fee_assessment"
    )
    components: list[ComponentOut]
    receiving_agencies: list[AgencyRefOut]
    fees: list[FeeOut]
    steps: list[StepOut]
