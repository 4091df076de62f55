from django.apps import AppConfig


class PaymentsConfig(AppConfig):
    name = "motcua.payments"
    label = "payments"
    verbose_name = "Thanh toán"

    def ready(self) -> None:
        from motcua.dossiers import hooks
        from motcua.indicators import formulas

        from .selectors import verified_paid_online
        from .services import counter_payment, refund_on_dossier_end

        # A counter payment the officer records becomes a Payment in the same transaction.
        hooks.in_transaction(counter_payment)
        # A paid dossier refused, withdrawn or stopped: its refund is requested with the event.
        hooks.in_transaction(refund_on_dossier_end)
        # The indicators count a dossier paid online only on a verified payment's proof.
        formulas.register_verified_payments(verified_paid_online)
