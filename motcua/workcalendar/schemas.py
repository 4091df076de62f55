import datetime as dt

from ninja import Field, Schema


class DueOut(Schema):
    from_: str = Field(..., alias="from", description="thời điểm bắt đầu tính (ISO 8601)")
    due: str = Field(..., description="thời điểm đến hạn (ISO 8601, +07:00)")
    value: float | None = Field(None, description="none for same_day")
    unit: str
    cutoff: str | None = Field(None, description="same_day: cut-off hour (15:00)")
    hours_per_day: float
    agency: str | None = None

    model_config = {"populate_by_name": True}


class CalendarDayOut(Schema):
    date: dt.date
    weekday: int = Field(..., description="0 = thứ Hai … 6 = Chủ nhật")
    name: str
    kind: str = Field(..., description="holiday | day_off | working_day")
    source: str = Field(..., description="holidays (thư viện) | declared (khai báo)")
    working: bool


class YearOut(Schema):
    year: int
    days: list[CalendarDayOut]
