"""The kinds of forms and the form numbers of each regime (reference §2.1, §2.1a)."""

from __future__ import annotations

from django.db import models


class DocumentKind(models.TextChoices):
    RECEIPT = "receipt", "Giấy tiếp nhận hồ sơ và hẹn trả kết quả"
    SUPPLEMENT_REQUEST = "supplement_request", "Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ"
    REFUSAL = "refusal", "Phiếu từ chối tiếp nhận giải quyết hồ sơ"
    APOLOGY = "apology", "Phiếu xin lỗi và hẹn lại ngày trả kết quả"
    STOP_NOTICE = "stop_notice", "Thông báo dừng giải quyết hồ sơ"
    CONTROL_SHEET = "control_sheet", "Phiếu kiểm soát quá trình giải quyết hồ sơ"
    # Not a form of the circulars: what an online applicant gets at submission. It does not
    # certify receipt (that is Mẫu 01, at receipt).
    ACKNOWLEDGEMENT = "acknowledgement", "Giấy xác nhận nộp hồ sơ trực tuyến"
    # Not a form of the circulars: the agency's request for the fees, with the VietQR of a
    # transfer to the collecting account (motcua.payments).
    PAYMENT_REQUEST = "payment_request", "Thông báo nộp phí, lệ phí"


# Which committed action produces which form (the after-commit listener reads this). A
# counter intake is followed by its "receive" (or "refuse") event in the same transaction:
# that event's form is the one, so "intake" has none of its own (it made a second receipt,
# and a broken one for a refused intake).
KIND_BY_ACTION = {
    "receive": DocumentKind.RECEIPT,
    "request_supplement": DocumentKind.SUPPLEMENT_REQUEST,
    "refuse": DocumentKind.REFUSAL,
    "apologize": DocumentKind.APOLOGY,
    "stop": DocumentKind.STOP_NOTICE,
    "submit": DocumentKind.ACKNOWLEDGEMENT,
    "request_payment": DocumentKind.PAYMENT_REQUEST,
}
# Forms rendered on first download rather than after the transition's commit: the
# acknowledgement is read once, if at all, and submission stays lean.
# The payment request too: its QR makes the pending transfer (a Payment) when first read.
ON_REQUEST = frozenset({"submit", "request_payment"})

# Kinds that document one event; the control sheet documents the dossier as it stands.
EVENT_KINDS = frozenset(KIND_BY_ACTION.values())

TRACKING_LOG = "tracking_log"

# Form number and title per regime. Circular 01/2018/TT-VPCP (dossiers received before
# 1 July 2025) and Circular 03/2025/TT-VPCP. The 2018 set has no stop notice: the form is
# printed without a number there.
FORMS: dict[str, dict[str, tuple[str, str]]] = {
    "2018": {
        DocumentKind.RECEIPT: ("01", "Giấy tiếp nhận hồ sơ và hẹn trả kết quả"),
        DocumentKind.SUPPLEMENT_REQUEST: ("02", "Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ"),
        DocumentKind.REFUSAL: ("03", "Phiếu từ chối tiếp nhận giải quyết hồ sơ"),
        DocumentKind.APOLOGY: ("04", "Phiếu xin lỗi và hẹn lại ngày trả kết quả"),
        DocumentKind.STOP_NOTICE: ("", "Thông báo dừng giải quyết hồ sơ"),
        DocumentKind.CONTROL_SHEET: ("05", "Phiếu kiểm soát quá trình giải quyết hồ sơ"),
        TRACKING_LOG: ("06", "Sổ theo dõi hồ sơ"),
        DocumentKind.ACKNOWLEDGEMENT: ("", "Giấy xác nhận nộp hồ sơ trực tuyến"),
        DocumentKind.PAYMENT_REQUEST: ("", "Thông báo nộp phí, lệ phí"),
    },
    "2025": {
        DocumentKind.RECEIPT: ("01", "Giấy tiếp nhận hồ sơ và hẹn trả kết quả"),
        DocumentKind.SUPPLEMENT_REQUEST: ("02", "Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ"),
        DocumentKind.REFUSAL: ("03", "Phiếu từ chối tiếp nhận giải quyết hồ sơ"),
        DocumentKind.APOLOGY: (
            "04",
            "Văn bản xin lỗi và đề nghị gia hạn thời gian giải quyết",
        ),
        DocumentKind.STOP_NOTICE: ("05", "Thông báo dừng giải quyết hồ sơ"),
        DocumentKind.CONTROL_SHEET: ("06", "Phiếu kiểm soát quá trình giải quyết hồ sơ"),
        TRACKING_LOG: ("07", "Sổ theo dõi hồ sơ"),
        DocumentKind.ACKNOWLEDGEMENT: ("", "Giấy xác nhận nộp hồ sơ trực tuyến"),
        DocumentKind.PAYMENT_REQUEST: ("", "Thông báo nộp phí, lệ phí"),
    },
}
CIRCULAR = {"2018": "Thông tư số 01/2018/TT-VPCP", "2025": "Thông tư số 03/2025/TT-VPCP"}


def form_of(rule_set: str, kind: str) -> tuple[str, str, str]:
    """(number, title, circular) of a form; unknown rule sets use the 2025 set."""
    regime = rule_set if rule_set in FORMS else "2025"
    number, title = FORMS[regime][kind]
    return number, title, CIRCULAR[regime]


# File names (ASCII) for Content-Disposition.
SLUGS: dict[str, str] = {
    DocumentKind.RECEIPT: "giay-tiep-nhan",
    DocumentKind.SUPPLEMENT_REQUEST: "phieu-yeu-cau-bo-sung",
    DocumentKind.REFUSAL: "phieu-tu-choi",
    DocumentKind.APOLOGY: "phieu-xin-loi",
    DocumentKind.STOP_NOTICE: "thong-bao-dung",
    DocumentKind.CONTROL_SHEET: "phieu-kiem-soat",
    DocumentKind.ACKNOWLEDGEMENT: "giay-xac-nhan-nop-truc-tuyen",
    DocumentKind.PAYMENT_REQUEST: "thong-bao-nop-phi",
}
