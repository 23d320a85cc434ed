"""`make bench`: the desk against references measured in the same run, on the same files.

Every figure is printed beside its reference as a ratio (ours / reference; below 1 is faster):
(a) updating a catalogue from a changed template, fuzzy matching included, against
    `msgmerge --previous`, and how often both made the same decision;
(b) reading and writing every catalogue against `msgcat`;
(c) compiling MO files against `msgfmt`, and how the time grows from the small to the large corpus;
(d) `translator init` and `translator extract` on the corpus: time and peak memory, against
    `msgcat` reading the same catalogues;
(e) every quality check over the shipped translations scaled to 50,000 units per language,
    against translate-toolkit's `pofilter`, and each check's worst time on 100 KB adversarial
    strings against the limit of 100 ms;
(f) editions: WeasyPrint's PDF of the appeal in each language against Chromium printing the same
    HTML, a full build of every edition and a rebuild with nothing changed;
(g) the API under 20 concurrent clients (file download 200 and 304, unit save) against the same
    server's trivial endpoint, on SQLite (and PostgreSQL with TRANSLATOR_BENCH_POSTGRES_URL);
(h) the workspace: saving in the editor under 20 concurrent clients on SQLite and PostgreSQL
    (a fresh schema in the `test` database), the app's Server-Timing p50/p95 against the target
    of 50 ms and the throughput against /healthz; translation-memory lookups at 50,000 units
    against the full scan they replaced;
(i) the editors' dashboard for 200 documents x 6 languages x 250 units, on SQLite and on
    PostgreSQL, against the same app's trivial endpoint, with the statements it sends;
(j) scale: /healthz's p99 while four PDFs are made by jobs (target 250 ms), and editor saves on
    PostgreSQL with one and with two app processes, as ratios of /healthz (benchmarks/scale.py);
(k) public: each public GET (front page, published edition HTML and PDF, badges) under 16 clients
    against /healthz in the same run, on gunicorn and through nginx (benchmarks/public.py);
(l) pull: `translator pull --editions` of the whole campaign with nothing changed (goal: under a
    second) against as many GET /healthz one after another (benchmarks/pull.py);
(m) large (issue #29, not in `all`: about an hour here): 200,000 units x 6 languages in 400
    documents, on SQLite and on PostgreSQL: `init` and `extract`, the dashboard, the editor's
    page, saves under 20 clients, memory lookups and a full `translator pull`, each against its
    goal, and the peak RSS of the desk's processes (benchmarks/large.py).

    python -m benchmarks [--sizes ...] [--suite all|catalogues|store|checks|editions|api|
                                                workspace|dashboard|scale|realworld|public|pull|
                                                large] [--large-units N]
                     [--large-databases SQLite,PostgreSQL]

`--suite store` runs only (d), `translator init` and `extract`, at each size.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from benchmarks import (
    api,
    checks,
    corpus,
    dashboard,
    editions,
    large,
    public,
    pull,
    realworld,
    scale,
    server,
    workspace,
)
from translator import languages
from translator.formats import merge, mo, po

UNLIMITED = 1 << 40  # the benchmark corpus is larger than an upload may be


def timed(action: Callable[[], object], repeat: int = 1) -> float:
    """The best of `repeat` wall-clock runs, in seconds, each starting with empty caches."""
    best = float("inf")
    for _ in range(repeat):
        po.clear_caches()
        start = time.perf_counter()
        action()
        best = min(best, time.perf_counter() - start)
    return best


def run(command: list[str]) -> None:
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def child_run(command: list[str]) -> tuple[float, float]:
    """Wall time and peak RSS (MiB) of a command run in a fresh child process."""
    script = (
        "import resource, subprocess, sys, time, json; t = time.perf_counter(); "
        "subprocess.run(sys.argv[1:], check=True, stdout=subprocess.DEVNULL); "
        "print(json.dumps([time.perf_counter() - t, "
        "resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024]))"
    )
    out = subprocess.run(
        [sys.executable, "-c", script, *command], check=True, capture_output=True, text=True
    ).stdout
    seconds, peak = json.loads(out)
    return float(seconds), float(peak)


def bench_update(work: Path, size: int, data: corpus.Corpus) -> dict[str, object]:
    old, new, out = work / "old.po", work / "new.pot", work / "merged.po"
    old.write_text(po.write(corpus.catalogue(data, "fa")))
    edited = corpus.edit(data)
    new.write_text(po.write(corpus.template(edited)))
    gnu = timed(
        lambda: run(["msgmerge", "--quiet", "--previous", "-o", str(out), str(old), str(new)])
    )
    reference = po.read(out.read_bytes(), max_bytes=UNLIMITED)
    result: dict[str, po.Catalogue] = {}

    def ours() -> None:
        merged = merge.update(
            po.read(old.read_bytes(), max_bytes=UNLIMITED),
            po.read(new.read_bytes(), max_bytes=UNLIMITED),
        )
        (work / "ours.po").write_text(po.write(merged))
        result["merged"] = merged

    mine = timed(ours)
    agree, total = _agreement(result["merged"], reference)
    changed = len(set(edited) - set(data.units))
    return {
        "bench": "update (fuzzy)",
        "size": size,
        "ours_s": mine,
        "reference": "msgmerge",
        "reference_s": gnu,
        "ratio": mine / gnu,
        "note": f"{changed} changed or new units; same decision for {agree} of {total} "
        f"({100 * agree / total:.1f}%)",
    }


def _agreement(ours: po.Catalogue, theirs: po.Catalogue) -> tuple[int, int]:
    """Entries where both tools chose the same translation, fuzziness, previous msgid."""

    def decisions(catalogue: po.Catalogue) -> dict[tuple[bool, str], tuple[str, bool, str | None]]:
        return {
            (e.obsolete, e.msgid): (e.msgstr, e.fuzzy, e.previous_msgid) for e in catalogue.entries
        }

    mine, reference = decisions(ours), decisions(theirs)
    keys = set(mine) | set(reference)
    return sum(mine.get(k) == reference.get(k) for k in keys), len(keys)


def bench_read_write(work: Path, size: int, data: corpus.Corpus) -> list[dict[str, object]]:
    files = []
    for language in languages.TARGET_LANGUAGES:
        path = work / f"{language}.po"
        path.write_text(po.write(corpus.catalogue(data, language)))
        files.append(path)

    def ours_read_write() -> None:
        for path in files:
            (work / "rw.po").write_text(po.write(po.read(path.read_bytes(), max_bytes=UNLIMITED)))

    def gnu_read_write() -> None:
        for path in files:
            run(["msgcat", str(path), "-o", str(work / "rw-gnu.po")])

    def ours_mo() -> None:
        for path in files:
            (work / "ours.mo").write_bytes(
                mo.write_mo(po.read(path.read_bytes(), max_bytes=UNLIMITED))
            )

    def gnu_mo() -> None:
        for path in files:
            run(["msgfmt", str(path), "-o", str(work / "gnu.mo")])

    rows = []
    for name, mine, ref, reference in (
        ("read + write 6 catalogues", ours_read_write, gnu_read_write, "msgcat"),
        ("compile 6 MO files", ours_mo, gnu_mo, "msgfmt"),
    ):
        ours_s, ref_s = timed(mine, 3), timed(ref, 3)
        rows.append(
            {
                "bench": name,
                "size": size,
                "ours_s": ours_s,
                "reference": reference,
                "reference_s": ref_s,
                "ratio": ours_s / ref_s,
                "note": f"{1e6 * ours_s / (6 * size):.1f} µs per entry",
            }
        )
    return rows


def bench_store(
    work: Path,
    size: int,
    data: corpus.Corpus,
    *,
    root: Path | None = None,
    database: str | None = None,
    label: str = "",
) -> list[dict[str, object]]:
    """`translator init` and `extract` on the corpus, in a new store (SQLite in `work` unless
    `database` is given) from a content folder (`root`, else one written in `work`); each
    command's name ends with `label`."""
    if root is None:
        root = work / "content"
        corpus.write_content_root(data, root)
    translator = str(Path(sys.executable).with_name("translator"))
    database = database or f"sqlite:///{work / 'desk.db'}"
    base = [translator, "--root", str(root), "--database", database]
    catalogues = sorted(str(p) for p in root.glob("locales/*/LC_MESSAGES/*.po"))
    msgcat = ["msgcat", "--use-first", *catalogues, "-o", str(work / "all.po")]
    # A shared machine's speed drifts within minutes: msgcat runs before each of our commands
    # and after the last, and each command's reference is the mean of the runs around it.
    references = [child_run(msgcat)]
    commands: list[tuple[str, float, float]] = []
    for name, action in (
        ("translator init", "init"),
        ("translator extract, first after init", "extract"),  # compares every file once
        ("translator extract, nothing changed", "extract"),
        ("translator extract, 2% edited", "extract"),
    ):
        if name.endswith("edited"):
            _edit_sources(root, data)
        seconds, peak = child_run([*base, action])
        commands.append((name, seconds, peak))
        references.append(child_run(msgcat))
    rows: list[dict[str, object]] = []
    for (name, seconds, peak), before, after in zip(
        commands, references, references[1:], strict=False
    ):
        reference_s = (before[0] + after[0]) / 2
        note = f"peak {peak:.0f} MiB; msgcat {before[0]:.2f} s before, {after[0]:.2f} s after"
        if name == "translator init":
            note += f" (msgcat's peak {references[0][1]:.0f} MiB)"
        rows.append(
            {
                "bench": name + label,
                "size": size,
                "ours_s": seconds,
                "reference": "msgcat all",
                "reference_s": reference_s,
                "ratio": seconds / reference_s,
                "peak_mib": peak,
                "note": note,
            }
        )
    return rows


