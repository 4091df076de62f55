from django.apps import AppConfig


class EformsConfig(AppConfig):
    name = "motcua.eforms"
    verbose_name = "Tờ khai điện tử"
    default_auto_field = "django.db.models.BigAutoField"
