"""What a check finds is said in the reader's language: each failure carries a message id, a
stable code and its values; the editor, its live checks and the dashboard say it through the
interface catalogue (numbers in the reader's digits), the API and the command line in English
beside the code and the values."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from sqlalchemy import select

from translator import babel, create_app, db
from translator.checks import Context, Term, in_form, run_all
from translator.checks.length import Length
from translator.messages import Message
from translator.models import CheckFailure, Document, Role, Translation, Unit
from translator.services import accounts, stats

REPO = Path(__file__).resolve().parent.parent
SLUG = "alert-pen-america-artists"
ENGLISH = "The rapper Toomaj Salehi, arrested on 30 October 2022"  # how the unit begins
NOTE = (
    "Iranian rapper arrested on 30 October 2022, tortured and on hunger strike in Isfahan prison."
)
N = "\u202f"
FIGURE = (
    "figure %(figure)s of the English is missing from the translation "
    "(the translation has %(found)s)"
)
MISSPELT = (
    "the name '%(english)s' is misspelt: '%(written)s' should be written '%(form)s' "
    "(glossary: %(note)s)"
)
# The catalogue entries these pages read (the interface's catalogues have them once the new
# strings are merged; until then the test's catalogue adds them)
ENTRIES = {
    FIGURE: {
        "fa": "عدد %(figure)s متن انگلیسی در ترجمه نیامده است (عددهای ترجمه: %(found)s)",
        "fr": "le nombre %(figure)s de l'anglais manque dans la traduction "
        "(la traduction a %(found)s)",
    },
    MISSPELT: {
        "fa": "نام «%(english)s» نادرست نوشته شده است: به جای «%(written)s» بنویسید «%(form)s» "
        "(واژه‌نامه: %(note)s)",
        "fr": f"le nom «{N}%(english)s{N}» est mal orthographié{N}: «{N}%(written)s{N}» "
        f"s'écrit «{N}%(form)s{N}» (glossaire{N}: %(note)s)",
    },
}
FARSI = "تومج صالحی، رپر، در ۳۰ اکتبر ۲۰۲۱ بازداشت شد و به گفتهٔ خانواده‌اش به‌شدت شکنجه شد."
FRENCH = "Le rappeur Tomaj Salehi, arrêté le 30 octobre 2021, a aussi été gravement torturé."
SAID = {  # what each reader's editor says of the translation above
    "fa": [
        "عدد ۲۰۲۲ متن انگلیسی در ترجمه نیامده است (عددهای ترجمه: ۳۰، ۲۰۲۱)",
        f"نام «Toomaj Salehi» نادرست نوشته شده است: به جای «تومج صالحی» بنویسید «توماج صالحی» "
        f"(واژه‌نامه: {NOTE})",
    ],
    "fr": [
        "le nombre 2022 de l&#39;anglais manque dans la traduction (la traduction a 30, 2021)",
        f"le nom «{N}Toomaj Salehi{N}» est mal orthographié{N}: «{N}Tomaj Salehi{N}» "
        f"s&#39;écrit «{N}Toomaj Salehi{N}» (glossaire{N}: {NOTE})",
    ],
}


@pytest.fixture
def catalogues(tmp_path: Path) -> Path:
    """The interface's Farsi and French catalogues, compiled, with the entries above."""
    folder = tmp_path / "ui"
    for code in ("fa", "fr"):
        path = REPO / "translator" / "translations" / code / "LC_MESSAGES" / "messages.po"
        with path.open("rb") as handle:
            catalogue = read_po(handle, locale=code)
        for msgid, strings in ENTRIES.items():
            found = catalogue.get(msgid)
            if found is None or not found.string or found.fuzzy:
                catalogue.add(msgid, strings[code])
        target = folder / code / "LC_MESSAGES"
        target.mkdir(parents=True)
        with (target / "messages.mo").open("wb") as mo:
            write_mo(mo, catalogue)
    return folder


@pytest.fixture
def desk(app, database_url: str, root: Path, tmp_path: Path, catalogues: Path) -> Iterator[Any]:  # type: ignore[no-untyped-def]
    """The desk (on the store `app` has: what `translator init` makes of `root`) reading the
    catalogues above."""
    application = create_app(
        {
            "TESTING": True,
            "DATABASE_URL": database_url,
            "ROOT": str(root),
            "INSTANCE_PATH": str(tmp_path / "instance"),
            "SECRET_KEY": "test",
            "BABEL_TRANSLATION_DIRECTORIES": str(catalogues),
        }
    )
    with application.app_context():  # flask-babel's cache is per process, keyed by locale
        babel.domain_instance.cache.clear()
    with db.transaction(application.extensions["translator.sessions"]) as s:
        application.config["PASSWORDS"] = {
            "sahar": accounts.create_user(s, "sahar", Role.TRANSLATOR, "fa"),
            "claire": accounts.create_user(s, "claire", Role.TRANSLATOR, "fr"),
        }
    yield application
    with application.app_context():
        babel.domain_instance.cache.clear()
    application.extensions["translator.sessions"].kw["bind"].dispose()


def signed_in(app: Any, name: str, language: str) -> Any:
    client = app.test_client()
    password = app.config["PASSWORDS"][name]
    assert client.post("/login", data={"username": name, "password": password}).status_code == 302
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = language  # the interface's language
    return client


