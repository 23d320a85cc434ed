"""The interface is ready for its own translation: every visible string of every main page comes
from the UI catalogue (translator/translations/messages.pot), shown here in a pseudo-locale."""

from __future__ import annotations

import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from babel import Locale
from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask import render_template_string
from markupsafe import Markup
from sqlalchemy import select

from tests.conftest import enrol, sign_in_fully
from translator import babel, create_app, db, languages
from translator.checks.glossary import note_for
from translator.models import (
    CheckFailure,
    Document,
    GlossaryTerm,
    Role,
    State,
    Translation,
    Unit,
    User,
)
from translator.services import accounts, editing, glossary

REPO = Path(__file__).resolve().parent.parent
POT = REPO / "translator" / "translations" / "messages.pot"
PSEUDO = "eo"  # a locale the desk does not use, standing in for any future UI language
TRANSLATED = re.compile(r"⟦[^⟧]*⟧")
# Not words to translate: the names of invisible characters on the editor's buttons, and keys
NAMES = re.compile(r"\b(ZWNJ|LRM|RLM|LRI|RLI|PDI|NNBSP|Ctrl|Alt|Enter|C)\b")
CHECKED_ATTRIBUTES = ("title", "placeholder", "aria-label", "alt")


def pseudo_catalogue(folder: Path) -> Path:
    """The UI catalogue with every message translated as ⟦message⟧, compiled."""
    with POT.open("rb") as template:
        catalogue = read_po(template, locale=PSEUDO)
    for message in catalogue:
        if message.id:
            ids = message.id if isinstance(message.id, tuple) else (message.id,)
            strings = tuple(f"⟦{text}⟧" for text in ids)
            message.string = strings if isinstance(message.id, tuple) else strings[0]
    target = folder / PSEUDO / "LC_MESSAGES"
    target.mkdir(parents=True)
    with (target / "messages.mo").open("wb") as mo:
        write_mo(mo, catalogue)
    return folder


class _Texts(HTMLParser):
    """Visible text nodes and the visible attributes, outside <code>, <script> and <style>.

    Also left out: a textarea (it holds a translation) and a check's message, which the checks
    (pure functions, no Flask) write in English; translating those is still to do.
    """

    SKIPPED = {"code", "script", "style", "textarea"}
    SKIPPED_CLASSES = {"check-message", "date"}  # dates are formatted by CLDR, not the catalogue

    def __init__(self) -> None:
        super().__init__()
        self.texts: list[str] = []
        self.skipping: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.SKIPPED or dict(attrs).get("class") in self.SKIPPED_CLASSES:
            self.skipping.append(tag)
        self.texts += [value for name, value in attrs if name in CHECKED_ATTRIBUTES and value]
        if tag == "input" and dict(attrs).get("type") in ("submit", "button"):
            self.texts.append(dict(attrs).get("value") or "")

    def handle_endtag(self, tag: str) -> None:
        if self.skipping and self.skipping[-1] == tag:
            self.skipping.pop()

    def handle_data(self, data: str) -> None:
        if not self.skipping and data.strip():
            self.texts.append(data.strip())


def content(app: Any) -> list[str]:
    """What the store holds (the campaign's texts, names, terms): shown as it is, never
    translated by the interface; longest first, so a text is taken out before its parts."""
    with db.transaction(app.extensions["translator.sessions"]) as s:
        found = set(s.scalars(select(Unit.source)))
        found |= set(s.scalars(select(Unit.locations)))
        found |= {place for row in s.scalars(select(Unit.locations)) for place in row.split()}
        found |= set(s.scalars(select(Translation.text)))
        found |= set(s.scalars(select(Document.title))) | set(s.scalars(select(Document.slug)))
        found |= set(s.scalars(select(User.username)))
        for term in s.scalars(select(GlossaryTerm)):
            found |= {term.english, term.note, *[f for forms in term.forms.values() for f in forms]}
        for entry in glossary.terms(s):  # a note as each language's translators read it
            found |= {note_for(entry, code) for code in languages.TARGET_LANGUAGES}
    for lang in languages.targets():
        found |= {lang.code, lang.name, lang.native_name, language_name(lang.code)}
    return sorted((text for text in found if text), key=len, reverse=True)


def language_name(code: str) -> str:
    return Locale.parse(code).get_display_name(PSEUDO) or code


