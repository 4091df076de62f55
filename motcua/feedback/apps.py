from django.apps import AppConfig


class FeedbackConfig(AppConfig):
    name = "motcua.feedback"
    label = "feedback"
    verbose_name = "Phản ánh, kiến nghị"

    def ready(self) -> None:
        from .indicators import register_providers

        # Indicators 5.1–5.3 and the feedback part of 5.4 (docs/feedback.md): the
        # indicators app reads them through its provider registry and never imports us.
        register_providers()
