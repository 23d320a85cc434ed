"""Editions: WeasyPrint's PDF of the appeal per language against Chromium printing the same HTML,
and a full build of every edition, then a rebuild with nothing changed, in child processes."""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.corpus import REPO
from translator import db, languages
from translator.formats import editions
from translator.services import builds, glossary, loading

CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--no-pdf-header-footer",
]


def bench_pdf(child_run) -> list[dict[str, object]]:  # type: ignore[no-untyped-def]
    chromium = shutil.which("chromium")
    rows: list[dict[str, object]] = []
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        root = _content(work)
        factory = _store(work, root)
        out = work / "dist"
        with db.transaction(factory) as session:
            builds.build(
                session, root, out, formats=["html"], draft=True, slugs=["emergency-appeal"]
            )
            prints = {
                code: editions.render_html(
                    builds.edition_for(session, root, document, code, draft=True), for_print=True
                )
                for code in [languages.SOURCE_LANGUAGE, *languages.TARGET_LANGUAGES]
                for document in [builds._documents(session, ["emergency-appeal"])[0]]
            }
        editions.render_pdf(prints["en"], (out / "en").as_uri() + "/")  # load WeasyPrint once
        for code, page in prints.items():
            base = (out / code).resolve().as_uri() + "/"
            ours = min(_seconds(lambda p=page, b=base: editions.render_pdf(p, b)) for _ in range(2))
            reference = float("nan")
            if chromium:
                html_file = out / code / "emergency-appeal.html"
                command = [
                    chromium,
                    *CHROMIUM_FLAGS,
                    f"--user-data-dir={work / 'chromium'}",
                    f"--print-to-pdf={work / 'chromium.pdf'}",
                    html_file.as_uri(),
                ]
                reference = min(
                    _seconds(
                        lambda c=command: subprocess.run(
                            c, check=True, capture_output=True, timeout=120
                        )
                    )
                    for _ in range(2)
                )
            rows.append(
                {
                    "bench": f"PDF of the appeal, {code}",
                    "size": 1,
                    "ours_s": ours,
                    "reference": "chromium",
                    "reference_s": reference,
                    "ratio": ours / reference,
                    "note": "WeasyPrint in a warm process; Chromium as a command",
                }
            )
        translator = str(Path(sys.executable).with_name("translator"))
        base_command = [
            translator,
            "--root",
            str(root),
            "--database",
            f"sqlite:///{work / 'desk.db'}",
            "build",
            "--draft",
            "--out",
            str(work / "full"),
        ]
        full_s, full_mb = child_run(base_command)
        again_s, again_mb = child_run(base_command)
        count = len(list((work / "full").rglob("*.pdf")))
        rows.append(
            {
                "bench": "build every edition (draft)",
                "size": count,
                "ours_s": full_s,
                "reference": "rebuild",
                "reference_s": again_s,
                "ratio": full_s / again_s,
                "note": f"{count} PDFs and their HTML; peak {full_mb:.0f} MiB; the "
                f"rebuild with nothing changed: {again_s:.2f} s, peak "
                f"{again_mb:.0f} MiB, renders nothing",
            }
        )
    return rows


def _seconds(action) -> float:  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


def _content(work: Path) -> Path:
    root = work / "content"
    for part in ("source_texts", "locales", "glossary"):
        shutil.copytree(REPO / part, root / part)
    return root


def _store(work: Path, root: Path):  # type: ignore[no-untyped-def]
    engine = db.make_engine(f"sqlite:///{work / 'desk.db'}")
    db.create_schema(engine)
    factory = db.session_factory(engine)
    with db.transaction(factory) as session:
        loading.load(session, root)
        glossary.load_shipped(session, root)
    return factory
