"""Her profile page, /coach/settings/: the form saves through the service, refusals change
nothing and are said in her language, and her zone change asks what her hours do."""

from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from accounts.models import Coach
from accounts.photos import PHOTO_NOT_IMAGE
from accounts.services import BAD_WEBSITE
from availability.services import ZONE_CHOICE_NEEDED
from tests.support.html import fr
from tests.support.images import image_bytes, opened

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def form(coach: Coach, **changes) -> dict:
    data = {"display_name": coach.display_name, "bio": "Coach en communication.",
            "bio_en": "Communication coach.", "website": "https://claire.example/",
            "zone": str(coach.timezone), "zone_hours": "", "language": coach.language,
            "notification_email": ""}
    return {**data, **changes}


def stored(coach: Coach) -> tuple:
    row = Coach.objects.get(pk=coach.pk)
    return (row.display_name, row.bio, row.bio_en, row.website, str(row.timezone),
            row.language, row.notification_email, row.photo.name)


def test_the_page_shows_her_values_and_is_in_the_nav(signed_in, coach):
    coach.bio = "Coach à Paris."
    coach.save()
    html = signed_in.get("/coach/settings/").content.decode()
    assert 'href="/coach/settings/" aria-current="page"' in html
    assert "Coach à Paris." in html
    assert '<option value="Europe/Paris" selected>' in html
    assert 'enctype="multipart/form-data"' in html


def test_saving_her_profile_with_a_photo(signed_in, coach, media):
    photo = SimpleUploadedFile("moi.png", image_bytes("PNG", (900, 700)), "image/png")
    response = signed_in.post("/coach/settings/", {
        **form(coach, display_name="Claire M.", notification_email="agenda@claire.example",
               language="en"), "photo": photo})
    assert response.status_code == 302 and response["Location"] == "/coach/settings/"
    coach.refresh_from_db()
    assert (coach.display_name, coach.bio_en, coach.website, coach.language,
            coach.notification_address) == ("Claire M.", "Communication coach.",
                                            "https://claire.example/", "en",
                                            "agenda@claire.example")
    assert opened((media / coach.photo.name).read_bytes()).size == (512, 512)
    page = signed_in.get("/coach/settings/")
    # The next page speaks the language she chose.
    assert page["Content-Language"] == "en" and "Your profile is saved." in page.content.decode()
    assert coach.photo.url in page.content.decode()


@pytest.mark.parametrize("language", ["fr", "en"])
def test_a_bad_website_is_refused_in_her_language_and_nothing_changes(signed_in, coach,
                                                                      language):
    coach.language = language
    coach.save()
    before = stored(coach)
    response = signed_in.post("/coach/settings/", form(coach, website="javascript:alert(1)",
                                                       display_name="Eve"))
    assert response.status_code == 400
    with translation.override(language):
        message = str(BAD_WEBSITE)
    assert message in response.content.decode()
    assert 'role="alert"' in response.content.decode()
    assert stored(coach) == before


def test_a_text_file_named_jpg_is_refused_with_a_clear_message(signed_in, coach, media):
    before = stored(coach)
    fake = SimpleUploadedFile("photo.jpg", b"just some text\n", "image/jpeg")
    response = signed_in.post("/coach/settings/", {**form(coach, display_name="Eve"),
                                                   "photo": fake})
    assert response.status_code == 400
    assert fr(PHOTO_NOT_IMAGE) in response.content.decode()
    assert stored(coach) == before and not list(media.rglob("*.*"))


def test_changing_zone_asks_what_her_hours_do(signed_in, coach):
    before = stored(coach)
    response = signed_in.post("/coach/settings/", form(coach, zone="America/New_York"))
    assert response.status_code == 400
    assert fr(ZONE_CHOICE_NEEDED) in response.content.decode()
    assert stored(coach) == before


def test_changing_zone_keeping_wall_clock_times(signed_in, coach):
    response = signed_in.post("/coach/settings/", form(coach, zone="America/New_York",
                                                       zone_hours="wall"))
    assert response.status_code == 302
    coach.refresh_from_db()
    assert str(coach.timezone) == "America/New_York"
    week = signed_in.get("/coach/week/", {"week": date(2027, 3, 22).isoformat()})
    html = week.content.decode()
    assert "America/New_York" in html


@pytest.mark.parametrize("zone", ["Mars/Olympus_Mons", "europe/paris", "UTC+01:00", ""])
def test_an_unknown_zone_is_refused(signed_in, coach, zone):
    before = stored(coach)
    response = signed_in.post("/coach/settings/", form(coach, zone=zone, zone_hours="wall"))
    assert response.status_code == 400 and b"field__errors" in response.content
    assert stored(coach) == before


def test_signed_out_visitors_are_sent_to_sign_in(client):
    response = client.get("/coach/settings/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
