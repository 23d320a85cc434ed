"""`translator extract` with nothing changed is answered without the full run
(services/extract_unchanged.py): every change the full run would extract or write still is, on
both databases, whichever door made it (the desk's services, an import, a hand on the disk)."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from translator import db
from translator.formats import po
from translator.models import Role, Translation, Unit, User
from translator.services import accounts, catalogue_files, editing, extract_unchanged
from translator.services.extract_unchanged import Unchanged

Run = Callable[..., Result]


def quick(database_url: str, root: Path) -> Unchanged | None:
    return extract_unchanged.nothing_to_extract(database_url, root)


def full(run: Run, monkeypatch: pytest.MonkeyPatch, *args: str) -> Result:
    """`translator ARGS` with the quick answer left out: what the full run says."""
    with monkeypatch.context() as patched:
        patched.setattr(extract_unchanged, "nothing_to_extract", lambda url, root: None)
        return run(*args, check=False)


def a_translation(session: Session, language: str) -> tuple[Unit, Translation]:
    unit, translation = session.execute(
        select(Unit, Translation)
        .join(Translation, Translation.unit_id == Unit.id)
        .where(Translation.language == language, Translation.text != "")
        .where(Unit.obsolete.is_(False), Unit.source_plural.is_(None))
        .order_by(Unit.id)
    ).first()  # type: ignore[misc]
    return unit, translation


def fa_file(root: Path, unit: Unit) -> Path:
    return catalogue_files.catalogue_path(root, "fa", unit.document.slug)


def keep_size_and_time(path: Path, old: bytes, new: bytes) -> None:
    """Write `new` over `old` (the same length) and put the file's times back."""
    assert len(new) == len(old) and new != old
    before = path.stat()
    path.write_bytes(new)
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert (path.stat().st_size, path.stat().st_mtime_ns) == (before.st_size, before.st_mtime_ns)


def test_nothing_changed_is_told_without_the_full_run_and_says_what_it_says(
    loaded: sessionmaker[Session], run: Run, database_url: str, root: Path, monkeypatch
) -> None:
    assert quick(database_url, root) is None  # loaded, never extracted: no digests recorded
    run("extract")
    assert quick(database_url, root) == Unchanged(retired=[])
    for args in (("extract",), ("extract", "--check")):
        said = run(*args, check=False)
        assert (said.exit_code, said.output) == (0, full(run, monkeypatch, *args).output)
    assert run("extract").output == "0 catalogues written.\n"
    assert run("extract", "--check").output == "All catalogues are current.\n"


def test_a_translation_saved_in_the_desk_after_an_extract_is_written_by_the_next(
    loaded: sessionmaker[Session], run: Run, database_url: str, root: Path
) -> None:
    run("extract")
    with db.transaction(loaded) as session:
        accounts.create_user(session, "shirin", Role.TRANSLATOR, "fa")
        shirin = session.scalars(select(User).where(User.username == "shirin")).one()
        unit, translation = a_translation(session, "fa")
        text = translation.text + " (بازبینی شد)"
        editing.save(session, shirin, unit.id, "fa", text, version=translation.version)
        path = fa_file(root, unit)
    assert quick(database_url, root) is None
    assert run("extract").output.splitlines() == [f"wrote {path}", "1 catalogues written."]
    assert text in {entry.msgstr for entry in po.read(path.read_bytes()).entries}
    assert quick(database_url, root) == Unchanged(retired=[])


def test_a_translator_comment_imported_alone_is_written_by_the_next_extract(
    loaded: sessionmaker[Session], run: Run, database_url: str, root: Path, tmp_path: Path
) -> None:
    """An imported comment raises no version, only the translation's time of change."""
    run("extract")
    with db.transaction(loaded) as session:
        unit, translation = a_translation(session, "fa")
        path, slug, source = fa_file(root, unit), unit.document.slug, unit.source
    catalogue = po.read(path.read_bytes())
    entry = next(e for e in catalogue.entries if e.msgid == source)
    entry.comments = ["checked against the printed leaflet"]
    incoming = tmp_path / "fa.po"
    incoming.write_text(po.write(catalogue))
    assert (
        "1 translator comments kept"
        in run("import", str(incoming), "--document", slug, "--lang", "fa").output
    )
    assert quick(database_url, root) is None
    assert run("extract").output.splitlines() == [f"wrote {path}", "1 catalogues written."]
    assert "# checked against the printed leaflet" in path.read_text()


