"""The quality checks over the shipped translations scaled up, against translate-toolkit's pofilter
on the same catalogues in the same run; and every check on 100 KB adversarial strings."""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from pathlib import Path

from translator import languages
from translator.checks import Context, Term, all_checks, run_all
from translator.formats import po
from translator.services.glossary import read_file

REPO = Path(__file__).resolve().parent.parent
ADVERSARIAL = {
    "digits": "1" * 100_000,
    "digit groups": "1," * 50_000,
    "asterisks": "*" * 100_000,
    "underscores": "_a" * 50_000,
    "brackets": "[" * 50_000 + "](" * 25_000,
    "at signs": "@" * 100_000,
    "e-mail-like": "a@" * 50_000,
    "long URL": "http://" + "a" * 100_000,
    "Persian words": "ی " * 50_000,
    "spaced question marks": " ?" * 50_000,
    "guillemets": "«" * 100_000,
    "year dashes": "1980–" * 20_000,
    "dotted words": "a." * 50_000,
}
LIMIT_SECONDS = 0.1


def shipped_pairs(language: str) -> list[tuple[str, str]]:
    pairs = []
    for path in sorted((REPO / "locales" / language / "LC_MESSAGES").glob("*.po")):
        for entry in po.read(path.read_bytes()).entries:
            if entry.msgstr and not entry.obsolete:
                pairs.append((entry.msgid, entry.msgstr))
    return pairs


def scaled(language: str, size: int) -> list[tuple[str, str]]:
    """The shipped translations repeated to `size` units, each made unique by a number on both
    sides (so the figures check has one more figure to find)."""
    pairs = shipped_pairs(language)
    return [
        (f"{source} ({n})", f"{target} ({n})")
        for n in range(size)
        for source, target in [pairs[n % len(pairs)]]
    ]


def glossary_terms() -> tuple[Term, ...]:
    path = REPO / "glossary" / "campaign.csv"
    return tuple(read_file(path.read_bytes(), str(path)))


def bench_corpus(size: int) -> dict[str, object]:
    terms = glossary_terms()
    corpora = {code: scaled(code, size) for code in languages.TARGET_LANGUAGES}
    errors = 0
    start = time.perf_counter()
    for code, pairs in corpora.items():
        context = Context(code, terms)
        for source, target in pairs:
            errors += sum(f.severity == "error" for f in run_all(source, target, context))
    ours = time.perf_counter() - start
    with tempfile.TemporaryDirectory() as folder:
        files = []
        for code, pairs in corpora.items():
            entries = [po.Entry(msgid=s, msgstr=t) for s, t in pairs]
            headers = [("Content-Type", "text/plain; charset=UTF-8"), ("Language", code)]
            path = Path(folder) / f"{code}.po"
            path.write_text(po.write(po.Catalogue(headers, [], entries)))
            files.append((code, path))
        pofilter = str(Path(sys.executable).with_name("pofilter"))
        start = time.perf_counter()
        for code, path in files:
            subprocess.run(
                [pofilter, f"--language={code}", str(path), str(path) + ".out"],
                check=True,
                capture_output=True,
            )
        reference = time.perf_counter() - start
    units = size * len(corpora)
    return {
        "bench": "all checks",
        "size": units,
        "ours_s": ours,
        "reference": "pofilter",
        "reference_s": reference,
        "ratio": ours / reference,
        "note": f"{1e6 * ours / units:.0f} µs per unit; {errors} errors in shipped text",
    }


def bench_adversarial() -> list[dict[str, object]]:
    context = Context("fr", glossary_terms())
    rows = []
    for check in all_checks():
        worst, worst_name = 0.0, ""
        for name, text in ADVERSARIAL.items():
            for source, target in (
                (text, "x"),
                ("Free 15,000 [now](https://a.b/).", text),
                (text, text),
            ):
                start = time.perf_counter()
                check.run(source, target, context)
                elapsed = time.perf_counter() - start
                if elapsed > worst:
                    worst, worst_name = elapsed, name
        rows.append(
            {
                "bench": f"{check.id} ({check.severity}), worst 100 KB string",
                "size": 100_000,
                "ours_s": worst,
                "reference": "limit",
                "reference_s": LIMIT_SECONDS,
                "ratio": worst / LIMIT_SECONDS,
                "note": f"worst: {worst_name}"
                + (" OVER THE LIMIT" if worst > LIMIT_SECONDS else ""),
            }
        )
    return rows
