"""The rules between the columns of a historical import row (docs/import-format.md):
what the status needs, the supplements, what the rating, the electronic result and the
amounts need, the order of the moments, the version in force. Each yields its errors in
order; `import_rows.RowIn` reports the first one."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import TYPE_CHECKING

from pydantic_core import PydanticCustomError

from motcua.catalog.models import ProcedureVersion
from motcua.dossiers import timing
from motcua.dossiers.enums import Status

if TYPE_CHECKING:
    from .import_rows import Lookups, RowIn

VN = timing.VN

# Which moments each status needs (R) or forbids (F): received_at, finished_at, returned_at.
NEEDS = {
    1: ("F", "F", "F"),
    2: ("R", "F", "F"),
    3: ("F", "R", "F"),
    4: ("R", "F", "F"),
    5: ("R", "F", "F"),
    6: ("R", "F", "F"),
    7: ("", "R", "F"),
    8: ("", "R", "F"),
    9: ("R", "R", "F"),
    10: ("R", "R", "R"),
}


def bad(column: str, code: str, message: str, message_en: str) -> PydanticCustomError:
    """The error of one column (`code` is its stable code)."""
    return PydanticCustomError(code, code, {"column": column, "vi": message, "en": message_en})


def rules_broken(r: RowIn) -> Iterator[PydanticCustomError]:
    yield from _status_moments(r)
    yield from _supplement_rules(r)
    yield from _status_rules(r)
    yield from _time_order(r)


def _status_moments(r: RowIn) -> Iterator[PydanticCustomError]:
    """The moments the status needs or forbids (`NEEDS`)."""
    moments = (r.received_at, r.finished_at, r.returned_at)
    for column, need, value in zip(
        ("received_at", "finished_at", "returned_at"), NEEDS[r.status], moments, strict=True
    ):
        if need == "R" and value is None:
            yield bad(
                column,
                "required_for_status",
                f"trạng thái {r.status} cần có {column}",
                f"status {r.status} needs {column}",
            )
        if need == "F" and value is not None:
            yield bad(
                column,
                "forbidden_for_status",
                f"trạng thái {r.status} không được có {column}",
                f"status {r.status} cannot have {column}",
            )


def _supplement_rules(r: RowIn) -> Iterator[PydanticCustomError]:
    """Requests and completions pair by position; only the last may be open."""
    requests, completions, status = r.supplement_requested_at, r.supplement_completed_at, r.status
    if len(completions) > len(requests):
        yield bad(
            "supplement_completed_at",
            "completed_without_request",
            "có thời điểm hoàn thành bổ sung mà không có yêu cầu bổ sung tương ứng",
            "a supplement completion has no matching request",
        )
    if requests and r.received_at is None:
        yield bad(
            "supplement_requested_at",
            "supplement_before_receipt",
            "hồ sơ chưa được tiếp nhận thì không thể yêu cầu bổ sung",
            "a dossier that was never received cannot be asked to supplement",
        )
    if len(requests) - len(completions) > 1:
        yield bad(
            "supplement_completed_at",
            "supplement_incomplete",
            "chỉ yêu cầu bổ sung cuối cùng mới được chưa hoàn thành",
            "only the last supplement request may be incomplete",
        )
    open_pause = len(completions) < len(requests)
    if open_pause and status not in (5, 7, 8):
        yield bad(
            "supplement_completed_at",
            "open_supplement_status",
            f"còn yêu cầu bổ sung chưa hoàn thành nhưng trạng thái là {status} (cần 5, 7 hoặc 8)",
            f"a supplement request is still open but the status is {status} (needs 5, 7 or 8)",
        )
    if status == 5 and not open_pause:
        yield bad(
            "supplement_requested_at",
            "status5_without_open_request",
            "trạng thái 5 cần một yêu cầu bổ sung chưa hoàn thành",
            "status 5 needs an open supplement request",
        )
    if status == 2 and requests:
        yield bad(
            "status",
            "status2_with_supplement",
            "hồ sơ đã bổ sung thì đang xử lý (4), không còn là 2",
            "a supplemented dossier is being processed (4), not 2",
        )


def _status_rules(r: RowIn) -> Iterator[PydanticCustomError]:
    """What the rating, the electronic result and the amounts need of the status."""
    status = r.status
    if r.rating is not None and status != Status.RETURNED:
        yield bad(
            "rating",
            "rating_before_return",
            "chỉ đánh giá được hồ sơ đã trả kết quả (trạng thái 10)",
            "only a returned dossier (status 10) can be rated",
        )
    if r.electronic_result and status not in (4, 9, 10):
        yield bad(
            "electronic_result",
            "electronic_result_status",
            f"kết quả điện tử chỉ có với trạng thái 4, 9 hoặc 10 (đang là {status})",
            f"an electronic result needs status 4, 9 or 10 (got {status})",
        )
    if status == Status.FINANCIAL_OBLIGATION and r.fee_vnd == 0:
        yield bad(
            "fee_vnd",
            "status6_without_fee",
            "trạng thái 6 (chờ thực hiện nghĩa vụ tài chính) cần số tiền phải nộp > 0",
            "status 6 (financial obligation) needs an amount due > 0",
        )
    if r.paid_online and r.fee_vnd == 0:
        yield bad(
            "paid_online",
            "paid_without_fee",
            "thanh toán trực tuyến nhưng phí bằng 0",
            "paid online but the fee is 0",
        )


def _before(
    column: str, later: dt.datetime | None, earlier: dt.datetime | None, earlier_name: str
) -> Iterator[PydanticCustomError]:
    if later is not None and earlier is not None and later < earlier:
        yield bad(
            column,
            "time_order",
            f"{column} sớm hơn {earlier_name}",
            f"{column} is before {earlier_name}",
        )


def _time_order(r: RowIn) -> Iterator[PydanticCustomError]:
    """Submission ≤ receipt < appointment; each supplement after the moment before it; the
    result after them; the return after the result."""
    received, requests, completions = (
        r.received_at,
        r.supplement_requested_at,
        r.supplement_completed_at,
    )
    yield from _before("received_at", received, r.submitted_at, "submitted_at")
    if received is not None:
        yield from _before("due_at", r.due_at, received, "received_at")
        if r.due_at is not None and r.due_at == received:
            yield bad(
                "due_at", "time_order", "due_at trùng received_at", "due_at equals received_at"
            )
    previous = received
    for i, ask in enumerate(requests):
        yield from _before(
            "supplement_requested_at", ask, previous, "thời điểm trước đó (previous moment)"
        )
        previous = ask
        if i < len(completions):
            yield from _before(
                "supplement_completed_at", completions[i], ask, "supplement_requested_at"
            )
            previous = completions[i]
    yield from _before("finished_at", r.finished_at, r.submitted_at, "submitted_at")
    yield from _before(
        "finished_at", r.finished_at, previous, "received_at / bổ sung (supplements)"
    )
    yield from _before("returned_at", r.returned_at, r.finished_at, "finished_at")


def version_in_force(r: RowIn, lk: Lookups) -> ProcedureVersion:
    """The procedure's version in force on the day of receipt (else of submission)."""
    day = (r.received_at or r.submitted_at).astimezone(VN).date()
    version = lk.version(r.procedure, day)
    if version is None:
        pcode = r.procedure.code
        raise bad(
            "procedure_code",
            "procedure_not_in_force",
            f"thủ tục {pcode} không có phiên bản hiệu lực ngày {day:%d/%m/%Y}",
            f"procedure {pcode} has no version in force on {day:%Y-%m-%d}",
        )
    return version
