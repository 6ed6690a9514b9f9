"""Her hours page (/coach/availability/): the week, copies, dates, time off over bookings,
the preview and "why not offered?"; plain forms, refusals change nothing, hers only."""

from datetime import date, datetime, time, timedelta

import pytest
from django.test import Client

from accounts.models import User
from availability import hours, overrides
from availability.models import Availability, BusyInterval, ExternalCalendar
from booking.models import Booking
from tests.factories import CoachFactory, SessionTypeFactory, add_weekday_windows
from tests.support.outbox import notify_args
from tests.workspace.conftest import NOW, PARIS, book

pytestmark = pytest.mark.django_db

URL = "/coach/availability/"
MONDAY = date(2027, 3, 8)


def ranges(coach) -> dict[int, list[tuple[str, str]]]:
    return {day: [(f"{r.start:%H:%M}", f"{r.end:%H:%M}") for r in found]
            for day, found in hours.weekly_ranges(coach=coach, now=NOW).items() if found}


def week_post(coach, **days) -> dict:
    """The week form as the page posts it, her current ranges changed by `days`
    (`d2=[("14:00", "16:00")]`; `d2=None` switches Wednesday off)."""
    current = ranges(coach)
    data = {}
    for day in range(7):
        wanted = days.get(f"d{day}", current.get(day))
        if wanted is not None:
            data[f"d{day}_on"] = "on"
        for i, (start, end) in enumerate(wanted or []):
            data[f"d{day}_start_{i}"], data[f"d{day}_end_{i}"] = start, end
        blank = len(wanted or [])
        data[f"d{day}_start_{blank}"] = data[f"d{day}_end_{blank}"] = ""
    return data


def version(coach) -> int:
    return Availability.objects.get(coach=coach).version


def test_the_page_shows_her_week_in_her_zone_with_real_inputs(signed_in, coach):
    html = signed_in.get(URL).content.decode()
    assert "Europe/Paris" in html
    assert 'type="time" name="d0_start_0" value="09:00"' in html
    assert 'type="time" name="d0_end_1" value="18:00"' in html
    assert 'name="d5_on"' in html and 'name="d5_on" id="id_d5_on" checked' not in html
    assert 'type="date" name="off_first"' in html
    assert f'href="{URL}" aria-current="page"' in html
    assert html.count('name="csrfmiddlewaretoken"') >= 4


def test_strangers_and_anonymous_visitors_do_not_get_in(client, coach):
    assert client.get(URL).status_code == 302
    client.force_login(User.objects.create_user(email="nobody@example.com", password="pw"))
    assert client.get(URL).status_code == 404


def test_saving_the_week_changes_only_what_changed(signed_in, coach):
    monday_ids = [r.id for r in hours.weekly_ranges(coach=coach, now=NOW)[0]]
    response = signed_in.post(URL + "week/", week_post(coach, d2=[("14:00", "16:00")],
                                                       d5=[("10:00", "12:00")]))
    assert response.status_code == 302 and response.url == URL
    assert ranges(coach)[2] == [("14:00", "16:00")]
    assert ranges(coach)[5] == [("10:00", "12:00")]
    assert [r.id for r in hours.weekly_ranges(coach=coach, now=NOW)[0]] == monday_ids


def test_a_day_switched_off_loses_its_ranges(signed_in, coach):
    signed_in.post(URL + "week/", week_post(coach, d4=None))
    assert 4 not in ranges(coach)


def test_removing_one_range(signed_in, coach):
    data = week_post(coach)
    data["d1_remove_0"] = "on"
    assert signed_in.post(URL + "week/", data).status_code == 302
    assert ranges(coach)[1] == [("14:00", "18:00")]


