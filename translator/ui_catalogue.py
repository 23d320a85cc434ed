"""The interface's translations measured against its template: the share of each language's
messages translated and the desk's checks on them (`make check-ui-translations`)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po

from translator import checks, languages, plurals

FOLDER = Path(__file__).resolve().parent / "translations"


@dataclass(frozen=True)
class Coverage:
    """One language's interface catalogue: how much of the template it translates, and what the
    checks find in it (errors block, warnings are shown)."""

    language: str
    translated: int
    total: int
    errors: tuple[str, ...]
    warnings: int

    @property
    def percent(self) -> float:
        return 100 * self.translated / self.total if self.total else 100.0


def _read(path: Path, locale: str | None = None) -> Catalog:
    with path.open("rb") as handle:
        return read_po(handle, locale=locale)


def coverage(language: str, folder: Path = FOLDER) -> Coverage:
    template = _read(folder / "messages.pot")
    catalogue = _read(folder / language / "LC_MESSAGES" / "messages.po", language)
    context = checks.Context(language)
    translated, errors, warnings = 0, [], 0
    for message in template:
        if not message.id:
            continue
        found = catalogue.get(message.id)
        strings = _strings(found.string) if found is not None and not found.fuzzy else []
        if not strings or not all(strings):
            continue
        translated += 1
        ids = message.id if isinstance(message.id, tuple) else (message.id, None)
        singular, plural = str(ids[0]), (str(ids[1]) if ids[1] is not None else None)
        text = plurals.join(strings) if plural is not None else strings[0]
        for failure in checks.run_unit(singular, plural, text, context):
            if failure.severity == checks.Severity.ERROR:
                errors.append(f"{language}: {singular!r}: {failure.check}: {failure.message}")
            else:
                warnings += 1
    total = sum(1 for message in template if message.id)
    return Coverage(language, translated, total, tuple(errors), warnings)


def _strings(string: object) -> list[str]:
    if isinstance(string, tuple | list):
        return [str(s or "") for s in string]
    return [str(string or "")]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--minimum", type=float, default=95.0, help="percent each language needs")
    parser.add_argument("--complete", nargs="*", default=[], help="languages needing 100%%")
    options = parser.parse_args(argv)
    failed = False
    for code in languages.TARGET_LANGUAGES:
        if not (FOLDER / code / "LC_MESSAGES" / "messages.po").is_file():
            print(f"{code}: no catalogue", file=sys.stderr)
            failed = True
            continue
        found = coverage(code)
        needed = 100.0 if code in options.complete else options.minimum
        short = found.percent < needed
        print(
            f"{code}: {found.translated}/{found.total} translated ({found.percent:.1f}%, "
            f"needs {needed:.0f}%), {len(found.errors)} errors, {found.warnings} warnings"
            + ("  <- below the threshold" if short else "")
        )
        for error in found.errors:
            print("  " + error, file=sys.stderr)
        failed = failed or short or bool(found.errors)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
