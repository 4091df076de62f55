from django.apps import AppConfig


class EformsConfig(AppConfig):
    name = "motcua.eforms"
    verbose_name = "Tờ khai điện tử"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from motcua.catalog import hooks as catalog_hooks
        from motcua.dossiers import hooks

        from . import selectors, services

        hooks.form_reader(selectors.dossier_form_out)
        hooks.form_submitter(services.dossier_submit_api)
        catalog_hooks.version_created(services.procedure_form_follow)
