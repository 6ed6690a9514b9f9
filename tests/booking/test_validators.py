import pytest
from django.core.exceptions import ValidationError

from booking.validators import (
    INVITEE_NAME_MAX,
    MESSAGE_MAX,
    validate_email_address,
    validate_message,
    validate_person_name,
)


@pytest.mark.parametrize("name", [
    "Ada Lovelace", "Zoë d'Arcy-Ñúñez", "李小龍", "A" * INVITEE_NAME_MAX, "Jean\u00a0Dupont"])
def test_ordinary_names_pass(name):
    validate_person_name(name)


@pytest.mark.parametrize(("name", "code"), [
    ("", "required"),
    ("  \t ", "required"),
    ("A" * (INVITEE_NAME_MAX + 1), "max_length"),
    ("Ada\r\nBcc: victim@example.com", "control_characters"),
    ("Ada\nLovelace", "control_characters"),
    ("Ada\rLovelace", "control_characters"),
    ("Ada\tLovelace", "control_characters"),
    ("Ada\x00", "control_characters"),
    ("Ada\x85Lovelace", "control_characters"),  # NEL: a line break to str.splitlines()
    ("Ada\u2028Lovelace", "control_characters"),  # LINE SEPARATOR
    ("Ada\ud800", "control_characters"),  # a lone surrogate cannot be stored as UTF-8
])
def test_unsafe_names_are_refused(name, code):
    with pytest.raises(ValidationError) as caught:
        validate_person_name(name)
    assert caught.value.code == code
    assert str(caught.value.messages[0])


def test_name_length_message_names_the_limit():
    with pytest.raises(ValidationError) as caught:
        validate_person_name("A" * 500)
    assert "120" in caught.value.messages[0]


@pytest.mark.parametrize("message", [
    "", "Hello,\nI would like to talk about my talk.\n\tThanks!",
    "Windows line ends\r\nfrom a textarea\r\n", "x" * MESSAGE_MAX, "émoji 🙂 ok"])
def test_ordinary_messages_pass(message):
    validate_message(message)


@pytest.mark.parametrize(("message", "code"), [
    ("x" * (MESSAGE_MAX + 1), "max_length"),
    ("bell\x07", "control_characters"),
    ("escape\x1b[2J", "control_characters"),
    ("nul\x00", "control_characters"),
    ("lone\rCR", "control_characters"),
    ("surrogate\udfff", "control_characters"),
])
def test_unsafe_messages_are_refused(message, code):
    with pytest.raises(ValidationError) as caught:
        validate_message(message)
    assert caught.value.code == code


@pytest.mark.parametrize("email", ["ada@example.org", "a.b+tag@sub.example.co.uk",
                                   "zoe@exämple.fr"])
def test_ordinary_emails_pass(email):
    validate_email_address(email)


@pytest.mark.parametrize("email", [
    "", "ada", "ada@", "@example.org", "ada@example",
    "ada@example.org\r\nBcc: victim@example.com",
    "ada@example.org\n",
    "ada\r@example.org",
    "ada@example.org\u2028",
    "a" * 250 + "@example.org",
])
def test_bad_emails_are_refused(email):
    with pytest.raises(ValidationError):
        validate_email_address(email)


@pytest.mark.parametrize("value", ["Zoe\u200bDurand", "Zo\u00ade", "\u202eZoe", "Zoe\u2066"])
def test_names_with_invisible_or_direction_characters_are_refused(value):
    with pytest.raises(ValidationError) as caught:
        validate_person_name(value)
    assert caught.value.code == "invisible_characters"


@pytest.mark.parametrize(("value", "code"), [
    ("zo\u200be@example.org", "invisible_characters"),
    ("zoe@exam\u00adple.org", "invisible_characters"),
    ("\u202ezoe@example.org", "invisible_characters"),
    ('"zoe durand"@example.org', "unusual_form"),
    ('"zoe"@example.org', "unusual_form"),
    ("zoe@[192.0.2.1]", "unusual_form"),
    ("zoé@example.org", "non_ascii_local_part"),
])
def test_unusual_or_undeliverable_emails_are_refused_with_a_reason(value, code):
    with pytest.raises(ValidationError) as caught:
        validate_email_address(value)
    assert caught.value.code == code


def test_an_international_domain_is_accepted():
    validate_email_address("zoe@müller.de")
    validate_email_address("zoe@xn--mller-kva.de")
