from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save


class DossiersConfig(AppConfig):
    name = "motcua.dossiers"
    label = "dossiers"

    def ready(self) -> None:
        from motcua.catalog.models import ProcessStep

        from .rules import steps_cache_clear

        post_save.connect(steps_cache_clear, sender=ProcessStep, dispatch_uid="steps_cache_save")
        post_delete.connect(steps_cache_clear, sender=ProcessStep, dispatch_uid="steps_cache_del")
