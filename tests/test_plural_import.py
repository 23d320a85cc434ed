"""Importing a file whose Plural-Forms differ from the language's: forms mapped by CLDR category."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from translator import db, plurals
from translator.models import State, Translation, Unit
from translator.services import importing
from translator.services.policy import OPERATOR

SLUG = "website-strings"
COUNTER = "%(count)d political prisoner faces execution"
FRENCH_TWO_FORMS = """msgid ""
msgstr ""
"Language: fr\\n"
"Content-Type: text/plain; charset=UTF-8\\n"
"Plural-Forms: nplurals=2; plural=(n > 1);\\n"

#, python-format
msgid "%(count)d political prisoner faces execution"
msgid_plural "%(count)d political prisoners face execution"
msgstr[0] "%(count)d prisonnier politique risque l'exécution"
msgstr[1] "%(count)d prisonniers politiques risquent l'exécution"
"""


def counter(session: Session, language: str) -> Translation:
    return session.execute(
        select(Translation)
        .join(Unit)
        .where(Unit.source == COUNTER, Translation.language == language)
    ).scalar_one()


def test_french_file_with_two_forms_fills_many_from_other_and_marks_it(
    loaded: sessionmaker[Session],
) -> None:
    with db.transaction(loaded) as s:
        report = importing.import_file(
            s, FRENCH_TWO_FORMS.encode(), "fr.po", SLUG, "fr", mode="overwrite", who=OPERATOR
        )
    with db.transaction(loaded) as s:
        translation = counter(s, "fr")
        one, many, other = plurals.forms_of(translation.text, "fr")
        assert one == "%(count)d prisonnier politique risque l'exécution"
        assert many == other == "%(count)d prisonniers politiques risquent l'exécution"
        assert translation.state == State.NEEDS_EDITING
    assert "line 8: form many filled from the closest form, needs editing" in report.summary()


def test_farsi_file_with_one_form_is_mapped_and_nothing_is_dropped_silently(
    loaded: sessionmaker[Session],
) -> None:
    farsi = (
        FRENCH_TWO_FORMS.replace("Language: fr", "Language: fa")
        .replace("nplurals=2; plural=(n > 1);", "nplurals=3; plural=n == 1 ? 0 : n == 2 ? 1 : 2;")
        .replace(
            'msgstr[1] "%(count)d prisonniers politiques risquent l\'exécution"',
            'msgstr[1] "%(count)d زندانی سیاسی"\nmsgstr[2] "%(count)d زندانی سیاسی در خطر اعدام"',
        )
        .replace("%(count)d prisonnier politique risque l'exécution", "%(count)d زندانی در خطر")
    )
    with db.transaction(loaded) as s:
        report = importing.import_file(
            s, farsi.encode(), "fa.po", SLUG, "fa", mode="overwrite", who=OPERATOR
        )
    with db.transaction(loaded) as s:
        forms = plurals.forms_of(counter(s, "fa").text, "fa")
    assert forms == ["%(count)d زندانی در خطر", "%(count)d زندانی سیاسی در خطر اعدام"]
    assert "msgstr[1] not used: the language has no such form" in report.summary()
