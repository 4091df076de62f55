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
    """The daily reconciliation (CELERY_BEAT_SCHEDULE): yesterday's payments (GMT+7) of
    every configured provider: the gateway's against its settlement file, the national
    platform's against its get-bill answers. Running it twice adds nothing."""
    from . import vnpay
    from .services import reconcile_configured

    day = timezone.now().astimezone(vnpay.GMT7).date() - dt.timedelta(days=1)
    for run in reconcile_configured(day, trigger="schedule"):
        if run.compared != run.matched:
            log.warning(
                "reconciliation %s %s: %s differences",
                run.provider,
                day,
                run.compared - run.matched,
            )


@shared_task(name="payments.query_pending", ignore_result=True)
def query_pending() -> None:
    """The periodic query of pending attempts (CELERY_BEAT_SCHEDULE "payments-query-pending"):
    every attempt still pending after MOTCUA_QUERY_PENDING_AFTER_MINUTES is asked about
    (querydr, get bill) and the verified answer applied, so a lost IPN or callback is
    resolved without a person. Idempotent."""
    from .services import payments_query_pending

    minutes = int(getattr(settings, "MOTCUA_QUERY_PENDING_AFTER_MINUTES", 5))
    n = payments_query_pending(older_than=dt.timedelta(minutes=minutes))
    if n:
        log.info("queried %s pending payments", n)
