"""Celery tasks of the documents app: thin, idempotent wrappers (GOV.UK Notify style)."""

from __future__ import annotations

import datetime as dt
import logging

from celery import shared_task
from django.conf import settings
from django.utils import timezone

log = logging.getLogger(__name__)


@shared_task(name="documents.repair", ignore_result=True)
def repair() -> None:
    """The periodic sweep (CELERY_BEAT_SCHEDULE): forms missing for recent events are
    rendered, form files without a row are deleted. Running it twice does nothing more."""
    from .services import documents_repair

    since = timezone.now() - dt.timedelta(days=settings.MOTCUA_DOCUMENTS_REPAIR_DAYS)
    report = documents_repair(since=since)
    if report.rendered or report.restored or report.orphans_removed or report.failed:
        log.warning("documents repair: %s", report)
