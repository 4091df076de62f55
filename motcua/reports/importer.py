"""Historical import: legacy dossiers from a CSV file, one row each (docs/import-format.md).

Every row is validated before anything is written; the errors name the line (the header
is line 1) and the column. By default one bad row means nothing is written; with
`allow_partial` the good rows are imported and the bad ones reported.

A good row becomes a Dossier with what the services would have left on it: its life is
played on motcua.dossiers.replay.Life, the bulk writers' shared layer (the procedure
version in force on the day, the appointment and its pauses, the regime, the control sheet,
Pause rows, an event chain that follows the TRANSITIONS table, each event marked
{"imported": true}), plus a lookup secret. The indicators are then refreshed for the new
dossiers, so imported dossiers count exactly as native ones.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import secrets
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction

from motcua.catalog.enums import Channel
from motcua.catalog.models import Procedure
from motcua.core.bulk import insert_rows
from motcua.core.errors import ValidationFailed
from motcua.dossiers import timing
from motcua.dossiers.codes import code_parse
from motcua.dossiers.enums import PaidOnline, Status
from motcua.dossiers.models import (
    DailySequence,
    Dossier,
    DossierEvent,
    Handover,
    Pause,
    search_key_for,
)
from motcua.dossiers.replay import Actor, Illegal, Life
from motcua.dossiers.services import SECRET_ALPHABET
from motcua.org.models import Agency

VN = timing.VN
COLUMNS = (
    "code",
    "procedure_code",
    "receiving_agency_code",
    "settling_agency_code",
    "channel",
    "submitted_at",
    "received_at",
    "due_at",
    "finished_at",
    "returned_at",
    "status",
    "supplement_requested_at",
    "supplement_completed_at",
    "fee_vnd",
    "paid_online",
    "electronic_result",
    "digitized",
    "reused",
    "rating",
)
IMPORTED_NAME = "Hồ sơ chuyển đổi từ hệ thống cũ"
BATCH = 1000
REBUILD_MIN_ROWS = 500

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


@dataclass
class RowError:
    line: int
    column: str
    code: str
    message: str
    message_en: str

    def __str__(self) -> str:
        where = f", cột {self.column}" if self.column else ""
        return f"Dòng {self.line}{where}: {self.message} ({self.message_en})"


@dataclass
class Parsed:
    line: int
    code: str
    procedure: Procedure
    version: object
    receiving: Agency
    settling: Agency
    channel: int
    status: int
    submitted_at: dt.datetime
    received_at: dt.datetime | None
    due_at: dt.datetime | None
    finished_at: dt.datetime | None
    returned_at: dt.datetime | None
    supplements: list[tuple[dt.datetime, dt.datetime | None]]
    fee_vnd: int
    paid_online: int
    electronic_result: bool
    digitized: bool
    reused: bool
    rating: int | None
    steps: list = field(default_factory=list)  # the version's internal process
    # Filled by the plan:
    life: Life | None = None


@dataclass
class ImportResult:
    rows: int = 0
    imported: int = 0
    errors: list[RowError] = field(default_factory=list)
    dry_run: bool = False
    dossier_ids: list[int] = field(default_factory=list)
    statuses: Counter = field(default_factory=Counter)

    @property
    def bad_lines(self) -> list[int]:
        return sorted({e.line for e in self.errors})


class _Bad(Exception):
    def __init__(self, column: str, code: str, message: str, message_en: str) -> None:
        super().__init__(code)
        self.error = (column, code, message, message_en)


# ---------------------------------------------------------------------------- parsing


def _moment(row: dict, column: str, required: bool = False) -> dt.datetime | None:
    text = (row.get(column) or "").strip()
    if not text:
        if required:
            raise _Bad(column, "required", "thiếu giá trị bắt buộc", "a value is required")
        return None
    try:
        value = dt.datetime.fromisoformat(text)
    except ValueError:
        raise _Bad(
            column,
            "bad_time",
            f"thời điểm '{text}' không đúng ISO 8601 (vd 2025-03-04T09:15:00+07:00)",
            f"'{text}' is not an ISO 8601 moment (e.g. 2025-03-04T09:15:00+07:00)",
        ) from None
    if value.tzinfo is None or value.utcoffset() is None:
        raise _Bad(
            column,
            "missing_offset",
            f"thời điểm '{text}' thiếu múi giờ (vd +07:00)",
            f"'{text}' has no UTC offset (e.g. +07:00)",
        )
    return value


def _moments(row: dict, column: str) -> list[dt.datetime]:
    text = (row.get(column) or "").strip()
    if not text:
        return []
    out = []
    for part in text.split(";"):
        out.append(_moment({column: part}, column, required=True))
    return out


def _choice(row: dict, column: str, allowed: Iterable[int], what: str, what_en: str) -> int:
    text = (row.get(column) or "").strip()
    allowed = list(allowed)
    try:
        value = int(text)
    except ValueError:
        value = None
    if value not in allowed:
        shown = ", ".join(str(a) for a in allowed)
        raise _Bad(
            column,
            f"bad_{column}",
            f"{what} '{text}' không hợp lệ (nhận {shown})",
            f"{what_en} '{text}' is invalid (expected {shown})",
        )
    return value


def _flag(row: dict, column: str) -> bool:
    return bool(_choice(row, column, (0, 1), "giá trị cờ", "flag"))


class Lookups:
    """Procedures, versions and agencies, read once for the whole file."""

    def __init__(self, rows: list[dict]) -> None:
        proc_codes = {(r.get("procedure_code") or "").strip() for r in rows}
        agency_codes = {
            (r.get(c) or "").strip()
            for r in rows
            for c in ("receiving_agency_code", "settling_agency_code")
        }
        self.procedures = {
            p.code: p
            for p in Procedure.objects.filter(code__in=proc_codes)
            .select_related("field")
            .prefetch_related("versions", "versions__fees", "versions__steps")
        }
        self.agencies = {a.code: a for a in Agency.objects.filter(code__in=agency_codes)}
        codes = sorted({(r.get("code") or "").strip() for r in rows})
        self.existing: set[str] = set()
        for start in range(0, len(codes), 2000):  # bounded IN lists (SQLite's limit)
            chunk = codes[start : start + 2000]
            self.existing |= set(
                Dossier.objects.filter(code__in=chunk).values_list("code", flat=True)
            )
            self.existing |= set(
                DossierEvent.objects.filter(
                    seq=1, data__imported=True, data__legacy_code__in=chunk
                ).values_list("data__legacy_code", flat=True)
            )

    def version(self, procedure: Procedure, day: dt.date):
        best = None
        for v in procedure.versions.all():
            if v.effective_from <= day and (v.effective_to is None or day <= v.effective_to):
                key = (v.effective_from, v.number)
                if best is None or key > (best.effective_from, best.number):
                    best = v
        return best


def _parse_row(line: int, row: dict, lk: Lookups) -> Parsed:
    code = (row.get("code") or "").strip()
    if not code:
        raise _Bad("code", "required", "thiếu mã hồ sơ", "the dossier code is required")
    if len(code) > 48:
        raise _Bad("code", "code_too_long", "mã hồ sơ dài quá 48 ký tự", "code over 48 characters")
    if code in lk.existing:
        raise _Bad(
            "code",
            "duplicate_in_db",
            f"mã hồ sơ {code} đã có trong hệ thống",
            f"dossier {code} already exists",
        )
    pcode = (row.get("procedure_code") or "").strip()
    procedure = lk.procedures.get(pcode)
    if procedure is None:
        raise _Bad(
            "procedure_code",
            "unknown_procedure",
            f"không có thủ tục mã '{pcode}'",
            f"no procedure with code '{pcode}'",
        )
    agencies = {}
    for column in ("receiving_agency_code", "settling_agency_code"):
        acode = (row.get(column) or "").strip()
        agency = lk.agencies.get(acode)
        if agency is None:
            raise _Bad(
                column, "unknown_agency", f"không có cơ quan mã '{acode}'", f"no agency '{acode}'"
            )
        agencies[column] = agency
    channel = _choice(row, "channel", Channel.values, "kênh", "channel")
    status = _choice(row, "status", range(1, 11), "trạng thái", "status")
    submitted = _moment(row, "submitted_at", required=True)
    received = _moment(row, "received_at")
    due = _moment(row, "due_at")
    finished = _moment(row, "finished_at")
    returned = _moment(row, "returned_at")
    requests = _moments(row, "supplement_requested_at")
    completions = _moments(row, "supplement_completed_at")
    fee_text = (row.get("fee_vnd") or "").strip() or "0"
    if not fee_text.isdigit():
        raise _Bad(
            "fee_vnd",
            "bad_fee_vnd",
            f"phí '{fee_text}' phải là số nguyên đồng không âm",
            f"fee '{fee_text}' must be a non-negative whole number of đồng",
        )
    fee = int(fee_text)
    paid_online = _choice(
        row, "paid_online", PaidOnline.values, "thanh toán trực tuyến", "paid_online"
    )
    electronic = _flag(row, "electronic_result")
    digitized = _flag(row, "digitized")
    reused = _flag(row, "reused")
    rating_text = (row.get("rating") or "").strip()
    rating = None
    if rating_text:
        rating = _choice(row, "rating", (1, 0, -1), "đánh giá", "rating")

    # Which moments the status needs.
    for column, need, value in zip(
        ("received_at", "finished_at", "returned_at"),
        NEEDS[status],
        (received, finished, returned),
        strict=True,
    ):
        if need == "R" and value is None:
            raise _Bad(
                column,
                "required_for_status",
                f"trạng thái {status} cần có {column}",
                f"status {status} needs {column}",
            )
        if need == "F" and value is not None:
            raise _Bad(
                column,
                "forbidden_for_status",
                f"trạng thái {status} không được có {column}",
                f"status {status} cannot have {column}",
            )

    # Supplements: requests and completions pair by position; only the last may be open.
    if len(completions) > len(requests):
        raise _Bad(
            "supplement_completed_at",
            "completed_without_request",
            "có thời điểm hoàn thành bổ sung mà không có yêu cầu bổ sung tương ứng",
            "a supplement completion has no matching request",
        )
    if requests and received is None:
        raise _Bad(
            "supplement_requested_at",
            "supplement_before_receipt",
            "hồ sơ chưa được tiếp nhận thì không thể yêu cầu bổ sung",
            "a dossier that was never received cannot be asked to supplement",
        )
    open_pause = len(completions) < len(requests)
    if len(requests) - len(completions) > 1:
        raise _Bad(
            "supplement_completed_at",
            "supplement_incomplete",
            "chỉ yêu cầu bổ sung cuối cùng mới được chưa hoàn thành",
            "only the last supplement request may be incomplete",
        )
    if open_pause and status not in (5, 7, 8):
        raise _Bad(
            "supplement_completed_at",
            "open_supplement_status",
            f"còn yêu cầu bổ sung chưa hoàn thành nhưng trạng thái là {status} (cần 5, 7 hoặc 8)",
            f"a supplement request is still open but the status is {status} (needs 5, 7 or 8)",
        )
    if status == 5 and not open_pause:
        raise _Bad(
            "supplement_requested_at",
            "status5_without_open_request",
            "trạng thái 5 cần một yêu cầu bổ sung chưa hoàn thành",
            "status 5 needs an open supplement request",
        )
    if status == 2 and requests:
        raise _Bad(
            "status",
            "status2_with_supplement",
            "hồ sơ đã bổ sung thì đang xử lý (4), không còn là 2",
            "a supplemented dossier is being processed (4), not 2",
        )
    if rating is not None and status != Status.RETURNED:
        raise _Bad(
            "rating",
            "rating_before_return",
            "chỉ đánh giá được hồ sơ đã trả kết quả (trạng thái 10)",
            "only a returned dossier (status 10) can be rated",
        )
    if electronic and status not in (4, 9, 10):
        raise _Bad(
            "electronic_result",
            "electronic_result_status",
            f"kết quả điện tử chỉ có với trạng thái 4, 9 hoặc 10 (đang là {status})",
            f"an electronic result needs status 4, 9 or 10 (got {status})",
        )
    if status == Status.FINANCIAL_OBLIGATION and fee == 0:
        raise _Bad(
            "fee_vnd",
            "status6_without_fee",
            "trạng thái 6 (chờ thực hiện nghĩa vụ tài chính) cần số tiền phải nộp > 0",
            "status 6 (financial obligation) needs an amount due > 0",
        )
    if paid_online and fee == 0:
        raise _Bad(
            "paid_online",
            "paid_without_fee",
            "thanh toán trực tuyến nhưng phí bằng 0",
            "paid online but the fee is 0",
        )

    # The order of moments.
    def order(column: str, later, earlier, earlier_name: str) -> None:
        if later is not None and earlier is not None and later < earlier:
            raise _Bad(
                column,
                "time_order",
                f"{column} sớm hơn {earlier_name}",
                f"{column} is before {earlier_name}",
            )

    order("received_at", received, submitted, "submitted_at")
    if received is not None:
        order("due_at", due, received, "received_at")
        if due is not None and due == received:
            raise _Bad(
                "due_at", "time_order", "due_at trùng received_at", "due_at equals received_at"
            )
    previous = received
    for i, ask in enumerate(requests):
        order("supplement_requested_at", ask, previous, "thời điểm trước đó (previous moment)")
        if i < len(completions):
            order("supplement_completed_at", completions[i], ask, "supplement_requested_at")
            previous = completions[i]
        else:
            previous = ask
    order("finished_at", finished, submitted, "submitted_at")
    order("finished_at", finished, previous, "received_at / bổ sung (supplements)")
    order("returned_at", returned, finished, "finished_at")

    day = (received or submitted).astimezone(VN).date()
    version = lk.version(procedure, day)
    if version is None:
        raise _Bad(
            "procedure_code",
            "procedure_not_in_force",
            f"thủ tục {pcode} không có phiên bản hiệu lực ngày {day:%d/%m/%Y}",
            f"procedure {pcode} has no version in force on {day:%Y-%m-%d}",
        )
    return Parsed(
        steps=sorted(version.steps.all(), key=lambda s: s.order),
        line=line,
        code=code,
        procedure=procedure,
        version=version,
        receiving=agencies["receiving_agency_code"],
        settling=agencies["settling_agency_code"],
        channel=channel,
        status=status,
        submitted_at=submitted,
        received_at=received,
        due_at=due,
        finished_at=finished,
        returned_at=returned,
        supplements=[
            (ask, completions[i] if i < len(completions) else None)
            for i, ask in enumerate(requests)
        ],
        fee_vnd=fee,
        paid_online=paid_online,
        electronic_result=electronic,
        digitized=digitized,
        reused=reused,
        rating=rating,
    )


def read_rows(source) -> tuple[list[str], list[tuple[int, dict]]]:
    """(header, [(line, row)]) from a path, bytes or text; UTF-8 with or without a BOM."""
    if isinstance(source, (str, Path)) and Path(source).exists():
        text = Path(source).read_bytes().decode("utf-8-sig")
    elif isinstance(source, bytes):
        text = source.decode("utf-8-sig")
    else:
        text = str(source).lstrip("\ufeff")
    reader = csv.reader(io.StringIO(text, newline=""))
    header: list[str] = []
    rows: list[tuple[int, dict]] = []
    start = 1
    for record in reader:
        if not header:
            header = [h.strip() for h in record]
            start = reader.line_num + 1
            continue
        if not any(cell.strip() for cell in record):
            start = reader.line_num + 1
            continue
        rows.append((start, dict(zip(header, record, strict=False)) | {"__len": len(record)}))
        start = reader.line_num + 1
    return header, rows


# ---------------------------------------------------------------------------- planning


IMPORTED_REASON = "Dữ liệu chuyển đổi"


def _plan(p: Parsed) -> None:
    """The dossier's life as the services would have written it, played on the bulk
    writers' shared layer (motcua.dossiers.replay.Life: the same appointment, pause and
    regime rules, the same control sheet): submission or counter intake, receipt,
    the hand-over to the settling agency at receipt, the fees collected at receipt (or
    requested last, status 6), the supplement requests and completions, then the end the
    status tells (withdrawal and stop, or the result approved at `finished_at` after the
    remaining processing steps, the electronic result, the return and the rating).
    Raises _Bad when the row's status cannot be reached."""
    recv, sett = p.receiving, p.settling
    life = Life.for_version(
        p.version,
        p.steps,
        recv,
        sett,
        p.channel,
        field_name=p.procedure.field.name,
        fee_total=p.fee_vnd,
    )
    counter, applicant = Actor(role="counter", agency=recv), Actor(role="applicant")
    specialist, leader = Actor(role="specialist", agency=sett), Actor(role="leader", agency=sett)
    status = p.status
    try:
        if p.channel == Channel.ONLINE:
            life.submit(p.submitted_at, applicant, files=0)
        else:
            life.intake(p.submitted_at, counter)
        if status == Status.REFUSED:
            life.refuse(p.finished_at, "Từ chối tiếp nhận (dữ liệu chuyển đổi)", counter)
        elif p.received_at is None:
            if status in (Status.WITHDRAWAL_REQUESTED, Status.STOPPED):
                life.request_withdrawal(p.finished_at, IMPORTED_REASON, counter)
                if status == Status.STOPPED:
                    life.stop(p.finished_at, IMPORTED_REASON, counter)
        else:
            try:
                life.receive(p.received_at, counter, due_at=p.due_at)
            except ValidationFailed as exc:
                if exc.code != "time_limit_missing":
                    raise
                # Nothing to compute the appointment from: the row must carry it.
                raise _Bad(
                    "due_at",
                    "time_limit_missing",
                    f"thủ tục chưa có thời hạn giải quyết cho kênh {p.channel}: cần nhập due_at",
                    f"the procedure has no time limit for channel {p.channel}: give due_at",
                ) from None
            if status != Status.RECEIVED:
                _live_on(p, life, counter, applicant, specialist, leader)
    except Illegal as err:
        raise _Bad(
            "status",
            "inconsistent_status",
            f"trạng thái không khớp với các thời điểm ({err})",
            f"the status does not match the moments ({err})",
        ) from None
    if life.status != status:
        raise _Bad(
            "status",
            "inconsistent_status",
            f"trạng thái không khớp với các thời điểm (ends in {life.status}, not {status})",
            f"the status does not match the moments (ends in {life.status}, not {status})",
        )
    life.events[0]["data"]["legacy_code"] = p.code
    life.events[0]["reason"] = IMPORTED_REASON
    for e in life.events:
        e["data"] = {"imported": True, **e["data"]}
    p.life = life


