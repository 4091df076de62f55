from django.apps import AppConfig


class SigningConfig(AppConfig):
    name = "motcua.signing"
    label = "signing"
    verbose_name = "Ký số kết quả"