def untranslated(text: str, known: list[str]) -> bool:
    """Whether English words remain once the pseudo-translated parts, the store's content and
    the names of characters and keys are taken out."""
    rest = TRANSLATED.sub(" ", text)
    if not re.search(r"[A-Za-z]", rest):
        return False
    piece = text.strip()
    if len(piece) > 2 and any(piece in k for k in known):
        return False  # a run of the store's text, isolated on its own (a link's handle, a URL)
    if rest.endswith("...") and any(k.startswith(rest[:-3].rstrip()) for k in known):
        return False  # a truncated text of the store
    rest = NAMES.sub(" ", rest)
    for piece in known:
        if piece in rest:  # whole words only: a language code is not part of a word
            rest = re.sub(rf"(?<!\w){re.escape(piece)}(?!\w)", " ", rest)
    return bool(re.search(r"[A-Za-z]", rest))


@pytest.fixture
def pseudo_app(app, database_url: str, root: Path, tmp_path: Path):  # type: ignore[no-untyped-def]
    application = create_app(
        {
            "TESTING": True,
            "DATABASE_URL": database_url,
            "ROOT": str(root),
            "INSTANCE_PATH": str(tmp_path / "instance"),
            "SECRET_KEY": "test",
            "BABEL_DEFAULT_LOCALE": PSEUDO,
            "BABEL_TRANSLATION_DIRECTORIES": str(pseudo_catalogue(tmp_path / "ui")),
        }
    )
    yield application
    application.extensions["translator.sessions"].kw["bind"].dispose()


def signed_in_admin(app: Any) -> Any:
    with db.transaction(app.extensions["translator.sessions"]) as s:
        password = accounts.create_user(s, "nasrin", Role.ADMIN, "fa,de")
    enrol(app, "nasrin")  # admins administer with a second factor
    client = app.test_client()
    response = sign_in_fully(client, "nasrin", password)
    assert response.status_code == 302
    return client


def main_pages(client: Any) -> dict[str, str]:
    """Every main page, the editor after a save and a comment so that its history shows."""
    pages = {"/login": client.get("/login").get_data(as_text=True)}
    listing = client.get("/translate/fa/palm-card").get_data(as_text=True)
    unit = re.findall(r'/translate/fa/palm-card/(\d+)"', listing)[1]
    editor = f"/translate/fa/palm-card/{unit}"
    page = client.get(editor).get_data(as_text=True)
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
    version = re.search(r'name="version" value="(\d+)"', page).group(1)  # type: ignore[union-attr]
    form = {"csrf_token": csrf, "version": version, "text": "آزادی", "state": "needs-editing"}
    client.post(editor, data=form)
    client.post(f"{editor}/comment", data={"csrf_token": csrf, "text": "?", "question": "1"})
    client.post(f"{editor}/suggest", data={"csrf_token": csrf, "text": "آزادی!"})
    for path in (
        "/",
        "/translate/",
        "/translate/fa",
        "/translate/fa/palm-card",
        "/translate/fa/palm-card?state=needs-editing",
        editor,
        "/glossary",
        "/glossary?unit=Free+Toomaj+Salehi",
        "/admin/users",
        "/admin/tokens",
        "/dashboard",
        "/dashboard/languages/fa",
        "/dashboard/documents/palm-card",
        "/dashboard/documents/palm-card/fa",
    ):
        response = client.get(path)
        assert response.status_code == 200, path
        pages[path] = response.get_data(as_text=True)
    return pages


def test_every_visible_string_of_the_main_pages_is_translatable(pseudo_app) -> None:
    pages = main_pages(signed_in_admin(pseudo_app))
    known = content(pseudo_app)
    missing = {}
    for path, page in pages.items():
        parser = _Texts()
        parser.feed(page)
        assert any(TRANSLATED.search(text) for text in parser.texts), path
        missing[path] = sorted({t for t in parser.texts if untranslated(t, known)})
    assert not any(missing.values()), {path: found for path, found in missing.items() if found}


# The interface in its volunteers' languages


@pytest.fixture
def desk_root(root: Path) -> Path:
    """The content root with the interface's catalogues, as in the repository (no .mo)."""
    shutil.copytree(
        REPO / "translator" / "translations",
        root / "translator" / "translations",
        ignore=shutil.ignore_patterns("*.mo"),
    )
    return root


def desk_app(database_url: str, root: Path, folder: Path, translations: Path | None = None) -> Any:
    translations = translations or root / "translator" / "translations"
    application = create_app(
        {
            "TESTING": True,
            "DATABASE_URL": database_url,
            "ROOT": str(root),
            "INSTANCE_PATH": str(folder / "instance"),
            "SECRET_KEY": "test",
            "BABEL_TRANSLATION_DIRECTORIES": str(translations),
        }
    )
    # flask-babel keeps one translation cache per process, keyed by locale alone (the unbound
    # Babel() is shared by every app the tests make): forget what an earlier test's app loaded
    with application.app_context():
        babel.domain_instance.cache.clear()
    return application


