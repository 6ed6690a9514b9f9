"""Reading the slot picker in real Chromium (Playwright pages)."""

from datetime import datetime


def listed_slots(page) -> list[tuple[datetime, str]]:
    """(UTC start, shown text) of every slot on the page."""
    pairs = page.locator("#slots a.slot").evaluate_all(
        "links => links.map(a => [a.dataset.start, a.textContent.trim()])")
    return [(datetime.fromisoformat(start), text) for start, text in pairs]


def wait_for_zone(page, zone: str) -> None:
    page.locator(f'#slots[data-zone="{zone}"]').wait_for()


def show_next_week(page) -> None:
    """Click "next week" (an htmx swap) and wait until the new week is in place."""
    before = page.locator("#week-title").inner_text()
    page.locator("#slots a[rel=next]").click()
    page.wait_for_function(
        "before => document.getElementById('week-title').innerText !== before", arg=before)


def coach_session_cookie(coach, url: str) -> dict:
    """A cookie that signs `coach` in on the live server at `url` (a fresh server session)."""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    store = SessionStore()
    store[SESSION_KEY] = str(coach.user.pk)
    store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    store[HASH_SESSION_KEY] = coach.user.get_session_auth_hash()
    store.create()
    return {"name": settings.SESSION_COOKIE_NAME, "value": store.session_key, "url": url}
