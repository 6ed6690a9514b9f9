from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PaymentsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "payments"
    verbose_name = _("Payments")

    def ready(self) -> None:
        from booking.emails import register_cancellation_note
        from payments.notes import refund_note

        # booking cannot import payments; payments tells booking's emails about refunds.
        register_cancellation_note(refund_note)
