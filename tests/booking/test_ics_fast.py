from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from icalendar import Calendar

from booking import ics_fast
from booking.invites import InviteFacts, vevent

ZONES = [UTC, ZoneInfo("Europe/Paris"), ZoneInfo("America/New_York"), ZoneInfo("Asia/Kolkata"),
         ZoneInfo("Pacific/Kiritimati"), timezone(timedelta(hours=-12)),
         timezone(timedelta(hours=5, minutes=30, seconds=17))]
# What escaping, quoting and folding care about, mixed into arbitrary unicode.
SPECIALS = ["\\", "\\N", "\\n", ";", ",", ":", "\n", "\r", "\r\n", '"', "'", "’", "^", " ",
            "\t", "\x00", "\x1f", "\x7f", "\x85", "\u2028", "é", "ç", "·", "李", "🎉", "👩‍💻",
            "mailto:", "a" * 60]
text = st.lists(st.one_of(st.sampled_from(SPECIALS),
                          st.text(st.characters(exclude_categories=("Cs",)), max_size=30)),
                max_size=40).map("".join)
instants = st.datetimes(min_value=datetime(1, 1, 2), max_value=datetime(9999, 12, 20),
                        timezones=st.sampled_from(ZONES))
urls = st.one_of(st.just(""), text.map(lambda s: s.replace("\r", "").replace("\n", "")))


@st.composite
def feed_facts(draw) -> InviteFacts:
    start = draw(instants)
    dtstamp = draw(instants)
    status = draw(st.sampled_from(["CONFIRMED", "TENTATIVE", "CANCELLED"]))
    return InviteFacts(
        uid=draw(st.one_of(st.just("6f1c2a34-8a8e-4c1e-9f3e-2b9c1d0e7a55@creneau"), text)),
        sequence=draw(st.integers(min_value=0, max_value=2**31 - 1)),
        start=start,
        end=start + draw(st.timedeltas(min_value=timedelta(microseconds=1),
                                       max_value=timedelta(days=2))),
        summary=draw(text),
        description=draw(text),
        url=draw(urls),
        organizer_email=draw(text),
        organizer_name=draw(text),
        attendee_email=draw(text),
        attendee_name=draw(text),
        dtstamp=dtstamp,
        status=status,
        # The feed passes its DTSTAMP as LAST-MODIFIED: the same instant, maybe another zone.
        last_modified=draw(st.one_of(st.none(), instants, st.just(dtstamp.astimezone(UTC)))),
        created=draw(st.one_of(st.none(), instants)),
        # vevent drops the alarm of a cancelled event, so such facts are feed events too.
        alarm_minutes=draw(st.integers(-10**6, 10**6)) if status == "CANCELLED" and draw(
            st.booleans()) else None,
    )


FEED_LIKE = InviteFacts(
    uid="6f1c2a34-8a8e-4c1e-9f3e-2b9c1d0e7a55@creneau", sequence=2,
    start=datetime(2027, 3, 3, 9, tzinfo=UTC), end=datetime(2027, 3, 3, 9, 30, tzinfo=UTC),
    summary="30 min d'entretien personnalisé · Zoë \"Z\" O'Brien; Jr",
    description="Ligne 1\nLigne 2, avec; des: signes\\ et é",
    url="", organizer_email="claire@example.org", organizer_name="Claire Martin",
    attendee_email="zoe@example.org", attendee_name="Zoë \"Z\" O'Brien; Jr",
    dtstamp=datetime(2027, 3, 1, 8, tzinfo=UTC), status="CONFIRMED",
    last_modified=datetime(2027, 3, 1, 8, tzinfo=UTC),
    created=datetime(2027, 2, 27, 17, 3, 12, 123456, tzinfo=UTC), alarm_minutes=None)


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(feed_facts())
@example(FEED_LIKE)
# A backslash escape, then a caret escape, right where the line folds.
@example(replace(FEED_LIKE, description="x" * 61 + ";" + "y" * 200))
@example(replace(FEED_LIKE, attendee_name="a" * 12 + "^" * 40, attendee_email="b" * 80))
# Multi-byte characters across the fold, a literal \N, an emoji in a quoted name.
@example(replace(FEED_LIKE, summary="é" * 100 + "🎉" * 50, description="a\\Nb" * 30,
                 organizer_name="Émilie 🎉 D’Arc", url="https://x.test/" + "€" * 40))
def test_the_bytes_are_icalendars_for_any_facts(facts):
    assert ics_fast.vevent_ics(facts) == vevent(facts).to_ical()


def test_feed_events_parse_back_to_the_same_values():
    [event] = Calendar.from_ical(b"BEGIN:VCALENDAR\r\n" + ics_fast.vevent_ics(FEED_LIKE)
                                 + b"END:VCALENDAR\r\n").walk("VEVENT")
    assert str(event["SUMMARY"]) == FEED_LIKE.summary
    assert str(event["DESCRIPTION"]) == FEED_LIKE.description
    assert event["ATTENDEE"].params["CN"] == "Zoë 'Z' O'Brien; Jr"
    assert event.decoded("CREATED") == datetime(2027, 2, 27, 17, 3, 12, tzinfo=UTC)


def test_long_lines_fold_under_75_octets_without_splitting_characters():
    facts = replace(FEED_LIKE, summary="Zoë 🎉 " * 40, description="é;," * 100)
    body = ics_fast.vevent_ics(facts)
    lines = body.split(b"\r\n")
    assert body.endswith(b"END:VEVENT\r\n") and len(lines) > 15
    for line in lines:
        assert len(line) <= 75
        line.decode()  # a character split across lines would not decode


def test_an_alarm_is_refused_rather_than_silently_dropped():
    with pytest.raises(ValueError, match="no alarm"):
        ics_fast.vevent_ics(replace(FEED_LIKE, alarm_minutes=15))
    assert b"VALARM" not in ics_fast.vevent_ics(replace(FEED_LIKE, alarm_minutes=15,
                                                        status="CANCELLED"))


@pytest.mark.parametrize("url", ["https://x.test/\r\nX-EVIL:1", "https://x.test/\n"])
def test_a_url_with_a_line_break_is_refused_like_icalendar_does(url):
    facts = replace(FEED_LIKE, url=url)
    with pytest.raises(ValueError, match="CR or LF"):
        vevent(facts)
    with pytest.raises(ValueError, match="CR or LF"):
        ics_fast.vevent_ics(facts)


def test_a_sequence_beyond_rfc_5545_integers_is_refused_like_icalendar_does():
    facts = replace(FEED_LIKE, sequence=2**31)
    with pytest.raises(ValueError, match="outside the RFC 5545 range"):
        vevent(facts)
    with pytest.raises(ValueError, match="outside the RFC 5545 range"):
        ics_fast.vevent_ics(facts)
    assert b"\r\nSEQUENCE:2147483647\r\n" in ics_fast.vevent_ics(
        replace(FEED_LIKE, sequence=2**31 - 1))
