"""A build script's pull, end to end: README's own commands against a running desk, then the
pulled editions opened from disk as a static site; a file that fails stops nothing; a second
pull downloads nothing; an edition no longer publishable leaves the site.

The desk here holds the palm card (an edition, published in Farsi for the test) and the
website's strings (a catalogue, no edition), so that each pull renders four files, not ninety.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from click.testing import CliRunner
from sqlalchemy import select
from werkzeug.serving import WSGIRequestHandler, make_server

from tests.conftest import REPO, approve_edition, content_of, database_for_test
from translator import cli, db
from translator.models import Role, State, Translation, Unit, User
from translator.services import accounts, tokens

SLUGS = ("palm-card", "website-strings")
MARKER = "<!-- build-script"
VENV_BIN = Path(sys.executable).parent


@pytest.fixture
def root(tmp_path: Path) -> Path:
    """A content root of the repository's palm card and website strings only."""
    return content_of(tmp_path / "content", SLUGS)


@pytest.fixture(params=["sqlite"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """SQLite only: a pull adds the client, not the store (the API it calls runs on both in
    tests/test_api.py), and each test here renders editions: both stores would double it."""
    with database_for_test(request, tmp_path) as url:
        yield url


class _Quiet(WSGIRequestHandler):
    def log_request(self, *args: Any, **kwargs: Any) -> None:
        pass


@pytest.fixture
def desk(app) -> Iterator[dict[str, Any]]:  # type: ignore[no-untyped-def]
    """The desk on loopback, its Farsi palm card published (every unit approved)."""
    with db.transaction(app.extensions["translator.sessions"]) as s:
        accounts.create_user(s, "reza", Role.REVIEWER, "fa")
        reviewer = s.scalars(select(User).where(User.username == "reza")).one()
        approve_edition(s, reviewer, "palm-card", "fa")
    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=_Quiet)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield {"url": f"http://127.0.0.1:{server.server_port}", "app": app}
    server.shutdown()


def readme_build_script() -> str:
    """The shell lines README.md gives a build script, as they are written there."""
    text = (REPO / "README.md").read_text(encoding="utf-8")
    found = re.search(re.escape(MARKER) + r".*?-->\s*```sh\n(.*?)```", text, re.S)
    assert found, "README.md has no build-script block"
    return found.group(1)


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


class References(HTMLParser):
    """What a page refers to: its links (a, link) and anything it loads (src)."""

    def __init__(self) -> None:
        super().__init__()
        self.loaded: list[str] = []
        self.links: list[str] = []
        self.alternates: dict[str, str] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        if tag == "link":
            self.loaded.append(values["href"])
            if values.get("rel") == "alternate":
                self.alternates[values["hreflang"]] = values["href"]
        elif tag == "a":
            self.links.append(values["href"])
        if "src" in values:
            self.loaded.append(values["src"])


def assert_works_from_disk(page: Path, site: Path) -> References:
    """Every file the page loads or links to within the site is there, relative to it, and
    nothing loads from elsewhere; its stylesheet's fonts too."""
    found = References()
    found.feed(page.read_text(encoding="utf-8"))
    for reference in found.loaded + found.links:
        parts = urlsplit(reference)
        if parts.scheme or parts.netloc:  # a link in the text to another site, never loaded
            assert reference in found.links and parts.scheme == "https", reference
            continue
        assert not reference.startswith("/"), f"{page}: {reference} is not relative"
        target = (page.parent / parts.path).resolve()
        assert target.is_file() and site.resolve() in target.parents, f"{page}: {reference}"
        if target.suffix == ".css":
            for font in re.findall(r'url\("([^"]+)"\)', target.read_text()):
                assert (target.parent / font).is_file(), f"{target}: {font}"
    return found


def test_the_readme_build_script_pulls_a_site_that_works_from_disk(
    desk, database_url: str, root: Path, tmp_path: Path
) -> None:
    script = readme_build_script()
    pull_line = next(line for line in script.splitlines() if line.startswith("translator pull"))
    work = tmp_path / "build"
    work.mkdir()
    environ = {
        **os.environ,
        "PATH": f"{VENV_BIN}{os.pathsep}{os.environ['PATH']}",
        "DESK": desk["url"],
        "TRANSLATOR_DATABASE_URL": database_url,
        "TRANSLATOR_ROOT": str(root),
        "TRANSLATOR_INSTANCE_PATH": desk["app"].config["INSTANCE_PATH"],
    }
    started = time.monotonic()
    # README's lines as they are; then the token kept for the second pull
    first = subprocess.run(
        ["bash", "-e", "-c", script + 'printf %s "$TOKEN" > token\n'],
        cwd=work,
        env=environ,
        capture_output=True,
        text=True,
    )
    first_took = time.monotonic() - started
    assert first.returncode == 0, first.stdout + first.stderr
    assert "0 failed" in first.stdout and "skipped editions/de/palm-card" in first.stdout

    out = work / "translations"
    site = out / "editions"
    assert (out / "fa" / "LC_MESSAGES" / "website-strings.mo").is_file()  # strings: catalogues
    assert not list(site.glob("*/website-strings.*"))  # and no edition asked for
    assert sorted(p.relative_to(site).as_posix() for p in site.glob("*/palm-card.*")) == [
        "en/palm-card.html",
        "en/palm-card.pdf",
        "en/palm-card.png",  # the palm card's share image, for messengers
        "fa/palm-card.html",
        "fa/palm-card.pdf",
        "fa/palm-card.png",
    ]
    etags = json.loads((out / ".etags.json").read_text())
    assert "editions/fa/palm-card.html" in etags and "fa/LC_MESSAGES/palm-card.mo" in etags

    manifest = json.loads((site / "manifest.json").read_text())
    files = sorted(
        p.relative_to(site).as_posix()
        for p in site.rglob("*")
        if p.is_file() and p.name != "manifest.json"
    )
    assert sorted(manifest) == files
    assert all(manifest[name]["sha256"] == sha256(site / name) for name in files)

    top = assert_works_from_disk(site / "index.html", site)
    assert "en/palm-card.html" in top.links and "fa/index.html" in top.links
    farsi = assert_works_from_disk(site / "fa" / "palm-card.html", site)
    assert farsi.alternates == {"en": "../en/palm-card.html"}
    english = assert_works_from_disk(site / "en" / "palm-card.html", site)
    assert english.alternates == {"fa": "../fa/palm-card.html"}
    assert_works_from_disk(site / "fa" / "index.html", site)
    page = (site / "fa" / "palm-card.html").read_text(encoding="utf-8")
    assert '<html lang="fa" dir="rtl"' in page and "<h2>زبان‌های دیگر</h2>" in page
    fonts = {p.name for p in (site / "assets" / "fonts").iterdir()}
    assert "NotoNaskhArabic-Regular.woff2" in fonts and not any(".ttf" in f for f in fonts)

    started = time.monotonic()
    again = subprocess.run(
        ["bash", "-e", "-c", f"TOKEN=$(cat token)\n{pull_line}\n"],
        cwd=work,
        env=environ,
        capture_output=True,
        text=True,
    )
    again_took = time.monotonic() - started
    assert again.returncode == 0, again.stdout + again.stderr
    assert "0 downloaded" in again.stdout and "0 failed" in again.stdout, again.stdout
    assert json.loads((site / "manifest.json").read_text()) == manifest  # nothing changed
    assert again_took < first_took / 2, (first_took, again_took)


def test_a_file_that_fails_stops_nothing_and_an_unpublished_edition_leaves_the_site(
    desk, tmp_path: Path
) -> None:
    with db.transaction(desk["app"].extensions["translator.sessions"]) as s:
        accounts.create_user(s, "sahar", Role.TRANSLATOR, "fa")
        token = tokens.create(s, "sahar", ["read"])  # reads Farsi's catalogues, no other
    out = tmp_path / "pulled"
    arguments = ["pull", "--server", desk["url"], "--token", token, "--editions"]
    first = CliRunner().invoke(cli.main, [*arguments, "--out", str(out)])
    assert first.exit_code == 1, first.output
    failed = [line for line in first.output.splitlines() if line.startswith("failed ")]
    assert len(failed) == 10 and all("HTTP 403" in line for line in failed), failed
    assert not any("fa/" in line or "editions/" in line for line in failed), failed
    assert (out / "fa" / "LC_MESSAGES" / "palm-card.po").is_file()
    assert (out / "editions" / "fa" / "palm-card.html").is_file()
    assert (out / "editions" / "manifest.json").is_file()
    assert "editions/fa/palm-card.pdf" in json.loads((out / ".etags.json").read_text())

    with db.transaction(desk["app"].extensions["translator.sessions"]) as s:
        translation = s.scalars(
            select(Translation)
            .join(Unit)
            .where(Unit.source == "Act Now", Translation.language == "fa")
        ).one()
        translation.state = State.TRANSLATED  # approved no more: not publishable
    again = CliRunner().invoke(cli.main, [*arguments, "--lang", "fa", "--out", str(out)])
    assert again.exit_code == 0, again.output
    assert "skipped editions/fa/palm-card (not publishable yet)" in again.output
    assert not list((out / "editions" / "fa").glob("palm-card.*"))
    index = (out / "editions" / "fa" / "index.html").read_text(encoding="utf-8")
    english = (out / "editions" / "en" / "palm-card.html").read_text(encoding="utf-8")
    assert "palm-card" not in index and 'hreflang="fa"' not in english
    assert "editions/fa/palm-card.html" not in json.loads((out / ".etags.json").read_text())


def test_the_pull_command_starts_without_the_store_or_the_web_stack(tmp_path: Path) -> None:
    """A pull with nothing changed is its start and one request: the command imports no
    SQLAlchemy, Flask or WeasyPrint, nor the editions' dates and markdown before it makes the
    site (a desk that cannot be reached ends it, exit status 2)."""
    script = (
        "import sys\n"
        "from translator.cli import main\n"
        "try:\n"
        "    main(['pull', '--server', 'http://127.0.0.1:9', '--token', 't', '--editions',\n"
        f"          '--out', {str(tmp_path / 'out')!r}], standalone_mode=False)\n"
        "except SystemExit as ended:\n"
        "    print('exit', ended.code)\n"
        "print('imported:', *sorted(m for m in sys.modules\n"
        "      if m.split('.')[0] in ('sqlalchemy', 'flask', 'weasyprint', 'celery',\n"
        "                             'markdown_it') or m == 'babel.dates'))\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[-2:] == ["exit 2", "imported:"], done.stdout + done.stderr


def test_an_editions_conditional_request_is_answered_from_its_versions_until_one_moves(
    desk, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A pull with nothing changed asks each file again with its ETag: the desk answers 304
    without reading the edition (its checks) while nothing it is made from has moved."""
    from tests.conftest import fetched
    from translator.services import builds

    app = desk["app"]
    with db.transaction(app.extensions["translator.sessions"]) as s:
        auth = {"Authorization": f"Bearer {tokens.create(s, 'reza', ['read'])}"}
    path = "/api/v1/documents/palm-card/languages/fa/edition.html"
    client = app.test_client()
    etag = fetched(client, client.get(path, headers=auth), auth).headers["ETag"]
    read: list[str] = []
    gated = builds.gated_edition
    monkeypatch.setattr(
        builds, "gated_edition", lambda *a, **k: read.append(a[2].slug) or gated(*a, **k)
    )
    again = client.get(path, headers={**auth, "If-None-Match": etag})
    assert again.status_code == 304 and again.headers["ETag"] == etag and read == []

    with db.transaction(app.extensions["translator.sessions"]) as s:
        translation = s.scalars(
            select(Translation)
            .join(Unit)
            .where(Unit.source == "Act Now", Translation.language == "fa")
        ).one()
        translation.text = translation.text + "!"  # still approved: a new edition
    changed = client.get(path, headers={**auth, "If-None-Match": etag})
    assert changed.status_code in (200, 202) and read == ["palm-card"]
