"""The real-world suite: Django's catalogues, two releases, read, written, compiled and merged by
the desk and by GNU gettext in the same run.

At bench time `pip download --no-deps` fetches the Django 4.2 and 5.2 wheels into a temporary
folder (nothing is kept or committed) and takes their catalogues (`django/conf/locale` and every
`django/contrib/*/locale`, `django.po` and `djangojs.po`). Against GNU gettext it reports:
- read + write of every catalogue against `msgcat`, and how many files come out byte-identical;
- MO compilation against `msgfmt`, and how many MO files hold the same messages;
- the merge of each 4.2 catalogue into a template made from the 5.2 catalogue's msgids against
  `msgmerge --previous`, with the share of equal decisions (goal: 3x faster, 99.5% equal) and how
  many merged files pass `msgfmt --check`.
When the registry cannot be reached the suite says so and reports nothing.
"""

from __future__ import annotations

import gettext
import io
import re
import subprocess
import sys
import tempfile
import zipfile
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from translator.formats import merge, mo, po

RELEASES = ("4.2.*", "5.2.*")
CATALOGUE = re.compile(r"django/(?:conf|contrib/[^/]+)/locale/[^/]+/LC_MESSAGES/django(?:js)?\.po")
UNLIMITED = 1 << 40
DOWNLOAD_TIMEOUT_S = 300

Timer = Callable[[Callable[[], object], int], float]  # best of n runs, in seconds
Agreement = Callable[[po.Catalogue, po.Catalogue], tuple[int, int]]
Row = dict[str, object]


@dataclass
class Release:
    """One release's catalogues: their paths inside the wheel, and where they were extracted."""

    version: str
    root: Path
    paths: list[str]

    def file(self, path: str) -> Path:
        return self.root / path


def bench(timed: Timer, agreement: Agreement) -> list[Row]:
    """The suite's rows, or none (after saying why) when the wheels cannot be downloaded."""
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        releases = [_download(work, spec) for spec in RELEASES]
        if any(release is None for release in releases):
            return []
        old, new = (_readable(release) for release in releases if release is not None)
        files = [old.file(p) for p in old.paths] + [new.file(p) for p in new.paths]
        return [
            _read_write(work, files, timed),
            _compile(work, files, timed),
            _merge(work, old, new, timed, agreement),
        ]


def _readable(release: Release) -> Release:
    """The release without the files the desk refuses, after saying which and whether
    `msgfmt --check` refuses them too (the suite compares only what both tools read)."""
    refused: list[tuple[str, str]] = []
    for path in release.paths:
        try:
            _read(release.file(path))
        except po.PoError as exc:
            refused.append((path, exc.message))
    if refused:
        gnu_too = sum(
            _gnu("msgfmt", "--check", "-o", "/dev/null", str(release.file(path))).returncode != 0
            for path, _ in refused
        )
        reasons = Counter(message for _, message in refused).most_common(2)
        print(
            f"realworld: Django {release.version}: {len(refused)} of {len(release.paths)} "
            f"catalogues refused, {gnu_too} of them by msgfmt --check too; "
            + "; ".join(f"{count}x {message}" for message, count in reasons)
        )
    left = {path for path, _ in refused}
    return Release(release.version, release.root, [p for p in release.paths if p not in left])


