"""Plain words for citizens: statuses and timeline entries (Vietnamese, English)."""

from __future__ import annotations

from motcua.dossiers.enums import Status

# Status as the applicant reads it, and a CSS tone: waiting (your turn), done, stopped.
STATUS_PLAIN: dict[int, tuple[str, str, str]] = {
    Status.SUBMITTED: ("Đã nộp, chờ tiếp nhận", "Submitted, waiting to be received", ""),
    Status.RECEIVED: ("Đã tiếp nhận", "Received", ""),
    Status.REFUSED: ("Không được tiếp nhận", "Not accepted", "stopped"),
    Status.PROCESSING: ("Đang xử lý", "Being processed", ""),
    Status.SUPPLEMENT_REQUESTED: (
        "Chờ bạn bổ sung giấy tờ",
        "Waiting for your documents",
        "waiting",
    ),
    Status.FINANCIAL_OBLIGATION: ("Chờ bạn nộp phí, lệ phí", "Waiting for your payment", "waiting"),
    Status.WITHDRAWAL_REQUESTED: ("Đã yêu cầu rút hồ sơ", "Withdrawal requested", "waiting"),
    Status.STOPPED: ("Đã dừng xử lý", "Stopped", "stopped"),
    Status.PROCESSED: ("Đã có kết quả", "Result ready", "done"),
    Status.RETURNED: ("Đã trả kết quả", "Result returned", "done"),
}

EVENT_PLAIN: dict[str, tuple[str, str]] = {
    "submit": ("Bạn đã nộp hồ sơ trực tuyến", "You submitted the dossier online"),
    "intake": ("Hồ sơ được tiếp nhận tại bộ phận một cửa", "Received at the one-stop counter"),
    "receive": ("Bộ phận một cửa đã tiếp nhận hồ sơ", "The one-stop counter received the dossier"),
    "refuse": ("Hồ sơ không được tiếp nhận", "The dossier was not accepted"),
    "forward": ("Hồ sơ được chuyển cho bộ phận xử lý", "Passed on to the department handling it"),
    "request_supplement": ("Cần bạn bổ sung giấy tờ", "You are asked for more documents"),
    "supplement": ("Hồ sơ đã được bổ sung", "The dossier was supplemented"),
    "request_payment": ("Cần bạn nộp phí, lệ phí", "You are asked to pay the fees"),
    "confirm_payment": ("Đã nộp phí, lệ phí", "Fees paid"),
    "request_withdrawal": ("Đã yêu cầu rút hồ sơ", "Withdrawal requested"),
    "stop": ("Dừng xử lý hồ sơ", "Processing stopped"),
    "apologize": (
        "Cơ quan xin lỗi vì trễ hẹn và hẹn lại ngày trả",
        "The agency apologized for the delay and set a new date",
    ),
    "approve": ("Đã có kết quả giải quyết", "The result is ready"),
    "attach_result": (
        "Kết quả điện tử sẵn sàng để tải về",
        "The electronic result can be downloaded",
    ),
    "return_result": ("Đã trả kết quả", "The result was handed over"),
    "rate": ("Bạn đã đánh giá sự hài lòng", "You rated the service"),
}

# Satisfaction criteria (reference §1.6, as published by Thừa Thiên Huế): the overall
# assessment is the dossier's rating; the others go with it as criteria.
RATING_CHOICES = [
    (1, "Hài lòng", "Satisfied"),
    (0, "Bình thường", "Neutral"),
    (-1, "Không hài lòng", "Dissatisfied"),
]
CRITERIA = [
    ("convenience", "Sự thuận tiện khi thực hiện thủ tục", "Convenience"),
    ("on_time", "Giải quyết và trả kết quả đúng hẹn", "Handled and returned on time"),
    ("attitude", "Thái độ của cán bộ, công chức", "Attitude of the officers"),
    (
        "settlement_time",
        "Thời gian giải quyết so với thời gian cho phép",
        "Settlement time against the permitted time",
    ),
    (
        "one_stop",
        "Tiếp nhận và trả kết quả tại Bộ phận một cửa",
        "Receipt and return at the one-stop department",
    ),
    ("publicity", "Công khai thủ tục hành chính", "Publicity of the procedure"),
    ("feedback", "Tiếp thu, trả lời phản ánh, kiến nghị", "Responses to feedback"),
]
# Counts rather than judgments (criteria 7 and 8).
COUNT_CRITERIA = [
    (
        "contacts",
        "Số lần phải liên hệ để hoàn thành hồ sơ",
        "Contacts needed to complete the dossier",
    ),
    ("agencies", "Số cơ quan phải liên hệ", "Agencies contacted"),
]
COUNT_CHOICES = [(1, "1", "1"), (2, "2", "2"), (3, "3 trở lên", "3 or more")]
