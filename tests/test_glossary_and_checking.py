"""The glossary and the checks in the store, and the commands that reach them."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest
from sqlalchemy import func, select

from translator import db
from translator.checks import Term
from translator.formats import glossary as glossary_format
from translator.formats import po
from translator.models import CheckFailure
from translator.services import DeskError, checking, glossary, importing, policy

REPO = Path(__file__).resolve().parent.parent


def test_init_loads_the_shipped_glossary(run) -> None:
    assert re.search(r"and \d{2} glossary terms", run("init").output)
    listed = run("glossary", "list", "--lang", "fa").output
    assert "Toomaj Salehi (person)  fa: توماج صالحی" in listed


def test_every_warning_left_in_the_campaign_texts_says_why_in_a_translator_comment(run) -> None:
    run("init")
    findings = json.loads(run("check", "--json", check=False).output)
    campaign = [f for f in findings if f["document"] != "desk-interface"]
    assert campaign and all(f["severity"] == "warning" for f in campaign)
    uncommented = []
    for finding in campaign:
        catalogue = REPO / "locales" / finding["language"] / "LC_MESSAGES"
        entries = po.read((catalogue / f"{finding['document']}.po").read_bytes()).entries
        entry = next(e for e in entries if e.msgid == finding["source"])
        if not entry.comments:
            uncommented.append(finding["location"] + " " + finding["language"])
    assert uncommented == []


def test_check_reports_no_error_in_the_shipped_translations(run) -> None:
    run("init")
    result = run("check", "--json", check=False)
    findings = json.loads(result.output)
    assert result.exit_code == 0
    assert [f for f in findings if f["severity"] == "error"] == []
    assert set(findings[0]) >= {
        "document",
        "language",
        "unit",
        "source",
        "translation",
        "check",
        "severity",
        "message",
    }


def test_check_exits_1_and_names_a_wrong_figure(run, root: Path, tmp_path: Path) -> None:
    run("init")
    path = root / "locales" / "de" / "LC_MESSAGES" / "emergency-appeal.po"
    wrong = tmp_path / "de.po"
    wrong.write_text(path.read_text().replace("15.000", "1.500"))
    run(
        "import",
        str(wrong),
        "--document",
        "emergency-appeal",
        "--lang",
        "de",
        "--mode",
        "overwrite",
    )
    result = run("check", "--lang", "de", "--document", "emergency-appeal", check=False)
    assert result.exit_code == 1
    assert "error figures: figure 15,000 of the English is missing" in result.output
    assert "[de]" in result.output and "1 errors" in result.output


def test_import_stores_the_check_results_of_what_it_changed(loaded, root: Path) -> None:
    path = root / "locales" / "fr" / "LC_MESSAGES" / "emergency-appeal.po"
    data = path.read_text().replace("15\u202f000", "150").encode()
    with db.transaction(loaded) as session:
        importing.import_file(
            session, data, "fr.po", "emergency-appeal", "fr", mode="overwrite", who=policy.OPERATOR
        )
    with db.transaction(loaded) as session:
        messages = list(
            session.scalars(select(CheckFailure.message).where(CheckFailure.check == "figures"))
        )
    assert any("15,000" in message for message in messages)


def test_check_store_keeps_one_set_of_results_per_run(loaded) -> None:
    with db.transaction(loaded) as session:
        first = checking.check_store(session)
        count = session.scalar(select(func.count()).select_from(CheckFailure))
        checking.check_store(session)
        assert session.scalar(select(func.count()).select_from(CheckFailure)) == count
    assert len(first) == count


def test_glossary_import_adds_updates_and_replaces(loaded) -> None:
    new = [
        Term("Toomaj Salehi", "person", {"fa": ("توماج صالحی",)}, "rapper"),
        Term("Evin", "prison", {"fa": ("اوین",)}),
    ]
    with db.transaction(loaded) as session:
        before = len(glossary.terms(session))
        assert glossary.import_terms(session, new) == (1, 1)
        assert len(glossary.terms(session)) == before + 1
        assert glossary.import_terms(session, new, replace=True) == (0, 0)
        assert [t.english for t in glossary.terms(session)] == ["Evin", "Toomaj Salehi"]


def test_glossary_exports_csv_and_tbx_that_import_back(run, tmp_path: Path) -> None:
    run("init")
    for file_format in ("csv", "tbx"):
        out = tmp_path / f"glossary.{file_format}"
        run("glossary", "export", "--format", file_format, "--out", str(out))
        again = glossary.read_file(out.read_bytes(), str(out))
        shipped = glossary_format.read_csv((REPO / "glossary" / "campaign.csv").read_text())
        assert again == sorted(shipped, key=lambda term: term.english)
    result = run("glossary", "import", str(tmp_path / "glossary.tbx"))
    assert "0 terms added, 0 updated." in result.output


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("bad.csv", "en,type\nToomaj Salehi,singer\n", "bad.csv:2: type 'singer' is not one of"),
        ("bad.csv", "english,kind\nx,person\n", "bad.csv:1: the header needs the columns en, type"),
        ("bad.csv", "en,type\nA,term\nA,term\n", "bad.csv:3: 'A' is already on line 2"),
        ("bad.tbx", "<martif><text><body><termEntry>", "bad.tbx:1: not well-formed XML"),
    ],
)
def test_malformed_glossary_files_are_refused_with_file_and_line(
    name: str, content: str, message: str
) -> None:
    with pytest.raises(DeskError, match=message):
        glossary.read_file(content.encode(), name)


def _stored_failures(sessions) -> list[tuple[object, ...]]:  # type: ignore[no-untyped-def]
    with sessions() as session:
        return sorted(
            session.execute(
                select(
                    CheckFailure.translation_id,
                    CheckFailure.check,
                    CheckFailure.severity,
                    CheckFailure.message,
                )
            ).all()
        )


def test_checks_shared_among_processes_find_what_one_process_finds(
    loaded, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A large store is checked in forked processes, in chunks: the same failures, in order."""
    with db.transaction(loaded) as session:
        alone = checking.check_store(session)
    monkeypatch.setattr(checking, "PARALLEL_FROM", 1)
    monkeypatch.setattr(checking, "_CHUNK", 37)  # chunks that split documents and languages
    with db.transaction(loaded) as session:
        shared = checking.check_store(session, workers=2)
    assert alone and shared == alone


def _read_marked(work):  # type: ignore[no-untyped-def]
    """loading._read_document, leaving a file named after the process that ran it in $READ_BY."""
    (Path(os.environ["READ_BY"]) / str(os.getpid())).touch()
    return _read_marked.read(work)  # type: ignore[attr-defined]


def test_checks_run_while_loading_store_what_a_check_of_the_store_stores(
    sessions, root: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from translator.services import loading

    monkeypatch.setenv("READ_BY", str(tmp_path))
    monkeypatch.setattr(_read_marked, "read", loading._read_document, raising=False)
    monkeypatch.setattr(loading, "_read_document", _read_marked)
    monkeypatch.setattr(loading, "PARALLEL_FROM", 1)
    with db.transaction(sessions) as session:
        glossary.load_shipped(session, root)
        loading.load(session, root, terms=tuple(glossary.terms(session)), workers=2)
    assert {p.name for p in tmp_path.iterdir()} - {str(os.getpid())}  # the forks did the work
    while_loading = _stored_failures(sessions)
    with db.transaction(sessions) as session:
        checking.check_store(session)
    assert len(while_loading) > 0
    assert while_loading == _stored_failures(sessions)
