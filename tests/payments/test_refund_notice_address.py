"""The coach's refund notice goes to her notification address, like her booking notices."""

import pytest

from payments.emails import refund_messages
from payments.models import Payment
from tests.payments.conftest import hold

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(("chosen", "expected"), [("agenda@claire.example",
                                                   "agenda@claire.example"), ("", None)])
def test_the_refund_notice_reaches_her_notification_address(paid_type, chosen, expected):
    coach = paid_type.coach
    coach.notification_email = chosen
    coach.save()
    payment = Payment.objects.create(booking=hold(paid_type), amount=9000, currency="eur",
                                     refund_amount=9000)
    to_invitee, to_coach = refund_messages(payment)
    assert to_invitee.to[0].endswith("<invitee1@example.org>")
    assert to_coach.to[0].endswith(f"<{expected or coach.user.email}>")
