"""The coach's profile: what her page shows of her, checked and stored all or nothing."""

import io

import pytest
from django.core.exceptions import ValidationError
from PIL import Image

from accounts.photos import (
    MAX_UPLOAD_BYTES,
    PHOTO_NOT_IMAGE,
    PHOTO_SIZE,
    PHOTO_TOO_BIG,
    PHOTO_TOO_MANY_PIXELS,
)
from accounts.services import BAD_TEXT, BAD_WEBSITE, NAME_REQUIRED, coach_profile_update
from tests.factories import CoachFactory
from tests.support.images import GPS_MARKER, image_bytes, opened, upload

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def stored(coach) -> bytes:
    coach.refresh_from_db()
    with coach.photo.open("rb") as handle:
        return handle.read()


def test_profile_fields_are_saved_cleaned():
    coach = CoachFactory()
    coach_profile_update(coach=coach, changes={
        "display_name": "  Claire Martin ", "bio": "Coach.\nÀ Paris.", "bio_en": "Coach.",
        "website": " https://claire.example/ ", "language": "en",
        "notification_email": "Agenda@Claire.Example"})
    coach.refresh_from_db()
    assert (coach.display_name, coach.bio, coach.bio_en, coach.website, coach.language,
            coach.notification_email) == ("Claire Martin", "Coach.\nÀ Paris.", "Coach.",
                                          "https://claire.example/", "en",
                                          "agenda@claire.example")
    assert coach.notification_address == "agenda@claire.example"


def test_blank_notification_email_means_her_sign_in_address():
    coach = CoachFactory()
    coach_profile_update(coach=coach, changes={"notification_email": ""})
    assert coach.notification_address == coach.user.email


@pytest.mark.parametrize("website", ["javascript:alert(1)", "ftp://claire.example/",
                                     "claire.example", "data:text/html,hi",
                                     "https://claire.example/\x1b[31m"])
def test_website_must_be_http_or_https_and_nothing_changes(website):
    coach = CoachFactory(display_name="Claire")
    with pytest.raises(ValidationError) as refused:
        coach_profile_update(coach=coach, changes={"website": website, "display_name": "Eve"})
    assert set(refused.value.message_dict) == {"website"}
    assert refused.value.message_dict["website"][0] in (str(BAD_WEBSITE), str(BAD_TEXT))
    assert coach.display_name == "Claire"  # the object too keeps what is stored
    coach.refresh_from_db()
    assert (coach.display_name, coach.website) == ("Claire", "")


@pytest.mark.parametrize(("changes", "field", "message"), [
    ({"display_name": "   "}, "display_name", NAME_REQUIRED),
    ({"display_name": "Zoé\r\nBcc: x@example.com"}, "display_name", BAD_TEXT),
    ({"bio": "Bonjour\x00"}, "bio", BAD_TEXT),
    ({"notification_email": "not an address"}, "notification_email", None),
    ({"language": "de"}, "language", None),
])
def test_bad_values_are_refused_with_a_message(changes, field, message):
    coach = CoachFactory(display_name="Claire")
    with pytest.raises(ValidationError) as refused:
        coach_profile_update(coach=coach, changes=changes)
    messages = refused.value.message_dict[field]
    assert messages and (message is None or messages == [str(message)])
    coach.refresh_from_db()
    assert coach.display_name == "Claire" and coach.language == "fr"


def test_photo_is_reencoded_square_small_and_without_metadata(media):
    coach = CoachFactory()
    original = image_bytes("JPEG", (1600, 1000), exif=True)
    assert GPS_MARKER.encode() in original
    coach_profile_update(coach=coach, changes={}, photo=upload("moi.jpg", original))
    data = stored(coach)
    image = opened(data)
    assert image.format == "JPEG" and image.size == (PHOTO_SIZE, PHOTO_SIZE)
    assert GPS_MARKER.encode() not in data and not image.getexif()
    assert coach.photo.name.startswith("coaches/") and (media / coach.photo.name).exists()


