"""Offline for real, in a real Chromium: no request leaves 127.0.0.1 while any page loads (the page
icon is a local file, not a font server's), and the app's addresses all open a page: ``/home`` sends
to the home page, and every link on the home page and in the sidebar opens its page.

Requests to anywhere but the test server are recorded and refused (as a machine without a network
would), so a page that depends on one also shows it.
"""

from __future__ import annotations

from urllib.parse import urlparse

import pytest

from core.adapters.catalog import PAGES
from tests.browser.test_lecture_mode import open_view, settle

pytestmark = [pytest.mark.browser, pytest.mark.slow]

LOCAL_HOSTS = {"127.0.0.1"}


def _slugs():
    return [pytest.param("", id="home"), *(pytest.param(p.url_path, id=p.url_path) for p in PAGES)]


def _recording_context(chromium, url: str, **context):
    """A browser context that records every request and lets only the test server's through."""
    ctx = chromium.new_context(**context)
    outside: list[str] = []

    def leaves(address: str) -> bool:
        return (
            urlparse(address).scheme not in ("data", "blob") and urlparse(address).hostname not in LOCAL_HOSTS
        )

    ctx.on("request", lambda request: outside.append(request.url) if leaves(request.url) else None)
    ctx.route("**/*", lambda r: r.abort("internetdisconnected") if leaves(r.request.url) else r.continue_())
    return ctx, outside


@pytest.mark.parametrize("slug", _slugs())
def test_no_request_leaves_the_server_while_a_page_loads(browser_page, chromium, slug):
    url, _ = browser_page
    assert urlparse(url).hostname in LOCAL_HOSTS
    ctx, outside = _recording_context(chromium, url, viewport={"width": 1366, "height": 900})
    try:
        page = ctx.new_page()
        page.set_default_timeout(120_000)
        page.goto(f"{url}/{slug}")
        settle(page)
        icon = page.evaluate("() => [...document.querySelectorAll('link[rel~=icon]')].map(l => l.href)")
        body = page.inner_text('[data-testid="stMain"]')
    finally:
        ctx.close()
    assert outside == [], f"/{slug} asked for {outside}"
    assert icon and all(
        h.startswith("data:image/svg") or urlparse(h).hostname in LOCAL_HOSTS for h in icon
    ), icon
    assert "Page not found" not in body and len(body) > 200


def test_home_opens_the_home_page(browser_page, chromium):
    url, _ = browser_page
    for path in ("/home", "/home?lecture=1"):
        ctx, page = open_view(chromium, url, path, viewport={"width": 1366, "height": 900})
        try:
            page.wait_for_selector('[data-testid="stMain"] h1')
            assert page.locator('[data-testid="stMain"] h1').first.inner_text().strip() == "Neural Explainer"
            assert page.get_by_text("Page not found").count() == 0
            assert urlparse(page.url).path == "/"  # the home page's own address
            lecture = "lecture=1" in path
            assert ("lecture=1" in page.url) == lecture  # the redirect keeps the view's parameters
        finally:
            ctx.close()


def test_every_link_of_the_app_opens_a_page(browser_page, chromium):
    url, _ = browser_page
    ctx, page = open_view(chromium, url, "/", viewport={"width": 1366, "height": 900})
    try:
        hrefs = page.evaluate("""() => [...document.querySelectorAll(
                                   '[data-testid="stSidebar"] a[href], [data-testid="stMain"] a[href]')]
                                 .map(a => a.href)""")
    finally:
        ctx.close()
    own = sorted({h.split("?")[0].split("#")[0] for h in hrefs if h.startswith(url)})
    assert {urlparse(h).path.strip("/") for h in own} >= {p.url_path for p in PAGES}  # every page is linked
    assert not [h for h in own if urlparse(h).path.strip("/") == "index"]  # the home page links as /
    ctx = chromium.new_context(viewport={"width": 1366, "height": 900})
    try:
        page = ctx.new_page()
        page.set_default_timeout(120_000)
        for href in own:
            page.goto(href)
            settle(page)
            assert page.get_by_text("Page not found").count() == 0, href
            assert page.locator('[data-testid="stMain"] h1').count() >= 1, href
    finally:
        ctx.close()
