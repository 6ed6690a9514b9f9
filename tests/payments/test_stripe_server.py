"""The local Stripe-compatible server, driven by the official `stripe` library over HTTP."""

import json
import time
import urllib.request

import pytest
import stripe

from tests.support.stripe_server import API_KEY, WEBHOOK_SECRET, FakeStripe
from tests.support.stripe_wire import decode_form


@pytest.fixture
def server():
    fake = FakeStripe().start()
    yield fake
    fake.stop()


def client(server: FakeStripe, key: str = API_KEY) -> stripe.StripeClient:
    return stripe.StripeClient(key, base_addresses={"api": server.url}, max_network_retries=0,
                               http_client=stripe.RequestsClient(timeout=2))


def session_params(**overrides) -> dict:
    return {"mode": "payment", "client_reference_id": "booking-1",
            "customer_email": "ada@example.org", "locale": "fr",
            "expires_at": int(time.time()) + 31 * 60,
            "success_url": "https://site.test/ok?s={CHECKOUT_SESSION_ID}",
            "cancel_url": "https://site.test/back", "metadata": {"booking": "booking-1"},
            "line_items": [{"quantity": 1, "price_data": {
                "currency": "eur", "unit_amount": 9000, "product_data": {"name": "Séance"}}}]
            } | overrides


def test_form_bodies_decode_into_nested_objects_and_lists():
    body = ("line_items[0][price_data][unit_amount]=9000&line_items[0][quantity]=1"
            "&line_items[1][quantity]=2&metadata[booking]=b1&expand[]=a&expand[]=b&mode=payment")
    assert decode_form(body) == {
        "line_items": [{"price_data": {"unit_amount": "9000"}, "quantity": "1"},
                       {"quantity": "2"}],
        "metadata": {"booking": "b1"}, "expand": ["a", "b"], "mode": "payment"}


def test_checkout_session_has_stripes_shape(server):
    session = client(server).v1.checkout.sessions.create(session_params())
    assert session.id.startswith("cs_test_")
    assert session.url == f"{server.url}/checkout/{session.id}"
    assert (session.status, session.payment_status) == ("open", "unpaid")
    assert (session.amount_total, session.currency, session.locale) == (9000, "eur", "fr")
    assert session.client_reference_id == "booking-1"
    assert session.customer_email == "ada@example.org"
    assert session.metadata["booking"] == "booking-1"
    fetched = client(server).v1.checkout.sessions.retrieve(session.id)
    assert fetched.id == session.id and fetched.expires_at == session.expires_at


def test_same_idempotency_key_gives_the_same_session_and_other_params_are_refused(server):
    options = {"idempotency_key": "checkout-1"}
    first = client(server).v1.checkout.sessions.create(session_params(), options)
    again = client(server).v1.checkout.sessions.create(session_params(), options)
    assert again.id == first.id and len(server.sessions) == 1
    with pytest.raises(stripe.IdempotencyError):
        client(server).v1.checkout.sessions.create(
            session_params(customer_email="bob@example.org"), options)


def test_errors_have_stripes_shape_and_status(server):
    with pytest.raises(stripe.AuthenticationError) as bad_key:
        client(server, key="sk_test_wrong").v1.checkout.sessions.create(session_params())
    assert bad_key.value.http_status == 401
    with pytest.raises(stripe.InvalidRequestError) as missing:
        client(server).v1.checkout.sessions.retrieve("cs_test_nope")
    assert missing.value.http_status == 404 and missing.value.code == "resource_missing"
    with pytest.raises(stripe.InvalidRequestError) as too_soon:
        client(server).v1.checkout.sessions.create(
            session_params(expires_at=int(time.time()) + 60))
    assert too_soon.value.param == "expires_at"
    with pytest.raises(stripe.InvalidRequestError) as no_items:
        client(server).v1.checkout.sessions.create(session_params(line_items=[]))
    assert no_items.value.code == "parameter_missing"


def test_injected_failures_answer_the_given_status_then_recover(server):
    server.fail_next(status=500, times=2)
    for _ in range(2):
        with pytest.raises(stripe.APIError) as failed:
            client(server).v1.checkout.sessions.create(session_params())
        assert failed.value.http_status == 500
    server.fail_next(status=402)
    with pytest.raises(stripe.CardError):
        client(server).v1.checkout.sessions.create(session_params())
    assert client(server).v1.checkout.sessions.create(session_params()).status == "open"


def test_a_slow_server_times_the_client_out(server):
    server.slow(1.5)
    slow_client = stripe.StripeClient(API_KEY, base_addresses={"api": server.url},
                                      max_network_retries=0,
                                      http_client=stripe.RequestsClient(timeout=0.3))
    with pytest.raises(stripe.APIConnectionError):
        slow_client.v1.checkout.sessions.create(session_params())


def test_expire_and_refunds(server):
    api = client(server)
    session = api.v1.checkout.sessions.create(session_params())
    assert api.v1.checkout.sessions.expire(session.id).status == "expired"
    with pytest.raises(stripe.InvalidRequestError):
        api.v1.checkout.sessions.expire(session.id)
    paid = server.complete(api.v1.checkout.sessions.create(session_params()).id,
                           send_webhook=False)
    refund = api.v1.refunds.create({"payment_intent": paid["payment_intent"]},
                                   {"idempotency_key": "refund-1"})
    assert (refund.amount, refund.status, refund.currency) == (9000, "succeeded", "eur")
    assert api.v1.refunds.retrieve(refund.id).id == refund.id
    with pytest.raises(stripe.InvalidRequestError) as twice:
        api.v1.refunds.create({"payment_intent": paid["payment_intent"]})
    assert twice.value.code == "charge_already_refunded"


def test_hosted_page_pays_sends_a_signed_webhook_and_redirects(server):
    received = []
    server.deliver = lambda body, headers: received.append((body, headers)) or 200
    session = client(server).v1.checkout.sessions.create(session_params())
    with urllib.request.urlopen(session.url) as page:  # noqa: S310
        assert "Payer / Pay" in page.read().decode()

    status, location = server.press_pay(session.id)
    assert (status, location) == (303, f"https://site.test/ok?s={session.id}")
    body, headers = received[0]
    event = stripe.Webhook.construct_event(body, headers["Stripe-Signature"], WEBHOOK_SECRET,
                                           tolerance=300)
    assert event.type == "checkout.session.completed"
    paid = json.loads(body)["data"]["object"]
    assert paid["payment_status"] == "paid" and paid["payment_intent"].startswith("pi_test_")
