from django.apps import AppConfig


class SigningConfig(AppConfig):
    name = "motcua.signing"
    label = "signing"
    verbose_name = "Ký số kết quả"

    def ready(self) -> None:
        from motcua.dossiers import hooks

        from .selectors import revocation_of
        from .services import check_result, record_issued_result

        # Every result file attached, by any path, is judged by the one check.
        hooks.result_check(check_result)
        hooks.in_transaction(record_issued_result)
        # A revoked result is no longer shared by the store's links.
        hooks.result_withdrawal(revocation_of)
