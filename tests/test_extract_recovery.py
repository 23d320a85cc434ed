"""A `translator extract` killed at any moment: the next one finishes the work by itself."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result

from translator.formats import po

# Runs the CLI with a SIGKILL planted at one step: "render" (inside the transaction, before the
# commit) or "replace:K" (just after the K-th file was renamed into place).
LAUNCHER = """
import os, signal, sys
from translator import cli
from translator.services import writing

point = os.environ["KILL_AT"]
if point == "render":
    real_render = writing.render_files
    def render(*args, **kwargs):
        real_render(*args, **kwargs)
        os.kill(os.getpid(), signal.SIGKILL)
    writing.render_files = render
else:
    target, done, real_replace = int(point.split(":")[1]), [0], os.replace
    def replace(source, destination):
        real_replace(source, destination)
        done[0] += 1
        if done[0] == target:
            os.kill(os.getpid(), signal.SIGKILL)
    os.replace = replace
cli.main(sys.argv[1:])
"""
APPEAL = "source_texts/emergency-appeal.md"
CHANGED_FILES = 7  # the template and six catalogues of the edited document


def edit_the_appeal(root: Path) -> str:
    path = root / APPEAL
    _, front, body = path.read_text().split("---\n", 2)
    paragraph = next(line for line in body.splitlines() if len(line) > 80 and line[0].isalpha())
    changed = paragraph + " Every day counts."
    path.write_text(f"---\n{front}---\n" + body.replace(paragraph, changed))
    return changed


def killed_extract(root: Path, database_url: str, tmp_path: Path, point: str) -> int:
    environ = {
        **os.environ,
        "KILL_AT": point,
        "TRANSLATOR_INSTANCE_PATH": str(tmp_path / "instance"),
    }
    command = [sys.executable, "-c", LAUNCHER, "--root", str(root), "--database", database_url]
    done = subprocess.run([*command, "extract"], env=environ, capture_output=True, text=True)
    assert done.returncode == -9, done.stdout + done.stderr
    return done.returncode


@pytest.mark.slow
@pytest.mark.parametrize("point", ["render", "replace:1", f"replace:{CHANGED_FILES}"])
def test_extract_killed_at_any_step_is_finished_by_the_next_extract(
    run: Callable[..., Result], root: Path, database_url: str, tmp_path: Path, point: str
) -> None:
    run("init")
    before = {p: p.read_bytes() for p in root.glob("locales/**/*.po*")}
    new_english = edit_the_appeal(root)

    assert killed_extract(root, database_url, tmp_path, point) == -9
    for path, data in before.items():  # every file is the old one or a whole new one
        po.read(path.read_bytes(), str(path))
        assert path.read_bytes() == data or b"Every day counts." in path.read_bytes()

    again = run("extract", check=False)
    assert again.exit_code == 0, again.output
    assert "changed since the desk last wrote them" not in again.output
    assert run("extract", "--check").exit_code == 0
    for language in ("fa", "tr", "fr", "es", "de", "pt"):
        path = root / "locales" / language / "LC_MESSAGES" / "emergency-appeal.po"
        entry = next(
            e for e in po.read(path.read_bytes(), str(path)).entries if e.msgid == new_english
        )
        assert entry.fuzzy and entry.previous_msgid
        check = subprocess.run(["msgfmt", "--check", "-o", os.devnull, str(path)])
        assert check.returncode == 0
    # and the desk still knows every file as its own: the next change is written too
    (root / APPEAL).write_text((root / APPEAL).read_text() + "\nOne more paragraph.\n")
    assert run("extract", check=False).exit_code == 0


def test_a_file_changed_by_hand_after_a_crash_is_still_refused(
    run: Callable[..., Result], root: Path, database_url: str, tmp_path: Path
) -> None:
    run("init")
    edit_the_appeal(root)
    assert killed_extract(root, database_url, tmp_path, "replace:1") == -9
    edited = root / "locales" / "de" / "LC_MESSAGES" / "emergency-appeal.po"
    edited.write_bytes(edited.read_bytes().replace(b"Seite", b"Seiten", 1) + b"\n")
    result = run("extract", check=False)
    assert result.exit_code == 2
    assert "locales/de/LC_MESSAGES/emergency-appeal.po" in result.output
