"""Build dossiers for report tests through the importer (same rows as native ones)."""

from __future__ import annotations

from motcua.reports.importer import COLUMNS, import_dossiers

DEFAULTS = {
    "procedure_code": "1.001193",
    "receiving_agency_code": "000.A.01.H24",
    "settling_agency_code": "000.A.02.H24",
    "channel": "1",
    "fee_vnd": "0",
    "paid_online": "0",
    "electronic_result": "0",
    "digitized": "0",
    "reused": "0",
}


def t(day: str, hm: str = "09:00") -> str:
    """'2026-03-04', '09:00' -> ISO 8601 with the Vietnam offset."""
    return f"{day}T{hm}:00+07:00"


def load(rows: list[dict], **kw):
    lines = [",".join(COLUMNS)]
    for i, r in enumerate(rows, start=1):
        full = DEFAULTS | {"code": f"T-{i:05d}"} | r
        lines.append(",".join(str(full.get(c, "")) for c in COLUMNS))
    result = import_dossiers(("\n".join(lines) + "\n").encode(), refresh=False, **kw)
    assert result.errors == [], [str(e) for e in result.errors]
    return result