def test_a_deleted_catalogue_is_written_again_with_the_same_bytes(
    loaded: sessionmaker[Session], run: Run, database_url: str, root: Path
) -> None:
    run("extract")
    path = catalogue_files.catalogue_path(root, "de", "emergency-appeal")
    template = catalogue_files.template_path(root, "emergency-appeal")
    kept = path.read_bytes(), template.read_bytes()
    path.unlink()
    template.unlink()
    assert quick(database_url, root) is None
    assert run("extract", "--check", check=False).exit_code == 1
    assert sorted(run("extract").output.splitlines()) == sorted(
        [f"wrote {template}", f"wrote {path}", "2 catalogues written."]
    )
    assert (path.read_bytes(), template.read_bytes()) == kept


def test_a_catalogue_edited_by_hand_with_its_size_and_time_kept_is_never_taken_for_current(
    loaded: sessionmaker[Session], run: Run, database_url: str, root: Path
) -> None:
    run("extract")
    path = catalogue_files.catalogue_path(root, "fr", "emergency-appeal")
    old = path.read_bytes()
    assert b'msgstr "' in old
    keep_size_and_time(path, old, old.replace(b'msgstr "', b'msgstr "!', 1)[:-1])
    assert quick(database_url, root) is None
    checked = run("extract", "--check", check=False)
    assert checked.exit_code == 1 and f"stale: {path}" in checked.output
    refused = run("extract", check=False)  # as ever: the desk never overwrites a hand's work
    assert refused.exit_code == 2 and "import them first" in refused.output
    assert str(path) in refused.output


def test_a_catalogue_put_back_to_the_desks_previous_bytes_is_written_again(
    loaded: sessionmaker[Session], run: Run, database_url: str, root: Path
) -> None:
    run("extract")
    with db.transaction(loaded) as session:
        unit, translation = a_translation(session, "fa")
        translation.text += " (نو)"
        translation.version += 1
        path = fa_file(root, unit)
    previous = path.read_bytes()
    run("extract")
    current = path.read_bytes()
    path.write_bytes(previous)  # e.g. `git checkout` of the file as it was
    assert quick(database_url, root) is None
    assert run("extract").output.splitlines() == [f"wrote {path}", "1 catalogues written."]
    assert path.read_bytes() == current


def test_a_source_edited_with_its_size_and_time_kept_is_extracted(
    loaded: sessionmaker[Session], run: Run, database_url: str, root: Path
) -> None:
    run("extract")
    source = root / "source_texts" / "emergency-appeal.md"
    old = source.read_bytes()
    word = b"thousands of people"  # in the first paragraph
    keep_size_and_time(source, old, old.replace(word, word.upper(), 1))
    assert quick(database_url, root) is None
    said = run("extract").output
    assert "emergency-appeal: 0 new, 1 changed (needs editing)" in said
    assert f"wrote {catalogue_files.template_path(root, 'emergency-appeal')}" in said
    assert quick(database_url, root) == Unchanged(retired=[])


def test_a_new_source_text_is_extracted(
    loaded: sessionmaker[Session], run: Run, database_url: str, root: Path
) -> None:
    run("extract")
    (root / "source_texts" / "short-alert.md").write_text(
        "---\nslug: short-alert\nkind: alert\ntitle: A short alert\n---\n\nCall today.\n"
    )
    assert quick(database_url, root) is None
    said = run("extract").output  # its title and its paragraph
    assert "short-alert: 2 new" in said and said.endswith("7 catalogues written.\n")


def test_a_removed_source_text_is_named_as_the_full_run_names_it(
    loaded: sessionmaker[Session], run: Run, database_url: str, root: Path, monkeypatch
) -> None:
    run("extract")
    (root / "source_texts" / "emergency-appeal.md").unlink()
    assert quick(database_url, root) == Unchanged(retired=["emergency-appeal"])
    said = run("extract").output
    assert said == full(run, monkeypatch, "extract").output
    assert (
        said.splitlines()[0]
        == "emergency-appeal: source text is gone; its catalogues are left as they are"
    )


def test_a_store_that_cannot_be_read_is_left_to_the_full_run(
    run: Run, database_url: str, root: Path, tmp_path: Path
) -> None:
    missing = tmp_path / "nowhere" / "desk.db"
    assert quick(f"sqlite:///{missing}", root) is None
    assert not missing.exists()  # nothing made by asking
    assert quick("sqlite://", root) is None
    assert quick(database_url, root) is None  # no tables yet
    said = run("extract", check=False)
    assert said.exit_code == 2 and "run `translator init` first" in said.output
