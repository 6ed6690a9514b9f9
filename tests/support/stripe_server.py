"""A local Stripe-compatible server for tests: the endpoints Créneau uses, over real HTTP.

No stripe-mock exists here, so the suite starts this one (stdlib ThreadingHTTPServer on port
0, in a thread). The official `stripe` library talks to it through `STRIPE_API_BASE`.

API: POST /v1/checkout/sessions, GET /v1/checkout/sessions/{id},
POST /v1/checkout/sessions/{id}/expire, POST /v1/refunds, GET /v1/refunds/{id}; Bearer key
checked; `Idempotency-Key` replays the first answer (a different body → 400
idempotency_error). A hosted page GET /checkout/{id} whose POST pays, sends a signed
`checkout.session.completed` to `webhook_url` and redirects to the success URL.

Test helpers: complete(), expire(), send_event() (signed with Stripe's real scheme, delivered
to `deliver` or `webhook_url`), fail_next(status, times), slow(seconds), `requests` (every
API call seen).
"""

import html
import http.client
import json
import secrets
import threading
import time
import urllib.request
from collections.abc import Callable
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

from tests.support.stripe_wire import StripeError, decode_form, integer, required, signature_header

API_KEY = "sk_test_creneau_local"
WEBHOOK_SECRET = "whsec_creneau_local"
MIN_EXPIRY, MAX_EXPIRY = 30 * 60, 24 * 3600

Delivery = Callable[[bytes, dict[str, str]], int]


def _id(prefix: str) -> str:
    return f"{prefix}_test_{secrets.token_hex(12)}"