def _download(work: Path, spec: str) -> Release | None:
    folder = work / f"wheel-{spec.rstrip('.*')}"
    command = [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:"]
    command += ["--quiet", "--disable-pip-version-check", "-d", str(folder), f"django=={spec}"]
    try:
        subprocess.run(command, check=True, capture_output=True, timeout=DOWNLOAD_TIMEOUT_S)
    except (subprocess.CalledProcessError, subprocess.TimeoutExpired) as exc:
        said = getattr(exc, "stderr", b"") or b""
        last = said.decode(errors="replace").strip().splitlines()[-1:] or ["timed out"]
        print(f"realworld: skipped, django=={spec} could not be downloaded ({last[0]})")
        return None
    wheel = next(folder.glob("*.whl"))
    root = work / wheel.stem
    with zipfile.ZipFile(wheel) as archive:
        paths = sorted(name for name in archive.namelist() if CATALOGUE.fullmatch(name))
        for name in paths:
            archive.extract(name, root)
    return Release(wheel.stem.split("-")[1], root, paths)


def _read(path: Path) -> po.Catalogue:
    return po.read(path.read_bytes(), str(path), max_bytes=UNLIMITED)


def _gnu(*command: str) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(command, capture_output=True)


def _row(bench: str, size: int, ours: float, reference: str, theirs: float, note: str) -> Row:
    return {
        "bench": bench,
        "size": size,
        "ours_s": ours,
        "reference": reference,
        "reference_s": theirs,
        "ratio": ours / theirs,
        "note": note,
    }


def _read_write(work: Path, files: list[Path], timed: Timer) -> Row:
    ours: dict[Path, str] = {}
    out = work / "msgcat"
    out.mkdir()

    def read_write() -> None:
        for path in files:
            ours[path] = po.write(_read(path))

    def gnu() -> None:
        for number, path in enumerate(files):
            _gnu("msgcat", str(path), "-o", str(out / f"{number}.po"))

    mine, theirs = timed(read_write, 1), timed(gnu, 1)
    differ = [
        path
        for number, path in enumerate(files)
        if ours[path].encode() != (out / f"{number}.po").read_bytes()
    ]
    entries = sum(len(_read(path).entries) for path in files)
    note = f"{len(files)} files; {len(files) - len(differ)} byte-identical to msgcat's"
    return _row("django read + write", entries, mine, "msgcat", theirs, note + _first(differ))


def _compile(work: Path, files: list[Path], timed: Timer) -> Row:
    ours: dict[Path, bytes] = {}
    out = work / "msgfmt"
    out.mkdir()

    def compile_mo() -> None:
        for path in files:
            ours[path] = mo.write_mo(_read(path))

    def gnu() -> None:
        for number, path in enumerate(files):
            _gnu("msgfmt", str(path), "-o", str(out / f"{number}.mo"))

    mine, theirs = timed(compile_mo, 1), timed(gnu, 1)
    differ = [
        path
        for number, path in enumerate(files)
        if _messages(ours[path]) != _messages((out / f"{number}.mo").read_bytes())
    ]
    entries = sum(len(_read(path).entries) for path in files)
    note = f"{len(files)} files; {len(files) - len(differ)} with msgfmt's messages"
    return _row("django compile MO", entries, mine, "msgfmt", theirs, note + _first(differ))


def _messages(data: bytes) -> dict[object, object]:
    found = dict(gettext.GNUTranslations(io.BytesIO(data))._catalog)  # type: ignore[attr-defined]
    found[""] = re.sub(r"charset=\S+", "charset=UTF-8", str(found.get("", "")))
    return found


def _merge(work: Path, old: Release, new: Release, timed: Timer, agreement: Agreement) -> Row:
    pairs: list[tuple[Path, Path, Path]] = []
    for number, path in enumerate(sorted(set(old.paths) & set(new.paths))):
        template = work / "templates" / f"{number}.pot"
        template.parent.mkdir(exist_ok=True)
        template.write_text(po.write(_template(_read(new.file(path)))))
        pairs.append((old.file(path), template, work / "merged" / f"{number}.po"))
    (work / "merged").mkdir()
    written: dict[Path, str] = {}

    def update() -> None:
        # each merged catalogue is written and let go, as a program merging files does: holding
        # a thousand of them would time the garbage collector walking them, not the merge
        for catalogue, template, _ in pairs:
            written[catalogue] = po.write(merge.update(_read(catalogue), _read(template)))

    def gnu() -> None:
        for catalogue, template, out in pairs:
            _gnu("msgmerge", "--quiet", "--previous", "-o", str(out), str(catalogue), str(template))

    # the best of two: the ratio that matters most, on a machine others share
    mine, theirs = timed(update, 2), timed(gnu, 2)
    agree = total = identical = valid = 0
    differ: list[Path] = []
    for catalogue, _, out in pairs:
        ours = po.read(written[catalogue].encode(), str(catalogue), max_bytes=UNLIMITED)
        same, count = agreement(ours, _read(out))
        agree, total = agree + same, total + count
        if same < count:
            differ.append(catalogue)
        identical += written[catalogue].encode() == out.read_bytes()
        mine_file = out.with_suffix(".ours.po")
        mine_file.write_text(written[catalogue])
        valid += _gnu("msgfmt", "--check", "-o", "/dev/null", str(mine_file)).returncode == 0
    note = (
        f"{len(pairs)} merges ({old.version} into {new.version}); same decision for {agree} of "
        f"{total} ({100 * agree / total:.2f}%); {identical} byte-identical; {valid} pass "
        f"msgfmt --check"
    )
    return _row("django merge (fuzzy)", total, mine, "msgmerge", theirs, note + _first(differ))


def _template(catalogue: po.Catalogue) -> po.Catalogue:
    """The template a release's catalogue was made from: its msgids, contexts, locations,
    extracted comments and flags, with no translation, as xgettext writes one."""
    fields = ("Project-Id-Version", "Report-Msgid-Bugs-To", "POT-Creation-Date")
    headers = [(name, catalogue.header(name) or "") for name in fields]
    headers += [
        ("MIME-Version", "1.0"),
        ("Content-Type", "text/plain; charset=UTF-8"),
        ("Content-Transfer-Encoding", "8bit"),
        ("Plural-Forms", "nplurals=INTEGER; plural=EXPRESSION;"),
    ]
    entries = [
        po.Entry(
            msgid=entry.msgid,
            msgctxt=entry.msgctxt,
            msgid_plural=entry.msgid_plural,
            msgstr_plural=["", ""] if entry.msgid_plural is not None else [],
            flags=[flag for flag in entry.flags if flag != "fuzzy"],
            locations=list(entry.locations),
            extracted=list(entry.extracted),
            domain=entry.domain,
        )
        for entry in catalogue.entries
        if not entry.obsolete
    ]
    return po.Catalogue(headers, entries=entries, header_flags=["fuzzy"], domain=catalogue.domain)


def _first(paths: list[Path]) -> str:
    """The first few files that differ, to look at."""
    if not paths:
        return ""
    names = ", ".join("/".join(path.parts[-6:]) for path in paths[:3])
    return f" (differ: {names}{', ...' if len(paths) > 3 else ''})"
