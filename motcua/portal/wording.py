"""Plain words for citizens: statuses and timeline entries (Vietnamese, English)."""

from __future__ import annotations

from motcua.catalog.enums import Channel, Level, TimeUnit
from motcua.dossiers.enums import Status

# English labels of the catalog's choices (the enums carry the Vietnamese ones).
LEVEL_EN: dict[str, str] = {
    Level.COMMUNE: "Commune level",
    Level.PROVINCE: "Province level",
    Level.MINISTRY: "Ministry level",
}
UNIT_EN: dict[str, str] = {
    TimeUnit.WORKING_DAYS: "working days",
    TimeUnit.WORKING_HOURS: "working hours",
    TimeUnit.CALENDAR_DAYS: "days",
}
CHANNEL_EN: dict[int, str] = {
    Channel.COUNTER: "At the counter",
    Channel.ONLINE: "Online",
    Channel.POST: "By post",
}

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

# What happens next, for the applicant.
NEXT_PLAIN: dict[int, tuple[str, str]] = {
    Status.SUBMITTED: (
        "Bộ phận một cửa sẽ kiểm tra hồ sơ, cấp mã hồ sơ và ngày hẹn trả.",
        "The one-stop counter will check the dossier and give it a code and a due date.",
    ),
    Status.RECEIVED: (
        "Hồ sơ sẽ được chuyển cho bộ phận chuyên môn xử lý.",
        "The dossier will be passed to the department handling it.",
    ),
    Status.PROCESSING: (
        "Cơ quan đang xem xét hồ sơ. Bạn không cần làm gì thêm.",
        "The agency is reviewing the dossier. Nothing is needed from you.",
    ),
    Status.SUPPLEMENT_REQUESTED: (
        "Cần bạn gửi giấy tờ bổ sung bên dưới. Thời gian chờ không tính vào thời hạn.",
        "Please send the documents below. The waiting time does not count against the deadline.",
    ),
    Status.FINANCIAL_OBLIGATION: (
        "Cần bạn nộp phí, lệ phí để cơ quan tiếp tục xử lý.",
        "Please pay the fees so that the agency can continue.",
    ),
    Status.WITHDRAWAL_REQUESTED: (
        "Cơ quan sẽ dừng xử lý và trả lại hồ sơ.",
        "The agency will stop processing and give the dossier back.",
    ),
    Status.PROCESSED: (
        "Kết quả đã sẵn sàng: tải về bên dưới hoặc nhận tại nơi nộp hồ sơ.",
        "The result is ready: download it below or collect it where you submitted.",
    ),
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
