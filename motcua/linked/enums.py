from django.db import models


class ApplicationState(models.TextChoices):
    IN_PROGRESS = "in_progress", "Đang giải quyết"
    COMPLETED = "completed", "Đã hoàn thành"
    STOPPED = "stopped", "Đã dừng"


APPLICATION_STATE_EN = {
    "in_progress": "In progress",
    "completed": "Completed",
    "stopped": "Stopped",
}


class MemberState(models.TextChoices):
    WAITING = "waiting", "Chờ thủ tục trước"
    STARTED = "started", "Đã tạo hồ sơ"
    DONE = "done", "Đã trả kết quả"
    STOPPED = "stopped", "Đã dừng"
    NOT_STARTED = "not_started", "Không thực hiện (liên thông đã dừng)"


MEMBER_STATE_EN = {
    "waiting": "Waiting for the previous procedure",
    "started": "Dossier created",
    "done": "Result returned",
    "stopped": "Stopped",
    "not_started": "Not started (the chain stopped)",
}


class LinkedAction(models.TextChoices):
    SUBMIT = "submit", "Nộp hồ sơ liên thông"
    MEMBER_STARTED = "member_started", "Tạo hồ sơ thủ tục thành phần"
    MEMBER_DONE = "member_done", "Thủ tục thành phần trả kết quả"
    STOPPED = "stopped", "Dừng liên thông"
    COMPLETED = "completed", "Hoàn thành liên thông"
