"""An HTML edition downloaded alone, opened from disk in Chromium: its own fonts, nothing else
asked for (the pure checks are in tests/test_standalone.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.test_standalone import FARSI, page
from translator.formats import standalone
from translator.services import builds


@pytest.mark.browser
def test_a_farsi_edition_opened_alone_from_disk_shows_its_own_fonts_upright(
    tmp_path: Path, chromium: Any
) -> None:
    assets = builds.copy_assets(tmp_path / "work")
    made = standalone.standalone(page("fa", FARSI, "همین حالا اقدام کنید"), assets)
    path = tmp_path / "alone" / "edition.html"
    path.parent.mkdir()
    path.write_text(made, encoding="utf-8")
    context = chromium.new_context()  # the worker's one Chromium (tests/browser/conftest.py)
    try:
        tab = context.new_page()
        requested: list[str] = []
        tab.on("request", lambda request: requested.append(request.url))
        tab.goto(path.as_uri())
        loaded = tab.evaluate(
            "document.fonts.ready.then(() => [...document.fonts]"
            ".filter(f => f.status == 'loaded').map(f => f.family + ' ' + f.style))"
        )
        slant = tab.evaluate("getComputedStyle(document.querySelector('main em')).fontStyle")
    finally:
        context.close()
    assert requested == [path.as_uri()]  # nothing but the file itself
    assert "Desk Naskh normal" in loaded and slant == "normal", loaded
