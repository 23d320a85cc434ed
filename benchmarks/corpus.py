"""A scaled corpus made from the campaign's own texts, the same every run (seeded).

Each synthetic unit takes a real unit and replaces about half its words with words from the corpus,
so units resemble each other about as much as a real campaign's do (some pairs are 60% alike, the
fuzzy threshold; most are not). Its translation is the real Farsi of the same unit when there is
one, else the English reversed, so every catalogue is fully translated.
"""

from __future__ import annotations

import os
import random
import re
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select

from translator import db, languages
from translator.formats import markdown, po
from translator.models import State, Translation, Unit
from translator.services import loading, writing

REPO = Path(__file__).resolve().parent.parent
SEED = 20221116


@dataclass
class Corpus:
    units: list[str]
    translations: dict[str, list[str]]  # language -> one text per unit


def _real_units() -> tuple[list[str], dict[str, str]]:
    units = [
        block.text
        for path in sorted((REPO / "source_texts").glob("*.md"))
        for block in markdown.segment(path.read_text())
    ]
    farsi: dict[str, str] = {}
    for path in sorted((REPO / "locales" / "fa" / "LC_MESSAGES").glob("*.po")):
        for entry in po.read(path.read_bytes()).entries:
            if entry.msgstr:
                farsi[entry.msgid] = entry.msgstr
    return units, farsi


def make(size: int) -> Corpus:
    rng = random.Random(SEED)
    real, farsi = _real_units()
    vocabulary = sorted({w for u in real for w in re.findall(r"[A-Za-z']+", u)})
    units: list[str] = []
    seen: set[str] = set()
    bases: list[str] = []
    while len(units) < size:
        base = rng.choice(real)
        words = [rng.choice(vocabulary) if rng.random() < 0.5 else w for w in base.split()]
        text = " ".join(words)
        if text not in seen and text[:1].isalpha():  # a letter first: always a plain paragraph
            seen.add(text)
            units.append(text)
            bases.append(base)
    translations = {
        lang: [farsi.get(base, base[::-1]) + f" ({n})" for n, base in enumerate(bases)]
        for lang in languages.TARGET_LANGUAGES
    }
    return Corpus(units, translations)


def edit(corpus: Corpus, rate: float = 0.02) -> list[str]:
    """Ordinary edits to the English: a word changed, added or dropped in `rate` of the units,
    a quarter as many units removed and as many new ones added."""
    rng = random.Random(SEED + 1)
    vocabulary = sorted({w for u in corpus.units[:2000] for w in u.split()})
    edited: list[str] = []
    for text in corpus.units:
        roll = rng.random()
        words = text.split()
        if roll < rate and len(words) > 3:
            position = rng.randrange(len(words))
            action = rng.choice(("change", "add", "drop"))
            if action == "change":
                words[position] = rng.choice(vocabulary)
            elif action == "add":
                words.insert(position, rng.choice(vocabulary))
            else:
                del words[position]
            edited.append(" ".join(words))
        elif roll < rate * 1.25:
            continue  # removed
        else:
            edited.append(text)
        if rng.random() < rate / 4:
            edited.append(" ".join(rng.choice(vocabulary) for _ in range(rng.randint(6, 30))))
    return list(dict.fromkeys(edited))


def header(language: str | None) -> list[tuple[str, str]]:
    fields = [
        ("Project-Id-Version", "bench"),
        ("MIME-Version", "1.0"),
        ("Content-Type", "text/plain; charset=UTF-8"),
        ("Content-Transfer-Encoding", "8bit"),
    ]
    if language:
        lang = languages.get(language)
        fields += [("Language", language), ("Plural-Forms", lang.plural_forms)]
    return fields


def template(units: list[str]) -> po.Catalogue:
    entries = [
        po.Entry(msgid=text, locations=[f"bench.md:{2 * n + 1}"], extracted=["type: paragraph"])
        for n, text in enumerate(units)
    ]
    return po.Catalogue(header(None), [], entries)


def catalogue(corpus: Corpus, language: str) -> po.Catalogue:
    entries = [
        po.Entry(
            msgid=text,
            msgstr=translated,
            locations=[f"bench.md:{2 * n + 1}"],
            extracted=["type: paragraph"],
        )
        for n, (text, translated) in enumerate(
            zip(corpus.units, corpus.translations[language], strict=True)
        )
    ]
    return po.Catalogue(header(language), [], entries)


def write_content_root(corpus: Corpus, root: Path, per_document: int = 250) -> None:
    """source_texts/ and locales/ for the corpus, as `translator init` would find them."""
    (root / "source_texts").mkdir(parents=True)
    for start in range(0, len(corpus.units), per_document):
        slug = f"bench-{start // per_document:04d}"
        chunk = corpus.units[start : start + per_document]
        body = "\n\n".join(chunk)
        (root / "source_texts" / f"{slug}.md").write_text(
            f'---\nslug: {slug}\nkind: alert\ntitle: "Bench {slug}"\ndate: 2022-11-25\n---\n\n'
            f"{body}\n"
        )
    engine = db.make_engine(f"sqlite:///{root / 'seed.db'}")
    db.create_schema(engine)
    factory = db.session_factory(engine)
    with db.transaction(factory) as session:
        loading.load(session, root, workers=os.cpu_count() or 1)
    mapping = {
        lang: dict(zip(corpus.units, corpus.translations[lang], strict=True))
        for lang in languages.TARGET_LANGUAGES
    }
    with db.transaction(factory) as session:
        for translation, source in session.execute(select(Translation, Unit.source).join(Unit)):
            translation.text = mapping[translation.language].get(source, "")
            translation.state = State.TRANSLATED if translation.text else State.UNTRANSLATED
        writing.write_catalogues(session, root)
    engine.dispose()
    (root / "seed.db").unlink()
