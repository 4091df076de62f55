"""Files posted per dossier component: the one reading of `component_<id>` upload fields.

The API, the back office (intake, supplement at the counter) and the portal (online
submission, supplement) name a component's files `component_<component id>`, several files
per component. Every one of them reads them here, with one strictness: a file field that is
neither `component_<id>` nor one the caller reads itself (`others`, e.g. `authorization`)
is refused with a message naming it, rather than silently dropped. Whether a component
belongs to the procedure is the service's rule (`files.<id>` errors); a caller that keeps
files before calling a service (the portal's draft) passes `components` to check it here.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.utils.datastructures import MultiValueDict

from motcua.core.errors import ValidationFailed

PREFIX = "component_"
MAX_ID_DIGITS = 18  # a bigint primary key; longer is not an id


def component_id(field: str) -> int | None:
    """The component id of a `component_<id>` field name; None for any other name."""
    raw = field[len(PREFIX) :] if field.startswith(PREFIX) else ""
    if not raw.isascii() or not raw.isdigit() or len(raw) > MAX_ID_DIGITS:
        return None
    return int(raw)


def component_uploads(
    files: MultiValueDict[str, UploadedFile[Any]],
    *,
    others: Collection[str] = (),
    components: Collection[int] | None = None,
) -> dict[int, list[UploadedFile[Any]]]:
    """The uploaded files by component id, in the order the fields came.

    `others`: file fields the caller reads itself (skipped here). `components`: when given,
    the ids that may be named; any other is refused here (field `files.<id>`, as the
    service names it)."""
    out: dict[int, list[UploadedFile[Any]]] = {}
    for field in files:
        if field in others:
            continue
        cid = component_id(field)
        if cid is None:
            raise ValidationFailed(
                "invalid_file_field",
                f"Tên trường tệp '{field}' không hợp lệ: dùng component_<mã thành phần>.",
                f"File field '{field}' is invalid: use component_<component id>.",
                field=field,
            )
        if components is not None and cid not in components:
            raise ValidationFailed(
                "unknown_component",
                f"Thành phần hồ sơ {cid} không thuộc thủ tục này.",
                f"Component {cid} does not belong to this procedure.",
                field=f"files.{cid}",
            )
        out.setdefault(cid, []).extend(files.getlist(field))
    return out
