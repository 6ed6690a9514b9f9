"""The workspace's snippets for her own website: a script tag and a plain frame per type."""

import html
import re

import pytest

from tests.factories import SessionTypeFactory

pytestmark = pytest.mark.django_db

PAGE = "/coach/embed/"


def snippets(page: str) -> list[str]:
    """The text of every read-only snippet, as the coach copies it."""
    return [html.unescape(text) for text in
            re.findall(r"<textarea[^>]*readonly[^>]*>([^<]*)</textarea>", page)]


def test_each_open_type_has_its_script_and_its_frame_on_the_site_url(signed_in, coach,
                                                                    session_type):
    SessionTypeFactory(coach=coach, slug="deep-dive", name="Séance « approfondie » & suivi")
    SessionTypeFactory(coach=coach, slug="closed", is_active=False)
    SessionTypeFactory(slug="elsewhere")  # another coach's
    page = signed_in.get(PAGE).content.decode()
    found = snippets(page)
    assert found == [
        '<script src="https://creneau.test/static/embed.js" data-coach="demo" '
        f'data-type="discovery" data-title="{html.escape(session_type.name)}" '
        'async></script>',
        '<iframe src="https://creneau.test/demo/discovery/?embed=1" '
        f'title="{html.escape(session_type.name)}" width="100%" height="900" '
        'style="border:0" loading="lazy"></iframe>',
        '<script src="https://creneau.test/static/embed.js" data-coach="demo" '
        'data-type="deep-dive" data-title="Séance « approfondie » &amp; suivi" '
        'async></script>',
        '<iframe src="https://creneau.test/demo/deep-dive/?embed=1" '
        'title="Séance « approfondie » &amp; suivi" width="100%" height="900" '
        'style="border:0" loading="lazy"></iframe>',
    ]


def test_the_workspace_nav_leads_to_the_snippets(signed_in, session_type):
    page = signed_in.get("/coach/").content.decode()
    assert f'href="{PAGE}"' in page
    current = signed_in.get(PAGE).content.decode()
    assert re.search(rf'href="{PAGE}" aria-current="page"', current)


def test_the_snippets_are_for_signed_in_coaches_only(client, session_type):
    response = client.get(PAGE)
    assert response.status_code == 302
    assert response["Location"] == f"/accounts/login/?next={PAGE}"
