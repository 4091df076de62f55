from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "motcua.api"
    label = "api"

    def ready(self) -> None:
        from django.contrib.auth import get_user_model
        from django.db.models.signals import post_delete, post_save

        from motcua.org.models import Agency, Applicant, StaffRole

        from .auth import on_agency_changed, on_saved_or_deleted
        from .models import ApiToken

        for model in (ApiToken, get_user_model(), StaffRole, Applicant):
            post_save.connect(on_saved_or_deleted, sender=model, dispatch_uid=f"auth-{model}")
            post_delete.connect(on_saved_or_deleted, sender=model, dispatch_uid=f"auth-d-{model}")
        # An agency's validity bounds its staff's rights: a change forgets every cached token.
        post_save.connect(on_agency_changed, sender=Agency, dispatch_uid="auth-agency")
        post_delete.connect(on_agency_changed, sender=Agency, dispatch_uid="auth-d-agency")
