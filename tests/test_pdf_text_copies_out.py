"""Persian copies out of the PDF editions as it went in: the half-space (ZWNJ) of «می‌خواهیم»
and the other invisible characters survive `pdftotext`, and the printed page does not change."""

from __future__ import annotations

import html
import re
import shutil
import subprocess
from collections import Counter
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from translator import db, languages
from translator.formats import editions
from translator.models import Document
from translator.services import builds, gate, glossary, loading

REPO = Path(__file__).resolve().parent.parent
# A Persian word: a run of Arabic-script letters and marks, the ZWNJ inside it kept; digits,
# punctuation and spaces end it.
PERSIAN_WORD = re.compile(
    "[\u0610-\u061a\u0620-\u065f\u066e-\u06d3\u06d5-\u06ef\u06fa-\u06ff\u0750-\u077f\u200c]+"
)
LETTER = re.compile("[\u0620-\u064a\u066e-\u06d3\u06fa-\u06ff\u0750-\u077f]")
# the bidi marks pdftotext writes around runs of its own accord
EXTRACTOR_MARKS = re.compile("[\u200e\u200f\u202a-\u202e\u2066-\u2069]")
SENTENCE = "ما می‌خواهیم بدانیم چرا نمی‌توان زندان‌ها را با کتاب‌ها پر کرد."


def persian_words(text: str) -> list[str]:
    return [
        word.strip("\u200c")
        for word in PERSIAN_WORD.findall(EXTRACTOR_MARKS.sub("", text))
        if LETTER.search(word)
    ]


def printed_text(page: str) -> str:
    """The text of an HTML edition that its PDF prints: edition.css hides the language switcher
    and the draft banner in print, and the palm card's title and date."""
    body = page.split("<body>", 1)[1]
    body = re.sub(r'<nav\b.*?</nav>|<p class="draft-banner">.*?</p>', "", body, flags=re.S)
    if 'class="palm-card' in page:
        body = re.sub(r'<h1>.*?</h1>|<p class="meta">.*?</p>', "", body, flags=re.S)
    return html.unescape(re.sub(r"<[^>]+>", "", body))


def copied_share(expected: list[str], copied: list[str]) -> float:
    """The share of the expected words (counted with repetition) found verbatim in the copy."""
    found = Counter(copied)
    return sum(min(n, found[word]) for word, n in Counter(expected).items()) / len(expected)


def pdf_text(path: Path) -> str:
    return subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


@pytest.fixture(scope="module")
def farsi_editions(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, list[str]]]:
    """Every Farsi edition of the shipped content, built as drafts, HTML and PDF."""
    folder = tmp_path_factory.mktemp("farsi")
    root = folder / "content"
    for part in ("source_texts", "locales", "glossary"):
        shutil.copytree(REPO / part, root / part)
    engine = db.make_engine(f"sqlite:///{folder / 'desk.db'}")
    db.create_schema(engine)
    factory: sessionmaker[Session] = db.session_factory(engine)
    with db.transaction(factory) as session:
        loading.load(session, root)
        glossary.load_shipped(session, root)
        slugs = [d.slug for d in session.scalars(select(Document)) if gate.has_edition(d)]
        builds.build(session, root, folder / "dist", ["fa"], slugs, ["html", "pdf"], draft=True)
    yield folder / "dist" / "fa", sorted(slugs)
    engine.dispose()


@pytest.mark.slow
def test_persian_words_of_every_farsi_pdf_edition_copy_out_verbatim(farsi_editions) -> None:
    out, slugs = farsi_editions
    assert len(slugs) >= 9
    shares = {}
    for slug in slugs:
        expected = persian_words(printed_text((out / f"{slug}.html").read_text()))
        assert len(expected) > 50, slug
        shares[slug] = copied_share(expected, persian_words(pdf_text(out / f"{slug}.pdf")))
    assert all(share >= 0.98 for share in shares.values()), shares


def _sentence_pdf(work: Path, body: str) -> Path:
    edition = editions.Edition("zwnj", "alert", languages.get("fa"), "نیم‌فاصله", body)
    path = work / "zwnj.pdf"
    path.write_bytes(builds.pdf_for(edition, work))
    return path


def test_a_sentence_full_of_half_spaces_copies_out_exactly(tmp_path: Path) -> None:
    text = EXTRACTOR_MARKS.sub("", pdf_text(_sentence_pdf(tmp_path, SENTENCE)))
    assert SENTENCE in text.splitlines()
    assert "نیم‌فاصله" in text.splitlines()  # the title, in another font size and weight
    for word in ("می‌خواهیم", "نمی‌توان", "زندان‌ها", "کتاب‌ها"):
        assert word in persian_words(text)


def test_each_invisible_character_is_named_after_the_one_the_page_has(tmp_path: Path) -> None:
    # ZWJ, RLM and ZWNJ on one page: each is named by the letters around it
    body = "ه\u200dه را\u200f ببین: می\u200cخواهیم"
    text = pdf_text(_sentence_pdf(tmp_path, body))
    assert "ه\u200dه" in text and "را\u200f" in text and "می\u200cخواهیم" in text


def test_the_printed_page_and_its_bytes_stay_the_same(tmp_path: Path) -> None:
    from weasyprint import HTML

    edition = editions.Edition("zwnj", "palm-card", languages.get("fa"), "کارت", SENTENCE)
    assets = builds.copy_assets(tmp_path)
    page = editions.render_html(replace(edition, assets="."), for_print=True)
    base = assets.resolve().as_uri() + "/"
    named = editions.render_pdf(page, base)
    assert named == editions.render_pdf(page, base)  # deterministic
    images = {}
    for name, data in (("plain", HTML(string=page, base_url=base).write_pdf()), ("named", named)):
        (tmp_path / f"{name}.pdf").write_bytes(data)
        subprocess.run(
            ["pdftoppm", "-png", "-r", "100", str(tmp_path / f"{name}.pdf"), str(tmp_path / name)],
            check=True,
        )
        images[name] = [p.read_bytes() for p in sorted(tmp_path.glob(f"{name}-*.png"))]
    assert images["named"] == images["plain"] and images["plain"]
    assert "می‌خواهیم" in pdf_text(tmp_path / "named.pdf")
    assert "می‌خواهیم" not in pdf_text(tmp_path / "plain.pdf")  # what WeasyPrint alone gives
