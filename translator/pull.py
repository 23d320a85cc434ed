"""`translator pull`: a build script's client of the API. It downloads only what changed (ETag),
writes each file atomically, and fails with a clear message on any error."""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from translator.services import DeskError
from translator.services.catalogue_files import write_atomically

ETAGS = ".etags.json"


@dataclass
class PullReport:
    downloaded: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)


class Client:
    def __init__(self, server: str, token: str, timeout: float = 60) -> None:
        self.base = server.rstrip("/") + "/api/v1"
        self.token = token
        self.timeout = timeout

    def get(self, path: str, etag: str | None = None) -> tuple[int, bytes, str | None]:
        """(status, body, etag); 304 gives an empty body. A file still to be built (202) is
        waited for: its job is followed until done, then its result fetched."""
        status, body, tag, location = self._request(self.base + path, etag)
        if status == 202 and location:
            return self._follow(urllib.parse.urljoin(self.base, location), etag)
        return status, body, tag

    def _request(self, url: str, etag: str | None) -> tuple[int, bytes, str | None, str | None]:
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
                return (
                    response.status,
                    response.read(),
                    headers.get("ETag"),
                    headers.get("Location"),
                )
        except urllib.error.HTTPError as error:
            if error.code == 304:
                return 304, b"", etag, None
            return error.code, error.read(), None, None
        except (urllib.error.URLError, OSError) as error:
            raise DeskError(
                f"cannot reach {self.base}: {getattr(error, 'reason', error)}"
            ) from None

    def _follow(self, job_url: str, etag: str | None) -> tuple[int, bytes, str | None]:
        deadline = time.monotonic() + self.timeout
        while time.monotonic() < deadline:
            status, body, _, _ = self._request(job_url, None)
            job = json.loads(body) if status == 200 else {}
            if job.get("state") == "done" and job.get("result"):
                status, body, tag, _ = self._request(
                    urllib.parse.urljoin(job_url, job["result"]), etag
                )
                return status, body, tag
            if status != 200 or job.get("state") == "failed":
                raise DeskError(f"{job_url}: the job failed: {job.get('message', status)}")
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
    report = PullReport()
    etag_file = out / ETAGS
    etags: dict[str, str] = json.loads(etag_file.read_text()) if etag_file.is_file() else {}
    codes = languages or [lang["code"] for lang in client.json("/languages")]
    documents = slugs or [doc["slug"] for doc in client.json("/documents")]
    for code in codes:
        for slug in documents:
            name = (
                f"{code}/{slug}.json"
                if file_format == "json"
                else f"{code}/LC_MESSAGES/{slug}.{file_format}"
            )
            path = f"/documents/{slug}/languages/{code}/file?format={file_format}"
            _fetch(client, out, name, path, etags, report)
            if editions:
                for kind in ("html", "pdf"):
                    _fetch(
                        client,
                        out,
                        f"editions/{code}/{slug}.{kind}",
                        f"/documents/{slug}/languages/{code}/edition.{kind}",
                        etags,
                        report,
                        optional=True,
                    )
    write_atomically(etag_file, json.dumps(etags, indent=1, sort_keys=True).encode())
    return report


def _fetch(
    client: Client,
    out: Path,
    name: str,
    path: str,
    etags: dict[str, str],
    report: PullReport,
    optional: bool = False,
) -> None:
    known = etags.get(name) if (out / name).is_file() else None
    status, body, etag = client.get(path, known)
    if status == 304:
        report.unchanged.append(name)
    elif status == 200:
        write_atomically(out / name, body)
        if etag:
            etags[name] = etag
        report.downloaded.append(name)
    elif optional and status == 409:
        report.skipped.append(f"{name} (not publishable yet)")
    else:
        raise DeskError(_message(path, status, body))
