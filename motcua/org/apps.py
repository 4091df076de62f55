from django.apps import AppConfig


class OrgConfig(AppConfig):
    name = "motcua.org"
    label = "org"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from .sessions import on_user_logged_in

        # Every login starts the session's idle and lifetime clocks (motcua.org.sessions).
        user_logged_in.connect(on_user_logged_in, dispatch_uid="org-session-stamp")
