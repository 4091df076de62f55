"""Public electronic-form API (no authentication): the form a procedure's version in force
uses, with its definition (the data's JSON Schema, the layout, the rules), so that a
client can fill `form` of POST /api/dossiers."""

from __future__ import annotations

import datetime as dt
from typing import Any

from ninja import Router, Schema
from ninja.params.functions import Path

from motcua.catalog.selectors import procedure_detail
from motcua.core.errors import NotFound

from . import selectors

router = Router(tags=["eforms"])


class FormDefinitionOut(Schema):
    key: str
    version: int
    title: str
    sha256: str
    created_at: dt.datetime
    document: dict[str, Any]


@router.get(
    "/procedures/{code}", response=FormDefinitionOut, auth=None, url_name="eform_of_procedure"
)
def form_of_procedure(request, code: str = Path(..., max_length=40)) -> dict[str, Any]:
    version = procedure_detail(code)
    row = selectors.form_for_version(version)
    if row is None:
        raise NotFound("tờ khai điện tử của thủ tục", "The procedure's electronic form")
    return {
        "key": row.key,
        "version": row.version,
        "title": row.title,
        "sha256": row.sha256,
        "created_at": row.created_at,
        "document": row.document,
    }
