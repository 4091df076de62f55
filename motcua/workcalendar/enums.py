from django.db import models


class DeclaredDayKind(models.TextChoices):
    DAY_OFF = "day_off", "Ngày nghỉ"
    WORKING_DAY = "working_day", "Ngày làm việc bù"


class TimeUnit(models.TextChoices):
    """The units a duration is counted in (motcua.workcalendar.engine counts each); the
    catalog's time limits are stated in them."""

    WORKING_DAYS = "working_days", "ngày làm việc"
    WORKING_HOURS = "working_hours", "giờ làm việc"
    CALENDAR_DAYS = "calendar_days", "ngày"
    # "Trong ngày": due at the close of the day of receipt, or of the next working day when
    # received after the version's cut-off hour (chứng thực: Nghị định 23/2015/NĐ-CP Điều 7).
    SAME_DAY = "same_day", "trong ngày"