def compile_catalogues(root: Path, *options: str) -> None:
    for path in (root / "translator" / "translations").glob("*/LC_MESSAGES/messages.po"):
        subprocess.run(
            ["msgfmt", "--check", *options, "-o", str(path.with_suffix(".mo")), str(path)],
            check=True,
        )


def test_the_interface_is_a_strings_document_of_the_desk(desk_root, run, sessions) -> None:
    run("init")
    with db.transaction(sessions) as s:
        document = s.scalars(select(Document).where(Document.slug == "desk-interface")).one()
        units = s.scalars(
            select(Unit).where(Unit.document_id == document.id, Unit.obsolete.is_(False))
        ).all()
        sign_in = next(unit for unit in units if unit.source == "Sign in")
        farsi = s.scalars(
            select(Translation).where(
                Translation.unit_id == sign_in.id, Translation.language == "fa"
            )
        ).one()
    with POT.open("rb") as template:
        messages = [m for m in read_po(template) if m.id]
    assert document.kind == "strings" and len(units) == len(messages)
    assert farsi.text == "ورود"
    assert any(unit.plural for unit in units)  # "Blocked: %(num)d blocker", with its plural


def test_a_translation_saved_in_the_desk_reaches_the_interface_after_extract(
    desk_root, run, sessions, database_url, tmp_path
) -> None:
    run("init")
    with db.transaction(sessions) as s:
        accounts.create_user(s, "sahar", Role.TRANSLATOR, "fa")
        sahar = s.scalars(select(User).where(User.username == "sahar")).one()
        unit = s.scalars(
            select(Unit)
            .join(Document)
            .where(Document.slug == "desk-interface", Unit.source == "Sign out")
        ).one()
        _, translation = editing.find(s, unit.id, "fa")
        editing.save(s, sahar, unit.id, "fa", "بیرون رفتن", version=translation.version)
    run("extract")
    catalogue = desk_root / "translator" / "translations" / "fa" / "LC_MESSAGES" / "messages.po"
    assert 'msgstr "بیرون رفتن"' in catalogue.read_text()
    compile_catalogues(desk_root)
    application = desk_app(database_url, desk_root, tmp_path)
    with db.transaction(application.extensions["translator.sessions"]) as s:
        password = accounts.create_user(s, "reza", Role.REVIEWER, "fa")
    client = application.test_client()
    client.post("/login", data={"username": "reza", "password": password})
    page = client.get("/", headers={"Accept-Language": "fa"}).get_data(as_text=True)
    application.extensions["translator.sessions"].kw["bind"].dispose()
    assert "بیرون رفتن" in page and 'lang="fa" dir="rtl"' in page


def test_interface_language_follows_account_then_browser_then_english(
    desk_root, run, database_url, tmp_path
) -> None:
    run("init")
    compile_catalogues(desk_root)
    application = desk_app(database_url, desk_root, tmp_path)
    client = application.test_client()
    assert 'lang="en" dir="ltr"' in client.get("/login").get_data(as_text=True)
    german = client.get("/login", headers={"Accept-Language": "de-CH, fa;q=0.5"})
    assert '<html lang="de" dir="ltr">' in german.get_data(as_text=True)
    assert "Anmelden" in german.get_data(as_text=True)
    with db.transaction(application.extensions["translator.sessions"]) as s:
        password = accounts.create_user(s, "jonas", Role.TRANSLATOR, "fa")
    client.post("/login", data={"username": "jonas", "password": password})
    page = client.get("/translate/fa", headers={"Accept-Language": "fa"}).get_data(as_text=True)
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
    chosen = client.post(
        "/interface-language", data={"csrf_token": csrf, "language": "tr", "next": "/translate/fa"}
    )
    assert chosen.status_code == 302 and chosen.headers["Location"] == "/translate/fa"
    client.delete_cookie("desk_language")  # the account keeps the choice, not only the browser
    turkish = client.get("/translate/fa", headers={"Accept-Language": "fa"}).get_data(as_text=True)
    assert '<html lang="tr" dir="ltr">' in turkish and "Oturumu kapat" in turkish
    # the Farsi being translated stays right to left in a Turkish interface
    assert 'lang="fa" dir="rtl"' in turkish
    with db.transaction(application.extensions["translator.sessions"]) as s:
        assert (
            s.scalars(select(User.interface_language).where(User.username == "jonas")).one() == "tr"
        )
    refused = client.post("/interface-language", data={"language": "tr", "next": "/"})
    assert refused.status_code == 400  # a signed-in browser's form carries its CSRF token
    application.extensions["translator.sessions"].kw["bind"].dispose()