@pytest.mark.parametrize(("language", "day", "bad", "message"), [
    ("fr", "d2", [("16:00", "14:00")], "La fin doit être postérieure au début."),
    ("en", "d2", [("16:00", "14:00")], "The end must be after the start."),
    ("en", "d2", [("14:00", "14:00")], "The end must be after the start."),
    ("fr", "d3", [("09:00", "12:00"), ("11:00", "13:00")], "se chevauchent"),
    ("en", "d3", [("09:00", "12:00"), ("11:00", "13:00")], "overlap"),
    ("en", "d3", [("09:00", "")], "Give both the start and the end"),
    ("en", "d3", [("25:00", "26:00")], "Enter a time as HH:MM"),
    ("en", "d3", [("09:00\x00", "10:00")], "Enter a time as HH:MM"),
    ("fr", "d3", [("9h", "10:00")], "Saisissez une heure au format HH:MM"),
])
def test_bad_ranges_are_refused_with_a_message_and_nothing_changes(
        signed_in, coach, language, day, bad, message):
    coach.language = language
    coach.save()
    before, stamp = ranges(coach), version(coach)
    response = signed_in.post(URL + "week/", week_post(coach, **{day: bad}))
    assert response.status_code == 400
    html = response.content.decode()
    assert message in html and 'role="alert"' in html
    assert ranges(coach) == before and version(coach) == stamp


def test_a_day_on_without_a_range_is_refused(signed_in, coach):
    response = signed_in.post(URL + "week/", week_post(coach, d6=[]))
    assert response.status_code == 400
    assert 6 not in ranges(coach)


def test_copying_a_day(signed_in, coach):
    signed_in.post(URL + "week/", week_post(coach, d0=[("08:00", "10:00")]))
    response = signed_in.post(URL + "copy/", {"source": "0", "targets": ["3", "5"]})
    assert response.status_code == 302
    assert ranges(coach)[3] == ranges(coach)[5] == [("08:00", "10:00")]
    assert signed_in.post(URL + "copy/", {"source": "0"}).status_code == 400


def test_a_free_date_is_closed_at_once(signed_in, coach, session_type):
    response = signed_in.post(URL + "dates/", {"date_1": "2027-03-08", "date_2": "2027-03-09",
                                               "mode": "closed"})
    assert response.status_code == 302
    assert [o.day for o in overrides.overrides(coach=coach, now=NOW)] == [MONDAY,
                                                                      date(2027, 3, 9)]
    html = signed_in.get(URL).content.decode()
    assert 'data-day="2027-03-08"' in html
    assert signed_in.post(URL + "dates/2027-03-08/remove/").status_code == 302
    assert [o.day for o in overrides.overrides(coach=coach, now=NOW)] == [date(2027, 3, 9)]


def test_a_date_with_other_hours(signed_in, coach, session_type):
    response = signed_in.post(URL + "dates/", {"date_1": "2027-03-13", "mode": "hours",
                                               "start_1": "10:00", "end_1": "12:00"})
    assert response.status_code == 302
    assert overrides.overrides(coach=coach, now=NOW) == [
        overrides.Override(date(2027, 3, 13), ((time(10), time(12)),))]
    bad = signed_in.post(URL + "dates/", {"date_1": "2027-03-14", "mode": "hours",
                                          "start_1": "12:00", "end_1": "10:00"})
    assert bad.status_code == 400
    assert len(overrides.overrides(coach=coach, now=NOW)) == 1


def _time_off() -> dict:
    return {"off_first": "2027-03-08", "off_last": "2027-03-12"}


def test_time_off_over_bookings_warns_before_saving(signed_in, coach, session_type):
    monday = book(session_type, datetime(2027, 3, 8, 10, tzinfo=PARIS), name="Ada Lovelace")
    response = signed_in.post(URL + "time-off/", _time_off())
    assert response.status_code == 200
    html = response.content.decode()
    assert "Ada Lovelace" in html and 'id="covered-warning"' in html
    assert "lundi 8 mars 2027, 10:00" in html  # her time, not UTC
    assert f'name="seen" value="{monday.uid}"' in html
    assert 'name="off_first" value="2027-03-08"' in html
    assert hours.one_off_events(coach=coach, kind="time_off", now=NOW) == []