def _live_on(p: Parsed, life: Life, counter, applicant, specialist, leader) -> None:
    status, at = p.status, p.received_at
    life.forward(at, counter)
    if p.fee_vnd > 0 and status != Status.FINANCIAL_OBLIGATION:
        life.request_payment(at, p.fee_vnd, counter)
        life.confirm_payment(at, p.fee_vnd, p.paid_online, applicant if p.paid_online else counter)
    last = at
    for ask, back in p.supplements:
        life.request_supplement(ask, "Yêu cầu bổ sung (dữ liệu chuyển đổi)", specialist)
        last = ask
        if back is not None:
            life.supplement(back, counter, note=IMPORTED_REASON)
            last = back
    if status == Status.FINANCIAL_OBLIGATION:
        life.request_payment(last, p.fee_vnd, specialist)
    elif status in (Status.WITHDRAWAL_REQUESTED, Status.STOPPED):
        life.request_withdrawal(p.finished_at, IMPORTED_REASON, counter)
        if status == Status.STOPPED:
            life.stop(p.finished_at, IMPORTED_REASON, counter)
    elif status in (Status.PROCESSED, Status.RETURNED):
        # The steps the legacy data does not time are handed over at the result.
        while life.can_forward():
            life.forward(p.finished_at, specialist)
        life.approve(p.finished_at, leader, note=IMPORTED_REASON)
        if p.electronic_result:
            life.attach_result(p.finished_at, leader)
        if status == Status.RETURNED:
            life.return_result(p.returned_at, counter)
            if p.rating is not None:
                life.rate(p.returned_at, p.rating, applicant)
    elif status == Status.PROCESSING and p.electronic_result:
        life.attach_result(last, leader)


