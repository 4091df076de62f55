"""The event forms: receipt (Mẫu 01), supplement request (02), refusal (03), apology (04),
stop notice (05 of Circular 03/2025), and the police residence receipt CT04.

Field layouts are reconstructed from reference §2.1 (public provincial templates of the
Circular 01/2018 forms; the 2025 forms reuse them, their own fields were not found):
UNCONFIRMED against the official text.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from motcua.catalog import fees
from motcua.catalog.limits import limit_label
from motcua.catalog.models import Component
from motcua.core.pdf import wrapped_lines
from motcua.dossiers.models import ReceivedSource
from motcua.payments.words import amount_in_words

from ..enums import DocumentKind
from .base import FormTemplate, lookup_url, person, procedure_phrase, register, sentence
from .pdf import FormPDF
from .text import NBSP, VN, date_long, short_date, time_date

SIGN_NOTE = "(Ký và ghi rõ họ tên)"
LEADER_NOTE = "(Ký, ghi rõ họ tên và đóng dấu)"


def _count(n: int) -> str:
    return f"{n:02d}" if n else ""


def fees_text(assessment: dict | None) -> str:
    """The fees of the assessment kept at submission (catalog.fees), as the receipt states
    them: the total, then each line with the reductions applied; "" when none was kept."""
    if assessment is None:
        return ""
    quote = fees.FeeQuote.from_json(assessment)
    if not quote.lines:
        return "Không thu phí, lệ phí"
    parts = []
    for line in quote.lines:
        text = f"{line.name}: {fees.vnd(line.final_vnd)}"
        cuts = [
            f"{'miễn' if a.percent == 100 else f'giảm {a.percent}%'} theo {a.name}"
            for a in line.applied
        ]
        parts.append(f"{text} ({'; '.join(cuts)})" if cuts else text)
    total = f"{fees.vnd(quote.total_vnd)}"
    if quote.has_unknown:
        total += " (khoản chưa xác định số tiền: cơ quan thông báo khi yêu cầu nộp)"
    return f"{total}. " + "; ".join(parts) + "."


def whole(name: str) -> str:
    """A person's name held on one line when it is short enough to fit on one (a long
    organisation name still wraps, at its spaces)."""
    return name.replace(" ", NBSP) if len(name) <= 40 else name


@dataclass(frozen=True)
class Handed:
    """One component as handed in: papers counted at the counter, files uploaded."""

    component: Component
    originals: int = 0
    copies: int = 0
    files: int = 0

    @property
    def name(self) -> str:
        return self.component.name


class _DossierForm(FormTemplate):
    def applicant_block(self, pdf: FormPDF, *, lead: str = "Của") -> None:
        d = self.dossier
        pdf.field(lead, d.applicant_display)
        pdf.field("Địa chỉ", d.applicant_address)
        pdf.field("Số điện thoại", d.applicant_phone)
        pdf.field("Email", d.applicant_email)

    def request_line(self, pdf: FormPDF) -> None:
        d = self.dossier
        pdf.field("Nội dung yêu cầu giải quyết", d.request_summary or d.procedure_version.name)

    def qr_block(self, pdf: FormPDF, size: float = 22) -> None:
        """QR on the left; the lookup code and how to use it on the right.

        The symbol keeps the quiet zone ISO/IEC 18004 asks for, four modules of white on
        every side, so that phone cameras find it as readily as zbar does."""
        code = pdf.qr_code(lookup_url(self.dossier))
        quiet = 4 * size / code.symbol_size(border=0)[0]
        if pdf.get_y() + size + 2 * quiet > pdf.h - pdf.b_margin:
            pdf.add_page()
        top = pdf.get_y() + quiet
        pdf.qr(code, pdf.l_margin, top, size)
        x = pdf.l_margin + size + 4
        pdf.set_xy(x, top + 2)
        pdf.font(9.5, "B")
        pdf.cell(0, 5, f"Mã tra cứu: {self.dossier.secret}")
        pdf.set_xy(x, top + 7.5)
        pdf.font(8.5)
        pdf.multi_cell(
            0,
            4,
            align="L",
            text="Quét mã QR hoặc nhập mã hồ sơ và mã tra cứu tại trang "
            f"{lookup_url(self.dossier).split('?')[0]} để theo dõi tình trạng hồ sơ.",
        )
        pdf.set_xy(pdf.l_margin, top + size + quiet)


@register
class Receipt(_DossierForm):
    """Mẫu 01: Giấy tiếp nhận hồ sơ và hẹn trả kết quả, with the status-lookup QR."""

    key = "mau-01"
    kind = DocumentKind.RECEIPT
    label = "Mẫu 01 - Giấy tiếp nhận hồ sơ và hẹn trả kết quả"
    number_suffix = "TNHS"

    def issuing_agency(self):
        return self.dossier.receiving_agency

    def components(self) -> list[Handed]:
        if not hasattr(self, "_components"):
            self._components = self._load_components()
        return self._components

    def _load_components(self) -> list[Handed]:
        """What was handed in up to the receipt (counted at the counter or uploaded online),
        never a catalog component that was not; later supplements do not change it."""
        at = self.event.at
        totals: dict[int, list] = {}
        for r in self.dossier.received.select_related("component"):
            if r.source == ReceivedSource.SUPPLEMENT or r.at > at:
                continue
            entry = totals.setdefault(r.component_id, [r.component, 0, 0, 0])
            entry[1] += r.originals
            entry[2] += r.copies
            entry[3] += r.files
        if not totals:
            # Dossiers recorded before the received components were: their uploads.
            for a in self.dossier.attachments.select_related("component"):
                if a.kind == "submitted" and a.uploaded_at <= at and a.component_id:
                    entry = totals.setdefault(a.component_id, [a.component, 0, 0, 0])
                    entry[3] += 1
        handed = [Handed(c, o, k, f) for c, o, k, f in totals.values()]
        return sorted(handed, key=lambda h: (h.component.order, h.component.pk))

    def texts(self) -> list[str]:
        return [
            *super().texts(),
            *(h.name for h in self.components()),
            fees_text(self.dossier.fee_assessment),
        ]

    def component_table(self, pdf: FormPDF) -> None:
        comps = self.components()
        with_files = any(h.files for h in comps)
        headings = ["TT", "Tên giấy tờ", "Bản chính", "Bản sao"]
        widths = [8, 76, 15, 13]
        if with_files:
            headings, widths = [*headings, "Tệp điện tử"], [8, 64, 13, 12, 15]
        rows = []
        for i, h in enumerate(comps, 1):
            row = [str(i), h.name, _count(h.originals), _count(h.copies)]
            rows.append([*row, _count(h.files)] if with_files else row)
        pdf.grid(headings, rows, widths, aligns=["C", "L", *["C"] * (len(widths) - 2)])

    def appointment(self) -> dt.datetime | None:
        """The appointment as given at receipt (the receive event's), not the dossier's
        first appointment as it stands: that one moves with later pauses, and a receipt
        says what it said when it was handed over."""
        return _due(self.event, "due_at", self.dossier.original_due_at)

    def book_line(self) -> str:
        """ "Vào Sổ theo dõi hồ sơ": the book of the year and the receipt's number in it."""
        number = self.book_number()
        seq = f"{number:04d}" if number is not None else self.dossier.code.rsplit("-", 1)[-1]
        return f"{self.dossier.received_at.astimezone(VN).year}, Số thứ tự: {seq}"

    def draw(self, pdf: FormPDF) -> None:
        d = self.dossier
        self.heading(pdf)
        pdf.line_of(("B", "Mã hồ sơ: "), ("B", d.code))
        pdf.gap(0.5)
        pdf.line_of(
            ("", f"{d.receiving_agency.name} tiếp nhận hồ sơ của: "),
            ("B", whole(d.applicant_display)),
        )
        pdf.field("Địa chỉ", d.applicant_address)
        pdf.field("Số điện thoại", d.applicant_phone)
        pdf.field("Email", d.applicant_email)
        self.request_line(pdf)
        pdf.line_of(("B", "1. Thành phần hồ sơ nộp gồm:"))
        self.component_table(pdf)
        pdf.field("2. Số lượng hồ sơ", "01 bộ")
        # The limit of the dossier's own channel (online and counter may differ).
        pdf.field(
            "3. Thời gian giải quyết hồ sơ theo quy định",
            limit_label(d.procedure_version, d.channel),
        )
        pdf.field("4. Thời gian nhận hồ sơ", time_date(d.received_at))
        pdf.field("5. Thời gian trả kết quả giải quyết hồ sơ", time_date(self.appointment()))
        pdf.field("6. Đăng ký nhận kết quả tại", d.receiving_agency.name)
        fee_line = fees_text(d.fee_assessment)
        if fee_line:
            pdf.field("7. Phí, lệ phí phải nộp", fee_line)
        pdf.line_of(
            ("I", "Vào Sổ theo dõi hồ sơ, Quyển số: "),
            ("I", self.book_line()),
            size=8.5,
        )
        self.qr_block(pdf)
        pdf.signatures(
            [
                ("Người nộp hồ sơ", SIGN_NOTE, d.applicant_name),
                ("Người tiếp nhận hồ sơ", SIGN_NOTE, person(self.event.actor)),
            ]
        )


@register
class ReceiptCT04(Receipt):
    """Mẫu CT04 of Circular 66/2023/TT-BCA: the police residence-registration receipt
    ("Phiếu tiếp nhận hồ sơ và hẹn trả kết quả"). Its fields are reconstructed from the
    published procedure text (reference §2.1), UNCONFIRMED."""

    key = "ct04"
    label = "CT04 (Thông tư 66/2023/TT-BCA) - Phiếu tiếp nhận hồ sơ và hẹn trả kết quả"
    default = False

    def issuing_agency(self):
        return self.dossier.settling_agency

    def label_line(self) -> str:
        return "Mẫu CT04 - Thông tư số 66/2023/TT-BCA"

    def number_line(self) -> str:
        number = self.book_number()
        if number is not None:
            return f"Số: {number:04d}"
        return f"Số: {self.dossier.code.rsplit('-', 1)[-1]}"

    def draw(self, pdf: FormPDF) -> None:
        d = self.dossier
        agency = self.issuing_agency()
        self.heading(pdf, title="Phiếu tiếp nhận hồ sơ và hẹn trả kết quả")
        pdf.field("Mã hồ sơ", d.code)
        pdf.field("Cơ quan đăng ký cư trú", agency.name)
        pdf.field("Tiếp nhận hồ sơ của ông/bà", d.applicant_name)
        pdf.field("Số định danh cá nhân", d.applicant_id_number)
        pdf.field("Nơi cư trú", d.applicant_address)
        pdf.field("Số điện thoại", d.applicant_phone)
        pdf.field("Nội dung yêu cầu", d.request_summary or d.procedure_version.name)
        pdf.line_of(("B", "Hồ sơ gồm:"))
        comps = self.components()
        pdf.grid(
            ["TT", "Tên giấy tờ", "Số lượng"],
            [
                [str(i), h.name, _count(h.originals + h.copies + h.files) or "01"]
                for i, h in enumerate(comps, 1)
            ],
            [8, 88, 16],
            aligns=["C", "L", "C"],
        )
        pdf.field("Thời gian tiếp nhận", time_date(d.received_at))
        pdf.field("Thời gian trả kết quả", time_date(self.appointment()))
        pdf.field("Nơi trả kết quả", agency.name)
        self.qr_block(pdf)
        pdf.signatures(
            [
                ("Người nộp hồ sơ", SIGN_NOTE, d.applicant_name),
                ("Cán bộ tiếp nhận hồ sơ", SIGN_NOTE, person(self.event.actor)),
            ]
        )


@register
class SupplementRequest(_DossierForm):
    """Mẫu 02: Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ (the components the event names)."""

    key = "mau-02"
    kind = DocumentKind.SUPPLEMENT_REQUEST
    label = "Mẫu 02 - Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ"
    number_suffix = "HDHS"

    def missing(self) -> list[Component]:
        ids = self.event.data.get("missing_components") or []
        by_id = {c.pk: c for c in self.dossier.procedure_version.components.all()}
        return [by_id[i] for i in ids if i in by_id]

    def texts(self) -> list[str]:
        return [*super().texts(), *(c.name for c in self.missing())]

    def draw(self, pdf: FormPDF) -> None:
        d = self.dossier
        agency = self.issuing_agency()
        self.heading(pdf)
        pdf.field("Mã hồ sơ", d.code)
        pdf.line_of(
            ("", f"{agency.name} tiếp nhận hồ sơ của Ông/Bà: "), ("B", whole(d.applicant_name))
        )
        self.request_line(pdf)
        pdf.field("Địa chỉ", d.applicant_address)
        pdf.field("Số điện thoại", d.applicant_phone)
        pdf.field("Email", d.applicant_email)
        pdf.line_of(("B", "Yêu cầu Ông/Bà hoàn thiện hồ sơ gồm những nội dung sau:"))
        pdf.grid(
            ["TT", "Thành phần hồ sơ", "Bản chính", "Bản sao"],
            [
                [str(i), c.name, _count(c.original_count), _count(c.copy_count)]
                for i, c in enumerate(self.missing(), 1)
            ],
            [8, 76, 15, 13],
            aligns=["C", "L", "C", "C"],
        )
        pdf.field("Lý do", self.event.reason)
        pdf.paragraph(
            "Thông tin về thủ tục hành chính được công khai tại Cổng Dịch vụ công và tại "
            f"{d.receiving_agency.name}. Trong quá trình hoàn thiện hồ sơ, nếu có vướng mắc, "
            f"Ông/Bà liên hệ {whole(person(self.event.actor))}"
            + (f", số điện thoại {agency.phone}" if agency.phone else "")
            + " để được hướng dẫn.",
            size=9,
        )
        pdf.signatures([("Người hướng dẫn", SIGN_NOTE, person(self.event.actor))])


@register
class Refusal(_DossierForm):
    """Mẫu 03: Phiếu từ chối tiếp nhận giải quyết hồ sơ (a refused dossier has no code)."""

    key = "mau-03"
    kind = DocumentKind.REFUSAL
    label = "Mẫu 03 - Phiếu từ chối tiếp nhận giải quyết hồ sơ"
    number_suffix = "TCHS"

    def number_line(self) -> str:
        number = self.book_number()
        if number is not None:
            return f"Số: {number:04d}/TCHS"
        # Refusals recorded before the books existed were numbered by the dossier's id.
        return f"Số: {self.dossier.pk}/TCHS"

    def draw(self, pdf: FormPDF) -> None:
        d = self.dossier
        agency = self.issuing_agency()
        self.heading(pdf)
        pdf.line_of(
            ("", f"{agency.name} tiếp nhận hồ sơ của Ông/Bà: "), ("B", whole(d.applicant_name))
        )
        pdf.field("Địa chỉ", d.applicant_address)
        pdf.field("Số điện thoại", d.applicant_phone)
        pdf.field("Email", d.applicant_email)
        self.request_line(pdf)
        pdf.field("Thời gian nộp hồ sơ", time_date(d.submitted_at))
        pdf.paragraph(
            "Sau khi xem xét, đối chiếu thành phần hồ sơ với quy định của thủ tục hành chính, "
            f"{agency.name} từ chối tiếp nhận, giải quyết hồ sơ này với lý do sau:",
        )
        pdf.line_of(("B", self.event.reason or d.refusal_reason))
        blocks = [("Người tiếp nhận hồ sơ", SIGN_NOTE, person(self.event.actor))]
        # The closing line stays with the signature under it.
        pdf.ensure(5 + pdf.signatures_height(blocks))
        pdf.paragraph("Xin thông báo để Ông/Bà được biết và thực hiện./.")
        pdf.signatures(blocks)


def _due(event, key: str, fallback: dt.datetime | None) -> dt.datetime | None:
    value = event.data.get(key)
    return dt.datetime.fromisoformat(value) if value else fallback


@register
class Apology(_DossierForm):
    """Mẫu 04: 2018 "Phiếu xin lỗi và hẹn lại ngày trả kết quả"; 2025 "Văn bản xin lỗi và
    đề nghị gia hạn thời gian giải quyết" (same purpose, wording asks for the extension)."""

    key = "mau-04"
    kind = DocumentKind.APOLOGY
    label = "Mẫu 04 - Xin lỗi và hẹn lại ngày trả kết quả / đề nghị gia hạn"
    number_suffix = "PXL"

    def draw(self, pdf: FormPDF) -> None:
        d, ev = self.dossier, self.event
        agency = self.issuing_agency()
        old = _due(ev, "old_due_at", d.original_due_at)
        new = _due(ev, "new_due_at", d.due_at)
        self.heading(pdf)
        pdf.line_of(("", "Kính gửi: "), ("B", whole(d.applicant_name)))
        pdf.field("Địa chỉ", d.applicant_address)
        pdf.field("Số điện thoại", d.applicant_phone)
        self.received_lines(pdf)
        pdf.field("Thời gian hẹn trả kết quả giải quyết hồ sơ", time_date(old))
        pdf.paragraph(
            f"Tuy nhiên, đến nay {agency.name} chưa trả kết quả giải quyết hồ sơ cho Ông/Bà "
            "đúng thời gian quy định.",
        )
        pdf.field("Lý do", ev.reason)
        if d.rule_set == "2018":
            tail = (
                "Sự chậm trễ này đã gây phiền hà, tốn kém chi phí đi lại của Ông/Bà. "
                f"{agency.name} xin lỗi Ông/Bà và hẹn lại thời gian trả kết quả là: "
            )
        else:
            tail = (
                f"{agency.name} trân trọng xin lỗi Ông/Bà vì sự chậm trễ này và đề nghị "
                "Ông/Bà đồng ý gia hạn thời gian giải quyết hồ sơ đến: "
            )
        pdf.line_of(("", tail), ("B", f"{time_date(new)}."))
        self.closing(pdf)

    def received_lines(self, pdf: FormPDF) -> None:
        d = self.dossier
        pdf.paragraph(
            f"Ngày {short_date(d.received_at)}, {d.receiving_agency.name} tiếp nhận hồ sơ "
            f"đề nghị giải quyết {procedure_phrase(d.procedure_version.name)} của Ông/Bà.",
        )
        pdf.field("Mã hồ sơ", d.code)

    def closing(self, pdf: FormPDF) -> None:
        """ "… trân trọng thông báo./.", the recipients and the leader's signature: kept
        together on one page (a signature block is never parted from its text)."""
        agency = self.issuing_agency()
        usable = pdf.w - pdf.l_margin - pdf.r_margin
        pdf.font(9)
        closing = f"{agency.name} trân trọng thông báo./."
        lines = len(wrapped_lines(pdf, 0, 4.5, closing))
        pdf.font(8)
        recipients = sum(len(wrapped_lines(pdf, usable / 2 - 4, 3.8, r)) for r in self.recipients())
        block = max(1 + 4 + recipients * 3.8, 1 + 4.5 + 4 + 16 + 5)
        pdf.ensure(lines * 4.5 + block + 1)
        pdf.paragraph(closing)
        self.recipients_and_leader(pdf)

    def recipients(self) -> list[str]:
        return ["- Như trên;", f"- {self.dossier.receiving_agency.name};", "- Lưu: VT."]

    def recipients_and_leader(self, pdf: FormPDF) -> None:
        top = pdf.get_y() + 1
        usable = pdf.w - pdf.l_margin - pdf.r_margin
        pdf.set_xy(pdf.l_margin, top)
        pdf.font(8.5, "B")
        pdf.cell(usable / 2, 4, "Nơi nhận:", new_x="LMARGIN", new_y="NEXT")
        pdf.font(8)
        for line in self.recipients():
            pdf.multi_cell(usable / 2 - 4, 3.8, line, new_x="LMARGIN", new_y="NEXT")
        pdf.set_xy(pdf.l_margin + usable / 2, top)
        pdf.font(9, "B")
        pdf.multi_cell(usable / 2, 4.5, "THỦ TRƯỞNG CƠ QUAN", align="C", new_x="LEFT", new_y="NEXT")
        pdf.font(8, "I")
        pdf.multi_cell(usable / 2, 4, LEADER_NOTE, align="C", new_x="LEFT", new_y="NEXT")
        pdf.set_xy(pdf.l_margin + usable / 2, pdf.get_y() + 16)
        pdf.font(9.5, "B")
        pdf.multi_cell(usable / 2, 5, person(self.event.actor), align="C")


@register
class StopNotice(Apology):
    """Mẫu 05 of Circular 03/2025: Thông báo dừng giải quyết hồ sơ (after the applicant's
    withdrawal request, the only path to "stopped" in the transition table)."""

    key = "mau-05-dung"
    kind = DocumentKind.STOP_NOTICE
    label = "Mẫu 05 - Thông báo dừng giải quyết hồ sơ"
    number_suffix = "TB"

    def withdrawal(self):
        return (
            self.dossier.events.filter(action="request_withdrawal", seq__lt=self.event.seq)
            .order_by("-seq")
            .first()
        )

    def texts(self) -> list[str]:
        w = self.withdrawal()
        return [*super().texts(), w.reason if w else ""]

    def draw(self, pdf: FormPDF) -> None:
        d, ev = self.dossier, self.event
        agency = self.issuing_agency()
        self.heading(pdf)
        pdf.line_of(("", "Kính gửi: "), ("B", whole(d.applicant_name)))
        pdf.field("Địa chỉ", d.applicant_address)
        pdf.field("Số điện thoại", d.applicant_phone)
        self.received_lines(pdf)
        w = self.withdrawal()
        if w is not None:
            pdf.paragraph(
                f"{date_long(w.at).capitalize()}, Ông/Bà có yêu cầu rút hồ sơ"
                + (f" với lý do: {sentence(w.reason)}" if w.reason else "."),
            )
        pdf.line_of(
            ("", f"{agency.name} thông báo dừng giải quyết hồ sơ nêu trên kể từ "),
            ("B", f"{time_date(ev.at)}."),
        )
        pdf.field("Lý do", ev.reason)
        self.closing(pdf)


@register
class Acknowledgement(_DossierForm):
    """Giấy xác nhận nộp hồ sơ trực tuyến: what the online applicant gets at submission —
    the dossier code, the lookup secret and QR, what was sent. Not a form of the circulars,
    and not the receipt: it says so, and Mẫu 01 follows when the counter receives the
    dossier."""

    key = "xac-nhan-nop-truc-tuyen"
    kind = DocumentKind.ACKNOWLEDGEMENT
    label = "Giấy xác nhận nộp hồ sơ trực tuyến"

    def issuing_agency(self):
        return self.dossier.receiving_agency

    def number_line(self) -> str:
        return ""

    def sent(self) -> list[tuple[str, str]]:
        if not hasattr(self, "_sent"):
            names = {c.pk: c.name for c in self.dossier.procedure_version.components.all()}
            self._sent = [
                (names.get(a.component_id, "Giấy ủy quyền"), a.original_name)
                for a in self.dossier.attachments.all().order_by("pk")
                if a.kind in ("submitted", "authorization") and a.uploaded_at <= self.event.at
            ]
        return self._sent

    def texts(self) -> list[str]:
        d = self.dossier
        return [
            *super().texts(),
            d.applicant_display,
            *(x for pair in self.sent() for x in pair),
        ]

    def draw(self, pdf: FormPDF) -> None:
        d = self.dossier
        self.heading(pdf, title="GIẤY XÁC NHẬN NỘP HỒ SƠ TRỰC TUYẾN")
        pdf.line_of(("B", "Mã hồ sơ: "), ("B", d.code or ""))
        pdf.gap(0.5)
        pdf.field("Thời điểm nộp", time_date(d.submitted_at))
        pdf.field("Người nộp", d.applicant_display)
        if d.principal_name:
            pdf.field("Số định danh / mã số thuế của người ủy quyền", d.principal_id_number)
        pdf.field("Số định danh / mã số thuế của người nộp", d.applicant_id_number)
        pdf.field("Thủ tục", d.procedure_version.name)
        self.request_line(pdf)
        pdf.field("Nơi tiếp nhận", d.receiving_agency.name)
        pdf.line_of(("B", "Giấy tờ đã gửi:"))
        pdf.grid(
            ["TT", "Thành phần hồ sơ", "Tệp"],
            [[str(i), comp, name] for i, (comp, name) in enumerate(self.sent(), 1)],
            [8, 62, 42],
            aligns=["C", "L", "L"],
        )
        pdf.paragraph(
            "Giấy này xác nhận hồ sơ đã được nộp trên hệ thống; đây không phải giấy tiếp nhận "
            "hồ sơ và hẹn trả kết quả. Bộ phận một cửa sẽ kiểm tra hồ sơ: khi hồ sơ được tiếp "
            "nhận, Giấy tiếp nhận hồ sơ và hẹn trả kết quả được cấp trên trang hồ sơ của bạn; "
            "nếu cần bổ sung hoặc không đủ điều kiện tiếp nhận, bạn sẽ được thông báo.",
            size=8.5,
            style="I",
        )
        pdf.gap(1)
        self.qr_block(pdf)


def _vnd(amount: int) -> str:
    return f"{amount:,}".replace(",", ".") + " đồng"


@register
class PaymentRequest(_DossierForm):
    """Thông báo nộp phí, lệ phí: the agency's request for the fees (the request_payment
    event: its amount), the ways to pay, and — when a collecting account is configured —
    the VietQR of a transfer of that amount with the payment's reference
    (motcua.payments.services.transfer_for_request). Not a form of the circulars."""

    key = "thong-bao-nop-phi"
    kind = DocumentKind.PAYMENT_REQUEST
    label = "Thông báo nộp phí, lệ phí (có mã VietQR chuyển khoản)"

    def amount(self) -> int:
        value = (self.event.data or {}).get("amount_vnd")
        return int(value) if isinstance(value, int) else int(self.dossier.fee_due_vnd)

    def number_line(self) -> str:
        # Not a numbered act of an agency's book: identified by the dossier code under the
        # title (a "Số: ……" left blank would be a placeholder on the applicant's paper).
        return ""

    def transfer(self):
        if not hasattr(self, "_transfer"):
            from motcua.payments.services import dossier_account, transfer_for_request

            found = transfer_for_request(dossier_id=self.dossier.pk, obligation=self.event.seq)
            self._transfer = (found, dossier_account(self.dossier)) if found is not None else None
        return self._transfer

    def texts(self) -> list[str]:
        t = self.transfer()
        return [*super().texts(), *([t[0][0].reference, t[1].name] if t else [])]

    def draw(self, pdf: FormPDF) -> None:
        d = self.dossier
        self.heading(pdf, title="THÔNG BÁO NỘP PHÍ, LỆ PHÍ")
        pdf.field("Mã hồ sơ", d.code or "")
        self.applicant_block(pdf, lead="Kính gửi")
        self.request_line(pdf)
        pdf.line_of(("", "Số tiền phí, lệ phí phải nộp: "), ("B", _vnd(self.amount())))
        pdf.line_of(("", "Bằng chữ: "), ("B", amount_in_words(self.amount())))
        if self.event.reason:
            pdf.field("Ghi chú", self.event.reason)
        pdf.paragraph(
            "Ông/Bà nộp tại bộ phận một cửa (tiền mặt hoặc thẻ), trực tuyến trên trang hồ sơ "
            "của mình tại Cổng dịch vụ công, hoặc chuyển khoản theo mã VietQR dưới đây. Hồ sơ "
            "được tiếp tục giải quyết khi khoản nộp được ghi nhận.",
            size=9,
        )
        t = self.transfer()
        if t is None:
            return
        (payment, code), account = t
        size = 30.0
        symbol = pdf.qr_code(code)
        quiet = 4 * size / symbol.symbol_size(border=0)[0]
        pdf.ensure(size + 2 * quiet)
        top = pdf.get_y() + quiet
        pdf.qr(symbol, pdf.l_margin + quiet, top, size)
        x = pdf.l_margin + size + 2 * quiet + 2
        rows = [
            ("B", "Chuyển khoản VietQR (NAPAS 247)"),
            ("", f"Số tiền: {_vnd(payment.amount_vnd)}"),
            ("", f"Ngân hàng (mã BIN): {account.bin}"),
            ("", f"Số tài khoản: {account.account}"),
            *([("", f"Chủ tài khoản: {account.name}")] if account.name else []),
            ("B", f"Nội dung chuyển khoản: {payment.reference}"),
        ]
        for i, (style, text) in enumerate(rows):
            pdf.set_xy(x, top + 1 + i * 4.6)
            pdf.font(9, style)
            pdf.cell(0, 4.6, text)
        pdf.set_xy(pdf.l_margin, top + size + quiet)
        pdf.paragraph(
            "Quét mã bằng ứng dụng ngân hàng; nếu nhập tay, ghi đúng số tiền và nội dung "
            "chuyển khoản để hệ thống tự đối chiếu theo sao kê.",
            size=8.5,
            style="I",
        )
