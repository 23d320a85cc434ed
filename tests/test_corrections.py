"""Corrections followed into published editions (#27): an alert published in French and Farsi,
then its English figure corrected and extracted, is outdated with that unit; translated again,
approved and republished, its new snapshot carries a dated note in its own language (HTML, PDF,
share image, the API's `correction`) while the first stays as it went out; `translator pull`
names the outdated edition, and marks it in the pulled site's manifest, until it is republished.
"""

from __future__ import annotations

import datetime as dt
import html
import json
import re
import subprocess
import threading
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from werkzeug.serving import WSGIRequestHandler, make_server

from tests.conftest import approve_edition, done_second_step, enrol, fetched, sign_in_fully
from translator import cli, db, languages
from translator.formats import editions, share
from translator.models import Role, State
from translator.services import accounts, documents, editing, publications, tokens

ALERT = "alert-death-sentences"
ENGLISH = ("at least 19 protesters face", "at least 25 protesters face")
# each language's figure, corrected as its translator would
FIGURES = {"fr": ("au moins 19 manifestants", "au moins 25 manifestants"), "fa": ("۱۹", "۲۵")}
# what pdftotext puts around right-to-left runs: read as spaces
BIDI_CONTROLS = dict.fromkeys(
    map(ord, "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"), " "
)


@pytest.fixture
def desk(app) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    """The alert approved in French and Farsi and published by API (snapshot 1 of each); an
    editor who signs in, and a publish token."""
    factory = app.extensions["translator.sessions"]
    with db.transaction(factory) as s:
        password = accounts.create_user(s, "elif", Role.EDITOR)
        accounts.create_user(s, "reza", Role.REVIEWER, "fa,fr")
        for code in FIGURES:
            approve_edition(s, accounts.by_username(s, "reza"), ALERT, code)
        auth = {"Authorization": f"Bearer {tokens.create(s, 'elif', ['read', 'publish'])}"}
    enrol(app, "elif")
    said = {code: publish(app.test_client(), auth, code) for code in FIGURES}
    assert all(first["number"] == 1 and first["correction"] is None for first in said.values())
    return {"app": app, "auth": auth, "password": password}


def publications_path(code: str) -> str:
    return f"/api/v1/documents/{ALERT}/languages/{code}/publications"


def publish(client: Any, auth: dict[str, str], code: str) -> dict[str, Any]:
    made = client.post(publications_path(code), headers=auth)
    assert made.status_code == 201, made.json
    return dict(made.json)


