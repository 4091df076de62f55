from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class OrgConfig(AppConfig):
    name = "motcua.org"
    label = "org"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from .sessions import on_user_logged_in

        # Every login starts the session's idle and lifetime clocks (motcua.org.sessions).
        user_logged_in.connect(on_user_logged_in, dispatch_uid="org-session-stamp")


class StaffAdminConfig(admin_apps.AdminConfig):
    """django.contrib.admin with a site that asks staff for the second factor
    (motcua.org.otp.StaffAdminSite)."""

    default = False  # OrgConfig is this module's app
    default_site = "motcua.org.otp.StaffAdminSite"