def unit_id(app: Any) -> int:
    with db.transaction(app.extensions["translator.sessions"]) as s:
        return s.scalars(
            select(Unit.id)
            .join(Document)
            .where(Document.slug == SLUG, Unit.source.startswith(ENGLISH))
        ).one()


def save(client: Any, code: str, unit: int, text: str) -> str:
    editor = f"/translate/{code}/{SLUG}/{unit}"
    page = client.get(editor).get_data(as_text=True)
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
    version = re.search(r'name="version" value="(\d+)"', page).group(1)  # type: ignore[union-attr]
    form = {"csrf_token": csrf, "version": version, "text": text, "state": "translated"}
    saved = client.post(editor, data=form)
    assert saved.status_code in (200, 302)
    return csrf


def plain(text: str) -> str:
    """A said message without its isolates (U+2068…U+2069 around each value)."""
    return text.replace("\u2068", "").replace("\u2069", "")


def check_messages(page: str) -> list[str]:
    return [plain(m) for m in re.findall(r'<span class="check-message"[^>]*>(.*?)</span>', page)]


@pytest.mark.parametrize(
    ("code", "name", "text"), [("fa", "sahar", FARSI), ("fr", "claire", FRENCH)]
)
def test_the_editor_says_a_wrong_figure_and_a_misspelt_name_in_the_readers_language(
    desk, code: str, name: str, text: str
) -> None:
    client = signed_in(desk, name, code)
    unit = unit_id(desk)
    csrf = save(client, code, unit, text)
    # the failures kept with the translation, shown when the editor opens again
    shown = check_messages(client.get(f"/translate/{code}/{SLUG}/{unit}").get_data(as_text=True))
    assert all(said in shown for said in SAID[code]), shown
    # the live checks, as the text is typed, say the same
    live = client.post(
        f"/translate/{code}/{SLUG}/{unit}/check", data={"csrf_token": csrf, "text": text}
    ).json
    messages = {c["code"]: plain(c["message"]) for c in live["checks"]}
    assert messages["figures.missing"] == SAID[code][0].replace("&#39;", "'")
    assert messages["glossary.name-misspelt"] == SAID[code][1].replace("&#39;", "'")


def test_a_kept_failure_is_said_in_the_readers_language_on_the_dashboard(desk) -> None:
    client = signed_in(desk, "sahar", "fa")
    unit = unit_id(desk)
    save(client, "fa", unit, FARSI)
    page = client.get(f"/dashboard/documents/{SLUG}/fa").get_data(as_text=True)
    assert SAID["fa"][0] in check_messages(page)
    with db.transaction(desk.extensions["translator.sessions"]) as s:
        kept = s.scalars(
            select(CheckFailure)
            .join(Translation, Translation.id == CheckFailure.translation_id)
            .where(Translation.unit_id == unit, Translation.language == "fa")
        ).all()
        blockers = stats.edition(
            s, s.scalars(select(Document).where(Document.slug == SLUG)).one(), "fa", None
        ).blockers
    figure = next(f for f in kept if f.message_code == "figures.missing")
    assert figure.said.values == {"figure": "۲۰۲۲", "found": "۳۰، ۲۰۲۱"}
    assert figure.message == figure.said.english  # the English, for the command line and the API
    failing = next(b for b in blockers if b.unit == unit and b.check == "figures")
    assert failing.said.code == "blocker.failing-check" and failing.detail == figure.said
    assert failing.message.endswith(f": figures: {figure.message}")


GLOSSARY = [Term("Toomaj Salehi", "person", {"fr": ("Toomaj Salehi",)})]


def test_a_failure_carries_its_code_and_values_and_its_english_is_unchanged() -> None:
    found = run_all(
        "Free Toomaj Salehi: 15,000 held", "Libérez Tomaj Salehi : 1 500", Context("fr", GLOSSARY)
    )
    by_check = {f.check: f for f in found}
    figures, name = by_check["figures"], by_check["glossary"]
    assert (figures.said.code, dict(figures.said.values)) == (
        "figures.missing",
        {"figure": "15,000", "found": "1 500"},
    )
    assert figures.message == (
        "figure 15,000 of the English is missing from the translation (the translation has 1 500)"
    )
    assert name.said.code == "glossary.name-misspelt"
    assert name.said.values["written"] == "Tomaj Salehi"
    assert name.message == (
        "the name 'Toomaj Salehi' is misspelt: 'Tomaj Salehi' should be written 'Toomaj Salehi' "
        "(glossary)"
    )


def test_a_message_within_a_message_is_said_and_kept_whole(app) -> None:
    from translator.web.interface import say

    problem = Length().problems("A long English sentence here", "Kurz", Context("de"))[0]
    form = in_form("other", problem)
    assert form.english == f"other form: {problem.english}"
    assert form.as_json()["values"]["problem"]["code"] == "length.short"
    assert Message.from_stored(form.text, form.code, form.stored()) == form
    with app.test_request_context(headers={"Accept-Language": "fa"}):
        # counts are numbers: the reader's digits, whatever the catalogue says
        said = say(form)
        assert "۴" in said and "۲۸" in said and "4" not in said, said
