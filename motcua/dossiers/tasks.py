"""Celery tasks of the dossiers app: thin, idempotent wrappers (GOV.UK Notify style)."""

from __future__ import annotations

from celery import shared_task
from django.utils.module_loading import import_string


@shared_task(name="dossiers.run_after_commit_listener", ignore_result=True)
def run_after_commit_listener(listener: str, event_id: int) -> None:
    """Run one after-commit listener for one committed event, in a worker."""
    from .models import DossierEvent

    fn = import_string(listener)
    event = DossierEvent.objects.select_related("dossier").get(pk=event_id)
    fn(event, event.dossier)
