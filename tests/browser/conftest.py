"""A real browser: Playwright driving Debian's /usr/bin/chromium against the app on loopback."""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from werkzeug.serving import make_server

from tests.conftest import POSTGRES_URL, database_for_test, enrol
from translator import db
from translator.models import Role
from translator.services import accounts

CHROMIUM = "/usr/bin/chromium"
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]

# Every test outside this folder runs on SQLite and on PostgreSQL; a browser adds the page, not
# the store, so browser tests run on SQLite (TRANSLATOR_BROWSER_POSTGRES=1 adds PostgreSQL: it
# doubles their time, which `make test` cannot afford on two cores).
BROWSER_BACKENDS = ["sqlite"] + (
    ["postgresql"] if POSTGRES_URL and os.environ.get("TRANSLATOR_BROWSER_POSTGRES") else []
)


@pytest.fixture(params=BROWSER_BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    with database_for_test(request, tmp_path) as url:
        yield url


@pytest.fixture
def live(app) -> Iterator[dict[str, Any]]:  # type: ignore[no-untyped-def]
    with db.transaction(app.extensions["translator.sessions"]) as s:
        passwords = {
            "sahar": accounts.create_user(s, "sahar", Role.TRANSLATOR, "fa"),
            "reza": accounts.create_user(s, "reza", Role.REVIEWER, "fa"),
            "jonas": accounts.create_user(s, "jonas", Role.TRANSLATOR, "de"),
            "elif": accounts.create_user(s, "elif", Role.EDITOR),
        }
    enrol(app, "elif")  # editors publish and approve with a second factor
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield {"url": f"http://127.0.0.1:{server.server_port}", "passwords": passwords, "app": app}
    server.shutdown()


@pytest.fixture(scope="session")
def chromium() -> Iterator[Any]:
    """One Chromium per test process: starting one takes a second or more, and each test works
    in contexts of its own (cookies, storage and pages apart)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield instance
        instance.close()


@pytest.fixture
def browser(chromium: Any, live: dict[str, Any]) -> Iterator[Any]:
    """Chromium for one test; its contexts are closed before the server stops (a page may still
    be fetching fonts)."""
    yield chromium
    for context in list(chromium.contexts):
        context.close()


def phone_context(
    browser: Any, *, locale: str = "en-GB", width: int = 360, height: int = 740
) -> Any:
    """A browser context as a phone opens the desk: a narrow mobile viewport, touch, a dense
    screen; the audit script a test injects bypasses the page's CSP."""
    return browser.new_context(
        locale=locale,
        viewport={"width": width, "height": height},
        is_mobile=True,
        has_touch=True,
        device_scale_factor=2,
        bypass_csp=True,
    )


def sign_in(browser: Any, live: dict[str, Any], name: str, context: Any = None) -> Any:
    """A page signed in as `name` (past the second step), in `context` (else a desk's window)."""
    if context is None:
        context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(live["url"] + "/login")
    page.fill("#username", name)
    page.fill("#password", live["passwords"][name])
    page.click("form.login button")
    factor = live["app"].extensions.get("test.second_factors", {}).get(name)
    if factor is not None:  # the second step: the code from the "app"
        page.wait_for_url("**/login/second-factor**")
        page.fill("#code", factor.code())
        page.click("form.login button")
    page.wait_for_url(lambda url: "/login" not in url)  # on the person's own work
    return page
