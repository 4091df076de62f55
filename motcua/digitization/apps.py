from django.apps import AppConfig


class DigitizationConfig(AppConfig):
    name = "motcua.digitization"
    label = "digitization"
    verbose_name = "Số hóa hồ sơ"
    default_auto_field = "django.db.models.BigAutoField"
