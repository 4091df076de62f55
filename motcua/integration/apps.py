from django.apps import AppConfig


class IntegrationConfig(AppConfig):
    name = "motcua.integration"
    label = "integration"
    verbose_name = "Kết nối, đồng bộ"
