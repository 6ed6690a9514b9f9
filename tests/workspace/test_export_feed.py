"""CSV export (Excel-safe, her zone) and the private feed URL with its rotation."""

import csv
import io
import re

import pytest
from django.test import Client

from tests.workspace.conftest import THURSDAY_15, book

pytestmark = pytest.mark.django_db


def csv_rows(response) -> list[list[str]]:
    raw = b"".join(response.streaming_content)
    assert raw.startswith("\ufeff".encode())
    return list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))


def test_export_is_utf8_with_bom_in_her_zone_and_formula_safe(signed_in, session_type):
    book(session_type, message='=HYPERLINK("http://evil.example","clic"), "quoted"',
         name="Zoé, l'Ardéchoise")
    book(session_type, THURSDAY_15, name="@Grace", email="grace@example.org", message="-1+1")
    response = signed_in.get("/coach/export.csv?start=2027-03-01&end=2027-03-31")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in response["Content-Disposition"]
    header, first, second = csv_rows(response)
    assert "Europe/Paris" in header[0] and "Europe/Paris" in header[1]
    assert first[:3] == ["2027-03-03", "10:00", "10:30"]
    assert first[5] == "Zoé, l'Ardéchoise"
    assert first[9] == "'" + '=HYPERLINK("http://evil.example","clic"), "quoted"'
    assert second[5] == "'@Grace" and second[9] == "'-1+1"


def test_export_range_is_inclusive_local_dates(signed_in, session_type):
    book(session_type)
    assert len(csv_rows(signed_in.get("/coach/export.csv?start=2027-03-03&end=2027-03-03"))) == 2
    assert len(csv_rows(signed_in.get("/coach/export.csv?start=2027-03-04&end=2027-03-05"))) == 1


@pytest.mark.parametrize("query", ["start=2027-13-01", "end=x", "start=2027-03-05&end=2027-03-01",
                                   "start=2020-01-01&end=2027-01-01"])
def test_bad_export_ranges_are_400(signed_in, query):
    assert signed_in.get(f"/coach/export.csv?{query}").status_code == 400


def test_feed_url_is_shown_with_a_copy_button_and_rotation_shows_the_new_one(coach):
    client = Client(enforce_csrf_checks=True)
    client.force_login(coach.user)
    old_url = coach.feed_url
    page = client.get("/coach/feed/").text
    assert f'value="{old_url}"' in page and 'data-copy="feed-url"' in page
    confirm = client.get("/coach/feed/rotate/")
    coach.refresh_from_db()
    assert coach.feed_url == old_url  # GET changes nothing
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', confirm.text).group(1)
    response = client.post("/coach/feed/rotate/", {"csrfmiddlewaretoken": token}, follow=True)
    coach.refresh_from_db()
    assert coach.feed_url != old_url
    assert f'value="{coach.feed_url}"' in response.text
    assert Client().get(old_url.removeprefix("https://creneau.test")).status_code == 404
