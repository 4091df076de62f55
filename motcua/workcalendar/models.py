"""Working-time calendar: days an administrator declares, and working hours per agency.

Public holidays (Tết included) come from the `holidays` library (Vietnam, Labour Code 2019
Art. 112); these tables only hold what the library cannot know: extra days off and make-up
working days announced for a year, and the opening hours of each agency.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import F, Q, Value
from django.db.models.functions import Coalesce

from .enums import DeclaredDayKind


class DeclaredDay(models.Model):
    date = models.DateField("ngày", unique=True)
    kind = models.CharField("loại", max_length=20, choices=DeclaredDayKind.choices)
    name = models.CharField("tên / lý do", max_length=200)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="người khai báo",
    )
    created_at = models.DateTimeField("thời điểm tạo", auto_now_add=True)
    updated_at = models.DateTimeField("thời điểm cập nhật", auto_now=True)

    class Meta:
        verbose_name = "ngày khai báo (nghỉ / làm bù)"
        verbose_name_plural = "ngày khai báo (nghỉ / làm bù)"
        ordering = ["date"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=DeclaredDayKind.values), name="declaredday_kind_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.date:%d/%m/%Y} — {self.get_kind_display()} — {self.name}"


DEFAULT_MORNING_START = dt.time(7, 30)
DEFAULT_MORNING_END = dt.time(11, 30)
DEFAULT_AFTERNOON_START = dt.time(13, 30)
DEFAULT_AFTERNOON_END = dt.time(17, 0)


class WorkingHours(models.Model):
    """Working hours of one agency; the row without agency is the province default."""

    agency = models.ForeignKey(
        "org.Agency",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name="cơ quan (để trống = mặc định của tỉnh)",
    )
    morning_start = models.TimeField("bắt đầu buổi sáng", default=DEFAULT_MORNING_START)
    morning_end = models.TimeField("kết thúc buổi sáng", default=DEFAULT_MORNING_END)
    afternoon_start = models.TimeField("bắt đầu buổi chiều", default=DEFAULT_AFTERNOON_START)
    afternoon_end = models.TimeField("kết thúc buổi chiều", default=DEFAULT_AFTERNOON_END)
    updated_at = models.DateTimeField("thời điểm cập nhật", auto_now=True)

    class Meta:
        verbose_name = "giờ làm việc"
        verbose_name_plural = "giờ làm việc"
        constraints = [
            # One row per agency and a single default row: a plain unique FK would let
            # several NULL (default) rows through.
            models.UniqueConstraint(
                Coalesce(F("agency"), Value(0)), name="workinghours_one_per_agency"
            ),
            models.CheckConstraint(
                condition=Q(morning_start__lt=F("morning_end")),
                name="workinghours_morning_ordered",
            ),
            models.CheckConstraint(
                condition=Q(morning_end__lte=F("afternoon_start")),
                name="workinghours_lunch_ordered",
            ),
            models.CheckConstraint(
                condition=Q(afternoon_start__lt=F("afternoon_end")),
                name="workinghours_afternoon_ordered",
            ),
        ]

    def __str__(self) -> str:
        who = self.agency if self.agency_id else "Mặc định"
        return (
            f"{who}: {self.morning_start:%H:%M}–{self.morning_end:%H:%M}, "
            f"{self.afternoon_start:%H:%M}–{self.afternoon_end:%H:%M}"
        )
