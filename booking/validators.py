"""Validators for what a prospect types: name, email and message (invariant 6).

The name and email end up in email headers, so line breaks and other control characters are
refused there (header injection), and so are invisible, bidirectional-control and formatting
characters (category Cf: U+200B, U+00AD, U+202E…), which make one address or name look like
another. An email's local part must be ASCII (SMTPUTF8 is not guaranteed) and unquoted; its
domain a name (no IP literal), which may be Unicode: it is sent IDNA-encoded. A message may
hold line breaks and tabs, nothing else invisible. Lone surrogates and NUL are refused
everywhere: neither survives a database write.
"""

import unicodedata

from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator
from django.utils.translation import gettext_lazy as _

from booking.addresses import ascii_email
from booking.location import clean_phone

INVITEE_NAME_MAX = 120
MESSAGE_MAX = 2000
EMAIL_MAX = 254

# Unicode categories never allowed in a name or an email: controls (CR, LF, NUL, …),
# surrogates, and the line and paragraph separators that str.splitlines() also breaks on.
_HEADER_UNSAFE = {"Cc", "Cs", "Zl", "Zp"}
_INVISIBLE = "Cf"
_MESSAGE_ALLOWED_CONTROLS = {"\n", "\t"}

_email_validator = EmailValidator(message=_("Please enter a valid email address."))


def _has_header_unsafe(value: str) -> bool:
    return any(unicodedata.category(char) in _HEADER_UNSAFE for char in value)


def _has_invisible(value: str) -> bool:
    return any(unicodedata.category(char) == _INVISIBLE for char in value)


def validate_person_name(value: str) -> None:
    """Refuse an empty, overlong or multi-line name, or one holding control characters."""
    if not value or not value.strip():
        raise ValidationError(_("Please enter your name."), code="required")
    if len(value) > INVITEE_NAME_MAX:
        raise ValidationError(
            _("Please shorten your name to at most %(max)d characters."),
            code="max_length", params={"max": INVITEE_NAME_MAX})
    if _has_header_unsafe(value):
        raise ValidationError(
            _("Your name must fit on one line and cannot contain control characters."),
            code="control_characters")
    if _has_invisible(value):
        raise ValidationError(
            _("Your name cannot contain invisible or text-direction characters."),
            code="invisible_characters")


def validate_message(value: str) -> None:
    """Refuse an overlong message, or one holding control characters but newlines and tabs.

    A CR is accepted only as part of CRLF, which browsers send for a textarea's line breaks.
    """
    if len(value) > MESSAGE_MAX:
        raise ValidationError(
            _("Please shorten your message to at most %(max)d characters."),
            code="max_length", params={"max": MESSAGE_MAX})
    for char in value.replace("\r\n", "\n"):
        if char in _MESSAGE_ALLOWED_CONTROLS:
            continue
        if unicodedata.category(char) in {"Cc", "Cs"}:
            raise ValidationError(
                _("Your message cannot contain control characters."),
                code="control_characters")


def validate_email_address(value: str) -> None:
    """Django's EmailValidator, plus no line breaks or control characters, at most 254."""
    if not value or not value.strip():
        raise ValidationError(_("Please enter your email address."), code="required")
    if len(value) > EMAIL_MAX:
        raise ValidationError(
            _("Please enter an email address of at most %(max)d characters."),
            code="max_length", params={"max": EMAIL_MAX})
    if _has_header_unsafe(value):
        raise ValidationError(_("Please enter a valid email address."), code="invalid")
    if _has_invisible(value):
        raise ValidationError(
            _("Your email address cannot contain invisible or text-direction characters."),
            code="invisible_characters")
    _validate_deliverable(value)  # first: its messages say more than "not valid"
    _email_validator(value)


def clean_phone_number(value: str, *, required: bool, found: dict) -> str:
    """The number, trimmed; required when the session is a phone call.

    Refusals go into `found` under `invitee_phone`, with the invitee's other fields'.
    """
    if not value.strip():
        if required:
            found["invitee_phone"] = [ValidationError(
                _("Please give the phone number to call you on."), code="required")]
        return ""
    try:
        return clean_phone(value)
    except ValueError:
        found["invitee_phone"] = [ValidationError(
            _("Please enter a phone number: 6 to 20 digits, with spaces, +, - or () if you "
              "like."), code="invalid")]
        return ""


def _validate_deliverable(value: str) -> None:
    """What every mail server takes: ASCII unquoted local part, a (possibly Unicode) domain."""
    local, _at, domain = value.rpartition("@")
    if local.startswith('"') or domain.startswith("["):
        raise ValidationError(
            _("Please enter an email address of the form name@domain, without quotes or "
              "brackets."), code="unusual_form")
    if not local.isascii():
        raise ValidationError(
            _("The part of your email address before the @ can only use letters without "
              "accents, digits and . _ + -."), code="non_ascii_local_part")
    try:
        ascii_email(value)
    except (UnicodeError, ValueError) as exc:
        raise ValidationError(_("Please enter a valid email address."),
                              code="invalid") from exc
