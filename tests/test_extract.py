"""Extracting and updating units with msgmerge's semantics; writing catalogues from the store."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from sqlalchemy import event, select
from sqlalchemy.orm import Session, sessionmaker

from translator import db
from translator.formats import markdown, po
from translator.models import Change, CheckFailure, Document, State, Translation, Unit
from translator.services import DeskError, catalogue_files, loading, writing
from translator.services import extract as extraction

APPEAL = """---
slug: appeal
kind: appeal
title: "Free Them Now"
date: 2022-11-25
---

## Our demands

Free all political prisoners in Iran, immediately and unconditionally.

- End torture.
- End executions.

The campaign was formed in late 2020 in the United States.
"""


def write_source(root: Path, text: str, slug: str = "appeal") -> None:
    (root / "source_texts" / f"{slug}.md").write_text(text)


def extract(sessions: sessionmaker[Session], root: Path) -> writing.WriteReport:
    with db.transaction(sessions) as session:
        return extraction.extract(session, root)[1]


def translate(
    sessions: sessionmaker[Session],
    language: str,
    table: dict[str, str],
    state: State = State.TRANSLATED,
) -> None:
    with db.transaction(sessions) as session:
        for source, text in table.items():
            translation = session.scalars(
                select(Translation)
                .join(Unit)
                .where(Unit.source == source, Translation.language == language)
            ).one()
            translation.text, translation.state = text, state
            translation.version += 1


def entries(root: Path, language: str = "fa", slug: str = "appeal") -> dict[str, po.Entry]:
    path = catalogue_files.catalogue_path(root, language, slug)
    return {entry.msgid: entry for entry in po.read(path.read_bytes(), str(path)).entries}


@pytest.fixture
def store(empty_root: Path, sessions: sessionmaker[Session]) -> sessionmaker[Session]:
    """An appeal extracted once and partly translated into Farsi and German."""
    write_source(empty_root, APPEAL)
    extract(sessions, empty_root)
    translate(
        sessions,
        "fa",
        {
            "Free all political prisoners in Iran, immediately and unconditionally.": (
                "همه زندانیان سیاسی ایران را فوراً و بی‌قیدوشرط آزاد کنید."
            ),
            "End torture.": "به شکنجه پایان دهید.",
            "The campaign was formed in late 2020 in the United States.": (
                "این کارزار در اواخر ۲۰۲۰ در ایالات متحده شکل گرفت."
            ),
        },
    )
    translate(sessions, "de", {"End torture.": "Schluss mit der Folter."}, State.APPROVED)
    extract(sessions, empty_root)
    return sessions


def test_extract_writes_template_and_catalogues_for_six_languages(store, empty_root: Path) -> None:
    template = catalogue_files.template_path(empty_root, "appeal")
    assert [e.msgid for e in po.read(template.read_bytes()).entries] == [
        "Free Them Now",
        "Our demands",
        "Free all political prisoners in Iran, immediately and unconditionally.",
        "End torture.",
        "End executions.",
        "The campaign was formed in late 2020 in the United States.",
    ]
    for language in ("fa", "tr", "fr", "es", "de", "pt"):
        assert catalogue_files.catalogue_path(empty_root, language, "appeal").is_file()


def test_catalogues_carry_locations_block_types_and_cldr_headers(store, empty_root: Path) -> None:
    path = catalogue_files.catalogue_path(empty_root, "fa", "appeal")
    catalogue = po.read(path.read_bytes())
    entry = catalogue.entries[2]
    assert entry.locations == ["appeal.md:10"] and entry.extracted == ["type: paragraph"]
    assert catalogue.header("Language") == "fa"
    assert catalogue.header("Plural-Forms") == "nplurals=2; plural=(n == 0 || n == 1) ? 0 : 1;"
    assert "CHARSET" not in path.read_text() and "FULL NAME" not in path.read_text()


def test_every_written_catalogue_passes_msgfmt_check(store, empty_root: Path) -> None:
    for path in sorted((empty_root / "locales").glob("*/LC_MESSAGES/*.po")):
        result = subprocess.run(
            ["msgfmt", "--check", "-o", "/dev/null", str(path)], capture_output=True, text=True
        )
        assert result.returncode == 0, result.stderr
        assert result.stderr == ""


def test_extract_twice_changes_no_byte(store, empty_root: Path) -> None:
    before = {p: p.read_bytes() for p in (empty_root / "locales").rglob("*.po*")}
    assert extract(store, empty_root).written == []
    assert {p: p.read_bytes() for p in (empty_root / "locales").rglob("*.po*")} == before


def test_changed_source_marks_translation_needs_editing_with_previous_english(
    store, empty_root: Path
) -> None:
    write_source(
        empty_root,
        APPEAL.replace("immediately and unconditionally.", "immediately and without conditions."),
    )
    extract(store, empty_root)
    entry = entries(empty_root)[
        "Free all political prisoners in Iran, immediately and without conditions."
    ]
    assert entry.fuzzy
    assert (
        entry.previous_msgid
        == "Free all political prisoners in Iran, immediately and unconditionally."
    )
    assert entry.msgstr == "همه زندانیان سیاسی ایران را فوراً و بی‌قیدوشرط آزاد کنید."
    with db.transaction(store) as session:
        change = session.scalars(select(Change).where(Change.action == "source-changed")).one()
        assert (change.old_state, change.new_state) == (State.TRANSLATED, State.NEEDS_EDITING)


def test_changed_source_turns_approved_translation_needs_editing(store, empty_root: Path) -> None:
    write_source(empty_root, APPEAL.replace("- End torture.", "- End all torture."))
    extract(store, empty_root)
    entry = entries(empty_root, "de")["End all torture."]
    assert entry.fuzzy and po.APPROVED not in entry.flags
    assert entry.previous_msgid == "End torture."


def test_removed_block_becomes_obsolete_and_untranslated_ones_vanish(
    store, empty_root: Path
) -> None:
    text = APPEAL.replace("The campaign was formed in late 2020 in the United States.\n", "")
    write_source(empty_root, text.replace("- End executions.\n", ""))
    extract(store, empty_root)
    found = entries(empty_root)
    assert found["The campaign was formed in late 2020 in the United States."].obsolete
    assert "End executions." not in found  # it had no translation: dropped, as msgmerge does
    assert "#~ msgid" in catalogue_files.catalogue_path(empty_root, "fa", "appeal").read_text()


def test_removed_block_comes_back_with_its_translation(store, empty_root: Path) -> None:
    sentence = "The campaign was formed in late 2020 in the United States.\n"
    write_source(empty_root, APPEAL.replace(sentence, ""))
    extract(store, empty_root)
    write_source(empty_root, APPEAL)
    extract(store, empty_root)
    entry = entries(empty_root)[sentence.strip()]
    assert not entry.obsolete and not entry.fuzzy
    assert entry.msgstr == "این کارزار در اواخر ۲۰۲۰ در ایالات متحده شکل گرفت."


def test_moved_block_keeps_its_translation(store, empty_root: Path) -> None:
    write_source(
        empty_root,
        APPEAL.replace(
            "- End torture.\n- End executions.\n", "- End executions.\n- End torture.\n"
        ),
    )
    extract(store, empty_root)
    entry = entries(empty_root)["End torture."]
    assert entry.msgstr == "به شکنجه پایان دهید." and not entry.fuzzy
    assert entry.locations == ["appeal.md:13"]


def test_new_block_similar_to_a_translated_one_starts_from_it_as_needs_editing(
    store, empty_root: Path
) -> None:
    write_source(empty_root, APPEAL + "\nFree all political prisoners in Iran, immediately!\n")
    extract(store, empty_root)
    found = entries(empty_root)
    new = found["Free all political prisoners in Iran, immediately!"]
    assert new.fuzzy and new.msgstr.startswith("همه زندانیان")
    assert not found["Free all political prisoners in Iran, immediately and unconditionally."].fuzzy


def test_new_unrelated_block_is_untranslated(store, empty_root: Path) -> None:
    write_source(empty_root, APPEAL + "\nDonate to the campaign.\n")
    extract(store, empty_root)
    assert entries(empty_root)["Donate to the campaign."].msgstr == ""


def test_repeated_block_is_one_unit_with_both_locations(empty_root: Path, sessions) -> None:
    write_source(empty_root, "---\nkind: alert\ntitle: T\n---\n\nAct now.\n\nText.\n\nAct now.\n")
    extract(sessions, empty_root)
    assert entries(empty_root)["Act now."].locations == ["appeal.md:6", "appeal.md:10"]


def test_states_survive_writing_and_loading_into_a_fresh_store(
    store, empty_root: Path, tmp_path: Path
) -> None:
    write_source(empty_root, APPEAL.replace("in late 2020", "at the end of 2020"))
    extract(store, empty_root)
    fresh = db.session_factory(db.make_engine(f"sqlite:///{tmp_path / 'fresh.db'}"))
    db.create_schema(fresh.kw["bind"])
    with db.transaction(fresh) as session:
        loading.load(session, empty_root)
    assert _states(store) == _states(fresh)
    assert State.APPROVED in {state for _, _, state, _ in _states(fresh)}
    assert State.NEEDS_EDITING in {state for _, _, state, _ in _states(fresh)}
    before = {p: p.read_bytes() for p in (empty_root / "locales").rglob("*.po*")}
    assert extract(fresh, empty_root).written == []
    assert {p: p.read_bytes() for p in (empty_root / "locales").rglob("*.po*")} == before


def _states(sessions: sessionmaker[Session]) -> set[tuple[str, str, int, str | None]]:
    with db.transaction(sessions) as session:
        rows = session.execute(
            select(
                Unit.source, Translation.language, Translation.state, Translation.previous_source
            )
            .join(Translation)
            .where(Translation.text != "")
        )
        return {tuple(row) for row in rows}  # type: ignore[misc]


def test_hand_edited_catalogue_is_never_overwritten(store, empty_root: Path) -> None:
    path = catalogue_files.catalogue_path(empty_root, "fa", "appeal")
    edited = path.read_text().replace(
        'msgid "End executions."\nmsgstr ""', 'msgid "End executions."\nmsgstr "اعدام نه"'
    )
    path.write_text(edited)
    write_source(empty_root, APPEAL + "\nA new paragraph.\n")
    with pytest.raises(DeskError, match=r"changed since the desk last wrote them; import"):
        extract(store, empty_root)
    assert path.read_text() == edited
    assert "A new paragraph." not in catalogue_files.template_path(empty_root, "appeal").read_text()


def test_check_mode_names_stale_catalogues_and_writes_nothing(store, empty_root: Path) -> None:
    write_source(empty_root, APPEAL + "\nA new paragraph.\n")
    with db.transaction(store) as session:
        _, report = extraction.extract(session, empty_root, check=True)
        session.rollback()
    assert catalogue_files.template_path(empty_root, "appeal") in report.stale
    assert len(report.stale) == 7 and report.written == []
    assert "A new paragraph." not in catalogue_files.template_path(empty_root, "appeal").read_text()


def test_writes_leave_no_temporary_files(store, empty_root: Path) -> None:
    assert not [p for p in (empty_root / "locales").rglob("*") if p.name.endswith(".tmp")]


def test_atomic_write_keeps_the_old_file_when_writing_fails(tmp_path: Path) -> None:
    target = tmp_path / "x.po"
    target.write_bytes(b"old")
    with pytest.raises(TypeError):
        catalogue_files.write_atomically(target, "not bytes")  # type: ignore[arg-type]
    assert target.read_bytes() == b"old"
    assert list(tmp_path.iterdir()) == [target]


def test_bad_front_matter_is_refused_with_file_and_line(empty_root: Path, sessions) -> None:
    write_source(empty_root, "---\ntitle: [broken\n---\n\nText.\n")
    with pytest.raises(DeskError, match=r"appeal.md:2: front matter is not valid YAML"):
        extract(sessions, empty_root)


def test_unknown_kind_is_refused(empty_root: Path, sessions) -> None:
    write_source(empty_root, "---\nslug: appeal\nkind: poem\ntitle: T\n---\n\nText.\n")
    with pytest.raises(DeskError, match="kind must be one of"):
        extract(sessions, empty_root)


def test_load_keeps_catalogue_entries_missing_from_the_source(
    empty_root: Path, sessions, tmp_path: Path
) -> None:
    write_source(empty_root, APPEAL)
    extract(sessions, empty_root)
    path = catalogue_files.catalogue_path(empty_root, "fa", "appeal")
    path.write_text(
        path.read_text() + '\nmsgid "An old paragraph about donations."\n'
        'msgstr "بندی قدیمی دربارهٔ کمک مالی."\n'
    )
    fresh = db.session_factory(db.make_engine(f"sqlite:///{tmp_path / 'fresh.db'}"))
    db.create_schema(fresh.kw["bind"])
    with db.transaction(fresh) as session:
        loading.load(session, empty_root)
    extract(fresh, empty_root)
    assert entries(empty_root)["An old paragraph about donations."].obsolete


def test_extract_with_nothing_changed_reads_no_source_and_writes_no_catalogue(
    loaded: sessionmaker[Session], root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    extract(loaded, root)  # records what each file is written from
    calls = {"parse": 0, "write": 0}
    real_parse, real_write = markdown.parse, po.write

    def parse(text: str, filename: str = "") -> markdown.SourceDocument:
        calls["parse"] += 1
        return real_parse(text, filename)

    def write(catalogue: po.Catalogue) -> str:
        calls["write"] += 1
        return real_write(catalogue)

    monkeypatch.setattr(markdown, "parse", parse)
    monkeypatch.setattr(po, "write", write)
    assert extract(loaded, root).written == []
    assert calls == {"parse": 0, "write": 0}


def test_a_changed_translation_rewrites_only_its_own_catalogue(
    loaded: sessionmaker[Session], root: Path
) -> None:
    extract(loaded, root)
    with db.transaction(loaded) as session:
        translation = session.scalars(
            select(Translation)
            .join(Unit)
            .join(Unit.document)
            .where(Translation.language == "tr", Unit.obsolete.is_(False))
            .where(Translation.text != "")
            .order_by(Unit.id)
        ).first()
        assert translation is not None
        slug = translation.unit.document.slug
        translation.text += " (gözden geçirildi)"
        translation.version += 1
    written = extract(loaded, root).written
    assert written == [root / "locales" / "tr" / "LC_MESSAGES" / f"{slug}.po"]
    entries = po.read(written[0].read_bytes()).entries
    assert any(entry.msgstr.endswith(" (gözden geçirildi)") for entry in entries)


def test_only_a_changed_source_text_is_read_again(
    loaded: sessionmaker[Session], root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    extract(loaded, root)
    seen: list[str] = []
    real_parse = markdown.parse

    def parse(text: str, filename: str = "") -> markdown.SourceDocument:
        seen.append(Path(filename).name)
        return real_parse(text, filename)

    monkeypatch.setattr(markdown, "parse", parse)
    path = root / "source_texts" / "palm-card.md"
    path.write_text(path.read_text() + "\nFree them all.\n")
    extract(loaded, root)
    assert seen == ["palm-card.md"]


def test_changed_english_is_checked_again_and_blocks_with_its_new_figure(
    loaded: sessionmaker[Session], root: Path
) -> None:
    path = root / "source_texts" / "emergency-appeal.md"
    text = path.read_text()
    with db.transaction(loaded) as session:
        unit = session.scalars(
            select(Unit)
            .join(Document)
            .where(Document.slug == "emergency-appeal", Unit.source.contains("1988"))
        ).first()
        assert unit is not None and unit.source in text
        old = unit.source
    path.write_text(text.replace(old, old.replace("1988", "1989")))
    with db.transaction(loaded) as session:
        extraction.extract(session, root)
        failures = session.scalars(
            select(CheckFailure.check)
            .join(Translation, Translation.id == CheckFailure.translation_id)
            .join(Unit, Unit.id == Translation.unit_id)
            .where(Unit.source == old.replace("1988", "1989"))
        ).all()
    assert "figures" in failures


def test_an_edited_paragraph_changes_its_own_unit_only_and_loads_no_objects(
    loaded: sessionmaker[Session], root: Path
) -> None:
    """An ordinary edit costs what it changes: units and translations are read and written as
    rows (none is loaded as an object), and only the edited unit's translations change."""
    extract(loaded, root)
    path = root / "source_texts" / "emergency-appeal.md"
    text = path.read_text()
    with db.transaction(loaded) as session:
        unit = session.scalars(
            select(Unit)
            .join(Document)
            .where(Document.slug == "emergency-appeal", Unit.source.contains("1988"))
        ).first()
        assert unit is not None and unit.source in text
        old, unit_id, document_id = unit.source, unit.id, unit.document_id
    versions = select(Translation.id, Translation.unit_id, Translation.version).join(Unit)
    with loaded() as session:
        before = session.execute(versions.where(Unit.document_id == document_id)).all()
    assert len(before) > 50  # the document holds many more translations than the edit
    path.write_text(text.replace(old, old.replace("1988", "1989")))
    objects: list[object] = []

    def count(target: object, _: object) -> None:
        objects.append(target)

    for model in (Unit, Translation, Change):
        event.listen(model, "load", count)
    try:
        with db.transaction(loaded) as session:
            report = extraction.update_all(session, root)
    finally:
        for model in (Unit, Translation, Change):
            event.remove(model, "load", count)
    assert [d.changed for d in report.documents] == [1] and objects == []
    with loaded() as session:
        after = session.execute(versions.where(Unit.document_id == document_id)).all()
    bumped = {row for row in after if row not in before}
    assert {u for _, u, _ in bumped} == {unit_id} and len(bumped) == 6
    with loaded() as session:
        edited = session.get(Unit, unit_id)
        assert edited is not None and "1989" in edited.source
        assert {t.state for t in edited.translations if t.text} == {State.NEEDS_EDITING}