def test_numbers_and_dates_follow_the_interface_language(app) -> None:
    from datetime import date

    from translator.web import interface

    with app.test_request_context(headers={"Accept-Language": "de"}):
        assert interface.number(1234.5, 1) == "1.234,5" and interface.percent(45) == "45\xa0%"
    with app.test_request_context(headers={"Accept-Language": "fa"}):
        assert interface.number(1234.5, 1) == "۱٬۲۳۴٫۵" and interface.percent(45) == "۴۵٪"
        assert interface.day(date(2022, 9, 16)) == "۲۵ شهریور ۱۴۰۱ (۱۶ سپتامبر ۲۰۲۲)"
        assert (
            interface.with_digits("%(n)d left, %(who)s", {"n": 12, "who": "user7"})
            == "۱۲ left, user7"
        )
    with app.test_request_context(headers={"Accept-Language": "en"}):
        assert interface.day(date(2022, 9, 16)) == "Sep 16, 2022"


def test_every_main_page_shows_in_farsi_with_the_interface_among_the_documents(
    desk_root, run, database_url, tmp_path
) -> None:
    run("init")
    compile_catalogues(desk_root)
    application = desk_app(database_url, desk_root, tmp_path)
    client = signed_in_admin(application)
    client.set_cookie("desk_language", "fa")
    pages = main_pages(client)
    application.extensions["translator.sessions"].kw["bind"].dispose()
    assert "The translation desk&#39;s interface" in pages["/"]
    assert all('<html lang="fa" dir="rtl">' in page for page in pages.values())


# A translation of the interface is text: it never puts markup into a page


EVIL = "ورود <meta/http-equiv=refresh content=0;url=//evil>"  # "Sign in", and a redirect


