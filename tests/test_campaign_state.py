"""The campaign's state (`GET /api/v1/state`): one name that moves whenever anything a pull may
fetch could have changed, whichever door changed it; and `translator pull`, which asks it first
and, when it is the one kept from its last whole pull, asks nothing more."""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from wsgiref.simple_server import make_server

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from tests.conftest import done_second_step
from tests.test_feeds import people, publish_fa, user
from translator import cli, db
from translator.formats import po
from translator.models import GlossaryTerm, Role, State
from translator.services import (
    accounts,
    documents,
    editing,
    importing,
    publications,
    tokens,
    writing,
)
from translator.services.glossary import Term, import_terms

STATE = "/api/v1/state"


@pytest.fixture
def desk(app) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    """The app with tara, dieter, reza and elif (tests/test_feeds.people) and a read token of
    elif's, the editor (who reads every language)."""
    people(app)
    with db.transaction(app.extensions["translator.sessions"]) as s:
        key = tokens.create(s, "elif", ["read"])
    return {"app": app, "client": app.test_client(), "auth": {"Authorization": f"Bearer {key}"}}


def state_of(desk: dict[str, Any], auth: dict[str, str] | None = None) -> str:
    answer = desk["client"].get(STATE, headers=auth or desk["auth"])
    assert answer.status_code == 200, answer.data
    assert answer.headers["ETag"].strip('"') == answer.json["state"]
    return str(answer.json["state"])


def test_the_state_is_the_same_until_something_changes_and_a_kept_one_gets_304(desk) -> None:
    first = state_of(desk)
    assert state_of(desk) == first
    again = desk["client"].get(STATE, headers={**desk["auth"], "If-None-Match": f'"{first}"'})
    assert again.status_code == 304 and again.data == b""


def _save_farsi(app: Any, root: Path) -> None:
    with db.transaction(app.extensions["translator.sessions"]) as s:
        unit, translation = editing.rows(s, documents.by_slug(s, "palm-card").id, "fa")[1]
        editing.save(
            s, user(s, "tara"), unit.id, "fa", translation.text + "!", version=translation.version
        )


def _approve_farsi(app: Any, root: Path) -> None:
    with db.transaction(app.extensions["translator.sessions"]) as s:
        unit, translation = editing.rows(s, documents.by_slug(s, "palm-card").id, "fa")[1]
        editing.save(
            s,
            done_second_step(user(s, "reza")),
            unit.id,
            "fa",
            translation.text,
            version=translation.version,
            state=State.APPROVED if translation.state != State.APPROVED else State.TRANSLATED,
        )


def _publish_farsi(app: Any, root: Path) -> None:
    publish_fa(app, root)


def _import_a_comment(app: Any, root: Path) -> None:
    """A translator comment imported alone: no version moves, only the translation's time."""
    with db.transaction(app.extensions["translator.sessions"]) as s:
        palm_card = documents.by_slug(s, "palm-card")
        catalogue = writing.catalogue_for(s, palm_card, "fa")
        catalogue.entries[1].comments = ["checked against the printed card"]
        data = po.write(catalogue).encode()
        report = importing.import_file(s, data, "fa.po", "palm-card", "fa", who=user(s, "tara"))
    assert report.comments_kept == 1


def _touch_english(app: Any, root: Path) -> None:
    source = root / "source_texts" / "palm-card.md"
    source.write_text(source.read_text(encoding="utf-8") + "\n", encoding="utf-8")


def _rename_campaign(app: Any, root: Path) -> None:
    with db.transaction(app.extensions["translator.sessions"]) as s:
        term = s.scalars(select(GlossaryTerm).order_by(GlossaryTerm.id)).first()
        assert term is not None
        forms = {code: tuple(found) for code, found in term.forms.items()}
        forms["fa"] = (*forms.get("fa", ()), "نامی دیگر")
        import_terms(s, [Term(term.english, term.type, forms, term.note)])  # the operator's door


def _two_person_rule(app: Any, root: Path) -> None:
    admin = "admin-for-state"
    with db.transaction(app.extensions["translator.sessions"]) as s:
        accounts.create_user(s, admin, Role.ADMIN)
        publications.set_two_person_rule(s, done_second_step(user(s, admin)), True)


def _reader_becomes_a_translator(app: Any, root: Path) -> None:
    with db.transaction(app.extensions["translator.sessions"]) as s:
        reader = user(s, "elif")
        reader.role, reader.languages = Role.TRANSLATOR, "fa"


DOORS: dict[str, Callable[[Any, Path], None]] = {
    "a translation saved": _save_farsi,
    "a translation approved": _approve_farsi,
    "an edition published": _publish_farsi,
    "a translator comment imported": _import_a_comment,
    "the English file changed on disk": _touch_english,
    "the glossary changed": _rename_campaign,
    "a setting changed": _two_person_rule,
    "the reader's role changed": _reader_becomes_a_translator,
}


