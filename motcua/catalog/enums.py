from decimal import Decimal

from django.db import models


class Level(models.TextChoices):
    COMMUNE = "xa", "Cấp xã"
    PROVINCE = "tinh", "Cấp tỉnh"
    MINISTRY = "bo", "Cấp bộ"


class TimeUnit(models.TextChoices):
    WORKING_DAYS = "working_days", "ngày làm việc"
    WORKING_HOURS = "working_hours", "giờ làm việc"
    CALENDAR_DAYS = "calendar_days", "ngày"
    # "Trong ngày": due at the close of the day of receipt, or of the next working day when
    # received after the version's cut-off hour (chứng thực: Nghị định 23/2015/NĐ-CP Điều 7).
    SAME_DAY = "same_day", "trong ngày"


class OnlineLevel(models.TextChoices):
    FULL = "full", "Toàn trình"
    PARTIAL = "partial", "Một phần"
    NONE = "none", "Không"


class Channel(models.IntegerChoices):
    """KenhThucHien of the national portal (reference §1.2)."""

    COUNTER = 1, "Trực tiếp"
    ONLINE = 2, "Trực tuyến"
    POST = 3, "Qua bưu chính công ích"


class AgencyRole(models.TextChoices):
    DECIDING = "deciding", "Cơ quan có thẩm quyền quyết định"
    RECEIVING = "receiving", "Cơ quan tiếp nhận"
    SETTLING = "settling", "Cơ quan giải quyết"


# One working day in hours, the one place this figure lives. The work calendar counts the
# office day 07:30–11:30 and 13:30–17:00, i.e. 7.5 h; the internal process
# (quy trình nội bộ) is checked against the same figure.
WORKING_HOURS_PER_DAY = Decimal("7.5")
