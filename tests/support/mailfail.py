"""A mail server that fails: shared by the task and reminder tests."""

from smtplib import SMTPServerDisconnected
from unittest import mock

from django.core.mail.backends.locmem import EmailBackend


def fail_first(count: int = 1):
    """Patch the mail backend so its first `count` sends raise like a dead SMTP server."""
    real = EmailBackend.send_messages
    calls = {"n": 0}

    def send_messages(self, messages):
        calls["n"] += 1
        if calls["n"] <= count:
            raise SMTPServerDisconnected("Connection unexpectedly closed")
        return real(self, messages)

    return mock.patch.object(EmailBackend, "send_messages", send_messages)
