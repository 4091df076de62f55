from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save


class DossiersConfig(AppConfig):
    name = "motcua.dossiers"
    label = "dossiers"

    def ready(self) -> None:
        from motcua.catalog.models import Field, ProcedureVersion, ProcessStep

        from . import checks  # noqa: F401 (registers the deploy check of the scanner)
        from .rules import steps_cache_clear

        post_save.connect(steps_cache_clear, sender=ProcessStep, dispatch_uid="steps_cache_save")
        post_delete.connect(steps_cache_clear, sender=ProcessStep, dispatch_uid="steps_cache_del")
        # Whether a payment pauses the clock is cached per version (rules.payment_pauses_clock).
        for model in (ProcedureVersion, Field):
            post_save.connect(steps_cache_clear, sender=model, dispatch_uid=f"pay_{model.__name__}")