def test_a_camera_rotation_is_applied_before_the_metadata_goes():
    coach = CoachFactory()
    # Stored with the mark top-left; orientation 6 = to be shown turned 90° clockwise.
    coach_profile_update(coach=coach, changes={},
                         photo=upload(content=image_bytes("JPEG", (300, 300), orientation=6)))
    image = opened(stored(coach))
    # After the turn the mark runs down the right edge of the shown image.
    right, left = image.getpixel((295, 25)), image.getpixel((25, 5))
    assert right[2] > 200 and right[0] < 60
    assert left[0] > 150 and left[2] < 100


@pytest.mark.parametrize(("fmt", "mode", "expected"), [
    ("PNG", "RGBA", "PNG"), ("PNG", "RGB", "JPEG"), ("WEBP", "RGB", "JPEG")])
def test_png_and_webp_are_accepted(fmt, mode, expected):
    coach = CoachFactory()
    coach_profile_update(coach=coach, changes={}, photo=upload(
        f"me.{fmt.lower()}", image_bytes(fmt, (300, 400), mode=mode), f"image/{fmt.lower()}"))
    image = opened(stored(coach))
    assert image.format == expected and image.size == (300, 300)


@pytest.mark.parametrize(("content", "message"), [
    (b"I am not an image, only named like one.\n", PHOTO_NOT_IMAGE),
    (image_bytes("GIF", (100, 100)), PHOTO_NOT_IMAGE),
    (image_bytes("JPEG")[:600], PHOTO_NOT_IMAGE),  # truncated
    (b"\xff\xd8\xff" + b"\x00" * (MAX_UPLOAD_BYTES + 1), PHOTO_TOO_BIG),
])
def test_what_is_not_a_usable_image_is_refused_and_nothing_changes(content, message, media):
    coach = CoachFactory(display_name="Claire")
    with pytest.raises(ValidationError) as refused:
        coach_profile_update(coach=coach, changes={"display_name": "Eve"},
                             photo=upload("photo.jpg", content))
    assert refused.value.message_dict == {"photo": [str(message)]}
    coach.refresh_from_db()
    assert coach.display_name == "Claire" and not coach.photo
    assert not list(media.rglob("*.*"))


def test_a_huge_canvas_in_a_small_file_is_refused_before_decoding():
    out = io.BytesIO()
    Image.new("L", (10_000, 10_000)).save(out, "PNG")
    assert len(out.getvalue()) < MAX_UPLOAD_BYTES
    with pytest.raises(ValidationError) as refused:
        coach_profile_update(coach=CoachFactory(), changes={},
                             photo=upload("big.png", out.getvalue(), "image/png"))
    assert refused.value.message_dict == {"photo": [str(PHOTO_TOO_MANY_PIXELS)]}


def test_replacing_or_removing_the_photo_deletes_the_old_file(media,
                                                              django_capture_on_commit_callbacks):
    coach = CoachFactory()
    with django_capture_on_commit_callbacks(execute=True):
        coach_profile_update(coach=coach, changes={}, photo=upload())
    first = media / coach.photo.name
    with django_capture_on_commit_callbacks(execute=True):
        coach_profile_update(coach=coach, changes={}, photo=upload())
    second = media / coach.photo.name
    assert second.exists() and not first.exists()
    with django_capture_on_commit_callbacks(execute=True):
        coach_profile_update(coach=coach, changes={}, remove_photo=True)
    coach.refresh_from_db()
    assert not coach.photo and not second.exists()


def test_english_bio_falls_back_to_french_only_when_empty():
    coach = CoachFactory(bio="Coach en communication.", bio_en="")
    assert coach.display_bio("en") == "Coach en communication."
    coach.bio_en = "Communication coach."
    assert coach.display_bio("en") == "Communication coach."
    assert coach.display_bio("fr") == "Coach en communication."
