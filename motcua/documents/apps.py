from django.apps import AppConfig


class DocumentsConfig(AppConfig):
    name = "motcua.documents"
    label = "documents"
    verbose_name = "Giấy tờ, biểu mẫu"

    def ready(self) -> None:
        from motcua.dossiers import hooks

        from .enums import KIND_BY_ACTION
        from .services import on_dossier_event

        hooks.after_commit(on_dossier_event, actions=KIND_BY_ACTION)
