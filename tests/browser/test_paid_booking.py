"""A paid booking in real Chromium: form → (fake) Stripe Checkout → pay → back, confirmed once
the webhook has arrived over real HTTP."""

import pytest

from booking.models import Booking
from payments.models import Payment
from tests.factories import SessionTypeFactory
from tests.support.browser import show_next_week, wait_for_zone
from tests.support.stripe_server import API_KEY, WEBHOOK_SECRET, FakeStripe

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
WEBHOOK = "/payments/stripe/webhook/"


@pytest.fixture
def stripe_server(settings):
    server = FakeStripe().start()
    settings.STRIPE_SECRET_KEY = API_KEY
    settings.STRIPE_WEBHOOK_SECRET = WEBHOOK_SECRET
    settings.STRIPE_API_BASE = server.url
    settings.STRIPE_MAX_NETWORK_RETRIES = 0
    yield server
    server.stop()


@pytest.fixture
def paid_type(coach):
    return SessionTypeFactory(coach=coach, slug="paid", name="Séance coaching",
                              price_amount=9000, price_currency="eur")


def test_book_pay_on_checkout_and_see_the_confirmation_after_the_webhook(
        open_page, live_server, stripe_server, paid_type):
    page, console = open_page("Europe/Paris", "/demo/paid/")
    wait_for_zone(page, "Europe/Paris")
    assert "90,00\u00a0€" in page.locator("#price").inner_text()
    show_next_week(page)
    page.locator("#slots a.slot").first.click()
    page.wait_for_url("**/book/**")
    page.locator("#id_name").fill("Ada Lovelace")
    page.locator("#id_email").fill("ada@example.org")
    page.locator("#id_consent").check()
    page.locator("form.form button[type=submit]").click()

    page.wait_for_url(f"{stripe_server.url}/checkout/**")
    assert "90.00 EUR" in page.content()
    booking = Booking.objects.get()
    assert booking.status == Booking.Status.PENDING_PAYMENT

    # Stripe's webhook is late: the return page says it waits, and refreshes by itself.
    page.get_by_role("button", name="Payer / Pay").click()
    page.wait_for_url("**/demo/paid/paid/**")
    page.locator("#awaiting-payment").wait_for()
    assert "Paiement reçu, confirmation en cours…" in page.locator("h1").inner_text()

    stripe_server.webhook_url = live_server.url + WEBHOOK  # now it arrives, over HTTP
    assert stripe_server.post(*stripe_server.signed(stripe_server.events[-1])) == 200
    page.get_by_text("Votre séance est réservée").wait_for(timeout=10_000)
    assert page.locator("#awaiting-payment").count() == 0
    booking.refresh_from_db()
    assert booking.status == Booking.Status.CONFIRMED
    assert Payment.objects.get().status == Payment.Status.PAID
    assert not [p for p in console.problems if "Content Security Policy" in p]


def test_leaving_checkout_releases_the_slot_by_the_button(open_page, stripe_server,
                                                          paid_type):
    page, _console = open_page("Europe/Paris", "/demo/paid/")
    wait_for_zone(page, "Europe/Paris")
    show_next_week(page)
    page.locator("#slots a.slot").first.click()
    page.wait_for_url("**/book/**")
    page.locator("#id_name").fill("Ada Lovelace")
    page.locator("#id_email").fill("ada@example.org")
    page.locator("#id_consent").check()
    page.locator("form.form button[type=submit]").click()
    page.wait_for_url(f"{stripe_server.url}/checkout/**")
    page.get_by_role("link", name="Cancel").click()
    page.wait_for_url("**/demo/paid/unpaid/**")
    assert Booking.objects.get().status == Booking.Status.PENDING_PAYMENT  # GET kept it
    page.locator("#release button").click()
    page.locator("#released").wait_for()
    assert Booking.objects.get().status == Booking.Status.CANCELLED
