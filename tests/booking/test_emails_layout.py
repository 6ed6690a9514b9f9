"""Emails as people read them: who they are from, how they greet, their HTML, their links."""

from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

import pytest

from booking.emails import booking_message, reminder_message
from booking.mail_layout import greeting_name
from booking.services import booking_cancel
from tests.factories import book
from tests.support.mail import body_parts, html_elements, html_links, parse, subject

PARIS = ZoneInfo("Europe/Paris")
NEW_YORK = ZoneInfo("America/New_York")
NOW = datetime(2027, 3, 1, 8, tzinfo=UTC)
START = datetime(2027, 3, 3, 9, tzinfo=PARIS)

pytestmark = pytest.mark.django_db


def confirmation(session_type, role="invitee", start=START, **invitee):
    return booking_message(book(session_type, start, now=NOW, **invitee), role=role,
                           kind="confirmed", now=NOW)


def test_the_invitees_email_comes_from_the_coach_by_name_at_our_address(session_type,
                                                                        settings):
    settings.DEFAULT_FROM_EMAIL = "Créneau <rdv@créneau.example>"
    parsed = parse(confirmation(session_type))
    sender = parsed["From"].addresses[0]
    assert sender.display_name == "Claire Martin"
    assert sender.addr_spec == "rdv@" + "créneau.example".encode("idna").decode()  # as for To
    assert parsed["Reply-To"].addresses[0].addr_spec == session_type.coach.user.email
    assert parsed["Reply-To"].addresses[0].display_name == "Claire Martin"


def test_replies_go_to_the_coachs_notification_address_when_she_has_one(session_type):
    booking = book(session_type, START, now=NOW)
    booking.coach.notification_email = "agenda@claire.example"
    for role in ("invitee", "coach"):
        parsed = parse(booking_message(booking, role=role, kind="confirmed", now=NOW))
        header = "Reply-To" if role == "invitee" else "To"
        assert parsed[header].addresses[0].addr_spec == "agenda@claire.example"


def test_the_coachs_email_comes_from_creneau_and_replies_go_to_the_invitee(session_type):
    parsed = parse(confirmation(session_type, role="coach"))
    assert parsed["From"].addresses[0].display_name == "Créneau"
    assert parsed["From"].addresses[0].addr_spec == "noreply@localhost"
    assert parsed["Reply-To"].addresses[0].addr_spec == "ada@example.org"
    assert parsed["Reply-To"].addresses[0].display_name == "Ada Lovelace"


@pytest.mark.parametrize(("name", "first"), [
    ("Zoé Martin", "Zoé"), ("Zoé", "Zoé"), ("  Jean-Pierre   de la Tour ", "Jean-Pierre"),
    ("zoe@example.org", ""), ("user1234", ""), ("Ada 2", ""), ("M. Dupont", ""),
    ("Dr Watson", ""), ("", ""), ("— —", ""),
])
def test_greeting_name_is_the_first_name_when_one_can_be_told(name, first):
    assert greeting_name(name) == first


@pytest.mark.parametrize(("language", "name", "greeting"), [
    ("fr", "Zoé Martin", "Bonjour Zoé,"), ("en", "Zoé Martin", "Hello Zoé,"),
    ("fr", "zoe.martin@example.org", "Bonjour,"), ("en", "ZM75", "Hello,"),
])
def test_emails_greet_by_first_name_in_the_recipients_language(session_type, language, name,
                                                               greeting):
    text, html = body_parts(confirmation(session_type, name=name, language=language))
    assert text.startswith(greeting + "\n")
    assert f"<p>{greeting}</p>" in html.replace(' style="', "\0").split("\0")[0] or (
        f">{greeting}</p>" in html)
    assert "Ada" not in text.split("\n")[0] and name not in text.split("\n")[0]


def test_the_coach_is_greeted_by_her_first_name(session_type):
    text, _html = body_parts(confirmation(session_type, role="coach"))
    assert text.startswith("Bonjour Claire,\n")


def calendar_links(html: str) -> tuple[dict[str, str], dict[str, str]]:
    links = html_links(html)
    google = next(href for text, href in links.items() if "Google" in text)
    outlook = next(href for text, href in links.items() if "Outlook" in text)
    assert urlsplit(google).netloc == "calendar.google.com"
    assert urlsplit(outlook).netloc == "outlook.live.com"
    return ({k: v[0] for k, v in parse_qs(urlsplit(google).query).items()},
            {k: v[0] for k, v in parse_qs(urlsplit(outlook).query).items()})


@pytest.mark.parametrize("role", ["invitee", "coach"])
def test_confirmations_carry_add_to_calendar_links_at_the_bookings_utc_times(session_type,
                                                                             role):
    session_type.location_kind, session_type.location_details = "in_person", "3 rue d'Ys"
    session_type.save()
    booking = book(session_type, START, now=NOW, zone=NEW_YORK)
    text, html = body_parts(booking_message(booking, role=role, kind="confirmed", now=NOW))
    google, outlook = calendar_links(html)
    start, end = booking.start.astimezone(UTC), booking.end.astimezone(UTC)
    assert google["dates"] == f"{start:%Y%m%dT%H%M%SZ}/{end:%Y%m%dT%H%M%SZ}"
    assert datetime.fromisoformat(outlook["startdt"]) == start
    assert datetime.fromisoformat(outlook["enddt"]) == end
    assert google["location"] == outlook["location"] == "3 rue d'Ys"
    assert "30 min d'entretien personnalisé" in google["text"] == outlook["subject"]
    # The manage link is the invitee's credential: only her own links carry it.
    assert (booking.manage_token in google["details"]) == (role == "invitee")
    assert (booking.manage_token in outlook["body"]) == (role == "invitee")
    # The plain text part gives the same links, whole.
    for href in html_links(html).values():
        if "calendar" in href:
            assert href in text


