"""Add-to-calendar links are built from the invite's facts, URL-encoded, in UTC."""

from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

from booking.calendar_links import google_calendar_url, outlook_calendar_url
from booking.invites import InviteFacts

START = datetime(2027, 3, 3, 9, tzinfo=ZoneInfo("Europe/Paris"))


def facts(**changes) -> InviteFacts:
    values = {
        "uid": "x@creneau", "sequence": 0, "start": START, "end": START + timedelta(minutes=30),
        "summary": "Séance & bilan · Claire", "description": "Où : 3 rue d'Ys\n\n#1 + 2=3",
        "url": "", "organizer_email": "c@example.com", "organizer_name": "C",
        "attendee_email": "a@example.org", "attendee_name": "A",
        "dtstamp": START, "location": "3 rue d'Ys, Paris?"}
    return InviteFacts(**{**values, **changes})


def query(url: str) -> dict[str, str]:
    values = parse_qs(urlsplit(url).query, strict_parsing=True)
    assert all(len(v) == 1 for v in values.values())
    return {key: value[0] for key, value in values.items()}


def test_google_link_carries_the_event_in_utc_and_survives_special_characters():
    url = google_calendar_url(facts())
    assert url.startswith("https://calendar.google.com/calendar/render?")
    assert " " not in url and "\n" not in url
    values = query(url)
    assert values["action"] == "TEMPLATE"
    assert values["dates"] == "20270303T080000Z/20270303T083000Z"
    assert values["text"] == "Séance & bilan · Claire"
    assert values["details"] == "Où : 3 rue d'Ys\n\n#1 + 2=3"
    assert values["location"] == "3 rue d'Ys, Paris?"


def test_outlook_link_carries_the_event_in_utc():
    url = outlook_calendar_url(facts())
    assert url.startswith("https://outlook.live.com/calendar/0/action/compose?")
    values = query(url)
    start = datetime.fromisoformat(values["startdt"])
    end = datetime.fromisoformat(values["enddt"])
    assert (start, end) == (START.astimezone(UTC), START.astimezone(UTC) + timedelta(minutes=30))
    assert values["startdt"].endswith("Z")
    assert values["subject"] == "Séance & bilan · Claire"
    assert values["body"] == "Où : 3 rue d'Ys\n\n#1 + 2=3"
    assert values["location"] == "3 rue d'Ys, Paris?"


def test_a_very_long_description_is_cut_to_keep_the_link_usable():
    url = google_calendar_url(facts(description="é" * 10_000))
    assert len(query(url)["details"]) <= 1500
