from __future__ import annotations

from django.db import models


class ScanStatus(models.TextChoices):
    QUEUED = "queued", "Đang chờ nhận dạng"
    RUNNING = "running", "Đang nhận dạng (OCR)"
    DONE = "done", "Đã số hóa"
    FAILED = "failed", "Lỗi, có thể thử lại"


STATUS_EN = {
    "queued": "Waiting for OCR",
    "running": "OCR in progress",
    "done": "Digitized",
    "failed": "Failed, can be retried",
}

# The one table of the scan's states: action -> (from, to).
TRANSITIONS: dict[str, tuple[frozenset[str], str]] = {
    "request": (frozenset(), ScanStatus.QUEUED),
    "start": (frozenset({ScanStatus.QUEUED}), ScanStatus.RUNNING),
    "finish": (frozenset({ScanStatus.RUNNING}), ScanStatus.DONE),
    "fail": (frozenset({ScanStatus.RUNNING}), ScanStatus.FAILED),
    "retry": (frozenset({ScanStatus.FAILED}), ScanStatus.QUEUED),
}
PENDING = frozenset({ScanStatus.QUEUED, ScanStatus.RUNNING})
