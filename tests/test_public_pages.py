"""The public face holds a viral link: public pages are answered from kept bytes until what they
show changes, with strong ETags, 304s and Cache-Control a shared cache may follow; signed-in
pages stay no-store; nginx with deploy/nginx.conf in front answers a second reader itself."""

from __future__ import annotations

import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import select
from werkzeug.serving import make_server

from benchmarks import proxy
from tests.conftest import approve_edition, done_second_step, fetched, sign_in_fully
from translator import db
from translator.models import Role, State, User
from translator.services import accounts, documents, editing, publications

EDITION = "/documents/palm-card/de/edition.html"


@pytest.fixture
def made(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The front page's listing, counted each time the page is made."""
    calls: list[str] = []
    listing = documents.listing

    def counted(session: Any) -> Any:
        calls.append("made")
        return listing(session)

    monkeypatch.setattr("translator.web.documents.documents.listing", counted)
    return calls


def reviewer(app: Any, language: str = "de") -> User:
    with db.transaction(app.extensions["translator.sessions"]) as s:
        accounts.create_user(s, "reza", Role.REVIEWER, language)
        user = s.scalars(select(User).where(User.username == "reza")).one()
        s.expunge(user)
        return user


def edit_first_unit(app: Any, who: User, slug: str, language: str, text: str) -> None:
    with db.transaction(app.extensions["translator.sessions"]) as s:
        unit, translation = editing.rows(s, documents.by_slug(s, slug).id, language)[0]
        editing.save(
            s,
            done_second_step(who),
            unit.id,
            language,
            text,
            version=translation.version,
            state=State.APPROVED,
        )


def test_the_front_page_answers_304_to_its_own_etag_and_says_how_long_to_keep_it(client) -> None:
    first = client.get("/")
    assert first.status_code == 200
    etag = first.headers["ETag"]
    assert etag.startswith('"') and not etag.startswith("W/")  # strong
    assert first.headers["Cache-Control"] == "public, max-age=60"
    assert {"Accept-Language", "Cookie"} <= set(first.vary)
    again = client.get("/", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b"" and again.headers["ETag"] == etag
    assert client.get("/", headers={"If-None-Match": '"other"'}).status_code == 200


def test_the_front_page_is_made_once_until_a_save_changes_what_it_shows(app, client, made) -> None:
    pages = [client.get("/", headers={"Accept-Language": "de"}) for _ in range(3)]
    assert made == ["made"] and len({p.headers["ETag"] for p in pages}) == 1
    edit_first_unit(app, reviewer(app), "palm-card", "de", "Freiheit für alle, jetzt!")
    after = client.get("/", headers={"Accept-Language": "de"})
    assert made == ["made", "made"] and after.headers["ETag"] != pages[0].headers["ETag"]
    assert (
        client.get("/", headers={"Accept-Language": "de"}).headers["ETag"] == after.headers["ETag"]
    )
    assert len(made) == 2


def test_each_interface_language_is_kept_apart(client, made) -> None:
    farsi = client.get("/", headers={"Accept-Language": "fa"})
    french = client.get("/", headers={"Accept-Language": "fr"})
    assert 'lang="fa"' in farsi.get_data(as_text=True)
    assert 'lang="fr"' in french.get_data(as_text=True)
    assert farsi.headers["ETag"] != french.headers["ETag"]
    assert (
        client.get("/", headers={"Accept-Language": "fa"}).headers["ETag"] == farsi.headers["ETag"]
    )
    assert len(made) == 2


def test_a_signed_in_page_is_never_kept_nor_cacheable(app, client, made) -> None:
    with db.transaction(app.extensions["translator.sessions"]) as s:
        password = accounts.create_user(s, "sahar", Role.TRANSLATOR, "fa")
    sign_in_fully(client, "sahar", password)
    for _ in range(2):
        page = client.get("/")
        assert page.headers["Cache-Control"] == "no-store"
    assert "sahar" in page.get_data(as_text=True) and len(made) == 2


def test_a_request_with_a_query_is_answered_by_the_view_not_the_shelf(client, made) -> None:
    client.get("/?a=1")
    client.get("/?a=2")
    assert len(made) == 2


def test_badges_are_kept_and_move_with_approvals(app, client) -> None:
    first = client.get("/badges/palm-card/de.svg")
    assert first.headers["Cache-Control"] == "public, max-age=60"
    assert (
        client.get(
            "/badges/palm-card/de.svg", headers={"If-None-Match": first.headers["ETag"]}
        ).status_code
        == 304
    )
    with db.transaction(app.extensions["translator.sessions"]) as s:
        approve_edition(s, reviewer(app), "palm-card", "de")
    after = client.get("/badges/palm-card/de.svg")
    assert after.headers["ETag"] != first.headers["ETag"] and b"100" in after.data


def test_a_published_edition_is_kept_until_its_translations_change(app, client) -> None:
    assert client.get(EDITION).status_code == 409  # not publishable: nothing kept
    who = reviewer(app)
    with db.transaction(app.extensions["translator.sessions"]) as s:
        approve_edition(s, who, "palm-card", "de")
    built = fetched(client, client.get(EDITION))  # built by a job, then served
    assert built.status_code == 200
    kept = client.get(EDITION)
    assert kept.data == built.data and kept.headers["Cache-Control"] == "public, max-age=300"
    assert client.get(EDITION, headers={"If-None-Match": kept.headers["ETag"]}).status_code == 304
    edit_first_unit(app, who, "palm-card", "de", "Freiheit für alle politischen Gefangenen!")
    changed = client.get(EDITION)
    if changed.status_code == 202:  # the new edition is built by a job first
        changed = fetched(client, changed)
    assert changed.headers["ETag"] != kept.headers["ETag"]
    assert "Freiheit für alle politischen Gefangenen!" in changed.get_data(as_text=True)


@pytest.fixture
def served(app) -> Iterator[int]:  # type: ignore[no-untyped-def]
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_port
    server.shutdown()


def get(
    port: int, path: str, headers: dict[str, str] | None = None
) -> tuple[int, dict[str, str], bytes]:
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as refused:
        return refused.code, dict(refused.headers), refused.read()


@pytest.mark.slow
@pytest.mark.skipif(not proxy.available(), reason="nginx is not installed (make install adds it)")
@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)  # the proxy, not the store
def test_nginx_in_front_answers_a_second_reader_and_shows_a_publication_within_max_age(
    app, served, made
) -> None:
    app.config.update(PUBLIC_MAX_AGE=1)
    with proxy.nginx(served) as port:
        first = get(port, "/", {"Accept-Language": "de"})
        second = get(port, "/", {"Accept-Language": "de"})
        assert first[0] == second[0] == 200 and first[2] == second[2]
        assert first[1]["X-Cache-Status"] == "MISS" and second[1]["X-Cache-Status"] == "HIT"
        assert len(made) == 1  # the second reader never reached the desk

        who = reviewer(app)
        factory = app.extensions["translator.sessions"]
        with db.transaction(factory) as s:
            approve_edition(s, who, "palm-card", "de")
            accounts.create_user(s, "elif", Role.EDITOR)
            editor = s.scalars(select(User).where(User.username == "elif")).one()
            publications.publish_edition(
                s,
                done_second_step(editor),
                documents.by_slug(s, "palm-card"),
                "de",
                app.config["ROOT"],
            )
        time.sleep(1.2)  # past the front page's max-age: nginx asks the desk again
        seen = [get(port, "/", {"Accept-Language": "de"})]
        while seen[-1][2] == first[2] and len(seen) < 20:  # kept stale while nginx asks
            time.sleep(0.1)
            seen.append(get(port, "/", {"Accept-Language": "de"}))
        assert seen[-1][0] == 200 and seen[-1][2] != first[2]  # within two seconds of expiry

        signed = get(port, "/", {"Cookie": "desk_session=anything"})
        assert signed[1]["X-Cache-Status"] == "BYPASS"


def test_the_front_page_links_a_published_edition_for_everyone_and_never_its_draft(
    app, client
) -> None:
    who = reviewer(app)
    factory = app.extensions["translator.sessions"]
    with db.transaction(factory) as s:
        approve_edition(s, who, "palm-card", "de")
        accounts.create_user(s, "elif", Role.EDITOR)
        editor = s.scalars(select(User).where(User.username == "elif")).one()
        document = documents.by_slug(s, "palm-card")
        publications.publish_edition(
            s, done_second_step(editor), document, "de", app.config["ROOT"]
        )
    page = client.get("/").get_data(as_text=True)
    assert 'href="/documents/palm-card/de/edition.html" hreflang="de"' in page
    assert 'href="/documents/palm-card/de/edition.pdf" hreflang="de"' in page
    assert 'href="/documents/palm-card/de/edition.png" hreflang="de"' in page  # its share image
    assert "draft=1" not in page  # the public gets no draft, nor a preview
    with db.transaction(factory) as s:
        password = accounts.create_user(s, "jonas", Role.TRANSLATOR, "de")
    sign_in_fully(client, "jonas", password)
    signed = client.get("/").get_data(as_text=True)
    assert "/documents/palm-card/de/edition.pdf?draft=1" not in signed
    assert 'href="/documents/palm-card/de/edition.pdf" hreflang="de"' in signed
    assert "/documents/faq/de/edition.pdf?draft=1" in signed  # unpublished: the draft


def test_the_preview_of_an_edition_ready_to_go_out_is_not_labelled_draft(app, client) -> None:
    who = reviewer(app)
    with db.transaction(app.extensions["translator.sessions"]) as s:
        password = accounts.create_user(s, "jonas", Role.TRANSLATOR, "de")
    sign_in_fully(client, "jonas", password)
    unfinished = client.get("/documents/palm-card/de/preview").get_data(as_text=True)
    assert "draft-banner" in unfinished
    with db.transaction(app.extensions["translator.sessions"]) as s:
        approve_edition(s, who, "palm-card", "de")
    ready = client.get("/documents/palm-card/de/preview").get_data(as_text=True)
    assert "draft-banner" not in ready and 'lang="de"' in ready