def test_catalogues_rendered_in_forks_are_the_bytes_rendered_in_one_process(
    loaded: sessionmaker[Session], root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with loaded() as session:
        alone = writing.render_files(session, root)
        monkeypatch.setattr(writing, "PARALLEL_FROM", 1)
        shared = writing.render_files(session, root, workers=2)
    assert len(alone) > 40 and list(shared) == list(alone)
    assert all(shared[path] == data for path, data in alone.items())


def test_work_shared_among_forks_comes_back_in_order() -> None:
    from translator.services import forks

    items = [f"item {n}" for n in range(101)]
    assert forks.map_inherited(str.upper, items, workers=2) == [i.upper() for i in items]
    assert forks.map_inherited(str.upper, items, workers=1) == [i.upper() for i in items]


def test_sources_parsed_in_forks_are_those_parsed_in_one_process(
    root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from translator.services import sources

    files = sources.source_files(root)
    alone = sources.read_source_files(files)
    monkeypatch.setattr(sources, "PARALLEL_FROM", 1)
    assert sources.read_source_files(files, workers=2) == alone and len(alone) > 5


def test_a_bad_source_parsed_in_a_fork_stops_everything_with_its_file_and_line(
    root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from translator.services import sources

    bad = root / "source_texts" / "zz-broken.md"
    bad.write_text("---\nkind: alert\ntitle: [Broken\n---\n\nText.\n")
    files = sources.source_files(root)
    with pytest.raises(DeskError) as alone:
        sources.read_source_files(files)
    monkeypatch.setattr(sources, "PARALLEL_FROM", 1)
    with pytest.raises(DeskError) as shared:
        sources.read_source_files(files, workers=2)
    assert str(shared.value) == str(alone.value) and str(bad) in str(shared.value)


def test_a_bad_catalogue_read_in_a_fork_stops_init_with_its_file_and_line(
    root: Path, sessions: sessionmaker[Session], monkeypatch: pytest.MonkeyPatch
) -> None:
    """init reads documents in forks while it inserts those read: a bad catalogue there stops
    it as in one process, naming the file and line, and nothing stays in the store."""
    bad = sorted((root / "locales" / "fa" / "LC_MESSAGES").glob("*.po"))[-1]
    bad.write_text(bad.read_text() + '\nmsgid "Torn"\nmsgstr "no end\n')
    errors = []
    for workers, parallel_from in ((1, loading.PARALLEL_FROM), (2, 1)):
        monkeypatch.setattr(loading, "PARALLEL_FROM", parallel_from)
        with pytest.raises(DeskError) as raised, db.transaction(sessions) as session:
            loading.load(session, root, terms=(), workers=workers)
        errors.append(str(raised.value))
        with sessions() as session:
            assert loading.is_empty(session)
    lines = len(bad.read_text().splitlines())
    assert (
        errors[0] == errors[1] == f"{bad}:{lines}: unterminated string: a closing quote is missing"
    )


def test_a_command_over_the_whole_store_collects_garbage_less_often_and_then_as_before() -> None:
    import gc

    from translator.services import forks

    before = gc.get_threshold()
    with forks.collecting_less():
        assert gc.get_threshold()[0] == forks.COMMAND_THRESHOLD > before[0]
    assert gc.get_threshold() == before
