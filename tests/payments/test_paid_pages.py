"""What pages say about money: prices, a booking's payment and refund, and what cancelling
refunds under the coach's policy (in the viewer's language)."""

import pytest

from availability.models import SessionType
from payments.models import Payment
from payments.services import checkout_start
from tests.payments.conftest import CANCEL_URL, SUCCESS_URL, TUESDAY_9, hold, later, run_worker
from tests.support.html import iso

pytestmark = pytest.mark.django_db(transaction=True)
NBSP = "\u00a0"
PRICE_FR, PRICE_EN = f"90,00{NBSP}€", "€90.00"


def paid_booking(stripe_server, session_type):
    booking = hold(session_type)
    checkout_start(booking=booking, success_url=SUCCESS_URL, cancel_url=CANCEL_URL)
    stripe_server.complete(Payment.objects.get(booking=booking).checkout_session_id)
    booking.refresh_from_db()
    return booking


def test_picker_coach_page_and_form_show_the_price(client, session_type, paid_type):
    assert PRICE_FR in client.get("/demo/paid/").content.decode()
    assert "Gratuit" in client.get("/demo/discovery/").content.decode()
    coach_page = client.get("/demo/").content.decode()
    assert PRICE_FR in coach_page and "Gratuit" in coach_page
    form = client.get("/demo/paid/book/", {"start": iso(TUESDAY_9)}).content.decode()
    assert f'id="price">{PRICE_FR}<' in form
    english = client.get("/demo/paid/", headers={"Accept-Language": "en"})
    assert PRICE_EN in english.content.decode()


def test_manage_cancel_page_says_what_is_refunded_then_shows_the_refund(client, stripe_server,
                                                                        paid_type):
    booking = paid_booking(stripe_server, paid_type)
    manage = f"/b/{booking.manage_token}/"
    assert f"Paiement : {PRICE_FR} (Payé)" in client.get(manage).content.decode()
    cancel = client.get(manage + "cancel/").content.decode()
    assert f"Annuler maintenant rembourse {PRICE_FR}." in cancel
    client.post(manage + "cancel/", {"reason": ""})
    pending = client.get(manage).content.decode()
    assert f"Remboursement : {PRICE_FR} (En cours)" in pending
    run_worker()
    assert f"Remboursement : {PRICE_FR} (Remboursé)" in client.get(manage).content.decode()


def test_manage_cancel_page_says_nothing_is_refunded_under_never(client, stripe_server,
                                                                 paid_type):
    SessionType.objects.filter(pk=paid_type.pk).update(refund_policy="never")
    booking = paid_booking(stripe_server, paid_type)
    cancel = client.get(f"/b/{booking.manage_token}/cancel/").content.decode()
    assert 'id="refund-on-cancel"' in cancel and "ne rembourse rien" in cancel


def test_workspace_shows_the_refund_after_the_coach_cancels(client, stripe_server, paid_type,
                                                           clock):
    booking = paid_booking(stripe_server, paid_type)
    client.force_login(paid_type.coach.user)
    page = booking.get_workspace_url()
    cancel = client.get(page + "cancel/").content.decode()
    assert f"Annuler maintenant rembourse {PRICE_FR}." in cancel
    assert client.post(page + "cancel/", {"message": ""}).status_code == 302
    run_worker()
    detail = client.get(page).content.decode()
    assert f"Remboursement : {PRICE_FR} (Remboursé)" in detail
    assert [r["amount"] for r in stripe_server.refunds.values()] == [9000]


def test_free_booking_pages_show_no_payment(client, session_type):
    booking = hold(session_type, start=TUESDAY_9 + later(60))
    assert 'id="payment"' not in client.get(f"/b/{booking.manage_token}/").content.decode()
