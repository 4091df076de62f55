from django.apps import AppConfig


class WorkcalendarConfig(AppConfig):
    name = "motcua.workcalendar"
    label = "workcalendar"
    verbose_name = "Lịch làm việc"

    def ready(self) -> None:
        from . import signals  # noqa: F401  (connects cache invalidation)
