"""`translator pull`: a build script's client of the API. It downloads only what changed (ETag),
writes each file atomically, and goes on past a file that fails: each is named at the end, and
the others are written all the same.

With `--editions`, DIR/editions/ becomes a static site that works as it is on any web host and
from disk: <lang>/<slug>.html and .pdf (the published editions, English as the source edition),
an index per language and one for all (services/static_site.write_indexes, as `translator
build` writes them), each edition linking its other languages (`hreflang` alternates and the
language switcher), assets/edition.css with the fonts cut down to what the pages show
(formats/standalone.shared), only relative links, and manifest.json with each file's SHA-256
(services/static_site.write_manifest). The desk sends each HTML edition self-contained; here
its pages share one stylesheet and one set of fonts instead, made from the desk's own (fetched
into DIR/.assets/, outside the site).

An edition whose latest publication is outdated (its English corrected since: `GET
/publications`, one request) is named in the report's `outdated`, and its files in the manifest
say `"outdated": true` with the units `changed`; every other edition's say `"outdated": false`.

The command starts without the store's modules (SQLAlchemy), and imports the editions' (Babel,
markdown, fonts) only when it makes the site: a pull with nothing changed is its start and one
request.
"""

from __future__ import annotations

import dataclasses
import hashlib
import html
import json
import os
import re
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

from translator import languages
from translator.services import DeskError, static_site
from translator.services.files import write_atomically, write_if_changed

ETAGS = ".etags.json"
STATE = ".state.json"  # the desk's state at the last whole pull (Kept)
SITE = "editions"  # the static site of the editions, in DIR
ASSETS = ".assets"  # the desk's stylesheet and fonts as fetched, in DIR: not part of the site
STRINGS = "strings"  # the kind of interface strings: catalogues, no edition
STYLESHEET = "assets/edition.css"  # in the site
BUSY_RETRIES = 3  # a desk that answers 429 or 503 is asked again this often, after Retry-After
# requests in flight at once: no more than the jobs an account may have unfinished (3), so that
# the files of a first pull, each built by a job, are never refused for too many
IN_FLIGHT = 3
_TITLE = re.compile(r"<title>(.*?)</title>", re.S)
_ALTERNATE = re.compile(r'<link rel="alternate" hreflang="[^"]*" href="[^"]*">\n?')
_SWITCHER = re.compile(r'<nav class="languages".*?</nav>\n?', re.S)


class Answer(NamedTuple):
    """What the desk answered one request."""

    status: int
    body: bytes
    etag: str | None = None
    location: str | None = None
    retry_after: str = ""  # of a busy desk (429, 503): seconds


@dataclass
class PullReport:
    downloaded: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)  # "name: why", each file that could not be
    outdated: list[Outdated] = field(default_factory=list)  # editions due a correction
    removed: list[str] = field(default_factory=list)  # files taken out: no longer publishable


@dataclass(frozen=True)
class Outdated:
    """An edition whose latest publication went out before a correction of the English."""

    edition: str  # "editions/<lang>/<slug>"
    number: int
    published_at: str
    changed: tuple[int, ...]


