"""Reading a bank statement file (sao kê tài khoản) of the collecting account: CSV or XLSX,
as Vietnamese banks export them — a preamble (bank, account, period), then a header row,
then one row per transaction. No database here: `parse` returns the credit lines.

The columns accepted (matched on the header's text with accents, case and punctuation
folded; MOTCUA_STATEMENT_COLUMNS overrides them, "date=Ngày GD;credit=Có;…"):

- `date`: Ngày giao dịch, Ngày GD, Ngày hiệu lực, Transaction date, Date
- `credit`: Số tiền ghi có, Ghi có, Phát sinh có, Số tiền có, Credit
- `debit` (optional; a row with only a debit is not a credit and is skipped): Số tiền ghi
  nợ, Ghi nợ, Phát sinh nợ, Debit
- `text`: Nội dung, Nội dung giao dịch, Nội dung chuyển khoản, Diễn giải, Mô tả,
  Description
- `txn_id`: Số bút toán, Mã giao dịch, Số tham chiếu, Số giao dịch, Reference,
  Transaction ID
- `balance` (optional): Số dư, Số dư cuối, Balance

Amounts are whole đồng written with or without grouping ("1.250.000", "1,250,000",
"1250000", "1250000.00"); dates "dd/mm/yyyy [HH:MM[:SS]]", ISO, or an Excel date cell
(GMT+7 when no zone is given).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from motcua.core.errors import ValidationFailed

from .vietqr import fold

VN = ZoneInfo("Asia/Ho_Chi_Minh")
MAX_BYTES = 20 * 1024 * 1024
HEADER_SCAN = 40

ALIASES: dict[str, tuple[str, ...]] = {
    "date": ("Ngày giao dịch", "Ngày GD", "Ngày hiệu lực", "Transaction date", "Date"),
    "credit": ("Số tiền ghi có", "Ghi có", "Phát sinh có", "Số tiền có", "Credit"),
    "debit": ("Số tiền ghi nợ", "Ghi nợ", "Phát sinh nợ", "Số tiền nợ", "Debit"),
    "text": (
        "Nội dung",
        "Nội dung giao dịch",
        "Nội dung chuyển khoản",
        "Diễn giải",
        "Mô tả",
        "Description",
    ),
    "txn_id": (
        "Số bút toán",
        "Mã giao dịch",
        "Số tham chiếu",
        "Số giao dịch",
        "Reference",
        "Transaction ID",
    ),
    "balance": ("Số dư", "Số dư cuối", "Balance"),
}
REQUIRED = ("date", "credit", "text", "txn_id")


@dataclass(frozen=True)
class Line:
    """One credit of the statement."""

    row: int  # 1-based row number in the file (for error messages)
    booked_at: dt.datetime
    amount_vnd: int
    text: str
    txn_id: str
    balance_vnd: int | None


def _bad(row: int, what_vi: str, what_en: str) -> ValidationFailed:
    return ValidationFailed(
        "invalid_statement",
        f"Tệp sao kê, dòng {row}: {what_vi}.",
        f"Statement file, row {row}: {what_en}.",
        field="file",
    )


def columns_from_setting(value: str) -> dict[str, tuple[str, ...]]:
    """The aliases, with MOTCUA_STATEMENT_COLUMNS ("key=Header;key=Header") taking over the
    keys it names."""
    aliases = dict(ALIASES)
    for part in (value or "").split(";"):
        if "=" not in part:
            continue
        key, _, header = part.partition("=")
        key = key.strip()
        if key not in ALIASES:
            raise ValidationFailed(
                "invalid_statement_columns",
                f"MOTCUA_STATEMENT_COLUMNS: không có cột '{key}' (dùng {', '.join(ALIASES)}).",
                f"MOTCUA_STATEMENT_COLUMNS: no column '{key}' (use {', '.join(ALIASES)}).",
                field="MOTCUA_STATEMENT_COLUMNS",
            )
        aliases[key] = (header.strip(),)
    return aliases


def amount(value: object, row: int) -> int | None:
    """Whole đồng from a cell; None for an empty cell."""
    if value is None:
        return None
    if isinstance(value, bool):
        raise _bad(row, f"số tiền '{value}' không hợp lệ", f"the amount '{value}' is not valid")
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        if value != int(value):
            raise _bad(row, f"số tiền '{value}' có phần lẻ", f"the amount '{value}' has a fraction")
        return int(value)
    text = str(value).strip().replace(" ", "").replace("\u00a0", "").removesuffix("VND")
    text = text.removesuffix("đ").removeprefix("+")
    if not text or text == "-":
        return None
    if re.fullmatch(r"\d{1,3}([.,]\d{3})+", text):
        return int(re.sub(r"[.,]", "", text))
    m = re.fullmatch(r"(\d+)(?:[.,]0{1,2})?", text)
    if m:
        return int(m.group(1))
    raise _bad(row, f"số tiền '{value}' không hợp lệ", f"the amount '{value}' is not valid")


_DATE_FORMATS = (
    "%d/%m/%Y %H:%M:%S",
    "%d/%m/%Y %H:%M",
    "%d/%m/%Y",
    "%d-%m-%Y %H:%M:%S",
    "%d-%m-%Y",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%d",
)


def date(value: object, row: int) -> dt.datetime:
    if isinstance(value, dt.datetime):
        parsed = value
    elif isinstance(value, dt.date):
        parsed = dt.datetime(value.year, value.month, value.day)
    else:
        text = str(value or "").strip()
        for fmt in _DATE_FORMATS:
            try:
                parsed = dt.datetime.strptime(text, fmt)  # noqa: DTZ007 (GMT+7 below)
                break
            except ValueError:
                continue
        else:
            raise _bad(
                row,
                f"ngày giao dịch '{text}' không đọc được (dd/mm/yyyy)",
                f"the date '{text}' cannot be read (dd/mm/yyyy)",
            )
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=VN)


def _key(header: object) -> str:
    return fold(str(header or ""))


def _header(rows: Sequence[Sequence[object]], aliases: dict[str, tuple[str, ...]]):
    wanted = {k: {_key(a) for a in v} for k, v in aliases.items()}
    for i, row in enumerate(rows[:HEADER_SCAN]):
        found: dict[str, int] = {}
        for j, cell in enumerate(row):
            key = _key(cell)
            for name, names in wanted.items():
                if key in names and name not in found:
                    found[name] = j
        if all(k in found for k in REQUIRED):
            return i, found
    raise ValidationFailed(
        "statement_header_not_found",
        "Không tìm thấy dòng tiêu đề của sao kê (cần các cột: ngày giao dịch, số tiền ghi "
        "có, nội dung, số bút toán). Xem MOTCUA_STATEMENT_COLUMNS.",
        "The statement's header row was not found (columns needed: date, credit, text, "
        "transaction id). See MOTCUA_STATEMENT_COLUMNS.",
        field="file",
    )


def lines(
    rows: Sequence[Sequence[object]], aliases: dict[str, tuple[str, ...]] | None = None
) -> list[Line]:
    """The credit lines of a statement given as rows of cells."""
    start, col = _header(rows, aliases or ALIASES)
    out: list[Line] = []
    seen: set[str] = set()
    for i, row in enumerate(rows[start + 1 :], start=start + 2):

        def cell(name: str, row: Sequence[object] = row) -> object:
            j = col.get(name)
            return row[j] if j is not None and j < len(row) else None

        if not any(str(c or "").strip() for c in row):
            continue
        txn_id = str(cell("txn_id") or "").strip()
        if not txn_id and not str(cell("date") or "").strip():
            continue  # a totals or footer row ("Tổng cộng", "Cộng phát sinh")
        credit = amount(cell("credit"), i)
        if credit is None or credit == 0:
            continue  # a debit, or nothing credited
        if credit < 0:
            raise _bad(i, "số tiền ghi có âm", "a negative credit")
        if not txn_id:
            raise _bad(i, "thiếu số bút toán (mã giao dịch)", "no transaction id")
        if len(txn_id) > 64:
            raise _bad(i, "số bút toán dài quá 64 ký tự", "the transaction id is over 64 chars")
        if txn_id in seen:
            raise _bad(i, f"số bút toán '{txn_id}' lặp lại", f"transaction id '{txn_id}' repeats")
        seen.add(txn_id)
        out.append(
            Line(
                row=i,
                booked_at=date(cell("date"), i),
                amount_vnd=credit,
                text=str(cell("text") or "").strip(),
                txn_id=txn_id,
                balance_vnd=amount(cell("balance"), i),
            )
        )
    return out


def _csv_rows(data: bytes) -> list[list[str]]:
    for encoding in ("utf-8-sig", "cp1258", "utf-16"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:  # pragma: no cover (utf-16 decodes almost anything)
        raise ValidationFailed(
            "invalid_statement",
            "Tệp sao kê không phải văn bản UTF-8.",
            "The statement file is not UTF-8 text.",
            field="file",
        )
    try:
        dialect: type[csv.Dialect] | csv.Dialect = csv.Sniffer().sniff(
            text[:4096], delimiters=",;\t"
        )
    except csv.Error:
        dialect = csv.excel
    return [list(r) for r in csv.reader(io.StringIO(text), dialect)]


def _xlsx_rows(data: bytes) -> list[list[object]]:
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001 (a broken upload: say so)
        raise ValidationFailed(
            "invalid_statement",
            f"Không đọc được tệp Excel: {exc}.",
            f"The Excel file cannot be read: {exc}.",
            field="file",
        ) from None
    sheet = book.worksheets[0]
    return [list(r) for r in sheet.iter_rows(values_only=True)]


def parse(
    data: bytes, name: str = "", aliases: dict[str, tuple[str, ...]] | None = None
) -> list[Line]:
    """The credit lines of a statement file (XLSX when it is a zip, else CSV)."""
    if len(data) > MAX_BYTES:
        raise ValidationFailed(
            "statement_too_large",
            "Tệp sao kê lớn quá 20 MB.",
            "The statement file is over 20 MB.",
            field="file",
        )
    rows: Iterable[Sequence[object]]
    if data[:2] == b"PK" or name.lower().endswith(".xlsx"):
        rows = _xlsx_rows(data)
    else:
        rows = _csv_rows(data)
    return lines(list(rows), aliases)
