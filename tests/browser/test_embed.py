"""The booking widget inside a coach's article on another site, in real Chromium.

The article is served by a second local server (another origin, with its own strict CSP that
allows only our script and our frame); the prospect books without leaving it.
"""

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

import pytest

from booking.models import Booking

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDGET = "iframe.creneau-embed"
FIRST_HEIGHT = 640  # what embed.js gives the frame before the page inside reports

ARTICLE = """<!DOCTYPE html>
<html lang="fr"><head><meta charset="utf-8"><title>Prendre la parole</title></head>
<body>
<h1>Prendre la parole en réunion</h1>
<p>Un article du blog de la coach, avec son offre à la fin.</p>
<script src="{site}/static/embed.js" data-coach="demo" data-type="discovery"
        data-title="Réserver un entretien" async></script>
<p id="after">Merci de votre lecture.</p>
</body></html>
"""
# A plain frame of a page without ?embed=1: our site must refuse to be shown there.
PLAIN_FRAME = """<!DOCTYPE html>
<html lang="fr"><head><meta charset="utf-8"><title>Cadre</title></head>
<body><iframe id="plain" title="Réservation" src="{site}/demo/discovery/"></iframe></body></html>
"""


class Article:
    """The coach's own site: serves `pages` with a CSP that names only our origin."""

    def __init__(self, site: str) -> None:
        self.site = site
        self.pages = {"/article.html": ARTICLE.format(site=site),
                      "/plain.html": PLAIN_FRAME.format(site=site)}
        self.policy = f"default-src 'none'; script-src {site}; frame-src {site}"
        article = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                body = article.pages.get(self.path)
                if body is None:
                    self.send_error(404)
                    return
                data = body.encode()
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Security-Policy", article.policy)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.origin = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)


@pytest.fixture
def article(live_server) -> Iterator[Article]:
    site = live_server.url
    # Another origin than the site's: if the live server is on 127.0.0.1 too, the port tells.
    served = Article(site)
    assert urlsplit(served.origin).netloc != urlsplit(site).netloc
    served.thread.start()
    yield served
    served.server.shutdown()
    served.server.server_close()


def widget_frame(page):
    page.locator(WIDGET).wait_for()
    frame = page.locator(WIDGET).element_handle().content_frame()
    frame.wait_for_load_state()
    return frame


def wait_until_it_fits(frame) -> None:
    """The frame is as tall as its page: no inner scrollbar, no empty band below."""
    frame.wait_for_function("""() => {
        const content = Math.ceil(document.documentElement.getBoundingClientRect().height);
        return document.documentElement.scrollHeight <= window.innerHeight
            && Math.abs(window.innerHeight - content) <= 1;
    }""")


def test_a_reader_books_inside_the_article_without_leaving_it(open_page, article,
                                                              session_type):
    # A Paris reader, so the widget's zone detection swaps nothing in.
    page, console = open_page("Europe/Paris", article.origin + "/article.html")
    ours: list = []  # our site's answers once the article is there, read after the flow
    page.on("response", lambda response: ours.append(response)
            if response.url.startswith(article.site) else None)

    frame = widget_frame(page)
    frame.locator("#slots a.slot").first.wait_for()
    assert "?embed=1" in frame.url
    assert frame.locator(".site-header, .site-footer, .lang-switch").count() == 0
    assert frame.locator(".intro__name").inner_text() == "Claire Martin"
    wait_until_it_fits(frame)
    assert frame.evaluate("() => window.innerHeight") > FIRST_HEIGHT  # grew to the week
    # The article goes on below the widget.
    assert page.locator("#after").is_visible()

    frame.locator("#slots a.slot").first.click()
    frame.wait_for_url("**/book/**embed=1**")
    wait_until_it_fits(frame)
    frame.locator("#id_name").fill("Ada Lovelace")
    frame.locator("#id_email").fill("ada@example.org")
    frame.locator("#id_consent").check()
    frame.locator("form.form button[type=submit]").click()
    frame.wait_for_url("**/confirmed/**?embed=1")
    assert frame.locator("#confirmed-title").inner_text() == "Votre séance est réservée"
    wait_until_it_fits(frame)

    booking = Booking.objects.get()
    assert booking.invitee_email == "ada@example.org"
    assert page.url == article.origin + "/article.html"  # the reader never left
    # The live server (pytest-django: localhost) is another site than the article: a frame
    # whose cookies are third-party. The flow neither sets nor needs one; the POST above
    # carried no CSRF cookie.
    posts = [r for r in ours if r.request.method == "POST"]
    assert len(posts) == 1 and "cookie" not in posts[0].request.all_headers()
    assert len(ours) >= 3  # the form, its POST, the confirmation (and their static files)
    assert [r.url for r in ours if "set-cookie" in r.all_headers()] == []
    site_host = urlsplit(article.site).hostname
    assert [c for c in page.context.cookies() if c["domain"].lstrip(".") == site_host] == []
    assert console.problems == []


def test_a_page_outside_the_embedded_flow_refuses_to_be_framed(open_page, article,
                                                               session_type):
    page, console = open_page("Europe/Paris", article.origin + "/plain.html")
    answer = page.request.get(article.site + "/demo/discovery/")
    assert answer.headers["x-frame-options"] == "DENY"
    assert "frame-ancestors 'none'" in answer.headers["content-security-policy"]
    frame = page.locator("#plain").element_handle().content_frame()
    assert frame.locator("#slots").count() == 0
    assert any("frame-ancestors" in text for text in console.problems), console.problems
