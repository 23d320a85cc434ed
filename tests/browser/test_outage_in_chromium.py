"""Nothing typed during an outage is lost: a save the desk cannot take (the store locked, here)
answers 503; the browser keeps the text, sends it again when the desk answers, and the editor
offers to put back a text whose save never happened."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest
from werkzeug.serving import make_server

from tests.browser.conftest import sign_in
from tests.conftest import initialised_database
from translator import create_app, db
from translator.models import Role, State
from translator.services import accounts, documents, editing

TYPED = "این متن هنگام قطعی میز نوشته شد"


@pytest.fixture
def locked_desk(root: Path, tmp_path: Path) -> Iterator[dict[str, Any]]:
    """The desk on a SQLite store whose writers wait 0.3 s for a lock, and a way to hold it."""
    with initialised_database("sqlite", root, tmp_path) as url:
        app = create_app(
            {
                "TESTING": True,
                "DATABASE_URL": url + "?timeout=0.3",
                "ROOT": str(root),
                "INSTANCE_PATH": str(tmp_path / "instance"),
                "SECRET_KEY": "test",
                "JOBS_EAGER": True,
            }
        )
        with db.transaction(app.extensions["translator.sessions"]) as s:
            passwords = {"sahar": accounts.create_user(s, "sahar", Role.TRANSLATOR, "fa")}
            document = documents.by_slug(s, "palm-card")
            unit = next(u for u, t in editing.rows(s, document.id, "fa") if not u.plural)
            unit_id = unit.id
        server = make_server("127.0.0.1", 0, app, threaded=True)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        yield {
            "url": f"http://127.0.0.1:{server.server_port}",
            "passwords": passwords,
            "app": app,
            "file": url.split("///", 1)[1],
            "unit": unit_id,
        }
        server.shutdown()
        app.extensions["translator.sessions"].kw["bind"].dispose()


def stored(desk: dict[str, Any]) -> tuple[str, int]:
    with db.transaction(desk["app"].extensions["translator.sessions"]) as s:
        _, translation = editing.find(s, desk["unit"], "fa")
        return translation.text, translation.state


def test_a_save_during_an_outage_is_kept_and_sent_again_when_the_desk_answers(
    chromium: Any, locked_desk: dict[str, Any]
) -> None:
    page = sign_in(chromium, locked_desk, "sahar")
    editor = f"{locked_desk['url']}/translate/fa/palm-card/{locked_desk['unit']}"
    page.goto(editor)
    page.fill("#translation", TYPED)
    with closing(sqlite3.connect(locked_desk["file"], isolation_level=None)) as other:
        other.execute("BEGIN EXCLUSIVE")  # the store cannot take a write
        page.click('#save button[name="state"][value="translated"]')
        page.wait_for_selector("#kept:not([hidden])")
        assert "503" not in page.title() and TYPED in page.inner_text("#kept .kept-text")
        assert stored(locked_desk)[0] != TYPED
        other.execute("ROLLBACK")  # the desk answers again
    page.wait_for_selector("#save", timeout=20_000)  # sent again, then back at the editor
    assert page.url == editor
    assert stored(locked_desk) == (TYPED, State.TRANSLATED)
    assert page.input_value("#translation") == TYPED
    kept = page.evaluate("Object.keys(localStorage).filter(k => k.startsWith('desk-unsaved:'))")
    assert kept == []  # the editor saw it saved and forgot it
    chromium.contexts[-1].close()


def test_the_editor_offers_to_put_back_a_text_whose_save_never_happened(
    chromium: Any, locked_desk: dict[str, Any]
) -> None:
    page = sign_in(chromium, locked_desk, "sahar")
    editor = f"{locked_desk['url']}/translate/fa/palm-card/{locked_desk['unit']}"
    page.goto(editor)
    before = stored(locked_desk)[0]
    page.fill("#translation", TYPED)
    with closing(sqlite3.connect(locked_desk["file"], isolation_level=None)) as other:
        other.execute("BEGIN EXCLUSIVE")
        page.click('#save button[name="state"][value="translated"]')
        page.wait_for_selector("#kept:not([hidden])")
        page.evaluate("window.stop()")  # the person leaves the page before the desk is back
        other.execute("ROLLBACK")
    page.goto(editor)  # the editor again: the old text, and the kept one offered
    assert page.input_value("#translation") == before
    page.wait_for_selector("#unsaved:not([hidden])")
    assert TYPED in page.inner_text("#unsaved .kept-text")
    with page.expect_navigation():
        page.click("#put-back")
    assert stored(locked_desk)[0] == TYPED
    assert page.locator("#unsaved").is_hidden()
    chromium.contexts[-1].close()