# ---------------------------------------------------------------------------- entry point


def validate(source) -> tuple[list[Parsed], ImportResult]:
    header, rows = read_rows(source)
    result = ImportResult(rows=len(rows))
    missing = [c for c in COLUMNS if c not in header]
    if missing:
        result.errors.append(
            RowError(
                1,
                ", ".join(missing),
                "missing_columns",
                "thiếu cột " + ", ".join(missing),
                "missing columns " + ", ".join(missing),
            )
        )
        return [], result
    lk = Lookups([r for _, r in rows])
    seen: dict[str, int] = {}
    good: list[Parsed] = []
    for line, row in rows:
        if row.pop("__len") != len(header):
            result.errors.append(
                RowError(
                    line,
                    "",
                    "bad_column_count",
                    f"số cột khác dòng tiêu đề ({len(header)})",
                    f"the number of columns differs from the header ({len(header)})",
                )
            )
            continue
        code = (row.get("code") or "").strip()
        if code and code in seen:
            result.errors.append(
                RowError(
                    line,
                    "code",
                    "duplicate_in_file",
                    f"mã hồ sơ {code} trùng với dòng {seen[code]}",
                    f"dossier code {code} repeats line {seen[code]}",
                )
            )
            continue
        if code:
            seen[code] = line
        try:
            parsed = _parse_row(line, row, lk)
            _plan(parsed)
        except _Bad as bad:
            result.errors.append(RowError(line, *bad.error))
            continue
        good.append(parsed)
    return good, result