def _edit_sources(root: Path, data: corpus.Corpus) -> None:
    """Apply the corpus's ordinary edits to the Markdown sources, paragraph by paragraph: each
    unit that the edits change or remove becomes one of the changed or new texts. (Replacing
    text anywhere in a file would also change every paragraph containing a short unit, such as a
    heading, and turn a 2% edit into a 19% one.)"""
    edited = corpus.edit(data)
    kept = set(edited)
    old = set(data.units)
    changed = dict(
        zip(
            (u for u in data.units if u not in kept),
            (u for u in edited if u not in old),
            strict=False,
        )
    )
    for path in sorted((root / "source_texts").glob("*.md")):
        front, body = path.read_text().split("\n---\n\n", 1)
        paragraphs = [changed.get(p, p) for p in body.rstrip("\n").split("\n\n")]
        path.write_text(f"{front}\n---\n\n" + "\n\n".join(paragraphs) + "\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,50000")
    parser.add_argument("--out", default="benchmarks/out")
    parser.add_argument(
        "--suite",
        choices=[
            "all",
            "catalogues",
            "checks",
            "editions",
            "api",
            "workspace",
            "dashboard",
            "scale",
            "store",
            "realworld",
            "public",
            "pull",
            "large",
        ],
        default="all",
    )
    parser.add_argument(
        "--large-units",
        type=int,
        default=large.UNITS,
        help="units per language for the large suite (a smaller run tries it out)",
    )
    parser.add_argument(
        "--large-databases",
        default=",".join(large.DATABASES),
        help="the databases the large suite runs on, of " + ",".join(large.DATABASES),
    )
    parser.add_argument(
        "--check-units",
        type=int,
        default=50_000,
        help="units per language for the checks benchmark",
    )
    args = parser.parse_args()
    for tool in ("msgmerge", "msgcat", "msgfmt"):
        if shutil.which(tool) is None:
            sys.exit(f"{tool} is missing: install Debian's gettext (make install does)")
    rows: list[dict[str, object]] = []
    if args.suite in ("all", "checks"):
        for row in [checks.bench_corpus(args.check_units), *checks.bench_adversarial()]:
            rows.append(row)
            _print(row)
    if args.suite in ("all", "api"):
        postgres = os.environ.get("TRANSLATOR_BENCH_POSTGRES_URL")
        for row in api.bench() + (_api_on_postgres(postgres) if postgres else []):
            rows.append(row)
            _print(row)
    if args.suite in ("all", "workspace"):
        for row in workspace.bench():
            rows.append(row)
            _print(row)
    if args.suite in ("all", "dashboard"):
        for row in dashboard.bench():
            rows.append(row)
            _print(row)
    if args.suite in ("all", "scale"):
        for row in scale.bench():
            rows.append(row)
            _print(row)
    if args.suite in ("all", "realworld"):
        for row in realworld.bench(timed, _agreement):
            rows.append(row)
            _print(row)
    if args.suite in ("all", "pull"):
        for row in pull.bench():
            rows.append(row)
            _print(row)
    if args.suite == "large":  # not in "all": it takes about an hour
        databases = tuple(args.large_databases.split(","))
        for row in large.bench(child_run, bench_store, units=args.large_units, databases=databases):
            rows.append(row)
            _print(row)
    if args.suite in ("all", "public"):
        for row in public.bench():
            rows.append(row)
            _print(row)
    if args.suite in ("all", "editions"):
        for row in editions.bench_pdf(child_run):
            rows.append(row)
            _print(row)
    catalogues = args.suite in ("all", "catalogues")
    sizes = [int(s) for s in args.sizes.split(",")] if catalogues or args.suite == "store" else []
    for size in sizes:
        data = corpus.make(size)
        with tempfile.TemporaryDirectory() as folder:
            work = Path(folder)
            if catalogues:
                rows.append(bench_update(work, size, data))
                _print(rows[-1])
            measured = bench_read_write(work, size, data) if catalogues else []
            for row in measured + bench_store(work, size, data):
                rows.append(row)
                _print(row)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    (out / f"{args.suite}.json").write_text(json.dumps(rows, indent=2, ensure_ascii=False))
    print(f"\nResults in {out / (args.suite + '.json')}")


def _api_on_postgres(url: str) -> list[dict[str, object]]:
    with server.postgres_schema(url) as schema_url:
        return api.bench(schema_url)


def _print(row: dict[str, object]) -> None:
    ours, reference = _seconds(row["ours_s"]), _seconds(row["reference_s"])
    if row.get("unit") == "MiB":  # a row of memory: its values are MiB
        ours, reference = f"{row['ours_s']:7.0f} MiB", f"{row['reference_s']:7.0f} MiB"
    print(
        f"{row['bench']:38} {row['size']:>6} units  ours {ours}  "
        f"{row['reference']:>10} {reference}  ratio {row['ratio']:6.2f}  "
        f"{row['note']}",
        flush=True,
    )


def _seconds(value: object) -> str:
    """Seconds, or milliseconds below one second."""
    seconds = float(str(value))
    return f"{seconds:8.2f} s " if seconds >= 1 or seconds == 0 else f"{seconds * 1000:8.1f} ms"


if __name__ == "__main__":
    main()
