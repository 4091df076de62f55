"""Biên lai thu phí, lệ phí (the fee receipt of a payment, motcua.payments.models.Receipt).

Drawn from the receipt's row only (immutable once issued), so a rendering is byte-identical
every time: the creation date is the issue date, the fonts are the package's subsets. The
fields are those the receipt rules name (template, series, number, collecting agency,
payer, fee lines, amount in figures and words, date); their layout follows no official
template that was read (Decree 123/2020 art. 33 says the legal e-receipt is signed XML):
UNCONFIRMED.
"""

from __future__ import annotations

from motcua.dossiers.enums import PaymentChannel
from motcua.payments.models import Receipt
from motcua.payments.words import vnd_figures

from .base import agency_lines, lookup_url, place_of
from .pdf import FormPDF
from .text import place_date, short_datetime

TITLE = "BIÊN LAI THU PHÍ, LỆ PHÍ"
CHANNEL_VI: dict[str, str] = {
    PaymentChannel.GATEWAY: "Trực tuyến qua cổng thanh toán",
    PaymentChannel.VIETQR_TRANSFER: "Chuyển khoản (VietQR)",
    PaymentChannel.NATIONAL_PLATFORM: "Nền tảng thanh toán Cổng Dịch vụ công quốc gia",
    PaymentChannel.COUNTER_CASH: "Tiền mặt tại bộ phận một cửa",
    PaymentChannel.COUNTER_POS: "Thẻ (POS) tại bộ phận một cửa",
}


class FeeReceipt:
    """The PDF of one receipt (A5 portrait, like the other forms)."""

    def __init__(self, receipt: Receipt) -> None:
        self.receipt = receipt
        self.dossier = receipt.dossier
        self.agency = receipt.agency

    def texts(self) -> list[str]:
        r = self.receipt
        return [
            r.payer_name,
            r.payer_address,
            self.agency.name,
            self.agency.parent.name if self.agency.parent is not None else "",
            *(str(line.get("name", "")) for line in r.fee_lines),
            r.amount_words,
            r.paper_receipt_number,
        ]

    def render(self) -> bytes:
        r = self.receipt
        pdf = FormPDF(
            created=r.issued_at,
            title=f"Biên lai {r.template} {r.series} {r.number_text}",
            texts=self.texts(),
        )
        self.draw(pdf)
        return bytes(pdf.output())

    def draw(self, pdf: FormPDF) -> None:
        r = self.receipt
        pdf.form_label(f"Mẫu số: {r.template}")
        pdf.national_header(agency_lines(self.agency), f"Ký hiệu: {r.series}")
        pdf.place_date(place_date(place_of(self.agency), r.issued_at))
        pdf.heading_title(TITLE, f"Số: {r.number_text}")
        pdf.field("Đơn vị thu", self.agency.name)
        pdf.field("Người nộp", r.payer_name)
        if r.payer_id_number:
            pdf.field("Số định danh / Mã số thuế", r.payer_id_number)
        if r.payer_address:
            pdf.field("Địa chỉ", r.payer_address)
        pdf.field("Mã hồ sơ", self.dossier.code or "")
        usable = pdf.w - pdf.l_margin - pdf.r_margin
        rows = [
            [str(i), str(line.get("name", "")), vnd_figures(int(line.get("amount_vnd", 0)))]
            for i, line in enumerate(r.fee_lines, start=1)
        ]
        rows.append(["", "Tổng cộng", vnd_figures(r.amount_vnd)])
        pdf.gap(1)
        pdf.grid(
            ["STT", "Tên khoản thu", "Số tiền (đồng)"],
            rows,
            [usable * 0.1, usable * 0.6, usable * 0.3],
            aligns=["C", "L", "R"],
        )
        pdf.field("Tổng số tiền", f"{vnd_figures(r.amount_vnd)} đồng")
        pdf.field("Số tiền bằng chữ", r.amount_words)
        pdf.field("Hình thức thanh toán", CHANNEL_VI.get(r.channel, r.channel))
        if r.provider_txn_no and r.channel not in (
            PaymentChannel.COUNTER_CASH,
            PaymentChannel.COUNTER_POS,
        ):
            pdf.field("Mã giao dịch của đơn vị thanh toán", r.provider_txn_no)
        if r.paper_receipt_number:
            pdf.field("Số biên lai giấy đã giao", r.paper_receipt_number)
        pdf.field("Ngày thu", short_datetime(r.issued_at))
        pdf.gap(1)
        pdf.paragraph(
            "Đây là bản thể hiện của biên lai điện tử. Biên lai điện tử (tệp XML) có chữ ký số "
            f"của {self.agency.name}, được lưu cùng hồ sơ và gửi cho người nộp; tải về tại "
            "trang hồ sơ trên Cổng dịch vụ công.",
            size=8.5,
            style="I",
        )
        self.qr_block(pdf)

    def qr_block(self, pdf: FormPDF, size: float = 20) -> None:
        """The dossier's lookup QR (as on the dossier's receipt, Mẫu 01)."""
        url = lookup_url(self.dossier)
        code = pdf.qr_code(url)
        quiet = 4 * size / code.symbol_size(border=0)[0]
        if pdf.get_y() + size + 2 * quiet > pdf.h - pdf.b_margin:
            pdf.add_page()
        top = pdf.get_y() + quiet
        pdf.qr(code, pdf.l_margin, top, size)
        pdf.set_xy(pdf.l_margin + size + 4, top + 2)
        pdf.font(8.5)
        pdf.multi_cell(
            0,
            4,
            align="L",
            text="Quét mã QR để tra cứu hồ sơ và các khoản đã nộp tại "
            f"{url.split('?')[0]} (mã hồ sơ {self.dossier.code}).",
        )
        pdf.set_xy(pdf.l_margin, top + size + quiet)