def import_dossiers(
    source, *, allow_partial: bool = False, dry_run: bool = False, refresh: bool = True
) -> ImportResult:
    """Validate every row, then (unless any is bad and not `allow_partial`, or `dry_run`)
    write the good rows in bulk and refresh the indicators for them."""
    good, result = validate(source)
    result.dry_run = dry_run
    if dry_run or not good or (result.errors and not allow_partial):
        return result
    with transaction.atomic():
        ids = _write(good)
        _bump_sequences(good)
        if refresh:
            refresh_indicators(ids)
    result.imported = len(ids)
    result.dossier_ids = ids
    result.statuses = Counter(p.status for p in good)
    return result


def refresh_indicators(ids: list[int]) -> str:
    """Bring the indicator facts and counters up to date for the new dossiers (the services'
    in-transaction hook does this for native ones); returns which way was taken.

    `facts_refresh(ids)` costs ~15 ms per dossier, `indicators_rebuild()` ~2 ms per dossier
    of the whole database: a large import (≥ 1/8 of all dossiers) takes the rebuild.
    Both leave the same facts and counters.
    """
    from motcua.indicators.services import facts_refresh, indicators_rebuild

    if len(ids) >= REBUILD_MIN_ROWS and len(ids) * 8 >= Dossier.objects.count():
        indicators_rebuild()
        return "rebuild"
    facts_refresh(ids)
    return "refresh"


