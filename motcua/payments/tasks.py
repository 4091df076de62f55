"""Celery tasks of the payments app: thin, idempotent wrappers."""

from __future__ import annotations

import datetime as dt
import logging

from celery import shared_task
from django.conf import settings
from django.utils import timezone

log = logging.getLogger(__name__)


@shared_task(name="payments.reconcile_yesterday", ignore_result=True)
def reconcile_yesterday() -> None:
    """The daily reconciliation (CELERY_BEAT_SCHEDULE): yesterday's payments (GMT+7, the
    gateway's day) against its settlement file. Running it twice adds nothing."""
    from . import vnpay
    from .services import reconcile

    if not getattr(settings, "MOTCUA_VNPAY_SETTLEMENT_URL", ""):
        return
    day = timezone.now().astimezone(vnpay.GMT7).date() - dt.timedelta(days=1)
    run = reconcile(day, trigger="schedule")
    if run.compared != run.matched:
        log.warning("reconciliation %s: %s differences", day, run.compared - run.matched)
