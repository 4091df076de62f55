from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "motcua.core"
    label = "core"
    verbose_name = "Nhật ký hệ thống"

    def ready(self) -> None:
        from .signals import connect

        # The security log's receivers: logins, lockouts, groups and flags (core/signals.py).
        connect()