class FakeStripe:
    """The server's state and the helpers tests drive it with. Use start()/stop()."""

    def __init__(self, *, api_key: str = API_KEY, webhook_secret: str = WEBHOOK_SECRET,
                 webhook_url: str | None = None) -> None:
        self.api_key = api_key
        self.webhook_secret = webhook_secret
        self.webhook_url = webhook_url
        self.deliver: Delivery | None = None  # overrides webhook_url when set
        self.sessions: dict[str, dict] = {}
        self.refunds: dict[str, dict] = {}
        self.events: list[dict] = []
        self.requests: list[tuple[str, str, dict]] = []
        self.refund_status = "succeeded"
        self._idempotent: dict[str, tuple[str, int, dict]] = {}
        self._faults: list[int] = []
        self._delay = 0.0
        self._lock = threading.RLock()
        self._httpd: ThreadingHTTPServer | None = None

    def start(self) -> "FakeStripe":
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self._httpd.daemon_threads = True
        self._httpd.fake = self  # type: ignore[attr-defined]
        threading.Thread(target=self._httpd.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()

    @property
    def url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}"

    def fail_next(self, status: int = 500, times: int = 1) -> None:
        """The next `times` API calls answer `status` with Stripe's error shape."""
        with self._lock:
            self._faults.extend([status] * times)

    def slow(self, seconds: float) -> None:
        """Every API call waits this long before answering (0 to stop)."""
        self._delay = seconds

    def press_pay(self, session_id: str) -> tuple[int, str | None]:
        """Press the hosted page's button, as a browser would: (status, Location)."""
        host, port = self._httpd.server_address[:2]
        connection = http.client.HTTPConnection(host, port, timeout=30)
        try:
            connection.request("POST", f"/checkout/{session_id}/pay", body=b"")
            answer = connection.getresponse()
            answer.read()
            return answer.status, answer.getheader("Location")
        finally:
            connection.close()

    def session(self, session_id: str) -> dict:
        return self.sessions[session_id]

    def complete(self, session_id: str, *, send_webhook: bool = True) -> dict:
        """Pay the session as the hosted page would; send `checkout.session.completed`."""
        with self._lock:
            session = self.sessions[session_id]
            if session["status"] == "open":
                session.update(status="complete", payment_status="paid",
                               payment_intent=_id("pi"))
            paid = json.loads(json.dumps(session))
        if send_webhook:
            self.send_event("checkout.session.completed", paid)
        return paid

    def expire(self, session_id: str, *, send_webhook: bool = True) -> dict:
        with self._lock:
            session = self.sessions[session_id]
            if session["status"] == "open":
                session["status"] = "expired"
            expired = json.loads(json.dumps(session))
        if send_webhook:
            self.send_event("checkout.session.expired", expired)
        return expired

    def event(self, event_type: str, obj: dict, *, event_id: str | None = None) -> dict:
        return {"id": event_id or _id("evt"), "object": "event", "api_version": "2025-09-30",
                "created": int(time.time()), "type": event_type, "livemode": False,
                "pending_webhooks": 1, "request": {"id": None, "idempotency_key": None},
                "data": {"object": obj}}

    def signed(self, event: dict, *, timestamp: int | None = None,
               secret: str | None = None) -> tuple[bytes, dict[str, str]]:
        """The body and headers Stripe would post for `event`."""
        payload = json.dumps(event, indent=2)
        header = signature_header(payload, secret or self.webhook_secret, timestamp)
        return payload.encode(), {"Content-Type": "application/json; charset=utf-8",
                                  "Stripe-Signature": header}

    def send_event(self, event_type: str, obj: dict, *, event_id: str | None = None) -> int:
        """Sign and deliver an event; the receiver's status code (0 if nobody listens)."""
        event = self.event(event_type, obj, event_id=event_id)
        self.events.append(event)
        return self.post(*self.signed(event))

    def post(self, body: bytes, headers: dict[str, str]) -> int:
        if self.deliver is not None:
            return self.deliver(body, headers)
        if not self.webhook_url:
            return 0
        request = urllib.request.Request(self.webhook_url, data=body,  # noqa: S310
                                         headers=headers, method="POST")
        try:
            with urllib.request.urlopen(request, timeout=30) as answer:  # noqa: S310
                return answer.status
        except urllib.error.HTTPError as exc:
            return exc.code

    # The API, called by the handler under the lock.

    def create_session(self, params: dict) -> dict:
        items = required(params, "line_items")
        amount, currency = 0, None
        for item in items:
            price = required(item, "price_data", param="line_items[0][price_data]")
            currency = required(price, "currency", param="line_items[0][price_data][currency]")
            required(price.get("product_data") or {}, "name",
                     param="line_items[0][price_data][product_data][name]")
            amount += (integer(price, "unit_amount")
                       * integer(item, "quantity", minimum=1))
        if params.get("mode") != "payment":
            raise StripeError(400, "Only mode=payment is supported here.", param="mode")
        now = int(time.time())
        expires_at = integer(params, "expires_at") if "expires_at" in params else now + 86400
        if not MIN_EXPIRY <= expires_at - now <= MAX_EXPIRY:
            raise StripeError(400, "The `expires_at` timestamp must be between 30 minutes and "
                              "24 hours from Checkout Session creation.", param="expires_at")
        session_id = _id("cs")
        session = {
            "id": session_id, "object": "checkout.session", "mode": "payment",
            "url": f"{self.url}/checkout/{session_id}", "status": "open",
            "payment_status": "unpaid", "payment_intent": None, "created": now,
            "expires_at": expires_at, "amount_total": amount, "currency": currency.lower(),
            "client_reference_id": params.get("client_reference_id"),
            "customer_email": params.get("customer_email"),
            "locale": params.get("locale", "auto"), "metadata": params.get("metadata") or {},
            "success_url": required(params, "success_url"),
            "cancel_url": params.get("cancel_url"), "livemode": False,
        }
        self.sessions[session_id] = session
        return session

    def find_session(self, session_id: str) -> dict:
        if session_id not in self.sessions:
            raise StripeError(404, f"No such checkout.session: '{session_id}'",
                              code="resource_missing", param="session")
        return self.sessions[session_id]

    def expire_session(self, session_id: str) -> dict:
        session = self.find_session(session_id)
        if session["status"] != "open":
            raise StripeError(400, f"Only Checkout Sessions with a status in [\"open\"] can be "
                              f"expired. This session has a status of \"{session['status']}\".",
                              code="checkout_session_not_open")
        session["status"] = "expired"
        return session

    def create_refund(self, params: dict) -> dict:
        intent = required(params, "payment_intent")
        paid = [s for s in self.sessions.values() if s["payment_intent"] == intent]
        if not paid:
            raise StripeError(404, f"No such payment_intent: '{intent}'",
                              code="resource_missing", param="payment_intent")
        total = paid[0]["amount_total"]
        refunded = sum(r["amount"] for r in self.refunds.values()
                       if r["payment_intent"] == intent)
        amount = integer(params, "amount", minimum=1) if "amount" in params else total - refunded
        if refunded >= total or amount > total - refunded:
            raise StripeError(400, "Charge has already been refunded.",
                              code="charge_already_refunded")
        refund = {"id": _id("re"), "object": "refund", "amount": amount,
                  "currency": paid[0]["currency"], "payment_intent": intent,
                  "status": self.refund_status, "reason": params.get("reason"),
                  "metadata": params.get("metadata") or {}, "created": int(time.time())}
        self.refunds[refund["id"]] = refund
        return refund

    def find_refund(self, refund_id: str) -> dict:
        if refund_id not in self.refunds:
            raise StripeError(404, f"No such refund: '{refund_id}'", code="resource_missing",
                              param="id")
        return self.refunds[refund_id]

    def answer(self, method: str, path: str, params: dict, key: str | None) -> tuple[int, dict]:
        """Route one authenticated API call; replays an idempotent POST's first answer."""
        with self._lock:
            self.requests.append((method, path, params))
            if self._faults:
                status = self._faults.pop(0)
                raise StripeError(status, f"Injected failure ({status}).",
                                  code="card_declined" if status == 402 else None)
            fingerprint = json.dumps([method, path, params], sort_keys=True)
            if method == "POST" and key and key in self._idempotent:
                seen, status, body = self._idempotent[key]
                if seen != fingerprint:
                    raise StripeError(400, "Keys for idempotent requests can only be used with "
                                      "the same parameters they were first used with.",
                                      error_type="idempotency_error")
                return status, body
            body = json.loads(json.dumps(self._route(method, path, params)))
            if method == "POST" and key:
                self._idempotent[key] = (fingerprint, 200, body)
            return 200, body

    def _route(self, method: str, path: str, params: dict) -> dict:
        parts = path.strip("/").split("/")
        if parts[:3] == ["v1", "checkout", "sessions"]:
            if method == "POST" and len(parts) == 3:
                return self.create_session(params)
            if method == "GET" and len(parts) == 4:
                return self.find_session(parts[3])
            if method == "POST" and len(parts) == 5 and parts[4] == "expire":
                return self.expire_session(parts[3])
        if parts[:2] == ["v1", "refunds"]:
            if method == "POST" and len(parts) == 2:
                return self.create_refund(params)
            if method == "GET" and len(parts) == 3:
                return self.find_refund(parts[2])
        raise StripeError(404, f"Unrecognized request URL ({method}: {path}).")


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    @property
    def fake(self) -> FakeStripe:
        return self.server.fake  # type: ignore[attr-defined]

    def log_message(self, format, *args) -> None:  # quiet in test output
        pass

    def _send(self, status: int, body: bytes, content_type: str,
              headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Request-Id", _id("req"))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def _json(self, status: int, body: dict) -> None:
        self._send(status, json.dumps(body).encode(), "application/json")

    def _body(self) -> str:
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length).decode() if length else ""

    def _api(self, method: str) -> None:
        split = urlsplit(self.path)
        params = decode_form(self._body() if method == "POST" else split.query)
        if self.fake._delay:
            time.sleep(self.fake._delay)  # the simulated slowness, not synchronisation
        if self.headers.get("Authorization") != f"Bearer {self.fake.api_key}":
            self._json(401, StripeError(401, "Invalid API Key provided.").body)
            return
        try:
            status, body = self.fake.answer(method, split.path, params,
                                            self.headers.get("Idempotency-Key"))
        except StripeError as exc:
            self._json(exc.status, exc.body)
            return
        self._json(status, body)

    def do_GET(self) -> None:
        if self.path.startswith("/v1/"):
            self._api("GET")
        elif self.path.startswith("/checkout/"):
            self._page(self.path.split("/")[2])
        else:
            self._send(404, b"Not found", "text/plain")

    def do_POST(self) -> None:
        parts = self.path.strip("/").split("/")
        if self.path.startswith("/v1/"):
            self._api("POST")
        elif parts[0] == "checkout" and len(parts) == 3 and parts[2] == "pay":
            self._body()
            self._pay(parts[1])
        else:
            self._send(404, b"Not found", "text/plain")

    def _page(self, session_id: str) -> None:
        session = self.fake.sessions.get(session_id)
        if session is None:
            self._send(404, b"No such session", "text/plain")
            return
        amount = f"{session['amount_total'] / 100:.2f} {session['currency'].upper()}"
        page = (f"<!doctype html><title>Checkout</title><p>{html.escape(amount)}</p>"
                f"<p>Status: {html.escape(session['status'])}</p>"
                f"<form method=post action=/checkout/{html.escape(session_id)}/pay>"
                f"<button type=submit>Payer / Pay</button></form>"
                f"<a href=\"{html.escape(session['cancel_url'] or '')}\">Cancel</a>")
        self._send(200, page.encode(), "text/html; charset=utf-8")

    def _pay(self, session_id: str) -> None:
        session = self.fake.sessions.get(session_id)
        if session is None or session["status"] != "open":
            self._send(HTTPStatus.GONE, b"This session is no longer open", "text/plain")
            return
        self.fake.complete(session_id)
        target = session["success_url"].replace("{CHECKOUT_SESSION_ID}", session_id)
        self._send(303, b"", "text/plain", {"Location": target})
