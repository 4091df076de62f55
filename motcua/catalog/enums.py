from decimal import Decimal

from django.db import models

from motcua.workcalendar.enums import TimeUnit as TimeUnit  # the calendar counts in it


class Level(models.TextChoices):
    COMMUNE = "xa", "Cấp xã"
    PROVINCE = "tinh", "Cấp tỉnh"
    MINISTRY = "bo", "Cấp bộ"


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
