from django.apps import AppConfig


class IntegrationConfig(AppConfig):
    name = "motcua.integration"
    label = "integration"
    verbose_name = "Kết nối, đồng bộ"

    def ready(self) -> None:
        from motcua.dossiers import hooks

        # The national portal's destination registers itself on import.
        from . import indicators, national

        # One outbox INSERT per synced event, in the transition's transaction.
        hooks.in_transaction(national.sync_dossier_event)
        # Indicator 1.4 (and 3.3's sync coefficient) from the delivered messages.
        indicators.register()