class _Tags(HTMLParser):
    """The tags of a page, with their attributes."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


def tags_of(page: str) -> list[tuple[str, dict[str, str | None]]]:
    parser = _Tags()
    parser.feed(page)
    return parser.tags


def farsi_sign_in_page(database_url: str, root: Path, folder: Path) -> str:
    application = desk_app(database_url, root, folder)  # the catalogues compiled anew
    page = application.test_client().get("/login", headers={"Accept-Language": "fa"})
    with application.app_context():
        babel.domain_instance.cache.clear()  # no later test may get this catalogue from the cache
    application.extensions["translator.sessions"].kw["bind"].dispose()
    assert page.status_code == 200
    return page.get_data(as_text=True)


def test_markup_in_an_interface_translation_is_refused_and_shown_as_text(
    desk_root, run, database_url, tmp_path
) -> None:
    run("init")
    application = desk_app(database_url, desk_root, tmp_path)
    sessions = application.extensions["translator.sessions"]
    with db.transaction(sessions) as s:
        password = accounts.create_user(s, "sahar", Role.TRANSLATOR, "fa")
        unit_id = s.scalars(
            select(Unit.id)
            .join(Document)
            .where(Document.slug == "desk-interface", Unit.source == "Sign in")
        ).one()
    client = application.test_client()
    assert sign_in_fully(client, "sahar", password).status_code == 302
    editor = f"/translate/fa/desk-interface/{unit_id}"
    page = client.get(editor).get_data(as_text=True)
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
    version = re.search(r'name="version" value="(\d+)"', page).group(1)  # type: ignore[union-attr]
    form = {"csrf_token": csrf, "version": version, "text": EVIL, "state": "translated"}
    saved = client.post(editor, data=form)
    answer = saved.get_data(as_text=True)
    # the save reports the markup check's error, and keeps the text as needs editing
    assert saved.status_code == 200
    plain = answer.replace("\u2068", "").replace("\u2069", "")  # the values' isolates
    assert "raw HTML &lt;meta/http-equiv=refresh content=0;url=//evil&gt; is not allowed" in plain
    assert not any(tag == "meta" and "http-equiv" in attrs for tag, attrs in tags_of(answer))
    with db.transaction(sessions) as s:
        translation = s.scalars(
            select(Translation).where(Translation.unit_id == unit_id, Translation.language == "fa")
        ).one()
        kept = s.scalars(
            select(CheckFailure).where(CheckFailure.translation_id == translation.id)
        ).all()
        assert translation.text == EVIL and translation.state == State.NEEDS_EDITING
        assert any(f.check == "markup" and f.severity == "error" for f in kept)
    sessions.kw["bind"].dispose()

    run("extract")  # as the README documents: the desk's translations into the catalogues
    path = desk_root / "translator" / "translations" / "fa" / "LC_MESSAGES" / "messages.po"
    with path.open("rb") as handle:
        entry = read_po(handle, locale="fa").get("Sign in")
    assert entry is not None and entry.string == EVIL and entry.fuzzy
    compile_catalogues(desk_root)  # needs editing is fuzzy: not in the compiled catalogue
    farsi = farsi_sign_in_page(database_url, desk_root, tmp_path)
    assert 'lang="fa" dir="rtl"' in farsi and "evil" not in farsi

    # Whatever reaches a compiled catalogue (here its fuzzy entries too, as a translation the
    # checks once let through would) is text on the page, never a tag
    compile_catalogues(desk_root, "--use-fuzzy")
    farsi = farsi_sign_in_page(database_url, desk_root, tmp_path)
    assert "<h1>ورود &lt;meta/http-equiv=refresh content=0;url=//evil&gt;</h1>" in farsi
    assert "<meta/http-equiv" not in farsi
    assert not any(
        "evil" in str(value) or name == "http-equiv"
        for _, attrs in tags_of(farsi)
        for name, value in attrs.items()
    )


HOSTILE = '<b onclick="x">{}</b>'  # markup, and a quote that would leave an attribute
# each way a template translates, and the (escaped) message it shows with the hostile catalogue
HOSTILE_TEMPLATES = {
    '{{ _("Sign in") }}': "Sign in",
    '{{ gettext("Hello %(name)s", name=name) }}': "Hello &lt;i&gt;Sahar&lt;/i&gt;",
    '{{ ngettext("%(num)d unit", "%(num)d units", 3) }}': "۳ units",
    '{{ pgettext("button", "Save") }}': "button|Save",
    '{{ npgettext("list", "%(num)d unit", "%(num)d units", 1) }}': "list|۱ unit",
    "{% trans %}Sign out{% endtrans %}": "Sign out",
    "{% trans %}Hello {{ name }}{% endtrans %}": "Hello &lt;i&gt;Sahar&lt;/i&gt;",
    "{% trans count=2 %}{{ count }} day{% pluralize %}{{ count }} days{% endtrans %}": "2 days",
    '<a title="{{ _("Help") }}">?</a>': "Help",
    '{{ _("%(share)d%% done", share=45) }}': "۴۵% done",
}


@pytest.fixture
def hostile_app(database_url: str, root: Path, tmp_path: Path):  # type: ignore[no-untyped-def]
    """The app with a Farsi interface catalogue whose every translation carries markup."""
    catalogue = Catalog(locale="fa")
    for message in ("Sign in", "Hello %(name)s", "Sign out", "Help", "%(share)d%% done"):
        catalogue.add(message, HOSTILE.format(message))
    for singular, plural in (
        ("%(num)d unit", "%(num)d units"),
        ("%(count)s day", "%(count)s days"),
    ):
        catalogue.add((singular, plural), (HOSTILE.format(singular), HOSTILE.format(plural)))
    catalogue.add("Save", HOSTILE.format("button|Save"), context="button")
    catalogue.add(
        ("%(num)d unit", "%(num)d units"),
        (HOSTILE.format("list|%(num)d unit"), HOSTILE.format("list|%(num)d units")),
        context="list",
    )
    folder = tmp_path / "hostile" / "fa" / "LC_MESSAGES"
    folder.mkdir(parents=True)
    with (folder / "messages.mo").open("wb") as mo:
        write_mo(mo, catalogue)
    application = desk_app(database_url, root, tmp_path, tmp_path / "hostile")
    yield application
    with application.app_context():
        babel.domain_instance.cache.clear()  # no later test may get this catalogue from the cache
    application.extensions["translator.sessions"].kw["bind"].dispose()


@pytest.mark.parametrize("template", sorted(HOSTILE_TEMPLATES))
def test_every_way_a_template_translates_escapes_the_translation(
    hostile_app, template: str
) -> None:
    with hostile_app.test_request_context(headers={"Accept-Language": "fa"}):
        page = render_template_string(template, name="<i>Sahar</i>")
    wanted = HOSTILE_TEMPLATES[template]
    assert page.count(f"&lt;b onclick=&#34;x&#34;&gt;{wanted}&lt;/b&gt;") == 1, page
    assert "<b" not in page and "<i>" not in page


def test_markup_the_template_itself_writes_stays_markup(app) -> None:
    with app.test_request_context(headers={"Accept-Language": "en"}):
        page = render_template_string(
            '<p>{{ _("Read the %(guide)s first.", guide=guide) }}</p>',
            guide=Markup('<a href="/guide">{}</a>').format("<guide>"),
        )
    assert page == '<p>Read the <a href="/guide">&lt;guide&gt;</a> first.</p>'
