"""Events, channels and delivery statuses of notifications."""

from __future__ import annotations

from django.db import models


class Event(models.TextChoices):
    RECEIPT = "receipt", "Tiếp nhận hồ sơ"
    SUPPLEMENT_REQUEST = "supplement_request", "Yêu cầu bổ sung hồ sơ"
    PAYMENT_REQUEST = "payment_request", "Yêu cầu thực hiện nghĩa vụ tài chính"
    RESULT_READY = "result_ready", "Có kết quả giải quyết"
    APOLOGY = "apology", "Thư xin lỗi, hẹn lại ngày trả"
    EARLY_WARNING = "early_warning", "Cảnh báo sắp quá hạn (cán bộ)"


EVENT_EN = {
    "receipt": "Dossier received",
    "supplement_request": "Supplement requested",
    "payment_request": "Payment requested",
    "result_ready": "Result ready",
    "apology": "Apology, new appointment",
    "early_warning": "Early warning before the deadline (officers)",
}

# The dossier action that causes each applicant's event (motcua.dossiers.enums.Action). A
# counter intake appends "intake" then "receive" (or "refuse"): the receipt is told once,
# by the "receive".
EVENT_OF_ACTION = {
    "receive": Event.RECEIPT,
    "request_supplement": Event.SUPPLEMENT_REQUEST,
    "request_payment": Event.PAYMENT_REQUEST,
    "approve": Event.RESULT_READY,
    "apologize": Event.APOLOGY,
}


class Channel(models.TextChoices):
    EMAIL = "email", "Thư điện tử"
    SMS = "sms", "Tin nhắn SMS"
    ZALO = "zalo", "Zalo (ZNS)"


CHANNEL_EN = {"email": "E-mail", "sms": "SMS", "zalo": "Zalo (ZNS)"}
# The outbox destination of each channel (motcua.integration.outbox).
DESTINATION = {"email": "notify-email", "sms": "notify-sms", "zalo": "notify-zalo"}


class Status(models.TextChoices):
    QUEUED = "queued", "Đang chờ gửi"
    SENT = "sent", "Đã gửi"
    FAILED = "failed", "Gửi lỗi, sẽ thử lại"
    DEAD = "dead", "Không gửi được"


STATUS_EN = {
    "queued": "Queued",
    "sent": "Sent",
    "failed": "Failed, will retry",
    "dead": "Could not be delivered",
}


class Language(models.TextChoices):
    VI = "vi", "Tiếng Việt"
    EN = "en", "English"
