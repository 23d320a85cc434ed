"""A folder of editions as a static site: its index pages and its manifest, as `translator
build` and `translator pull` write them. Free of the store (no SQLAlchemy), so that a pull
starts light; a file whose bytes are the same is left as it is.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from translator import languages
from translator.services.files import write_if_changed

MANIFEST = "manifest.json"


def write_indexes(
    out: Path, listed: Mapping[str, Sequence[tuple[str, str]]], top: Sequence[tuple[str, str]]
) -> None:
    """DIR/<lang>/index.html for each language of `listed` (its editions: slug and title, in its
    own words), and DIR/index.html, the English list (`top`), each linking every language's;
    an edition's share image where the folder has one."""
    from translator.formats.editions import render_index  # Babel and markdown: a pull needs
    # them only when it makes the site

    codes = list(listed)

    def images(code: str, entries: Sequence[tuple[str, str]]) -> list[str]:
        return [slug for slug, _ in entries if (out / code / f"{slug}.png").is_file()]

    for code, entries in listed.items():
        page = render_index(languages.get(code), list(entries), codes, images=images(code, entries))
        write_if_changed(out / code / "index.html", page.encode())
    english = languages.get(languages.SOURCE_LANGUAGE)
    shown = images(languages.SOURCE_LANGUAGE, top)
    page = render_index(english, list(top), codes, top=True, images=shown)
    write_if_changed(out / "index.html", page.encode())


def recorded_inputs(out: Path) -> dict[str, str]:
    """The hash of each file's inputs as DIR/manifest.json last recorded them (none from a
    manifest of an older shape: those files are made again once)."""
    try:
        files = json.loads((out / MANIFEST).read_text())
    except (OSError, ValueError):
        return {}
    if not isinstance(files, dict):
        return {}
    return {
        name: entry["inputs"]
        for name, entry in files.items()
        if isinstance(entry, dict) and isinstance(entry.get("inputs"), str)
    }


def write_manifest(
    out: Path, inputs: Mapping[str, str], about: Mapping[str, Mapping[str, Any]] | None = None
) -> None:
    """DIR/manifest.json: every file under DIR (but hidden ones and the manifest) with its
    SHA-256, the hash of the inputs it was made from where `inputs` knows it, and what `about`
    says of it (an edition's standing in a pulled site)."""
    files: dict[str, dict[str, Any]] = {}
    for path in sorted(out.rglob("*"), key=str):  # by name: comparing Paths is slow
        name = path.relative_to(out).as_posix()
        hidden = any(part.startswith(".") for part in name.split("/"))
        if name == MANIFEST or hidden or not path.is_file():
            continue
        files[name] = {"sha256": hashlib.sha256(path.read_bytes()).hexdigest()}
        if name in inputs:
            files[name]["inputs"] = inputs[name]
        files[name].update((about or {}).get(name, {}))
    write_if_changed(out / MANIFEST, json.dumps(files, indent=1, sort_keys=True).encode())
