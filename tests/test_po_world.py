"""Catalogues as other tools write them (Poedit, Weblate, Django, Lokalize; Latin-1 and Windows-1256
files, CRLF line endings, domains): read, written back as GNU writes them, merged, compiled."""

from __future__ import annotations

import gettext
import io
import re
import subprocess
from pathlib import Path

import pytest

from translator.formats import merge, mo, po

WORLD = sorted((Path(__file__).parent / "data" / "world").glob("*.po"))


def gnu_written(path: Path, catalogue: po.Catalogue) -> str:
    """What GNU writes for the file: msgconv to UTF-8 when it declares another charset. (GNU
    keeps the CR of a CRLF file in comments; we do not, so GNU is given the file with LF.)"""
    command = ["msgcat"] if catalogue.charset in ("UTF-8", "ASCII") else ["msgconv", "-t", "UTF-8"]
    return subprocess.run(
        [*command, "-", "-o", "-"],
        input=path.read_bytes().replace(b"\r\n", b"\n"),
        capture_output=True,
        check=True,
    ).stdout.decode()


@pytest.mark.parametrize("path", WORLD, ids=lambda p: p.name)
def test_a_catalogue_from_another_tool_reads_and_writes_back_as_gnu_writes_it(path: Path) -> None:
    catalogue = po.read(path.read_bytes(), str(path))
    assert catalogue.entries
    assert po.write(catalogue) == gnu_written(path, catalogue)


@pytest.mark.parametrize("path", WORLD, ids=lambda p: p.name)
def test_a_catalogue_from_another_tool_passes_the_desks_import_checks(path: Path) -> None:
    catalogue = po.read(path.read_bytes(), str(path))
    po.check_translation(catalogue, str(path))


@pytest.mark.parametrize("path", WORLD, ids=lambda p: p.name)
def test_merging_it_into_its_own_template_keeps_every_translation_and_passes_msgfmt(
    path: Path, tmp_path: Path
) -> None:
    catalogue = po.read(path.read_bytes(), str(path))
    template = po.Catalogue(
        [("Content-Type", "text/plain; charset=UTF-8")],
        entries=[
            po.Entry(e.msgid, msgctxt=e.msgctxt, msgid_plural=e.msgid_plural, domain=e.domain)
            for e in catalogue.entries
            if not e.obsolete
        ],
    )
    merged = merge.update(catalogue, template)
    kept = {e.key: (e.msgstr, e.msgstr_plural) for e in merged.entries if not e.obsolete}
    assert kept == {e.key: (e.msgstr, e.msgstr_plural) for e in catalogue.entries if not e.obsolete}
    out = tmp_path / "merged.po"
    out.write_text(po.write(merged), encoding="utf-8")
    checked = subprocess.run(
        ["msgfmt", "--check", "-o", "/dev/null", str(out)], capture_output=True, text=True
    )
    assert checked.returncode == 0 or "domain" in checked.stderr, checked.stderr


@pytest.mark.parametrize("path", WORLD, ids=lambda p: p.name)
def test_its_mo_file_has_the_messages_of_msgfmts(path: Path, tmp_path: Path) -> None:
    catalogue = po.read(path.read_bytes(), str(path))
    subprocess.run(["msgfmt", str(path)], cwd=tmp_path, check=True, capture_output=True)
    reference = tmp_path / f"{catalogue.domain or 'messages'}.mo"
    # Our MO files are UTF-8 (the text was converted on reading); msgfmt keeps the file's charset.
    assert _messages(mo.write_mo(catalogue)) == _messages(reference.read_bytes())


def _messages(data: bytes) -> dict[object, object]:
    found = dict(gettext.GNUTranslations(io.BytesIO(data))._catalog)  # type: ignore[attr-defined]
    found[""] = re.sub(r"charset=\S+", "charset=UTF-8", str(found.get("", "")))
    return found
