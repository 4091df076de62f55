"""The control sheet (Phiếu kiểm soát, Mẫu 05/2018, 06/2025) and the tracking log (Sổ theo
dõi hồ sơ, Mẫu 06/2018, 07/2025; A4 landscape, for one agency and a period).

Layouts reconstructed from reference §2.1 (public provincial software); the log's columns
are UNCONFIRMED there too.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import TYPE_CHECKING

from motcua.dossiers import deadlines

from ..enums import TRACKING_LOG, DocumentKind, form_of
from .base import FormTemplate, agency_lines, person, place_of, register
from .pdf import FormPDF
from .text import NBSP, VN, place_date, short_date, short_datetime, time_date

if TYPE_CHECKING:
    from motcua.dossiers.models import Dossier
    from motcua.org.models import Agency


def _moment(value) -> str:
    """ "09:30 04/03/2026" held on one line (the control sheet's column has the room)."""
    return short_datetime(value).replace(" ", NBSP)


@register
class ControlSheet(FormTemplate):
    """One row per handover (Handover rows): the agency and step, when it received the
    dossier and when it handed it on (and who), early / on time / late, the note."""

    key = "phieu-kiem-soat"
    kind = DocumentKind.CONTROL_SHEET
    label = "Phiếu kiểm soát quá trình giải quyết hồ sơ"

    def __init__(self, dossier, event=None) -> None:
        super().__init__(dossier, event)
        self.handovers = list(
            dossier.handovers.select_related("agency", "step", "finished_by").order_by(
                "started_at", "pk"
            )
        )

    def created(self) -> dt.datetime:
        # The sheet as of its last entry: re-rendering an unchanged sheet gives the same file.
        moments = [self.dossier.received_at or self.dossier.submitted_at]
        for h in self.handovers:
            moments += [h.started_at, h.finished_at]
        return max(m for m in moments if m is not None)

    def texts(self) -> list[str]:
        names = [
            h.agency.name + h.step.name + h.note + person(h.finished_by) for h in self.handovers
        ]
        return [*super().texts(), *names]

    def number_line(self) -> str:
        return ""

    def draw(self, pdf: FormPDF) -> None:
        d = self.dossier
        self.heading(pdf)
        pdf.field("Mã hồ sơ", d.code or "")
        pdf.line_of(("I", "(Kèm theo hồ sơ của: "), ("B", d.applicant_name), ("I", ")"))
        pdf.field("Ngày nhận hồ sơ", time_date(d.received_at), size=9)
        pdf.field("Ngày hẹn trả kết quả", time_date(d.due_at), size=9)
        rows = []
        previous = None
        for h in self.handovers:
            handed = (
                f"1. Giao: {_moment(previous.finished_at)}\n"
                f"Người giao: {person(previous.finished_by)}\n"
                if previous is not None and previous.finished_at
                else "1. Giao: tiếp nhận hồ sơ\n"
            )
            received = f"2. Nhận: {_moment(h.started_at)}\nHạn: {_moment(h.due_at)}"
            rows.append(
                [
                    f"{h.agency.name}\n({h.step.name})",
                    handed + received,
                    h.get_outcome_display() if h.outcome else "",
                    h.note,
                ]
            )
            previous = h
        pdf.grid(
            ["TÊN CƠ QUAN", "THỜI GIAN GIAO, NHẬN HỒ SƠ", "KẾT QUẢ GIẢI QUYẾT HỒ SƠ", "GHI CHÚ"],
            rows,
            [32, 44, 20, 18],
            aligns=["L", "L", "C", "L"],
            size=7.5,
        )
        pdf.paragraph(
            "Kết quả giải quyết hồ sơ: Trước hạn / Đúng hạn / Quá hạn so với hạn của từng bước.",
            size=7.5,
            style="I",
        )


class TrackingLog:
    """Sổ theo dõi hồ sơ of one receiving agency for [start, end] (local dates)."""

    kind = TRACKING_LOG

    def __init__(
        self, *, agency: Agency, start: dt.date, end: dt.date, dossiers: Iterable[Dossier]
    ) -> None:
        self.agency = agency
        self.start = start
        self.end = end
        self.dossiers = list(dossiers)
        # A log for a period ending before 1 July 2025 uses the Circular 01/2018 numbering.
        rule_set = deadlines.rule_set_for(end)
        self.number, self.form_title, self.circular = form_of(rule_set, TRACKING_LOG)

    def created(self) -> dt.datetime:
        return dt.datetime.combine(self.end, dt.time(23, 59, 59), tzinfo=VN)

    def render(self) -> bytes:
        texts = [self.agency.name]
        for d in self.dossiers:
            texts += [d.applicant_name, d.applicant_address, d.procedure_version.name]
            texts += [d.settling_agency.name]
        pdf = FormPDF(
            created=self.created(),
            title=f"{self.form_title} {self.agency.code} {self.start:%Y%m%d}-{self.end:%Y%m%d}",
            texts=texts,
            page_format="A4",
            orientation="L",
            sans=True,
        )
        pdf.form_label(f"Mẫu số {self.number} - {self.circular}")
        pdf.national_header(agency_lines(self.agency), "")
        pdf.place_date(place_date(place_of(self.agency), self.end))
        pdf.heading_title(
            self.form_title,
            f"Từ ngày {short_date(self.start)} đến ngày {short_date(self.end)}",
        )
        rows = []
        for i, d in enumerate(self.dossiers, 1):
            first_transfer = next((h.finished_at for h in d.handovers.all() if h.finished_at), None)
            contact = "; ".join(x for x in (d.applicant_address, d.applicant_phone) if x)
            rows.append(
                [
                    str(i),
                    d.code or "",
                    d.procedure_version.name,
                    "01",
                    d.applicant_name,
                    contact,
                    d.settling_agency.name,
                    short_datetime(d.received_at),
                    short_datetime(d.due_at),
                    short_datetime(first_transfer),
                    short_datetime(d.finished_at),
                    short_datetime(d.returned_at),
                    "",
                    d.get_status_display(),
                ]
            )
        pdf.grid(
            [
                "STT",
                "Mã hồ sơ",
                "Tên thủ tục hành chính",
                "Số lượng hồ sơ (bộ)",
                "Tên cá nhân, tổ chức",
                "Địa chỉ, số điện thoại",
                "Cơ quan chủ trì giải quyết",
                "Nhận hồ sơ",
                "Hẹn trả kết quả",
                "Chuyển hồ sơ đến cơ quan giải quyết",
                "Có kết quả giải quyết",
                "Trả kết quả",
                "Ký nhận",
                "Ghi chú",
            ],
            rows,
            [8, 38, 36, 10, 24, 25, 24, 15, 15, 16, 15, 15, 12, 15],
            aligns=["C", "L", "L", "C", "L", "L", "L", "C", "C", "C", "C", "C", "C", "L"],
            size=6.5,
            family="Sans",
        )
        if not rows:
            pdf.paragraph("Không có hồ sơ nào trong thời gian này.", size=9, style="I")
        return bytes(pdf.output())
