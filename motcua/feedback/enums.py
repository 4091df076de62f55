from django.db import models


class Status(models.TextChoices):
    RECEIVED = "received", "Đã gửi, chờ tiếp nhận"
    ACCEPTED = "accepted", "Đã tiếp nhận, chờ phân loại"
    CLASSIFIED = "classified", "Đã phân loại, chờ chuyển xử lý"
    ASSIGNED = "assigned", "Đang xử lý"
    AWAITING_INFO = "awaiting_info", "Chờ người gửi bổ sung thông tin"
    ANSWERED = "answered", "Đã trả lời"
    PUBLISHED = "published", "Đã trả lời và công khai"
    REJECTED = "rejected", "Không tiếp nhận (không phải phản ánh, kiến nghị)"


class Subject(models.TextChoices):
    """What the feedback is about, as the submitter says."""

    DOSSIER = "dossier", "Một hồ sơ"
    PROCEDURE = "procedure", "Một thủ tục hành chính"
    AGENCY = "agency", "Một cơ quan, cán bộ"


class Kind(models.TextChoices):
    PHAN_ANH = "phan_anh", "Phản ánh"
    KIEN_NGHI = "kien_nghi", "Kiến nghị"


class Topic(models.TextChoices):
    """The classification indicator 5.1 counts (reference §4.2 G6): about the regulation
    or the procedure itself, or about how an agency or officer carried it out."""

    REGULATION = "regulation", "Quy định, thủ tục hành chính"
    CONDUCT = "conduct", "Hành vi, thái độ của cơ quan, cán bộ"


class Channel(models.TextChoices):
    PORTAL = "portal", "Cổng dịch vụ công"
    API = "api", "Ứng dụng (API)"


class Satisfaction(models.TextChoices):
    SATISFIED = "satisfied", "Hài lòng"
    UNSATISFIED = "unsatisfied", "Không hài lòng"


class Action(models.TextChoices):
    SUBMIT = "submit", "Gửi"
    ACCEPT = "accept", "Tiếp nhận"
    REJECT = "reject", "Không tiếp nhận"
    CLASSIFY = "classify", "Phân loại"
    ASSIGN = "assign", "Chuyển xử lý"
    REQUEST_INFO = "request_info", "Đề nghị bổ sung thông tin"
    PROVIDE_INFO = "provide_info", "Bổ sung thông tin"
    ANSWER = "answer", "Trả lời"
    PUBLISH = "publish", "Công khai"
    RATE = "rate", "Đánh giá"
