from django.apps import AppConfig


class IndicatorsConfig(AppConfig):
    name = "motcua.indicators"
    label = "indicators"
    verbose_name = "Chỉ số 766"

    def ready(self) -> None:
        from motcua.dossiers import hooks

        from .computed import register_all
        from .services import FACT_RELATION, on_dossier_event

        hooks.in_transaction(on_dossier_event)
        hooks.load_with_lock(FACT_RELATION)
        register_all()