def test_keeping_the_bookings(signed_in, coach, session_type):
    monday = book(session_type, datetime(2027, 3, 8, 10, tzinfo=PARIS))
    sent = notify_args()
    response = signed_in.post(URL + "time-off/", {**_time_off(), "decision": "keep",
                                                  "seen": [str(monday.uid)]})
    assert response.status_code == 302
    assert len(hours.one_off_events(coach=coach, kind="time_off", now=NOW)) == 1
    monday.refresh_from_db()
    assert monday.status == Booking.Status.CONFIRMED and notify_args() == sent


def test_cancelling_the_bookings_tells_the_invitees(signed_in, coach, session_type):
    monday = book(session_type, datetime(2027, 3, 8, 10, tzinfo=PARIS))
    sent = len(notify_args())
    response = signed_in.post(URL + "time-off/", {
        **_time_off(), "decision": "cancel", "seen": [str(monday.uid)],
        "message": "Je serai en congé."})
    assert response.status_code == 302
    monday.refresh_from_db()
    assert monday.status == Booking.Status.CANCELLED
    assert monday.cancel_reason == "Je serai en congé."
    assert len(notify_args()) == sent + 1


def test_a_booking_made_after_the_warning_is_shown_too(signed_in, coach, session_type):
    monday = book(session_type, datetime(2027, 3, 8, 10, tzinfo=PARIS))
    response = signed_in.post(URL + "time-off/", {**_time_off(), "decision": "cancel"})
    assert response.status_code == 200
    assert f'name="seen" value="{monday.uid}"' in response.content.decode()
    monday.refresh_from_db()
    assert monday.status == Booking.Status.CONFIRMED
    assert hours.one_off_events(coach=coach, kind="time_off", now=NOW) == []


def test_a_closed_date_over_a_booking_warns_too(signed_in, coach, session_type):
    book(session_type, datetime(2027, 3, 8, 10, tzinfo=PARIS), name="Grace Hopper")
    response = signed_in.post(URL + "dates/", {"date_1": "2027-03-08", "mode": "closed"})
    assert response.status_code == 200 and "Grace Hopper" in response.content.decode()
    assert overrides.overrides(coach=coach, now=NOW) == []


def test_an_afternoon_off_and_removing_it(signed_in, coach):
    response = signed_in.post(URL + "time-off/", {"off_first": "2027-03-09",
                                                  "off_start": "14:00", "off_end": "18:00"})
    assert response.status_code == 302
    [event] = hours.one_off_events(coach=coach, kind="time_off", now=NOW)
    assert event.start == datetime(2027, 3, 9, 14, tzinfo=PARIS)
    assert signed_in.post(f"{URL}time_off/{event.pk}/remove/").status_code == 302
    assert hours.one_off_events(coach=coach, kind="time_off", now=NOW) == []


def test_bad_time_off_is_refused(signed_in, coach):
    for data in ({"off_first": "2027-03-09", "off_last": "2027-03-08"},
                 {"off_first": "2027-02-30"}, {"off_first": ""}, {"off_first": "2027-3-9"},
                 {"off_first": "9999-12-31"},
                 {"off_first": "2027-03-09", "off_start": "18:00", "off_end": "14:00"}):
        assert signed_in.post(URL + "time-off/", data).status_code == 400, data
    assert hours.one_off_events(coach=coach, kind="time_off", now=NOW) == []


def test_another_coachs_event_is_a_404(signed_in, coach):
    other = CoachFactory(slug="autre")
    add_weekday_windows(other)
    event = hours.time_off_create(coach=other, start=datetime(2027, 3, 8, tzinfo=PARIS),
                                  end=datetime(2027, 3, 9, tzinfo=PARIS))
    assert signed_in.post(f"{URL}time_off/{event.pk}/remove/").status_code == 404
    weekly = hours.weekly_ranges(coach=coach, now=NOW)[0][0].id
    assert signed_in.post(f"{URL}weekly/{weekly}/remove/").status_code == 404
    assert signed_in.post(f"{URL}dates/2027-03-08/remove/").status_code == 404
    assert signed_in.post(f"{URL}dates/nope/remove/").status_code == 404
    assert hours.coach_event(coach=other, kind="time_off", pk=event.pk) is not None


