"""Celery tasks of the dossiers app: thin, idempotent wrappers (GOV.UK Notify style)."""

from __future__ import annotations

import logging

from celery import shared_task
from django.utils.module_loading import import_string

log = logging.getLogger(__name__)


@shared_task(name="dossiers.run_after_commit_listener", ignore_result=True)
def run_after_commit_listener(listener: str, event_id: int) -> None:
    """Run one after-commit listener for one committed event, in a worker."""
    from .models import DossierEvent

    fn = import_string(listener)
    event = DossierEvent.objects.select_related("dossier").filter(pk=event_id).first()
    if event is None:
        # Events are never deleted: the message belongs to another database (a restored
        # backup, a dropped test database). What the listener makes is made on request.
        log.warning("event %s not found: %s not run", event_id, listener)
        return
    fn(event, event.dossier)