def test_the_attachment_is_described_for_what_it_does(session_type):
    fr_text, fr_html = body_parts(confirmation(session_type))
    assert "Le fichier invite.ics joint ajoute la séance à votre agenda si vous l'ouvrez" in (
        fr_text)
    assert "ajoute la séance à votre agenda" in fr_html
    booking_cancel(booking=session_type.bookings.get(), by="coach", now=NOW)
    en_text, _ = body_parts(confirmation(session_type, language="en"))
    assert "Open the attached invite.ics to add the session to your calendar" in en_text
    assert "adds the session to your calendar." not in en_text


def test_cancellations_carry_no_add_to_calendar_link(session_type):
    booking = booking_cancel(booking=book(session_type, START, now=NOW), by="coach", now=NOW)
    for role in ("invitee", "coach"):
        text, html = body_parts(booking_message(booking, role=role, kind="cancelled", now=NOW))
        assert "calendar.google.com" not in text + html
        assert "outlook.live.com" not in text + html
        assert "invite.ics" in text  # it says what the attached CANCEL does


def test_the_video_room_link_is_in_both_sides_emails(session_type):
    session_type.location_kind, session_type.location_room_per_booking = "video", True
    session_type.save()
    booking = book(session_type, START, now=NOW)
    assert booking.meeting_url
    for role in ("invitee", "coach"):
        text, html = body_parts(booking_message(booking, role=role, kind="confirmed", now=NOW))
        assert booking.meeting_url in text
        assert booking.meeting_url in html_links(html).values()


KEY_TAGS = ("body", "table", "td", "p", "a", "h2")


@pytest.mark.parametrize("build", [
    lambda b: booking_message(b, role="invitee", kind="confirmed", now=NOW),
    lambda b: booking_message(b, role="coach", kind="confirmed", now=NOW),
    lambda b: reminder_message(b),
], ids=["invitee", "coach", "reminder"])
def test_html_is_styled_inline_for_mail_clients(session_type, build):
    _text, html = body_parts(build(book(session_type, START, now=NOW)))
    elements, stylesheet = html_elements(html)
    for tag, attributes in elements:
        if tag in KEY_TAGS and attributes.get("class") != "buttons":
            assert attributes.get("style"), f"<{tag} {attributes}> has no inline style"
    paragraph = next(attrs for tag, attrs in elements if tag == "p")
    assert "sans-serif" in paragraph["style"] and "color:" in paragraph["style"].replace(" ", "")
    # What stays in <style> is only what cannot be inlined: media queries.
    assert stylesheet.strip().startswith("@media")
    assert "prefers-color-scheme: dark" in stylesheet
    metas = {attrs.get("name"): attrs.get("content") for tag, attrs in elements if tag == "meta"}
    assert metas["color-scheme"] == "light dark"
    assert "width=device-width" in metas["viewport"]
    card = next(attrs for tag, attrs in elements if "card" in attrs.get("class", ""))
    assert "max-width: 600px" in card["style"] and card["width"] == "100%"


def test_every_coloured_text_sits_on_a_background_of_its_own(session_type):
    # Dark mode in clients that invert: text colours are only set inside a painted card.
    _text, html = body_parts(confirmation(session_type))
    elements, _ = html_elements(html)
    body = next(attrs for tag, attrs in elements if tag == "body")
    page = next(attrs for tag, attrs in elements if "page" in attrs.get("class", ""))
    card = next(attrs for tag, attrs in elements if "card" in attrs.get("class", ""))
    for attrs in (body, page, card):
        assert "background-color:" in attrs["style"].replace(" ", "")
    assert page["bgcolor"] and card["bgcolor"]


def test_english_emails_use_the_english_session_name_and_description(session_type):
    session_type.name_en = "30-minute personal session"
    session_type.description_en = "A first conversation."
    session_type.description = "Un premier échange."
    session_type.save()
    english = parse(confirmation(session_type, language="en"))
    assert subject(english).startswith("Confirmed: 30-minute personal session with Claire")
    text, html = body_parts(confirmation(session_type, language="en", email="b@example.org",
                                         start=START + timedelta(hours=1)))
    assert "A first conversation." in text and "Un premier" not in text
    assert "30-minute personal session" in html
    french = parse(confirmation(session_type, email="c@example.org",
                                start=START + timedelta(hours=2)))
    assert "30 min d'entretien personnalisé" in subject(french)


def test_english_falls_back_to_the_french_name_when_none_is_given(session_type):
    english = parse(confirmation(session_type, language="en"))
    assert subject(english).startswith("Confirmed: 30 min d'entretien personnalisé with")


def test_the_plain_text_part_is_complete_and_tidy(session_type):
    booking = book(session_type, START, now=NOW, message="Bonjour !")
    text, _html = body_parts(booking_message(booking, role="invitee", kind="confirmed",
                                             now=NOW))
    for needed in ("Bonjour Ada,", "mercredi 3 mars 2027", "Europe/Paris", booking.manage_url,
                   "calendar.google.com", "outlook.live.com", "Claire Martin"):
        assert needed in text
    assert "\n\n\n" not in text and "<" not in text.replace("<http", "")


def test_the_reminder_keeps_its_content_in_the_new_layout(session_type):
    booking = book(session_type, START + timedelta(days=1), now=NOW, language="en")
    text, html = body_parts(reminder_message(booking))
    assert text.startswith("Hello Ada,")
    assert booking.manage_url in html_links(html).values()