def test_every_form_needs_its_csrf_token(coach):
    client = Client(enforce_csrf_checks=True)
    client.force_login(coach.user)
    for path in ("week/", "copy/", "time-off/", "dates/"):
        assert client.post(URL + path, {}).status_code == 403
    assert ranges(coach)


def test_the_preview_shows_the_slots_her_hours_give(signed_in, coach, session_type):
    SessionTypeFactory(coach=coach, slug="long", name="Long", duration=timedelta(hours=2),
                       position=1)
    html = signed_in.get(URL).content.decode()
    assert '<li class="preview__day" data-day="2027-03-03"><strong>' in html
    assert "09:00, 09:30, 10:00" in html
    long = signed_in.get(URL, {"type": "long"}).content.decode()
    assert "09:00, 09:30, 10:00, 14:00" in long


@pytest.mark.parametrize(("asked", "answer"), [
    ("10:00", "It is booked: Ada Lovelace"),
    ("10:15", "off the slot grid"),
    ("12:30", "outside your hours"),
    ("09:30", "busy in your calendar “Perso”"),
])
def test_why_a_time_is_not_offered(signed_in, coach, session_type, asked, answer):
    coach.language = "en"
    coach.save()
    book(session_type, datetime(2027, 3, 3, 10, tzinfo=PARIS), name="Ada Lovelace")
    calendar = ExternalCalendar.objects.create(coach=coach, name="Perso",
                                               url="https://example.com/p.ics")
    BusyInterval.objects.create(coach=coach, source=calendar,
                                start=datetime(2027, 3, 3, 9, 30, tzinfo=PARIS),
                                end=datetime(2027, 3, 3, 9, 45, tzinfo=PARIS))
    html = signed_in.get(URL, {"why_day": "2027-03-03", "why_time": asked,
                               "why_type": "discovery"}).content.decode()
    assert answer in html.replace("&#x27;", "'").replace("&quot;", '"')


def test_why_with_bad_values_is_a_form_error(signed_in, coach, session_type):
    response = signed_in.get(URL, {"why_day": "2027-02-30", "why_time": "99:00",
                                   "why_type": "nope"})
    assert response.status_code == 200
    assert 'id="why-answer"' not in response.content.decode()
    assert "field__errors" in response.content.decode()


@pytest.mark.parametrize("weeks", [1, 20])
def test_the_page_reads_a_bounded_number_of_queries(signed_in, coach, session_type, weeks,
                                                    django_assert_max_num_queries):
    """The same count with 2 or 40 overrides and time off, and 28 weekly ranges."""
    signed_in.post(URL + "week/", week_post(coach, **{
        f"d{day}": [("07:00", "08:00"), ("09:00", "12:00"), ("13:00", "14:00"),
                    ("15:00", "19:00")] for day in range(7)}))
    for week in range(weeks):
        first = MONDAY + timedelta(weeks=week)
        hours.time_off_create(coach=coach, start=datetime.combine(first, time(7), PARIS),
                              end=datetime.combine(first, time(8), PARIS))
        overrides.overrides_set(coach=coach, days=[first + timedelta(days=2)],
                            hours=[(time(10), time(11))])
    signed_in.get(URL)
    with django_assert_max_num_queries(12):
        response = signed_in.get(URL, {"why_day": "2027-03-03", "why_time": "10:00"})
    assert response.status_code == 200
    assert response.content.decode().count('class="week__range"') == 7 * 5


def test_a_bad_message_shows_the_choice_again_and_saves_nothing(signed_in, coach,
                                                               session_type):
    monday = book(session_type, datetime(2027, 3, 8, 10, tzinfo=PARIS))
    response = signed_in.post(URL + "time-off/", {
        **_time_off(), "decision": "cancel", "seen": [str(monday.uid)],
        "message": "Bonjour\x00"})
    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="covered-warning"' in html and "field__errors" in html
    monday.refresh_from_db()
    assert monday.status == Booking.Status.CONFIRMED
    assert hours.one_off_events(coach=coach, kind="time_off", now=NOW) == []