class Client:
    def __init__(self, server: str, token: str, timeout: float = 60) -> None:
        self.server = server.rstrip("/")
        self.base = self.server + "/api/v1"
        self.token = token
        self.timeout = timeout

    def get(
        self, path: str, etag: str | None = None, *, api: bool = True
    ) -> tuple[int, bytes, str | None]:
        """(status, body, etag); 304 gives an empty body. A file still to be built (202) is
        waited for: its job is followed until done, then its result fetched. `api=False`: a
        path of the desk outside the API (its public assets)."""
        url = (self.base if api else self.server) + path
        for _ in range(BUSY_RETRIES):
            answer = self._request(url, etag)
            if answer.status == 202 and answer.location:
                return self._follow(urllib.parse.urljoin(self.base, answer.location), etag)
            if answer.status not in (429, 503) or not answer.retry_after.isdigit():
                break
            time.sleep(min(int(answer.retry_after), 30))
        return answer.status, answer.body, answer.etag

    def _request(self, url: str, etag: str | None) -> Answer:
        request = urllib.request.Request(
            url,
            headers={
                "Authorization": f"Bearer {self.token}",
                **({"If-None-Match": etag} if etag else {}),
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                headers = response.headers
                return Answer(
                    response.status,
                    response.read(),
                    headers.get("ETag"),
                    headers.get("Location"),
                )
        except urllib.error.HTTPError as error:
            if error.code == 304:
                return Answer(304, b"", etag)
            return Answer(
                error.code, error.read(), retry_after=error.headers.get("Retry-After", "")
            )
        except (urllib.error.URLError, OSError) as error:
            raise DeskError(
                f"cannot reach {self.base}: {getattr(error, 'reason', error)}"
            ) from None

    def _follow(self, job_url: str, etag: str | None) -> tuple[int, bytes, str | None]:
        deadline = time.monotonic() + self.timeout
        while time.monotonic() < deadline:
            answer = self._request(job_url, None)
            job = json.loads(answer.body) if answer.status == 200 else {}
            if job.get("state") == "done" and job.get("result"):
                result = self._request(urllib.parse.urljoin(job_url, job["result"]), etag)
                return result.status, result.body, result.etag
            if answer.status != 200 or job.get("state") == "failed":
                raise DeskError(f"{job_url}: the job failed: {job.get('message', answer.status)}")
            time.sleep(0.5)
        raise DeskError(f"{job_url}: not done after {self.timeout:.0f} s")

    def json(self, path: str) -> Any:
        status, body, _ = self.get(path)
        if status != 200:
            raise DeskError(_message(path, status, body))
        return json.loads(body)


def _message(path: str, status: int, body: bytes) -> str:
    try:
        detail = json.loads(body).get("message", "")
    except (ValueError, AttributeError):
        detail = body[:200].decode("utf-8", "replace")
    return f"GET {path}: HTTP {status} {detail}".strip()


def pull(
    client: Client,
    out: Path,
    languages: list[str],
    slugs: list[str],
    file_format: str,
    editions: bool,
) -> PullReport:
    """Every catalogue of `languages` (default all) and `slugs` (default all) and, with
    `editions`, the site of the published editions. What the desk cannot list (a bad token, no
    desk) stops it with a DeskError; a file that fails is named in the report's `failed`.

    The desk's state is asked first (one request): when it is the one kept from the last whole
    pull of the same files into `out`, and those files are all there, nothing has changed and
    nothing more is asked."""
    asked = {
        "server": client.server,
        "languages": sorted(languages),
        "documents": sorted(slugs),
        "format": file_format,
        "editions": editions,
    }
    kept = _kept(out, asked)
    state = _state(client, kept.state if kept else None)
    if kept is not None and state == kept.state:
        return kept.report()
    (out / STATE).unlink(missing_ok=True)  # until this pull is whole
    report = _pull_all(client, out, languages, slugs, file_format, editions)
    if state is not None and not report.failed:
        write_atomically(out / STATE, Kept(asked, state, report).dump())
    return report


def _pull_all(
    client: Client,
    out: Path,
    languages: list[str],
    slugs: list[str],
    file_format: str,
    editions: bool,
) -> PullReport:
    """Each file asked for with the ETag of the copy in `out`."""
    report = PullReport()
    etag_file = out / ETAGS
    etags: dict[str, str] = json.loads(etag_file.read_text()) if etag_file.is_file() else {}
    codes = languages or [lang["code"] for lang in client.json("/languages")]
    documents = _documents(client.json("/documents"), slugs)
    try:
        catalogues = [
            Wanted(
                f"{code}/{d['slug']}.json"
                if file_format == "json"
                else f"{code}/LC_MESSAGES/{d['slug']}.{file_format}",
                f"/documents/{d['slug']}/languages/{code}/file?format={file_format}",
            )
            for code in codes
            for d in documents
        ]
        fetch_all(client, out, catalogues, etags, report)
        if editions:
            _pull_site(client, out, codes, documents, etags, report)
    finally:  # what was fetched is known next time, whatever stopped this one
        write_if_changed(etag_file, json.dumps(etags, indent=1, sort_keys=True).encode())
    return report


@dataclass(frozen=True)
class Kept:
    """What the last whole pull into a folder asked, the desk's state it began from, and what
    it found: a pull that finds the same state reports the same, without asking for a file."""

    asked: dict[str, Any]
    state: str
    found: PullReport

    def report(self) -> PullReport:
        return PullReport(
            unchanged=[*self.found.downloaded, *self.found.unchanged],
            skipped=list(self.found.skipped),
            outdated=list(self.found.outdated),
        )

    def dump(self) -> bytes:
        found = self.report()
        return json.dumps(
            {
                "asked": self.asked,
                "state": self.state,
                "files": found.unchanged,
                "skipped": found.skipped,
                "outdated": [dataclasses.asdict(due) for due in found.outdated],
            },
            indent=1,
            sort_keys=True,
        ).encode()


def _kept(out: Path, asked: dict[str, Any]) -> Kept | None:
    """The last whole pull's record, when it asked what is asked now and every file it left is
    still in `out` (with the site's manifest: a file taken away is fetched again)."""
    try:
        record = json.loads((out / STATE).read_text(encoding="utf-8"))
        if record["asked"] != asked:
            return None
        files = [str(name) for name in record["files"]]
        found = PullReport(
            unchanged=files,
            skipped=[str(name) for name in record["skipped"]],
            outdated=[
                Outdated(
                    str(due["edition"]),
                    int(due["number"]),
                    str(due["published_at"]),
                    tuple(int(unit) for unit in due["changed"]),
                )
                for due in record["outdated"]
            ],
        )
        state = str(record["state"])
    except (OSError, ValueError, KeyError, TypeError):
        return None
    needed = [*files, *([f"{SITE}/{static_site.MANIFEST}"] if asked["editions"] else [])]
    if not all(os.path.isfile(out / name) for name in needed):
        return None
    return Kept(asked, state, found)


def _state(client: Client, kept: str | None) -> str | None:
    """The desk's state now (its name), or None from a desk that cannot say (an older one)."""
    status, body, etag = client.get("/state", kept)
    if status == 304:
        return kept
    if status != 200:
        return None
    try:
        return str(json.loads(body)["state"])
    except (ValueError, KeyError, TypeError):
        return None


def _documents(listed: list[dict[str, Any]], slugs: list[str]) -> list[dict[str, Any]]:
    """The documents asked for (all by default); a slug the desk does not list is asked for all
    the same, so that its files fail with the desk's own 404."""
    if not slugs:
        return listed
    by_slug = {document["slug"]: document for document in listed}
    return [by_slug.get(slug, {"slug": slug, "kind": ""}) for slug in slugs]


def _pull_site(
    client: Client,
    out: Path,
    codes: list[str],
    documents: list[dict[str, Any]],
    etags: dict[str, str],
    report: PullReport,
) -> None:
    """The published editions (English, the source, and `codes`) into DIR/editions/, then the
    site around them. Interface strings have no edition and are not asked for, nor editions the
    desk's figures say are not publishable (one request, where asking each would take one
    check of the edition each): such an edition leaves the site."""
    from translator.formats import share

    site_codes = [languages.SOURCE_LANGUAGE, *(c for c in codes if c != languages.SOURCE_LANGUAGE)]
    read = [d["slug"] for d in documents if d.get("kind") != STRINGS]
    shared = {d["slug"] for d in documents if d.get("kind") in share.SHARED_KINDS}  # share images
    publishable = _publishable(client)
    outdated = _outdated(client, read, site_codes, report)
    wanted: list[Wanted] = []
    for code in site_codes:
        for slug in read:
            unpublished = publishable is not None and (slug, code) not in publishable
            if unpublished and code != languages.SOURCE_LANGUAGE:  # English: the source
                _unpublished(out, f"{SITE}/{code}/{slug}", etags, report)
                continue
            wanted.extend(
                Wanted(
                    f"{SITE}/{code}/{slug}.{kind}",
                    f"/documents/{slug}/languages/{code}/edition.{kind}",
                    optional=True,
                )
                for kind in (("html", "pdf", "png") if slug in shared else ("html", "pdf"))
            )
    fetch_all(client, out, wanted, etags, report)
    assets = _assets(client, out, etags, report)
    standing = {key: list(row["changed"]) for key, row in outdated.items()}
    came = any(name.startswith((f"{SITE}/", f"{ASSETS}/")) for name in report.downloaded)
    if came or report.removed or not _manifest_says(out / SITE, standing):
        make_site(out / SITE, site_codes, read, assets, outdated=standing)
    # else the site is as the last pull left it: making it again would give the same bytes


def _manifest_says(site: Path, outdated: Mapping[tuple[str, str], list[int]]) -> bool:
    """Whether the site has its manifest and it says of every edition's files what `outdated`
    says now ((document, language) to the units changed)."""
    try:
        files = json.loads((site / static_site.MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    for name, entry in files.items():
        code, _, file_name = name.partition("/")
        if not file_name or code == "assets" or file_name == "index.html":
            continue  # not an edition's file
        if not isinstance(entry, dict) or "outdated" not in entry:
            return False  # a manifest of an older pull
        changed = outdated.get((file_name.rsplit(".", 1)[0], code), [])
        if entry["outdated"] != bool(changed) or entry.get("changed", []) != changed:
            return False
    return True


def _unpublished(out: Path, edition: str, etags: dict[str, str], report: PullReport) -> None:
    """An edition not publishable (any more): out of the site, said as skipped."""
    for kind in ("html", "pdf", "png"):
        name = f"{edition}.{kind}"
        if (out / name).is_file():
            (out / name).unlink()
            report.removed.append(name)
        etags.pop(name, None)
    report.skipped.append(f"{edition} (not publishable yet)")


def _publishable(client: Client) -> set[tuple[str, str]] | None:
    """(document, language) of every publishable edition, as the desk's figures say; None when
    they cannot be had (every edition is asked for then)."""
    try:
        rows = client.json("/stats")
    except DeskError:
        return None
    return {(row["document"], row["language"]) for row in rows if row.get("publishable")}


def _outdated(
    client: Client, slugs: list[str], codes: list[str], report: PullReport
) -> dict[tuple[str, str], dict[str, Any]]:
    """The editions pulled whose latest publication is outdated, each named in the report:
    (document, language) to the desk's row."""
    found = {
        key: row
        for key, row in _latest_publications(client).items()
        if row.get("outdated") and key[0] in slugs and key[1] in codes
    }
    for (slug, code), row in sorted(found.items(), key=lambda item: (item[0][1], item[0][0])):
        report.outdated.append(
            Outdated(
                f"{SITE}/{code}/{slug}",
                int(row["number"]),
                str(row["published_at"]),
                tuple(int(unit) for unit in row.get("changed", [])),
            )
        )
    return found


def _latest_publications(client: Client) -> dict[tuple[str, str], dict[str, Any]]:
    """The latest publication of each edition (document, language), as the desk lists them;
    none from a desk that cannot list them (an older desk, a token without the right)."""
    try:
        rows = client.json("/publications")
    except DeskError:
        return {}
    return {(row["document"], row["language"]): row for row in rows}


def _assets(client: Client, out: Path, etags: dict[str, str], report: PullReport) -> Path | None:
    """The desk's stylesheet and the fonts it names, into DIR/.assets/; that folder, or None
    when the stylesheet is not there."""
    from translator.formats import standalone

    css = f"{ASSETS}/edition.css"
    fetch_all(client, out, [Wanted(css, "/editions/assets/edition.css", api=False)], etags, report)
    if not (out / css).is_file():
        return None
    faces = standalone.faces((out / css).read_text(encoding="utf-8"))
    fonts = [
        Wanted(f"{ASSETS}/{face.source}", f"/editions/assets/{face.source}", api=False)
        for face in faces
    ]
    fetch_all(client, out, fonts, etags, report)
    return out / ASSETS


def make_site(
    site: Path,
    codes: list[str],
    slugs: list[str],
    assets: Path | None,
    *,
    outdated: Mapping[tuple[str, str], list[int]] | None = None,
) -> None:
    """Around the editions in `site`: each linking the site's stylesheet and its versions in
    the other languages, the indexes, the stylesheet and subset fonts (made again only when a
    page or the desk's assets changed), and the manifest, where each edition's files say
    whether it is `outdated` (`outdated`: (document, language) to the units changed)."""
    from translator.formats import standalone

    present = [
        (code, slug) for code in codes for slug in slugs if (site / code / f"{slug}.html").is_file()
    ]
    titles: dict[tuple[str, str], str] = {}
    for code, slug in present:
        path = site / code / f"{slug}.html"
        page = path.read_text(encoding="utf-8")
        others = [other for other in codes if other != code and (other, slug) in present]
        made = _with_versions(standalone.linked(page, f"../{STYLESHEET}"), slug, code, others)
        if made != page:
            write_atomically(path, made.encode())
        found = _TITLE.search(made)
        titles[(code, slug)] = html.unescape(found.group(1)) if found else slug
    listed = {
        code: [(slug, titles[(code, slug)]) for slug in slugs if (code, slug) in titles]
        for code in codes
    }
    static_site.write_indexes(site, listed, listed[languages.SOURCE_LANGUAGE])
    inputs = {STYLESHEET: _site_assets(site, assets)} if assets is not None else {}
    static_site.write_manifest(site, inputs, _standing(site, present, outdated or {}))


def _standing(
    site: Path, present: list[tuple[str, str]], outdated: Mapping[tuple[str, str], list[int]]
) -> dict[str, dict[str, Any]]:
    """What the manifest says of each edition's files: outdated or not, and the units changed."""
    said: dict[str, dict[str, Any]] = {}
    for code, slug in present:
        changed = outdated.get((slug, code))
        about = {"outdated": True, "changed": list(changed)} if changed else {"outdated": False}
        for kind in ("html", "pdf", "png"):
            if (site / code / f"{slug}.{kind}").is_file():
                said[f"{code}/{slug}.{kind}"] = about
    return said


def _site_assets(site: Path, assets: Path) -> str:
    """The site's stylesheet and fonts, subset to what its pages show, made from the desk's
    `assets` unless neither changed since the last pull; the hash of those inputs."""
    from translator.formats import standalone

    pages = [path.read_text(encoding="utf-8") for path in sorted(site.rglob("*.html"))]
    digest = hashlib.sha256()
    for text in pages:
        digest.update(hashlib.sha256(text.encode()).digest())
    for path in sorted(assets.rglob("*")):
        if path.is_file():
            digest.update(path.relative_to(assets).as_posix().encode())
            digest.update(hashlib.sha256(path.read_bytes()).digest())
    inputs = digest.hexdigest()
    if (
        static_site.recorded_inputs(site).get(STYLESHEET) == inputs
        and (site / STYLESHEET).is_file()
    ):
        return inputs
    files = standalone.shared(pages, assets)
    folder = site / STYLESHEET.rsplit("/", 1)[0]
    for name, data in files.items():
        write_atomically(folder / name, data)
    for path in folder.rglob("*"):  # fonts no page needs any more go
        if path.is_file() and path.relative_to(folder).as_posix() not in files:
            path.unlink()
    return inputs


def _with_versions(page: str, slug: str, code: str, others: list[str]) -> str:
    """An edition linking its versions in `others`: `hreflang` alternates in its head and the
    language switcher, as formats/editions.py renders them for `translator build` (the label in
    the page's own language), in place of any it had."""
    from translator.formats import editions

    page = _SWITCHER.sub("", _ALTERNATE.sub("", page))
    if not others:
        return page
    found = [languages.get(other) for other in others]
    links = "".join(
        f'<link rel="alternate" hreflang="{lang.code}" href="../{lang.code}/{slug}.html">\n'
        for lang in found
    )
    versions = [editions.Alternate(lang, f"../{lang.code}/{slug}.html") for lang in found]
    switcher = editions.switcher(code, versions) + "\n"
    return page.replace("</head>", f"{links}</head>", 1).replace("</body>", f"{switcher}</body>", 1)


@dataclass(frozen=True)
class Wanted:
    """A file to pull: its name in DIR and the path to ask for it."""

    name: str
    path: str
    optional: bool = False  # an edition: not publishable (409) leaves the site, said as skipped
    api: bool = True  # under /api/v1 (else the desk's public assets)


@dataclass(frozen=True)
class Fetched:
    """What became of one file: downloaded (its ETag), unchanged, skipped or failed (why)."""

    outcome: str
    etag: str | None = None
    why: str = ""


def fetch_all(
    client: Client, out: Path, wanted: list[Wanted], etags: dict[str, str], report: PullReport
) -> None:
    """Each file into out/<name>, unless unchanged, a few asked at once (IN_FLIGHT); then the
    report and the ETags, in the order asked. A failure is reported, the file as it was kept."""
    known = [etags.get(one.name) if (out / one.name).is_file() else None for one in wanted]
    with ThreadPoolExecutor(max_workers=IN_FLIGHT) as pool:
        done = list(pool.map(lambda one, etag: _fetch(client, out, one, etag), wanted, known))
    for one, fetched, known_etag in zip(wanted, done, known, strict=True):
        if fetched.outcome == "unchanged":
            report.unchanged.append(one.name)
        elif fetched.outcome == "downloaded":
            if fetched.etag:
                etags[one.name] = fetched.etag
            report.downloaded.append(one.name)
        elif fetched.outcome == "skipped":
            etags.pop(one.name, None)
            report.skipped.append(f"{one.name} (not publishable yet)")
            if known_etag is not None:  # there was a copy: it is gone
                report.removed.append(one.name)
        else:
            report.failed.append(f"{one.name}: {fetched.why}")


def _fetch(client: Client, out: Path, one: Wanted, known: str | None) -> Fetched:
    """Ask for one file (with the ETag `known` of the copy in out/, if any) and write it when
    it came; an edition no longer publishable leaves the folder."""
    try:
        status, body, etag = client.get(one.path, known, api=one.api)
    except DeskError as exc:
        return Fetched("failed", why=str(exc))
    if status == 304:
        return Fetched("unchanged")
    if status == 200:
        write_atomically(out / one.name, body)
        return Fetched("downloaded", etag=etag)
    if one.optional and status == 409:
        (out / one.name).unlink(missing_ok=True)
        return Fetched("skipped")
    return Fetched("failed", why=_message(one.path, status, body))
