"""Segmentation and rendering of source texts: every block type, edge cases, and both directions."""

from __future__ import annotations

from pathlib import Path

import pytest

from translator.formats.markdown import MarkdownError, parse, render, segment

REPO = Path(__file__).resolve().parent.parent
SHIPPED = sorted((REPO / "source_texts").glob("*.md"))


def units(text: str) -> list[tuple[str, str]]:
    return [(block.type, block.text) for block in segment(text)]


def pseudo(text: str) -> str:
    return f"({text})"


def test_front_matter_title_is_a_unit_and_other_keys_are_not() -> None:
    doc = parse('---\nslug: a\nkind: alert\ntitle: "Free them"\ndate: 2022-11-19\n---\n\nBody.\n')
    assert [(b.type, b.text, b.line) for b in doc.blocks] == [
        ("title", "Free them", 4),
        ("paragraph", "Body.", 8),
    ]
    assert doc.meta["slug"] == "a"


def test_each_block_type_becomes_a_unit_with_its_type() -> None:
    text = (
        "# Heading\n\nA paragraph with *emphasis* and a [link](https://example.org/).\n\n"
        "- first item\n- second item\n\n> A quote.\n\n| Language | Code |\n|---|---|\n"
        "| Farsi | fa |\n"
    )
    assert units(text) == [
        ("heading", "Heading"),
        ("paragraph", "A paragraph with *emphasis* and a [link](https://example.org/)."),
        ("list-item", "first item"),
        ("list-item", "second item"),
        ("quote", "A quote."),
        ("table-cell", "Language"),
        ("table-cell", "Code"),
        ("table-cell", "Farsi"),
        ("table-cell", "fa"),
    ]


def test_nested_list_items_are_units_of_their_own() -> None:
    text = "1. Endorse the appeal.\n   - online\n   - on paper\n2. Spread it.\n"
    assert units(text) == [
        ("list-item", "Endorse the appeal."),
        ("list-item", "online"),
        ("list-item", "on paper"),
        ("list-item", "Spread it."),
    ]


def test_multi_paragraph_quote_gives_one_unit_per_paragraph() -> None:
    text = "> Free them all.\n>\n> Now, not later.\n"
    assert units(text) == [("quote", "Free them all."), ("quote", "Now, not later.")]


def test_list_inside_quote_is_list_item() -> None:
    assert units("> - inside\n") == [("list-item", "inside")]


def test_soft_line_breaks_become_spaces_and_hard_breaks_are_kept() -> None:
    assert units("one\ntwo\n\nthree  \nfour\n\nfive\\\nsix\n") == [
        ("paragraph", "one two"),
        ("paragraph", "three\\\nfour"),
        ("paragraph", "five\\\nsix"),
    ]


def test_setext_and_closed_atx_headings() -> None:
    assert units("Title\n=====\n\n## Closed ##\n") == [("heading", "Title"), ("heading", "Closed")]


def test_code_html_and_breaks_are_not_translated() -> None:
    text = "```\ncode\n```\n\n    indented\n\n<div>raw</div>\n\n---\n\nText.\n"
    assert units(text) == [("paragraph", "Text.")]


def test_right_to_left_text_and_zwnj_are_kept_verbatim() -> None:
    farsi = "زندانیان سیاسی را آزاد کنید؛ آن‌ها باید آزاد شوند."
    assert units(f"{farsi}\n") == [("paragraph", farsi)]


def test_crlf_and_cr_line_endings_read_as_lf() -> None:
    assert units("---\r\ntitle: T\r\n---\r\n\r\nA\r\nB\r\n") == [
        ("title", "T"),
        ("paragraph", "A B"),
    ]
    assert units("A\rB\r") == [("paragraph", "A B")]


def test_empty_document_has_no_units() -> None:
    assert units("") == []
    assert units("---\nslug: x\n---\n") == []


def test_line_numbers_count_the_front_matter() -> None:
    doc = parse("---\ntitle: T\n---\n\nFirst.\n\n- item\n")
    assert [b.line for b in doc.blocks] == [2, 5, 7]


def test_unclosed_front_matter_is_an_error_with_file_and_line() -> None:
    with pytest.raises(MarkdownError, match=r"doc.md:1: front matter .* never closed"):
        parse("---\ntitle: x\n\nBody\n", "doc.md")


def test_invalid_yaml_front_matter_names_the_line() -> None:
    with pytest.raises(MarkdownError, match=r"doc.md:3: front matter is not valid YAML"):
        parse("---\ntitle: ok\nbad: [unclosed\n---\n", "doc.md")


def test_identity_lookup_gives_back_the_same_document() -> None:
    text = (
        '---\ntitle: "T"\n---\n\nPara\nwrapped.\n\n> q1\n>\n> q2\n\n1. a\n   - b\n\n'
        "| A | B |\n|---|---|\n| c | d |\n"
    )
    assert render(text, lambda s: s) == text


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.name)
def test_shipped_documents_render_identically_and_pseudo_translate_both_ways(path: Path) -> None:
    text = path.read_text()
    assert render(text, lambda s: s) == text
    translated = render(text, pseudo)
    assert [b.text for b in segment(translated)] == [pseudo(b.text) for b in segment(text)]
    assert [b.type for b in segment(translated)] == [b.type for b in segment(text)]


def test_render_replaces_wrapped_paragraph_in_container_and_keeps_markers() -> None:
    text = "- first line\n  continues\n- next\n"
    assert render(text, {"first line continues": "eins", "next": "zwei"}.get) == "- eins\n- zwei\n"


def test_render_writes_hard_breaks_with_the_container_prefix() -> None:
    out = render("> a\\\n> b\n", lambda s: "x\\\ny")
    assert out == "> x\\\n> y\n"
    assert units(out) == [("quote", "x\\\ny")]


def test_render_collapses_blank_lines_a_translation_might_contain() -> None:
    out = render("- item\n- other\n", lambda s: "a\n\nb" if s == "item" else s)
    assert units(out) == [("list-item", "a b"), ("list-item", "other")]


def test_render_table_cells_and_title() -> None:
    text = '---\ntitle: "Hello"\n---\n\n| Language | Code |\n|---|---|\n| Farsi | fa |\n'
    table = {"Hello": 'Salam "all"', "Language": "Sprache", "Farsi": "Persisch"}
    out = render(text, lambda s: table.get(s, s))
    assert units(out) == [
        ("title", 'Salam "all"'),
        ("table-cell", "Sprache"),
        ("table-cell", "Code"),
        ("table-cell", "Persisch"),
        ("table-cell", "fa"),
    ]


def test_render_right_to_left_translation_keeps_structure() -> None:
    out = render(
        "## Free them\n\n- Endorse\n", {"Free them": "آزادشان کنید", "Endorse": "امضا کنید"}.get
    )
    assert out == "## آزادشان کنید\n\n- امضا کنید\n"
