from django.apps import AppConfig


class DigitizationConfig(AppConfig):
    name = "motcua.digitization"
    label = "digitization"
    verbose_name = "Số hóa hồ sơ"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from motcua.dossiers import hooks

        from .services import scan_handed_in

        # Every intake (the counter's page, the API) queues the OCR of the papers handed in.
        hooks.handed_in(scan_handed_in)
