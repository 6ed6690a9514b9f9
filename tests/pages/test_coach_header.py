"""Her page's header and a type's card: who she is (photo or initial, bio in the page's
language, website) and the type's duration, price and place, each said once."""

from datetime import UTC, datetime

import pytest
import time_machine
from django.conf import settings
from django.core.files.base import ContentFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import CoachFactory, SessionTypeFactory, add_weekday_windows
from tests.support.html import Element, parse_html
from tests.support.images import image_bytes

NOW = datetime(2027, 3, 1, 8, tzinfo=UTC)
PICKER = "/demo/discovery/"

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def profiled(coach):
    coach.bio = "Coach en communication à Paris."
    coach.bio_en = "Communication coach in Paris."
    coach.website = "https://www.claire.example/about"
    coach.photo.save("claire.jpg", ContentFile(image_bytes("JPEG", (512, 512))), save=False)
    coach.save()
    return coach


def page(client, path: str = PICKER, language: str = "fr"):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    response = client.get(path)
    assert response.status_code == 200
    return parse_html(response.content.decode())


def intro(document):
    return document.by_id("intro")


@pytest.mark.parametrize(("language", "bio", "alt", "website"), [
    ("fr", "Coach en communication à Paris.", "Photo de Claire Martin",
     "Site web : claire.example"),
    ("en", "Communication coach in Paris.", "Photo of Claire Martin",
     "Website: claire.example"),
])
def test_header_shows_her_name_photo_bio_and_website(client, profiled, session_type,
                                                     language, bio, alt, website):
    header = intro(page(client, language=language))
    assert header.find_all("h1")[0].text == "Claire Martin"
    [photo] = header.find_all("img")
    assert photo.attrs["alt"] == alt
    assert photo.attrs["src"] == profiled.photo.url
    assert photo.attrs["src"].startswith(settings.MEDIA_URL + "coaches/")
    assert header.by_id("coach-bio").text == bio
    link = header.by_id("coach-website")
    assert link.attrs["href"] == "https://www.claire.example/about"
    assert link.text.replace("\u00a0", " ") == website
    assert header.by_id("coach-initial") is None


def test_english_page_falls_back_to_the_french_bio_only_when_empty(client, coach,
                                                                  session_type):
    coach.bio, coach.bio_en = "Coach en communication.", ""
    coach.save()
    assert intro(page(client, language="en")).by_id("coach-bio").text == (
        "Coach en communication.")


def test_without_photo_her_initial_in_a_circle_and_no_empty_parts(client, coach,
                                                                  session_type):
    header = intro(page(client))
    initial = header.by_id("coach-initial")
    assert initial.text == "C" and initial.attrs["aria-hidden"] == "true"
    assert "avatar--initial" in initial.classes
    assert header.find_all("img") == []
    assert header.by_id("coach-bio") is None and header.by_id("coach-website") is None


@pytest.mark.parametrize(("language", "duration", "price", "where"), [
    ("fr", "45 minutes", "Gratuit", "En personne : 8 rue des Lilas, Paris"),
    ("en", "45 minutes", "Free", "In person: 8 rue des Lilas, Paris"),
])
def test_card_says_duration_price_and_place_once_each(client, coach, language, duration,
                                                      price, where):
    from datetime import timedelta

    SessionTypeFactory(coach=coach, slug="discovery", name="Entretien", description="Parlons.",
                       duration=timedelta(minutes=45), location_kind="in_person",
                       location_details="8 rue des Lilas, Paris")
    document = page(client, language=language)
    facts = document.by_id("facts")
    assert facts.by_id("duration").text == duration
    assert facts.by_id("price").text == price
    assert facts.by_id("where").text.replace("\u00a0", " ") in (
        where, where.split(": ", 1)[1], where.split(" : ", 1)[-1])
    # The header and the card, without the zone picker (its city list) and the slots below.
    [card] = document.find_all("section", cls="picker")
    said = " ".join([intro(document).text] + [
        child.text for child in card.children if isinstance(child, Element)
        and child.tag not in ("form", "details") and child.attrs.get("id") != "slots"])
    assert said.count("45 minutes") == 1
    assert said.count("8 rue des Lilas") == 1
    assert said.count(price) == 1


@pytest.mark.parametrize(("language", "price"), [("fr", "90,00\u00a0€"), ("en", "€90.00")])
def test_a_paid_type_shows_its_price_in_the_pages_language(client, coach, language, price):
    SessionTypeFactory(coach=coach, slug="discovery", price_amount=9000, price_currency="eur")
    assert page(client, language=language).by_id("price").text == price.replace("\u00a0", " ")


def test_the_coach_page_lists_each_type_with_its_facts(client, coach):
    from datetime import timedelta

    SessionTypeFactory(coach=coach, slug="discovery", name="Découverte")
    SessionTypeFactory(coach=coach, slug="bilan", name="Bilan", duration=timedelta(hours=1),
                       price_amount=9000, price_currency="eur", location_kind="phone")
    document = page(client, "/demo/")
    choices = document.find_all("a", cls="choice")
    metas = [c.find_all(cls="choice__meta")[0].text for c in choices]
    assert metas[0] == "30 minutes · Gratuit"
    assert metas[1].replace("\u00a0", " ") == "60 minutes · 90,00 € · Appel téléphonique"


def test_the_profile_adds_no_query(client, coach, session_type):
    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            page(client)
        return len(queries)

    page(client)  # windows cached, as on any busy page
    plain = count()
    coach.bio, coach.bio_en, coach.website = "Bio.", "Bio.", "https://claire.example"
    coach.photo.save("c.jpg", ContentFile(image_bytes("JPEG", (64, 64))), save=False)
    coach.save()
    assert count() == plain <= 12


def test_another_coachs_profile_does_not_leak(client, profiled, session_type):
    other = CoachFactory(slug="autre", display_name="Autre", bio="Autre bio")
    add_weekday_windows(other)
    SessionTypeFactory(coach=other)
    header = intro(page(client, "/autre/discovery/"))
    assert header.find_all("h1")[0].text == "Autre"
    assert header.find_all("img") == [] and header.by_id("coach-website") is None
