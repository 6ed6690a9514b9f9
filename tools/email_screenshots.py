"""Screenshots of the confirmation emails as a mail client shows them, into docs/emails/.

    .venv/bin/python tools/email_screenshots.py [--out docs/emails] [--html-only]

Builds the invitee's and the coach's confirmation of a sample booking (no database: unsaved
objects), takes each message's text/html part as it would go on the wire, and renders it in
Chromium (Playwright, /usr/bin/chromium) at 375 px and 1280 px wide, light and dark. Also
writes the HTML next to the PNGs with --html-only, without a browser.
"""

import argparse
import os
import sys
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WIDTHS = (375, 1280)
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
SCHEMES = ("light", "dark")


def _setup_django() -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
    import django

    django.setup()


def sample_messages() -> dict[str, object]:
    """The two confirmations of one sample booking: {"invitee": message, "coach": message}."""
    from accounts.models import Coach, User
    from availability.models import SessionType
    from booking.emails import booking_message
    from booking.models import Booking

    user = User(email="claire@example.com")
    coach = Coach(user=user, slug="claire", display_name="Claire Martin",
                  timezone="Europe/Paris", language="fr")
    session_type = SessionType(
        coach=coach, slug="discovery", name="30 min d'entretien personnalisé",
        name_en="30-minute personal session", duration=timedelta(minutes=30),
        description="Un premier échange de 30 minutes, gratuit et sans engagement, pour faire "
                    "le point sur votre communication.",
        location_kind="video", location_room_per_booking=True)
    start = datetime(2027, 3, 3, 8, tzinfo=UTC)
    booking = Booking(
        uid=uuid.UUID("5b0c1f3e-8a7d-4c2b-9e61-0f2d3c4b5a69"), coach=coach,
        session_type=session_type, start=start, end=start + timedelta(minutes=30),
        invitee_name="Zoé Martin", invitee_email="zoe@example.org",
        invitee_timezone="America/Montreal", invitee_language="fr",
        message="J'aimerais préparer une prise de parole en public.",
        manage_selector="sample", manage_secret="not-a-real-token",  # noqa: S106
        meeting_url="https://meet.jit.si/Creneau-sample-room", sequence=0,
        status=Booking.Status.CONFIRMED, created_at=start, updated_at=start)
    booking.pk = 1
    now = start - timedelta(days=2)
    return {role: booking_message(booking, role=role, kind="confirmed", now=now)
            for role in ("invitee", "coach")}


def html_part(message) -> str:
    """The text/html part, read back from the bytes the message would put on the wire."""
    import email
    from email import policy

    parsed = email.message_from_bytes(message.message().as_bytes(), policy=policy.default)
    part = next(p for p in parsed.walk() if p.get_content_type() == "text/html")
    return part.get_content()


def shoot(pages: dict[str, str], out: Path) -> list[Path]:
    from playwright.sync_api import sync_playwright

    written = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True,
                                             args=CHROMIUM_ARGS)
        try:
            for role, html in pages.items():
                for width in WIDTHS:
                    for scheme in SCHEMES:
                        page = browser.new_page(viewport={"width": width, "height": 800},
                                                color_scheme=scheme)
                        page.set_content(html, wait_until="load")
                        suffix = "" if scheme == "light" else "-dark"
                        path = out / f"confirmation-{role}-{width}{suffix}.png"
                        page.screenshot(path=str(path), full_page=True)
                        page.close()
                        written.append(path)
        finally:
            browser.close()
    return written


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "emails")
    parser.add_argument("--html-only", action="store_true")
    args = parser.parse_args()
    _setup_django()
    args.out.mkdir(parents=True, exist_ok=True)
    pages = {role: html_part(message) for role, message in sample_messages().items()}
    if args.html_only:
        for role, html in pages.items():
            path = args.out / f"confirmation-{role}.html"
            path.write_text(html, encoding="utf-8")
            print(path)
        return
    for path in shoot(pages, args.out):
        print(path.relative_to(ROOT) if path.is_relative_to(ROOT) else path)


if __name__ == "__main__":
    main()
