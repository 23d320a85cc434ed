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
    page.wait_for_url(lambda url: "/login" not in url)  # on the person's own work
    response = page.goto(live["url"] + "/documents/palm-card/fa/preview")
    assert response is not None and response.status == 403


def test_signing_in_with_a_hostile_next_stays_on_the_desk(browser, live) -> None:
    for target in ("/%09/example.org", "//example.org", "/%5Cexample.org", "https:example.org"):
        page = browser.new_page()
        page.goto(f"{live['url']}/login?next={target}")
        _sign_in_here(page, live, "sahar")
        page.wait_for_url(lambda url: "/login" not in url)  # on the person's own work
        assert page.url.startswith(live["url"] + "/translate/")  # her own work, on the desk
        page.close()


def test_an_edition_opened_from_disk_requests_nothing_from_another_origin(
    browser, live, tmp_path
) -> None:
    from pathlib import Path

    from sqlalchemy import select

    from translator import db
    from translator.models import Translation, Unit
    from translator.services import builds

    app = live["app"]
    with db.transaction(app.extensions["translator.sessions"]) as s:
        translation = s.scalars(
            select(Translation)
            .join(Unit)
            .where(Unit.source == "Act Now", Translation.language == "fa")
        ).one()
        translation.text += " ![x](https://evil.example/p.png) ![y](//evil.example/q.png)"
        builds.build(
            s, Path(app.config["ROOT"]), tmp_path, ["fa"], ["palm-card"], ["html"], draft=True
        )
    page = browser.new_page()
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    page.goto((tmp_path / "fa" / "palm-card.html").as_uri())
    page.wait_for_load_state("load")
    assert requested and all(url.startswith("file://") for url in requested), requested
    assert page.locator("img").count() == 0 and page.locator("span.image").count() == 2
    policy = page.locator('meta[http-equiv="Content-Security-Policy"]').get_attribute("content")
    assert policy is not None and "default-src 'none'" in policy
    # the policy still lets the edition's own stylesheet and fonts in
    family = page.evaluate("getComputedStyle(document.body).fontFamily")
    assert "Desk Naskh" in family, family
    loaded = page.evaluate(
        "document.fonts.ready.then(() => [...document.fonts].filter(f => f.status == 'loaded')"
        ".map(f => f.family))"
    )
    assert any("Naskh" in name for name in loaded), loaded


def test_an_editor_sets_up_the_second_factor_in_chromium_from_the_desk_alone(browser, live) -> None:
    import pyotp

    from translator import db
    from translator.models import Role
    from translator.services import accounts

    with db.transaction(live["app"].extensions["translator.sessions"]) as s:
        live["passwords"]["nadia"] = accounts.create_user(s, "nadia", Role.EDITOR)
    page = browser.new_page()
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    page.goto(live["url"] + "/login?next=/admin/users")
    _sign_in_here(page, live, "nadia")
    page.wait_for_url("**/account/second-factor**")
    assert page.locator("figure.qr svg").is_visible()
    secret = page.locator("#secret").inner_text()
    page.fill("#code", pyotp.TOTP(secret).now())
    page.click("form.login button")
    assert page.locator("#recovery-codes li").count() == 10
    page.click("text=Continue")
    page.wait_for_url(live["url"] + "/admin/users")
    assert all(url.startswith(live["url"]) for url in requested), requested
