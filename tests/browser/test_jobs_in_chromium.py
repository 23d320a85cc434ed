"""A job's progress page in Chromium: it follows the job, then offers and downloads the file."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.browser.conftest import sign_in


def test_asking_for_a_pdf_shows_progress_then_downloads_it(
    browser: Any, live: dict[str, Any]
) -> None:
    page = sign_in(browser, live, "elif")
    errors: list[str] = []
    page.on(
        "console", lambda message: errors.append(message.text) if message.type == "error" else None
    )
    with page.expect_download(timeout=30_000) as download:
        page.goto(live["url"] + "/documents/palm-card/de/edition.pdf?draft=1")
    assert download.value.suggested_filename == "palm-card-de-draft.pdf"
    assert Path(download.value.path()).read_bytes().startswith(b"%PDF")
    link = page.locator("a.job-file")
    assert link.is_visible() and "/api/v1/jobs/" in (link.get_attribute("href") or "")
    assert "Ready" in page.locator(".job-state").inner_text()
    assert not errors  # nothing refused by the Content-Security-Policy, no script error
