from django.apps import AppConfig


class DocumentsConfig(AppConfig):
    name = "motcua.documents"
    label = "documents"
    verbose_name = "Giấy tờ, biểu mẫu"

    def ready(self) -> None:
        from motcua.dossiers import hooks

        from .enums import KIND_BY_ACTION, ON_REQUEST
        from .services import on_dossier_event

        hooks.after_commit(
            on_dossier_event, actions=[a for a in KIND_BY_ACTION if a not in ON_REQUEST]
        )

        # Fee receipts' PDFs (motcua.documents.receipts), after the payment commits.
        from .receipts import on_payment_confirmed

        hooks.after_commit(on_payment_confirmed, actions=["confirm_payment"])
