"""Screenshots of the booking flow for the README: picker, form and confirmation, on a phone
(375 × 812) and a desktop (1280 × 900), in French, into docs/screenshots/*.png.

    .venv/bin/python tools/screenshots.py [--out docs/screenshots] [--chromium /usr/bin/chromium]

It seeds the demo coach into a throw-away SQLite database, serves the site with runserver on
a free local port, books the first free slot through the real pages in Debian's Chromium
(Playwright), then stops the server and deletes the database.
"""

import argparse
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SIZES = {"375": {"width": 375, "height": 812}, "1280": {"width": 1280, "height": 900}}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for(url: str, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def manage(env: dict, *args: str) -> None:
    subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True,
                   stdout=subprocess.DEVNULL)


def shoot(browser, base: str, size: str, out: Path) -> list[Path]:
    context = browser.new_context(viewport=SIZES[size], locale="fr-FR",
                                  timezone_id="Europe/Paris", device_scale_factor=1)
    page = context.new_page()
    shots = []

    def save(name: str) -> None:
        path = out / f"{name}-{size}.png"
        page.evaluate("window.scrollTo(0, 0)")
        page.screenshot(path=path)
        shots.append(path)

    try:
        page.goto(f"{base}/demo/discovery/")
        page.locator('#slots[data-zone="Europe/Paris"] a.slot').first.wait_for()
        save("picker")
        page.locator("#slots a.slot").first.click()
        page.wait_for_url("**/book/**")
        page.locator("#id_name").fill("Ada Lovelace")
        page.locator("#id_email").fill(f"ada-{size}@example.org")
        page.locator("#id_message").fill("Préparer une présentation importante.")
        page.locator("#id_consent").check()
        save("form")
        page.locator("form.form button[type=submit]").click()
        page.wait_for_url("**/confirmed/**")
        save("confirmation")
    finally:
        context.close()
    return shots


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    parser.add_argument("--chromium", default="/usr/bin/chromium")
    options = parser.parse_args()
    options.out.mkdir(parents=True, exist_ok=True)

    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as folder:
        env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.dev",
               "DATABASE_URL": f"sqlite:///{folder}/screenshots.sqlite3",
               "BOOKING_RATE_LIMITS": "off", "EMAIL_BACKEND":
               "django.core.mail.backends.locmem.EmailBackend"}
        manage(env, "migrate", "--noinput")
        manage(env, "seed_demo")
        port = free_port()
        server = subprocess.Popen(
            [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"],
            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            base = f"http://127.0.0.1:{port}"
            wait_for(f"{base}/healthz")
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=options.chromium,
                                                     headless=True, args=["--no-sandbox"])
                try:
                    for size in SIZES:
                        for path in shoot(browser, base, size, options.out):
                            print(path.relative_to(ROOT) if path.is_relative_to(ROOT) else path)
                finally:
                    browser.close()
        finally:
            server.terminate()
            server.wait(timeout=10)


if __name__ == "__main__":
    main()
