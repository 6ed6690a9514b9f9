"""A real SMTP server on the loopback (aiosmtpd, in a thread) that a test can stop and start.

Django's SMTP backend talks to it over TCP as it would to a production relay. While stopped,
nothing listens on its port (connections are refused); `deferring = True` makes a running
server answer every message with a temporary failure (451), as a relay under load does.
`messages` holds every message it accepted, parsed, in order; `wait_for(n)` waits for them.
"""

import email
import email.policy
import threading
from email.message import EmailMessage

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session

from tests.support.ports import free_port

HOST = "127.0.0.1"


class _Handler:
    def __init__(self, server: "SmtpServer") -> None:
        self.server = server

    async def handle_DATA(self, smtp: SMTP, session: Session, envelope: Envelope) -> str:
        if self.server.deferring:
            return "451 4.3.0 Mail server busy, try again later"
        message = email.message_from_bytes(envelope.original_content or envelope.content,
                                           policy=email.policy.default)
        with self.server.arrived:
            self.server.messages.append(message)
            self.server.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
            self.server.arrived.notify_all()
        return "250 Message accepted for delivery"


class SmtpServer:
    """`start()`, `stop()`, `start()` again on the same port; `settings` for Django."""

    def __init__(self) -> None:
        self.port = free_port()
        self.messages: list[EmailMessage] = []
        self.envelopes: list[tuple[str, list[str]]] = []
        self.deferring = False
        self.arrived = threading.Condition()
        self._controller: Controller | None = None

    @property
    def settings(self) -> dict:
        return {"EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
                "EMAIL_HOST": HOST, "EMAIL_PORT": self.port, "EMAIL_USE_TLS": False,
                "EMAIL_HOST_USER": "", "EMAIL_HOST_PASSWORD": "", "EMAIL_TIMEOUT": 10}

    def start(self) -> None:
        self._controller = Controller(_Handler(self), hostname=HOST, port=self.port)
        self._controller.start()

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def recipients(self) -> list[str]:
        """Every accepted envelope recipient, one entry per message and recipient, sorted."""
        with self.arrived:
            return sorted(rcpt for _, rcpts in self.envelopes for rcpt in rcpts)

    def wait_for(self, count: int, timeout: float = 30) -> None:
        """Until `count` messages have been accepted (or fail after `timeout` seconds)."""
        with self.arrived:
            if not self.arrived.wait_for(lambda: len(self.messages) >= count, timeout):
                raise AssertionError(f"{len(self.messages)} messages after {timeout} s, "
                                     f"expected {count}")
