"""Plural forms end to end: gettext template sources, forms in the store, the catalogues, the
checks per form, the editor, the API and the editions that strings documents do not have."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from tests.conftest import done_second_step
from translator import db, plurals
from translator.checks import Context, run_unit
from translator.formats import po
from translator.models import Document, Role, State, Translation, Unit, User
from translator.services import (
    DeskError,
    accounts,
    builds,
    catalogue_files,
    editing,
    gate,
    loading,
    publications,
    writing,
)
from translator.services import extract as extraction

SLUG = "website-strings"
COUNTER = "%(count)d political prisoner faces execution"
COUNTER_PLURAL = "%(count)d political prisoners face execution"
FRENCH = [
    "%(count)d prisonnier politique risque l'exécution",
    "%(count)d de prisonniers politiques risquent l'exécution",
    "%(count)d prisonniers politiques risquent l'exécution",
]
STRINGS_POT = """msgid ""
msgstr ""
"Project-Id-Version: website 1.0\\n"
"X-Desk-Title: Website strings\\n"
"Content-Type: text/plain; charset=UTF-8\\n"

msgid "Sign the appeal"
msgstr ""

#, python-format
msgid "%(days)d day left to sign"
msgid_plural "%(days)d days left to sign"
msgstr[0] ""
msgstr[1] ""
"""


def user(session: Session, name: str, role: Role, langs: str = "") -> User:
    accounts.create_user(session, name, role, langs)
    return session.scalars(select(User).where(User.username == name)).one()


def counter(session: Session, language: str) -> tuple[Unit, Translation]:
    unit, translation = session.execute(
        select(Unit, Translation)
        .join(Translation)
        .where(Unit.source == COUNTER, Translation.language == language)
    ).one()
    return unit, translation


def extract(sessions: sessionmaker[Session], root: Path) -> writing.WriteReport:
    with db.transaction(sessions) as session:
        return extraction.extract(session, root)[1]


# Sources and catalogues


def test_a_pot_source_is_a_strings_document_with_plural_units(loaded: sessionmaker[Session]):
    with db.transaction(loaded) as s:
        document = s.scalars(select(Document).where(Document.slug == SLUG)).one()
        assert (document.kind, document.title) == ("strings", "Website interface strings")
        unit, translation = counter(s, "fr")
        assert unit.source_plural == COUNTER_PLURAL and unit.type == "string"
        assert plurals.forms_of(translation.text, "fr") == FRENCH
        ordinary = s.scalars(select(Unit).where(Unit.source == "Sign the appeal")).one()
        assert ordinary.source_plural is None and not ordinary.plural


def test_plural_units_round_trip_to_the_same_catalogue_bytes(
    loaded: sessionmaker[Session], root: Path
) -> None:
    with db.transaction(loaded) as s:
        files = writing.render_files(s, root)
    template = files[catalogue_files.template_path(root, SLUG)].decode()
    assert f'msgid_plural "{COUNTER_PLURAL}"' in template and 'msgstr[1] ""' in template
    for language in ("fa", "tr", "fr", "es", "de", "pt"):
        path = catalogue_files.catalogue_path(root, language, SLUG)
        assert files[path] == path.read_bytes(), path
    french = files[catalogue_files.catalogue_path(root, "fr", SLUG)].decode()
    assert 'msgstr[2] "%(count)d prisonniers politiques risquent l\'exécution"' in french


def test_written_plural_catalogues_pass_msgfmt_check(
    loaded: sessionmaker[Session], root: Path
) -> None:
    with db.transaction(loaded) as s:
        unit, translation = counter(s, "de")
        translation.text = plurals.join(["%(count)d Gefangener", "%(count)d Gefangene"])
        translation.version += 1
    extract(loaded, root)
    paths = [catalogue_files.template_path(root, SLUG)] + [
        catalogue_files.catalogue_path(root, code, SLUG)
        for code in ("fa", "tr", "fr", "es", "de", "pt")
    ]
    for path in paths:
        result = subprocess.run(
            ["msgfmt", "--check", "-o", "/dev/null", str(path)], capture_output=True, text=True
        )
        assert result.returncode == 0, result.stderr
    german = po.read(catalogue_files.catalogue_path(root, "de", SLUG).read_bytes())
    entry = next(e for e in german.entries if e.msgid == COUNTER)
    assert entry.msgstr_plural == ["%(count)d Gefangener", "%(count)d Gefangene"]


def test_a_changed_english_plural_makes_the_translations_need_editing(
    loaded: sessionmaker[Session], root: Path
) -> None:
    source = root / "source_texts" / f"{SLUG}.pot"
    source.write_text(
        source.read_text().replace(
            f'"{COUNTER_PLURAL}"', '"%(count)d political prisoners are facing execution"'
        )
    )
    extract(loaded, root)
    with db.transaction(loaded) as s:
        unit, translation = counter(s, "fr")
        assert unit.source_plural == "%(count)d political prisoners are facing execution"
        assert translation.state == State.NEEDS_EDITING
        assert plurals.forms_of(translation.text, "fr") == FRENCH  # kept, to be edited
    french = catalogue_files.catalogue_path(root, "fr", SLUG).read_text()
    assert "#, fuzzy\n" in french and "are facing execution" in french


def test_a_removed_plural_unit_stays_obsolete_with_its_forms_through_a_reload(
    loaded: sessionmaker[Session], root: Path, tmp_path: Path
) -> None:
    source = root / "source_texts" / f"{SLUG}.pot"
    text = source.read_text()
    start = text.index("#. Countdown")
    source.write_text(text[:start] + text[text.index("#. Counter of endorsements") :])
    extract(loaded, root)
    french = catalogue_files.catalogue_path(root, "fr", SLUG).read_text()
    assert '#~ msgid_plural "%(days)d days left to sign"' in french
    assert '#~ msgstr[2] "Plus que %(days)d jours pour signer"' in french
    with db.transaction(loaded) as s:
        written = writing.render_files(s, root)
    fresh = db.make_engine(f"sqlite:///{tmp_path / 'fresh.db'}")
    db.create_schema(fresh)
    with db.transaction(db.session_factory(fresh)) as s:
        loading.load(s, root)
        assert writing.render_files(s, root) == written
    fresh.dispose()


def test_msgctxt_in_a_source_is_refused_with_file_and_line(
    sessions: sessionmaker[Session], empty_root: Path
) -> None:
    path = empty_root / "source_texts" / "ui.pot"
    path.write_text(STRINGS_POT + '\nmsgctxt "button"\nmsgid "Share"\nmsgstr ""\n')
    with (
        pytest.raises(DeskError, match=r"ui\.pot:16: msgctxt is not supported"),
        db.transaction(sessions) as s,
    ):
        loading.load(s, empty_root)


def test_a_malformed_pot_source_loads_nothing(
    sessions: sessionmaker[Session], empty_root: Path
) -> None:
    (empty_root / "source_texts" / "a-first.pot").write_text(STRINGS_POT)
    (empty_root / "source_texts" / "b-broken.pot").write_text(
        STRINGS_POT + '\nmsgid "Donate\nmsgstr ""\n'
    )
    with pytest.raises(DeskError, match=r"b-broken\.pot:16:"), db.transaction(sessions) as s:
        loading.load(s, empty_root)
    with db.transaction(sessions) as s:
        assert loading.is_empty(s)


# Checks per form


def test_each_form_is_checked_against_the_english_singular_or_plural() -> None:
    context = Context("fr")
    good = plurals.join(FRENCH)
    assert run_unit(COUNTER, COUNTER_PLURAL, good, context) == []
    lost = plurals.join([FRENCH[0], "de prisonniers politiques risquent l'exécution", FRENCH[2]])
    failures = run_unit(COUNTER, COUNTER_PLURAL, lost, context)
    errors = [(f.check, f.message.split(":")[0]) for f in failures if f.severity == "error"]
    assert errors == [("placeholders", "many form")]
    assert "%(count)d" in failures[0].message


def test_a_figure_missing_in_one_form_is_reported_for_that_form() -> None:
    failures = run_unit(
        "Free 19 prisoner",
        "Free 19 prisoners",
        plurals.join(["Libérez 19", "Libérez 19"]),
        Context("de"),
    )
    assert failures == []
    failures = run_unit(
        "Free 19 prisoner",
        "Free 19 prisoners",
        plurals.join(["Libérez 19", "Libérez"]),
        Context("de"),
    )
    assert [f.check for f in failures if f.severity == "error"] == ["figures"]
    assert failures[0].message.startswith("other form: ")


def test_an_empty_form_among_filled_ones_is_an_error() -> None:
    failures = run_unit(COUNTER, COUNTER_PLURAL, plurals.join(["%(count)d x", ""]), Context("de"))
    errors = [(f.check, f.message) for f in failures if f.severity == "error"]
    assert errors == [("plurals", "the other form is empty")]


# Saving forms


def test_saving_forms_through_the_service_joins_them(loaded: sessionmaker[Session]) -> None:
    with db.transaction(loaded) as s:
        translator = user(s, "claire", Role.TRANSLATOR, "fr")
        unit, translation = counter(s, "fr")
        forms = [f"{form} !" for form in FRENCH]
        result = editing.save_forms(
            s, translator, unit.id, "fr", forms, version=translation.version
        )
        assert not result.conflict and result.translation.text == plurals.join(forms)
        with pytest.raises(editing.Invalid, match="fr has 3 plural forms"):
            editing.save_forms(
                s, translator, unit.id, "fr", forms[:2], version=translation.version + 1
            )


def test_a_missing_placeholder_in_one_form_saves_as_needs_editing(
    loaded: sessionmaker[Session],
) -> None:
    with db.transaction(loaded) as s:
        translator = user(s, "claire", Role.TRANSLATOR, "fr")
        unit, translation = counter(s, "fr")
        forms = [FRENCH[0], FRENCH[1], "prisonniers politiques risquent l'exécution"]
        result = editing.save_forms(
            s, translator, unit.id, "fr", forms, version=translation.version
        )
        assert result.translation.state == State.NEEDS_EDITING
        errors = [f for f in result.failures if f.severity == "error"]
        assert [(f.check, f.message.split(":")[0]) for f in errors] == [
            ("placeholders", "other form")
        ]


# The editor


def signed_in(app: Any, name: str, langs: str) -> Any:
    with db.transaction(app.extensions["translator.sessions"]) as s:
        password = accounts.create_user(s, name, Role.TRANSLATOR, langs)
    client = app.test_client()
    assert client.post("/login", data={"username": name, "password": password}).status_code == 302
    return client


def counter_id(app: Any, language: str) -> int:
    with db.transaction(app.extensions["translator.sessions"]) as s:
        return counter(s, language)[0].id


def test_the_editor_shows_one_labelled_field_per_form(app: Any) -> None:
    client = signed_in(app, "sahar", "fa")
    unit_id = counter_id(app, "fa")
    page = client.get(f"/translate/fa/{SLUG}/{unit_id}").get_data(as_text=True)
    assert COUNTER in page and COUNTER_PLURAL in page
    assert re.search(r'<label for="translation-0">one — 0, 1</label>', page)
    assert re.search(r'<label for="translation-1">other — 2, 3, 4, 5</label>', page)
    fields = re.findall(r'<textarea name="text_(\d)"[^>]*lang="fa" dir="rtl"', page)
    assert fields == ["0", "1"]


def test_saving_forms_through_the_editor_form(app: Any) -> None:
    client = signed_in(app, "claire", "fr")
    unit_id = counter_id(app, "fr")
    page = client.get(f"/translate/fr/{SLUG}/{unit_id}").get_data(as_text=True)
    assert "many — 1000000, 2000000, 3000000" in page
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
    version = re.search(r'name="version" value="(\d+)"', page).group(1)  # type: ignore[union-attr]
    forms = ["%(count)d prisonnier", "%(count)d de prisonniers", "%(count)d prisonniers"]
    response = client.post(
        f"/translate/fr/{SLUG}/{unit_id}",
        data={"csrf_token": csrf, "version": version, "state": "translated"}
        | {f"text_{i}": form for i, form in enumerate(forms)},
    )
    assert response.status_code == 302
    with db.transaction(app.extensions["translator.sessions"]) as s:
        assert plurals.forms_of(counter(s, "fr")[1].text, "fr") == forms
    page = client.get(f"/translate/fr/{SLUG}/{unit_id}").get_data(as_text=True)
    assert "[many] %(count)d de prisonniers" in page  # the history, one form a line


def test_forms_posted_for_an_ordinary_unit_are_refused(app: Any) -> None:
    client = signed_in(app, "claire", "fr")
    with db.transaction(app.extensions["translator.sessions"]) as s:
        unit_id = s.scalars(select(Unit.id).where(Unit.source == "Sign the appeal")).one()
    page = client.get(f"/translate/fr/{SLUG}/{unit_id}").get_data(as_text=True)
    assert 'name="text_0"' not in page and 'name="text" id="translation"' in page
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
    version = re.search(r'name="version" value="(\d+)"', page).group(1)  # type: ignore[union-attr]
    response = client.post(
        f"/translate/fr/{SLUG}/{unit_id}",
        data={"csrf_token": csrf, "version": version, "text_0": "a", "text_1": "b", "text_2": "c"},
    )
    assert response.status_code == 400


# The API


@pytest.fixture
def api(app: Any) -> dict[str, Any]:
    from translator.services import tokens

    with db.transaction(app.extensions["translator.sessions"]) as s:
        accounts.create_user(s, "claire", Role.TRANSLATOR, "fr")
        token = tokens.create(s, "claire", ["read", "translate"])
    return {"client": app.test_client(), "headers": {"Authorization": f"Bearer {token}"}}


def test_api_units_carry_the_english_plural_and_the_forms(api: dict[str, Any]) -> None:
    units = (
        api["client"]
        .get(f"/api/v1/documents/{SLUG}/languages/fr/units", headers=api["headers"])
        .json
    )
    plural = next(u for u in units if u["source"] == COUNTER)
    assert plural["source_plural"] == COUNTER_PLURAL and plural["forms"] == FRENCH
    ordinary = next(u for u in units if u["source"] == "Sign the appeal")
    assert ordinary["source_plural"] is None and ordinary["forms"] is None
    assert ordinary["text"] == "Signez l'appel"


def test_api_saves_forms_and_refuses_a_wrong_count(api: dict[str, Any]) -> None:
    client, headers = api["client"], api["headers"]
    units = client.get(f"/api/v1/documents/{SLUG}/languages/fr/units", headers=headers).json
    plural = next(u for u in units if u["source"] == COUNTER)
    url = f"/api/v1/units/{plural['id']}/translations/fr"
    forms = [f"{form} !" for form in FRENCH]
    saved = client.put(url, json={"forms": forms, "version": plural["version"]}, headers=headers)
    assert saved.status_code == 200, saved.json
    assert saved.json["forms"] == forms and saved.json["state"] == "translated"
    wrong = client.put(
        url, json={"forms": forms[:2], "version": saved.json["version"]}, headers=headers
    )
    assert wrong.status_code == 400 and "fr has 3 plural forms" in wrong.json["message"]
    text = client.put(url, json={"text": "x", "version": saved.json["version"]}, headers=headers)
    assert text.status_code == 400 and "send them as forms" in text.json["message"]


def test_the_json_catalogue_gives_a_plural_unit_its_forms(api: dict[str, Any]) -> None:
    table = (
        api["client"]
        .get(f"/api/v1/documents/{SLUG}/languages/fr/file?format=json", headers=api["headers"])
        .json
    )
    assert table[COUNTER] == FRENCH and table["Sign the appeal"] == "Signez l'appel"


# Editions


def test_strings_documents_have_no_edition_and_are_not_published(
    loaded: sessionmaker[Session], root: Path, tmp_path: Path
) -> None:
    with db.transaction(loaded) as s:
        report = builds.build(s, root, tmp_path / "dist", ["en"], formats=["html"])
        assert report.no_edition == [SLUG]
        assert not (tmp_path / "dist" / "en" / f"{SLUG}.html").exists()
        editor = user(s, "elif", Role.EDITOR)
        document = s.scalars(select(Document).where(Document.slug == SLUG)).one()
        with pytest.raises(gate.NotPublishable, match="interface strings"):
            publications.publish_edition(s, done_second_step(editor), document, "fr", root)


def test_the_gate_page_of_strings_offers_no_preview_and_no_publishing(app: Any) -> None:
    with db.transaction(app.extensions["translator.sessions"]) as s:
        password = accounts.create_user(s, "elif", Role.EDITOR)
    client = app.test_client()
    client.post("/login", data={"username": "elif", "password": password})
    page = client.get(f"/dashboard/documents/{SLUG}/fr").get_data(as_text=True)
    assert "Interface strings have no edition" in page
    assert f"/documents/{SLUG}/fr/preview" not in page and 'class="publish"' not in page
    assert client.get(f"/documents/{SLUG}/fr/preview").status_code == 404
