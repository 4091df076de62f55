from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "motcua.notifications"
    label = "notifications"
    verbose_name = "Thông báo"

    def ready(self) -> None:
        from motcua.dossiers import hooks

        from . import delivery
        from .services import on_dossier_event, track_early_warning

        # The applicant's messages are written with the event (ADR 0020), and the moment
        # officers are warned is kept with each new appointment.
        hooks.in_transaction(on_dossier_event)
        hooks.in_transaction(track_early_warning)
        delivery.register()
