"""The hostile test's browser-facing holes, closed in Chromium: drafts need a role in the language,
a `next=` never leaves the site, and an edition never loads an image from another origin."""

from __future__ import annotations

from typing import Any


def _sign_in_here(page: Any, live: dict[str, Any], name: str) -> None:
    page.fill("#username", name)
    page.fill("#password", live["passwords"][name])
    page.click("form.login button")


def test_a_visitor_asking_for_a_preview_signs_in_first_and_then_sees_it(browser, live) -> None:
    page = browser.new_page()
    page.goto(live["url"] + "/documents/palm-card/fa/preview")
    assert "/login?next=" in page.url and page.locator("form.login").is_visible()
    _sign_in_here(page, live, "sahar")
    page.wait_for_url(live["url"] + "/documents/palm-card/fa/preview")
    assert page.locator("html").get_attribute("dir") == "rtl"


def test_a_translator_of_another_language_gets_no_preview(browser, live) -> None:
    page = browser.new_page()
    page.goto(live["url"] + "/login")
    _sign_in_here(page, live, "jonas")
    page.wait_for_url(live["url"] + "/")
    response = page.goto(live["url"] + "/documents/palm-card/fa/preview")
    assert response is not None and response.status == 403


def test_signing_in_with_a_hostile_next_stays_on_the_desk(browser, live) -> None:
    for target in ("/%09/example.org", "//example.org", "/%5Cexample.org", "https:example.org"):
        page = browser.new_page()
        page.goto(f"{live['url']}/login?next={target}")
        _sign_in_here(page, live, "sahar")
        page.wait_for_url(live["url"] + "/")
        assert page.url == live["url"] + "/"
        page.close()
