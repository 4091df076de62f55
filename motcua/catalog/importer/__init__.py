"""JSON import and export of procedure records.

The import format is the record format of the demo data (`fixtures/procedures.json`, see
`fixtures/SOURCES.md`), widened with our own keys; `catalog_export` writes that wider
format, so an export imports back unchanged. Keys (all but the first four optional):

    code                 mã TTHC, opaque ("1.001193"), ≤ 40 characters
    name                 tên thủ tục
    field                lĩnh vực name; `field_code` optional (else slug of the folded name)
    level                "xã" / "tỉnh" / "bộ" (also "Cấp xã", or our codes xa / tinh / bo)
    agency               cơ quan thực hiện (settling); `receiving_agency`, `deciding_agency`
    time_limit           {value, unit, text}; unit "ngày làm việc" | "giờ" | "giờ làm việc" |
                         "ngày" (calendar) | "trong ngày" | working_days | working_hours |
                         calendar_days | same_day | null. The text is read per channel
                         ("Trực tuyến: 17 Ngày làm việc; …; Trực tiếp: 27 Ngày làm việc"),
                         else value/unit (or the text alone) apply to every channel
    limits               [{channel, value, unit, cutoff}], our own (the export writes it):
                         when present it is the limits, and the text is not read
    channels             ["trực tiếp", "trực tuyến", "bưu chính"] or [1, 2, 3]
    components           [{name, original, copy, form, group, required?}]
    fees                 [{name, amount_vnd, note}]; [] = free; null = no information
    subjects, result, legal_basis, conditions, steps_text
    online_level         "full" / "partial" / "none" (or toàn trình / một phần / không)
    paper_result_required, eligible_full_online   booleans
    process              [{name, role, agency_role, duration_hours}] (quy trình nội bộ)
    source, portal_url, record_date, level_raw, notes, publication_decision   provenance
    effective_from       ISO date, used when the caller gives none (export writes it)
    version, effective_to   written by the export, ignored on import

Choices made for the real data (55 records):
- time limits are never invented: the 6 records the importer cannot read (chứng thực ×4,
  trích lục, nuôi con nuôi) get none and are listed in `ImportReport.unread_limits`; their
  versions take no dossiers until `motcua catalog set-limit` (or the admin) sets one.
- unit null with a value (14 records, mostly hộ tịch where the portal cell holds only a
  number): read as working days — the unit the same procedures state elsewhere — and
  reported in `ImportReport.notes`. "ngày" alone (7 records) is calendar days.
- online_level: the data never states it. With an online channel → partial, else none.
  Whether a procedure can be done fully online (no in-person step, fees payable online)
  cannot be known from the record, so nothing becomes `full` and
  `eligible_full_online` stays False unless the record says so.
- paper_result_required defaults to True (the record does not say; paper is the safe side).
- component `required`: False when the name opens with "Trường hợp …" or says "(nếu có)",
  i.e. the record itself makes it conditional; True otherwise.
"""

from .export import catalog_export
from .records import ImportReport, field_code_for, normalize_record
from .store import FIXTURE_PATH, catalog_import, catalog_import_fixture

__all__ = [
    "FIXTURE_PATH",
    "ImportReport",
    "catalog_export",
    "catalog_import",
    "catalog_import_fixture",
    "field_code_for",
    "normalize_record",
]
