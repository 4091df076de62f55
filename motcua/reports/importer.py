"""Historical import: legacy dossiers from a CSV file, one row each (docs/import-format.md).

Every row is validated before anything is written (motcua.reports.import_rows: every bad
column of a row at once); the errors name the line (the header is line 1) and the column. By default one bad row means nothing is written; with
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
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import transaction
from pydantic import ValidationError

from motcua.catalog.enums import Channel
from motcua.core.bulk import insert_rows
from motcua.core.errors import ValidationFailed
from motcua.dossiers import timing
from motcua.dossiers.chain import ROW_FIELDS, chain_rows
from motcua.dossiers.codes import code_parse
from motcua.dossiers.enums import Status
from motcua.dossiers.models import (
    DailySequence,
    Dossier,
    DossierEvent,
    Handover,
    Pause,
    search_key_for,
)
from motcua.dossiers.replay import PAYMENT_SYSTEM, Actor, Illegal, Life
from motcua.dossiers.services import SECRET_ALPHABET

from .import_rows import Lookups, Parsed, RowError, RowIn, row_errors

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


# ---------------------------------------------------------------------------- reading


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
            life.refuse(_at(p.finished_at), "Từ chối tiếp nhận (dữ liệu chuyển đổi)", counter)
        elif p.received_at is None:
            if status in (Status.WITHDRAWAL_REQUESTED, Status.STOPPED):
                life.request_withdrawal(_at(p.finished_at), IMPORTED_REASON, counter)
                if status == Status.STOPPED:
                    life.stop(_at(p.finished_at), IMPORTED_REASON, counter)
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


def _at(moment: dt.datetime | None) -> dt.datetime:
    """A moment the row's status needs: the row's rules (import_rules.NEEDS) made sure of it."""
    assert moment is not None
    return moment


def _live_on(p: Parsed, life: Life, counter, applicant, specialist, leader) -> None:
    status, at = p.status, _at(p.received_at)
    life.forward(at, counter)
    if p.fee_vnd > 0 and status != Status.FINANCIAL_OBLIGATION:
        life.request_payment(at, p.fee_vnd, counter)
        life.confirm_payment(
            at, p.fee_vnd, p.paid_online, PAYMENT_SYSTEM if p.paid_online else counter
        )
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
        life.request_withdrawal(_at(p.finished_at), IMPORTED_REASON, counter)
        if status == Status.STOPPED:
            life.stop(_at(p.finished_at), IMPORTED_REASON, counter)
    elif status in (Status.PROCESSED, Status.RETURNED):
        # The steps the legacy data does not time are handed over at the result.
        while life.can_forward():
            life.forward(_at(p.finished_at), specialist)
        life.approve(_at(p.finished_at), leader, note=IMPORTED_REASON)
        if p.electronic_result:
            life.attach_result(_at(p.finished_at), leader)
        if status == Status.RETURNED:
            life.return_result(_at(p.returned_at), counter)
            if p.rating is not None:
                life.rate(_at(p.returned_at), p.rating, applicant)
    elif status == Status.PROCESSING and p.electronic_result:
        life.attach_result(last, leader)


# ---------------------------------------------------------------------------- entry point


def validate(source: str | Path | bytes) -> tuple[list[Parsed], ImportResult]:
    """Every row read, checked and planned; the good ones, and the result with the errors."""
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
        parsed, errors = _check_row(line, row, len(header), lk, seen)
        result.errors.extend(errors)
        if parsed is not None:
            good.append(parsed)
    return good, result


def _check_row(
    line: int, row: dict, width: int, lk: Lookups, seen: dict[str, int]
) -> tuple[Parsed | None, list[RowError]]:
    """One row: its width, its code not seen earlier in the file, its columns and rules
    (RowIn), its life (_plan)."""
    if row.pop("__len") != width:
        return None, [
            RowError(
                line,
                "",
                "bad_column_count",
                f"số cột khác dòng tiêu đề ({width})",
                f"the number of columns differs from the header ({width})",
            )
        ]
    code = (row.get("code") or "").strip()
    if code and code in seen:
        return None, [
            RowError(
                line,
                "code",
                "duplicate_in_file",
                f"mã hồ sơ {code} trùng với dòng {seen[code]}",
                f"dossier code {code} repeats line {seen[code]}",
            )
        ]
    if code:
        seen[code] = line
    try:
        parsed = RowIn.model_validate(row, context=lk).parsed(line)
        _plan(parsed)
    except ValidationError as exc:
        return None, row_errors(line, exc)
    except _Bad as bad:
        return None, [RowError(line, *bad.error)]
    return parsed, []


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
        chained = []
        for p in chunk:
            # The events as written (no user: an import has none), chained before the
            # dossier's row, which carries the head (dossiers.chain).
            rows = [
                (
                    e["seq"],
                    e["action"],
                    e["at"],
                    None,
                    e["actor_role"],
                    None if e["actor_agency"] is None else e["actor_agency"].pk,
                    e["from_status"],
                    e["to_status"],
                    e["reason"],
                    e["data"],
                )
                for e in p.life.events
            ]
            hashes = chain_rows(rows)
            chained.append((rows, hashes))
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
                    chain_head=hashes[-1] if hashes else "",
                    **values,
                )
            )
        Dossier.objects.bulk_create(dossiers, batch_size=BATCH)
        events: list[tuple[Any, ...]] = []
        pauses, handovers = [], []
        for p, d, (rows, hashes) in zip(chunk, dossiers, chained, strict=True):
            ids.append(d.pk)
            events.extend((d.pk, *row, h) for row, h in zip(rows, hashes, strict=True))
            for pa in p.life.pauses:
                pauses.append(Pause(dossier=d, **pa))
            for h in p.life.handovers:
                handovers.append(Handover(dossier=d, **h))
        insert_rows(DossierEvent, EVENT_COLUMNS, events)
        Pause.objects.bulk_create(pauses, batch_size=BATCH)
        Handover.objects.bulk_create(handovers, batch_size=BATCH)
    return ids


EVENT_COLUMNS = ("dossier", *ROW_FIELDS, "hash")


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