def correct_the_english(root: Path, run: Any) -> None:
    path = root / "source_texts" / f"{ALERT}.md"
    old, new = ENGLISH
    path.write_text(path.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")
    run("extract")


def translate_the_correction(app: Any, code: str) -> int:
    """The changed unit's translation with the new figure, approved by the reviewer; its id."""
    old, new = FIGURES[code]
    with db.transaction(app.extensions["translator.sessions"]) as s:
        document = documents.by_slug(s, ALERT)
        (unit, translation), *others = [
            (u, t) for u, t in editing.rows(s, document.id, code) if ENGLISH[1] in u.source
        ]
        assert not others and translation.state == State.NEEDS_EDITING and old in translation.text
        editing.save(
            s,
            done_second_step(accounts.by_username(s, "reza")),
            unit.id,
            code,
            translation.text.replace(old, new),
            version=translation.version,
            state=State.APPROVED,
        )
        return unit.id


def signed_in(desk: dict[str, Any]) -> Any:
    client = desk["app"].test_client()
    assert sign_in_fully(client, "elif", desk["password"]).status_code == 302
    return client


def snapshot_ids(app: Any, code: str) -> dict[int, int]:
    """The edition's publications: number to id."""
    with db.transaction(app.extensions["translator.sessions"]) as s:
        found = publications.publications(s, documents.by_slug(s, ALERT).id, code)
        return {p.publication.number: p.publication.id for p in found}


def words(text: str) -> Counter[str]:
    """A text's words (letters, digits and the half-space of Farsi words), each counted."""
    return Counter(re.sub(r"[^\w\u200c]+", " ", text.translate(BIDI_CONTROLS)).split())


def shown(page: str, element: str) -> str:
    """The text of a page's first `element` (`aside class="correction"`, `main`)."""
    found = re.search(rf"<{element}.*?</{element.split()[0]}>", page, re.S)
    assert found, page
    blocks = re.sub(r"</(p|li|ul|div|h\d)>", " ", found.group(0))
    return html.unescape(re.sub(r"<[^>]+>", "", blocks))


def pdf_text(data: bytes) -> str:
    return subprocess.run(
        ["pdftotext", "-enc", "UTF-8", "-", "-"], input=data, capture_output=True, check=True
    ).stdout.decode()


def test_a_corrected_english_outdates_the_publication_and_the_api_says_what_the_next_corrects(
    desk, root: Path, run
) -> None:
    client = desk["app"].test_client()
    correct_the_english(root, run)
    listed = client.get(publications_path("fr"), headers=desk["auth"]).json
    assert [(p["number"], p["outdated"], p["correction"]) for p in listed] == [(1, True, None)]
    unit = translate_the_correction(desk["app"], "fr")
    assert listed[0]["changed"] == [unit]

    again = publish(client, desk["auth"], "fr")
    correction = again["correction"]
    first_day = listed[0]["published_at"][:10]
    assert again["number"] == 2 and again["outdated"] is False and again["changed"] == []
    assert correction["of"] == 1 and correction["of_date"] == first_day
    assert correction["date"] == again["published_at"][:10] and correction["changed"] == [unit]
    (passage,) = correction["passages"]
    assert passage["unit"] == unit and FIGURES["fr"][1] in passage["text"]
    latest = client.get("/api/v1/publications", headers=desk["auth"]).json
    by_edition = {(p["document"], p["language"]): p for p in latest}
    assert by_edition[(ALERT, "fr")]["number"] == 2
    assert by_edition[(ALERT, "fr")]["correction"] == correction
    assert by_edition[(ALERT, "fa")]["outdated"] is True  # not republished yet
    assert by_edition[(ALERT, "fa")]["changed"] == [unit]
    from_cli = json.loads(run("publications", ALERT, "fr", "--json").output)
    assert [p["correction"] for p in from_cli] == [correction, None]
    assert "#2  " in run("publications", ALERT, "fr").output.splitlines()[0]
    assert run("publications", ALERT, "fr").output.splitlines()[0].endswith("corrects #1")


@pytest.mark.parametrize("code", ["fr", "fa"])
def test_the_republished_snapshot_carries_a_dated_note_in_its_language_and_the_first_is_kept(
    desk, root: Path, run, code: str
) -> None:
    client = signed_in(desk)
    first_id = snapshot_ids(desk["app"], code)[1]
    first_page = client.get(f"/publications/{first_id}").get_data(as_text=True)
    correct_the_english(root, run)
    translate_the_correction(desk["app"], code)
    again = publish(client, desk["auth"], code)
    language = languages.get(code)
    corrected_on = editions.format_day(dt.date.fromisoformat(again["published_at"][:10]), language)
    first_day = editions.format_day(dt.date.fromisoformat(again["correction"]["of_date"]), language)

    second_id = snapshot_ids(desk["app"], code)[2]
    page = client.get(f"/publications/{second_id}").get_data(as_text=True)
    note = " ".join(shown(page, 'aside class="correction"').split())
    assert editions.word("corrected", code, date=corrected_on) in note
    one = editions.localised_digits("1", language)
    assert editions.word("replaces", code, number=one, date=first_day) in note
    assert FIGURES[code][1] in note and FIGURES[code][0] not in note
    assert client.get(f"/publications/{first_id}").get_data(as_text=True) == first_page
    assert 'class="correction"' not in first_page

    # every word of the note, the corrected passage too, is in the PDF's text beyond the body's
    pdf = fetched(client, client.get(f"/publications/{second_id}.pdf")).data
    beyond_the_body = words(pdf_text(pdf)) - words(shown(page, "main"))
    assert not words(note) - beyond_the_body, words(note) - beyond_the_body
    listing = client.get(f"/dashboard/documents/{ALERT}/{code}").get_data(as_text=True)
    assert f'href="/publications/{second_id}.png"' in listing  # the alert's share image


def test_the_snapshots_share_image_says_when_it_was_corrected(desk, root: Path, run) -> None:
    client = signed_in(desk)
    correct_the_english(root, run)
    translate_the_correction(desk["app"], "fa")
    again = publish(client, desk["auth"], "fa")
    second_id = snapshot_ids(desk["app"], "fa")[2]
    with db.transaction(desk["app"].extensions["translator.sessions"]) as s:
        frozen = publications.edition_of(s, publications.get(s, second_id))
    day = editions.format_day(dt.date.fromisoformat(again["published_at"][:10]), frozen.language)
    assert share.card(frozen).dates[-1] == editions.word("corrected", "fa", date=day)
    image = fetched(client, client.get(f"/publications/{second_id}.png"))
    assert image.mimetype == "image/png" and image.data.startswith(b"\x89PNG\r\n\x1a\n")
    first = fetched(client, client.get(f"/publications/{snapshot_ids(desk['app'], 'fa')[1]}.png"))
    assert first.data != image.data


def test_the_edition_served_as_published_carries_its_correction_until_the_english_changes_again(
    desk, root: Path, run
) -> None:
    client = desk["app"].test_client()
    correct_the_english(root, run)
    translate_the_correction(desk["app"], "fr")
    publish(client, desk["auth"], "fr")
    path = f"/api/v1/documents/{ALERT}/languages/fr/edition.html"
    page = fetched(client, client.get(path, headers=desk["auth"]), desk["auth"])
    assert '<aside class="correction"' in page.get_data(as_text=True)

    source = root / "source_texts" / f"{ALERT}.md"
    text = source.read_text(encoding="utf-8")
    source.write_text(text.replace("at least five of them", "at least six of them"))
    run("extract")
    with db.transaction(desk["app"].extensions["translator.sessions"]) as s:
        alert = documents.by_slug(s, ALERT)
        assert publications.current_correction(s, alert.id, "fr") is None  # outdated again


class _Quiet(WSGIRequestHandler):
    def log_request(self, *args: Any, **kwargs: Any) -> None:
        pass


@pytest.fixture
def served(desk) -> Iterator[str]:  # type: ignore[no-untyped-def]
    """The desk on loopback, for `translator pull`."""
    server = make_server("127.0.0.1", 0, desk["app"], threaded=True, request_handler=_Quiet)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


def pulled(served: str, desk: dict[str, Any], out: Path) -> tuple[list[str], dict[str, Any]]:
    """`translator pull --editions` of the French alert: its lines on stderr that name an
    outdated edition, and the site's manifest."""
    token = desk["auth"]["Authorization"].removeprefix("Bearer ")
    arguments = ["pull", "--server", served, "--token", token, "--editions", "--out", str(out)]
    done = CliRunner().invoke(cli.main, [*arguments, "--lang", "fr", "--document", ALERT])
    assert done.exit_code == 0, done.output
    outdated = [line for line in done.stderr.splitlines() if line.startswith("outdated ")]
    return outdated, json.loads((out / "editions" / "manifest.json").read_text())


def test_pull_names_an_outdated_edition_until_it_is_republished(
    desk, served: str, root: Path, run, tmp_path: Path
) -> None:
    out = tmp_path / "pulled"
    page = f"fr/{ALERT}.html"
    outdated, manifest = pulled(served, desk, out)
    assert outdated == [] and manifest[page]["outdated"] is False
    assert manifest[f"fr/{ALERT}.png"]["outdated"] is False

    correct_the_english(root, run)
    unit = translate_the_correction(desk["app"], "fr")
    outdated, manifest = pulled(served, desk, out)
    assert len(outdated) == 1 and outdated[0].startswith(f"outdated editions/fr/{ALERT}: ")
    assert "publication 1 of " in outdated[0] and f"units {unit} " in outdated[0]
    assert manifest[page]["outdated"] is True and manifest[page]["changed"] == [unit]
    assert manifest[f"en/{ALERT}.html"]["outdated"] is False  # the English is the source

    publish(desk["app"].test_client(), desk["auth"], "fr")
    outdated, manifest = pulled(served, desk, out)
    assert outdated == [] and manifest[page]["outdated"] is False
    assert '<aside class="correction"' in (out / "editions" / page).read_text(encoding="utf-8")
