"""Signing in as a coach in real Chromium: password, two factors, and axe on every page."""

import re

import pytest

from tests.support.axe import assert_no_axe_violations
from tests.support.totp import totp_code

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "Une phrase assez longue"


@pytest.fixture
def coach_user(coach):
    coach.user.set_password(PASSWORD)
    coach.user.save()
    return coach.user


def real_problems(console) -> list[str]:
    # /coach/ itself (the agenda) lands from another branch; until then its 404 is expected.
    # A favicon fetch cut short by the next navigation is no problem either.
    return [p for p in console.problems if "404 (Not Found)" not in p
            and not (p.startswith("failed:") and p.endswith("favicon.svg"))]


def submit(page) -> None:
    with page.expect_navigation():
        page.locator("main form.account__form button[type=submit]").first.click()


def sign_in(page, base: str, email: str, password: str = PASSWORD) -> None:
    page.goto(base + "/accounts/login/")
    page.get_by_label(re.compile("^(E-mail|Email)")).fill(email)
    page.locator("#id_password").fill(password)
    submit(page)


def test_a_coach_signs_in_with_her_password_and_lands_in_her_workspace(
        open_page, live_server, coach_user):
    page, console = open_page("Europe/Paris", "/accounts/login/")
    sign_in(page, live_server.url, coach_user.email)
    assert page.url == live_server.url + "/coach/"
    assert real_problems(console) == []


def test_with_totp_on_a_coach_cannot_sign_in_without_a_code(open_page, live_server, coach_user):
    base = live_server.url
    page, console = open_page("Europe/Paris", "/accounts/login/")
    sign_in(page, base, coach_user.email)

    # Turn on TOTP from the workspace's security page; allauth asks for the password again.
    page.goto(base + "/coach/security/")
    with page.expect_navigation():
        page.locator("main a[href='/accounts/2fa/']").click()
    with page.expect_navigation():
        page.locator("main a[href='/accounts/2fa/totp/activate/']").click()
    assert "/accounts/reauthenticate/" in page.url
    page.locator("#id_password").fill(PASSWORD)
    submit(page)
    assert page.url.endswith("/accounts/2fa/totp/activate/")
    assert page.locator("img.account__qr").is_visible()
    secret = page.locator("#authenticator_secret").input_value()
    page.locator("#id_code").fill(totp_code(secret))
    submit(page)
    assert "/accounts/2fa/totp/activate/" not in page.url

    # Sign out, then the password alone no longer opens the workspace.
    page.goto(base + "/accounts/logout/")
    submit(page)
    sign_in(page, base, coach_user.email)
    assert page.url == base + "/accounts/2fa/authenticate/"
    page.goto(base + "/coach/security/")  # the workspace sends her back to finish signing in
    assert page.url == base + "/accounts/2fa/authenticate/"

    page.locator("#id_code").fill("000000")
    submit(page)
    assert page.url == base + "/accounts/2fa/authenticate/"
    assert page.locator(".field__errors").is_visible()
    page.locator("#id_code").fill(totp_code(secret))
    submit(page)
    assert page.url == base + "/coach/"
    page.goto(base + "/coach/security/")
    assert page.url == base + "/coach/security/"
    assert real_problems(console) == []


@pytest.fixture
def axe_page(browser, live_server):
    """axe_page(path, locale) -> page, in a context that lets axe's script in."""
    contexts = []

    def open_(path: str, locale: str):
        context = browser.new_context(locale=locale, bypass_csp=True)
        contexts.append(context)
        page = context.new_page()
        page.goto(live_server.url + path)
        return page

    yield open_
    for context in contexts:
        context.close()


@pytest.mark.parametrize("locale,lang", [("fr-FR", "fr"), ("en-GB", "en")])
def test_sign_in_pages_have_no_axe_violations(axe_page, live_server, coach_user, locale, lang):
    for path in ["/accounts/login/", "/accounts/login/code/", "/accounts/password/reset/",
                 "/accounts/password/reset/done/"]:
        page = axe_page(path, locale)
        assert page.locator("html").get_attribute("lang") == lang
        assert_no_axe_violations(page)
    page = axe_page("/accounts/login/code/", locale)
    page.locator("#id_email").fill(coach_user.email)
    submit(page)
    assert page.url.endswith("/accounts/login/code/confirm/")
    assert_no_axe_violations(page)


@pytest.mark.parametrize("locale", ["fr-FR", "en-GB"])
def test_two_factor_pages_have_no_axe_violations(axe_page, live_server, coach_user, locale):
    base = live_server.url
    page = axe_page("/accounts/login/", locale)
    sign_in(page, base, coach_user.email)
    page.goto(base + "/accounts/2fa/totp/activate/")
    assert_no_axe_violations(page)  # the reauthentication page
    page.locator("#id_password").fill(PASSWORD)
    submit(page)
    assert_no_axe_violations(page)  # activation, with its QR code
    secret = page.locator("#authenticator_secret").input_value()
    page.locator("#id_code").fill(totp_code(secret))
    submit(page)
    for path in ["/accounts/2fa/", "/accounts/2fa/recovery-codes/",
                 "/accounts/2fa/totp/deactivate/", "/coach/security/", "/coach/keys/",
                 "/accounts/logout/"]:
        page.goto(base + path)
        assert_no_axe_violations(page)
    submit(page)  # sign out
    sign_in(page, base, coach_user.email)
    assert page.url.endswith("/accounts/2fa/authenticate/")
    assert_no_axe_violations(page)
