from django.apps import AppConfig


class PaymentsConfig(AppConfig):
    name = "motcua.payments"
    label = "payments"
    verbose_name = "Thanh toán"

    def ready(self) -> None:
        from motcua.dossiers import hooks

        from .services import counter_payment

        # A counter payment the officer records becomes a Payment in the same transaction.
        hooks.in_transaction(counter_payment)
