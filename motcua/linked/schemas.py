"""Input and output of the linked-application API (docs/api.md, docs/linked.md)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from ninja import Schema
from pydantic import Field

from motcua.dossiers.schemas import RefOut, StatusOut

Code = Annotated[str, Field(min_length=1, max_length=48)]


class LinkedSubmitIn(Schema):
    """Form fields of a linked application (files come as part_<key>, the keys of
    GET /api/linked/procedures/{code}). `data`: a JSON object, the declaration's data; each
    member receives the keys its definition names."""

    procedure: Code
    receiving_agency: Code
    data: str = Field("{}", max_length=20000)
    # The electronic form's answers (a JSON object) when a member has a form (khai-sinh).
    form: str = Field("", max_length=200000)
    applicant_phone: str = Field("", max_length=20)
    applicant_email: str = Field("", max_length=254)
    applicant_address: str = Field("", max_length=255)


class PartOut(Schema):
    key: str
    name: str
    required: bool
    members: list[int]


class MemberDefOut(Schema):
    order: int
    procedure: RefOut
    agency_kind: str
    start: str
    data_keys: list[str]
    takes_previous_result: bool


class ChainOut(Schema):
    procedure: RefOut
    members: list[MemberDefOut]
    parts: list[PartOut]
    cases: list[str]  # the cases ("trường hợp …") a submission may declare (`cases`)


class LinkedEventOut(Schema):
    seq: int
    action: str
    label: str
    at: dt.datetime
    agency: str | None
    reason: str


class MemberOut(Schema):
    order: int
    procedure: RefOut
    state: str
    state_label: str
    reason: str
    dossier_id: int | None
    dossier_code: str | None
    status: StatusOut | None
    settling_agency: RefOut | None
    due_at: dt.datetime | None
    data: dict[str, Any]
    previous_result: dict[str, Any] | None
    events: list[LinkedEventOut]


class ApplicationOut(Schema):
    id: int
    code: str
    procedure: RefOut
    state: str
    state_label: str
    stopped_reason: str
    submitted_at: dt.datetime
    receiving_agency: RefOut
    members: list[MemberOut]


class ApplicationPageOut(Schema):
    count: int
    items: list[ApplicationOut]