@pytest.mark.parametrize("door", DOORS)
def test_the_state_moves_whichever_door_changed_what_a_pull_fetches(desk, root, door) -> None:
    before = state_of(desk)
    DOORS[door](desk["app"], root)
    assert state_of(desk) != before


def test_two_tokens_of_different_scopes_have_different_states(desk) -> None:
    with db.transaction(desk["app"].extensions["translator.sessions"]) as s:
        wider = tokens.create(s, "elif", ["read", "publish"])
    assert state_of(desk, {"Authorization": f"Bearer {wider}"}) != state_of(desk)


# The pull


@pytest.fixture
def served(desk) -> Iterator[tuple[str, list[str]]]:
    """The desk served on loopback, and the paths of every request it is asked."""
    asked: list[str] = []
    app = desk["app"]

    def counting(environ: dict[str, Any], start: Any) -> Any:
        asked.append(environ["PATH_INFO"])
        return app(environ, start)

    httpd = make_server("127.0.0.1", 0, counting)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_port}", asked
    httpd.shutdown()


def pull(desk: dict[str, Any], server: str, out: Path, *more: str) -> str:
    token = desk["auth"]["Authorization"].removeprefix("Bearer ")
    done = CliRunner().invoke(
        cli.main,
        ["pull", "--server", server, "--token", token, "--format", "mo", "--out", str(out), *more],
    )
    assert done.exit_code == 0, done.output
    return done.output


def counts(output: str) -> tuple[int, int]:
    """(downloaded, unchanged) as the pull's last words say."""
    found = re.search(r"^(\d+) downloaded, (\d+) unchanged, 0 skipped, 0 failed", output, re.M)
    assert found, output
    return int(found[1]), int(found[2])


def test_a_pull_with_nothing_changed_asks_one_question_and_reports_every_file_unchanged(
    desk, served, tmp_path
) -> None:
    server, asked = served
    out = tmp_path / "pulled"
    downloaded, unchanged = counts(pull(desk, server, out, "--lang", "fa"))
    assert downloaded > 0 and unchanged == 0
    asked.clear()
    again = pull(desk, server, out, "--lang", "fa")
    assert asked == [STATE] and counts(again) == (0, downloaded)


def test_after_a_save_the_pull_fetches_the_changed_catalogue(desk, served, root, tmp_path) -> None:
    server, asked = served
    out = tmp_path / "pulled"
    pull(desk, server, out, "--lang", "fa")
    mo = out / "fa" / "LC_MESSAGES" / "palm-card.mo"
    before = mo.read_bytes()
    _save_farsi(desk["app"], root)
    assert counts(pull(desk, server, out, "--lang", "fa"))[0] == 1
    assert mo.read_bytes() != before
    asked.clear()
    assert counts(pull(desk, server, out, "--lang", "fa"))[0] == 0 and asked == [STATE]


def test_a_pulled_file_taken_away_is_fetched_again(desk, served, tmp_path) -> None:
    server, _ = served
    out = tmp_path / "pulled"
    pull(desk, server, out, "--lang", "fa")
    mo = out / "fa" / "LC_MESSAGES" / "palm-card.mo"
    mo.unlink()
    assert counts(pull(desk, server, out, "--lang", "fa"))[0] == 1
    assert mo.is_file()


def test_a_pull_that_asks_for_other_files_does_not_take_the_last_one_for_it(
    desk, served, tmp_path
) -> None:
    server, asked = served
    out = tmp_path / "pulled"
    farsi, _ = counts(pull(desk, server, out, "--lang", "fa"))
    asked.clear()
    wider = pull(desk, server, out, "--lang", "fa", "--lang", "de")
    assert len(asked) > 1 and counts(wider) == (farsi, farsi)
    assert (out / "de" / "LC_MESSAGES" / "palm-card.mo").is_file()


def test_a_pull_that_failed_in_part_is_not_taken_as_whole_next_time(desk, served, tmp_path) -> None:
    server, asked = served
    token = desk["auth"]["Authorization"].removeprefix("Bearer ")
    arguments = ["pull", "--server", server, "--token", token, "--out", str(tmp_path / "pulled")]
    arguments += ["--lang", "fa", "--document", "palm-card", "--document", "no-such-document"]
    for _ in range(2):
        asked.clear()
        done = CliRunner().invoke(cli.main, arguments)
        assert done.exit_code == 1 and "failed fa/LC_MESSAGES/no-such-document.po" in done.output
        assert "/api/v1/documents/no-such-document/languages/fa/file" in asked
