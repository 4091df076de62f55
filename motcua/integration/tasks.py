"""Celery tasks of the integration app: thin, idempotent wrappers around the outbox."""

from __future__ import annotations

import logging

from celery import shared_task
from django.conf import settings

log = logging.getLogger(__name__)


@shared_task(name="integration.deliver", ignore_result=True)
def deliver() -> None:
    """Deliver what is due (queued after each commit that wrote a message, and by the beat
    sweep). Running it twice, or in two workers at once, delivers nothing twice: each
    claim takes rows the others skip."""
    from . import outbox

    budget = float(getattr(settings, "MOTCUA_OUTBOX_TASK_BUDGET_SECONDS", 30))
    totals = outbox.run(budget=budget)
    if totals["dead"] or totals["retried"]:
        log.warning("outbox: %s", totals)