def _write(parsed: list[Parsed]) -> list[int]:
    ids: list[int] = []
    for start in range(0, len(parsed), BATCH):
        chunk = parsed[start : start + BATCH]
        dossiers = []
        for p in chunk:
            values = dict(p.life.values)
            del values["channel"]
            dossiers.append(
                Dossier(
                    # Codes are given at submission (docs/rules.md): every dossier keeps its own.
                    code=p.code,
                    secret="".join(secrets.choice(SECRET_ALPHABET) for _ in range(8)),
                    procedure=p.procedure,
                    procedure_version=p.version,
                    channel=p.channel,
                    version=len(p.life.events),
                    applicant_name=IMPORTED_NAME,
                    search_key=search_key_for(IMPORTED_NAME, p.procedure.code, p.version.name),
                    request_summary=p.version.name,
                    receiving_agency=p.receiving,
                    settling_agency=p.settling,
                    paper_result_required=p.version.paper_result_required,
                    digitized=p.digitized,
                    reused=p.reused,
                    **values,
                )
            )
        Dossier.objects.bulk_create(dossiers, batch_size=BATCH)
        events, pauses, handovers = [], [], []
        for p, d in zip(chunk, dossiers, strict=True):
            ids.append(d.pk)
            for e in p.life.events:
                agency = e["actor_agency"]
                events.append(
                    (
                        d.pk,
                        e["seq"],
                        e["action"],
                        e["at"],
                        None,
                        e["actor_role"],
                        None if agency is None else agency.pk,
                        e["from_status"],
                        e["to_status"],
                        e["reason"],
                        e["data"],
                    )
                )
            for pa in p.life.pauses:
                pauses.append(Pause(dossier=d, **pa))
            for h in p.life.handovers:
                handovers.append(Handover(dossier=d, **h))
        insert_rows(DossierEvent, EVENT_COLUMNS, events)
        Pause.objects.bulk_create(pauses, batch_size=BATCH)
        Handover.objects.bulk_create(handovers, batch_size=BATCH)
    return ids


EVENT_COLUMNS = (
    "dossier", "seq", "action", "at", "actor", "actor_role", "actor_agency", "from_status",
    "to_status", "reason", "data",
)  # fmt: skip


def _bump_sequences(parsed: list[Parsed]) -> None:
    """Legacy codes in the native format (motcua.dossiers.codes) reserve their numbers, so
    the next live submission that day does not reuse one."""
    highest: dict[tuple[int, dt.date], int] = {}
    for p in parsed:
        parts = code_parse(p.code)
        if parts is None or parts.agency_code != p.receiving.code:
            continue
        key = (p.receiving.pk, parts.day)
        highest[key] = max(highest.get(key, 0), parts.number)
    for (agency_id, day), last in highest.items():
        row, created = DailySequence.objects.select_for_update().get_or_create(
            agency_id=agency_id, day=day, defaults={"last": last}
        )
        if not created and row.last < last:
            row.last = last
            row.save(update_fields=["last"])
