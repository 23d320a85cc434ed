"""A build script's pull of the whole campaign with nothing changed (issue #26's goal: under a
second): `translator pull --format mo --editions` against a desk served by gunicorn, every
edition of the shipped campaign approved and published, once to fill the folder (every edition
built by the desk's worker), then again with nothing changed, best of a few.

Its reference, measured in the same run: a client that asks /healthz as many times as the pull
asks the desk (one request after another, each on a new connection, as the pull does), from a
Python process of its own, so that the pull's figure reads as a multiple of the bare cost of
its requests. A pull that finds the desk's state as it kept it asks one thing (`GET /state`);
what is left then is the command's start and that one answer."""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy import select

from benchmarks.server import Desk, served

RUNS = 3  # the pull with nothing changed, best of
FIRST_TRIES = 3
GOAL_S = 1.0
_CLIENT = """
import sys, urllib.request
url, count = sys.argv[1], int(sys.argv[2])
for _ in range(count):
    with urllib.request.urlopen(url) as response:
        response.read()
"""


def bench() -> list[dict[str, object]]:
    with served() as desk, tempfile.TemporaryDirectory() as folder:
        token = _ready(desk)
        out = Path(folder) / "pulled"
        first_s = _first_pull(desk, token, out)
        unchanged_s = min(_pull(desk, token, out) for _ in range(RUNS))
        requests = _requests(desk, token, out)
        reference_s = min(_healthz(desk, requests) for _ in range(RUNS))
        editions = len([p for p in (out / "editions").glob("*/*.html") if p.name != "index.html"])
        return [
            {
                "bench": "translator pull --editions, the whole campaign, nothing changed",
                "size": editions,
                "ours_s": unchanged_s,
                "reference": f"{requests} GET /healthz, one after another",
                "reference_s": reference_s,
                "ratio": unchanged_s / reference_s,
                "note": f"goal: under {GOAL_S:.0f} s; {editions} HTML editions with their PDFs "
                f"and share images and the catalogues; the first pull (every file built) "
                f"took {first_s:.1f} s",
            }
        ]


def _ready(desk: Desk) -> str:
    """Every edition approved and published by an editor; a build bot's read token."""
    from translator import db
    from translator.models import Role, State, User
    from translator.services import accounts, documents, editing, gate, policy, publications

    root = Path(desk.env["TRANSLATOR_ROOT"])
    factory = db.session_factory(db.make_engine(desk.env["TRANSLATOR_DATABASE_URL"]))
    with db.transaction(factory) as s:
        accounts.create_user(s, "bench-editor", Role.EDITOR)
        editor = s.scalars(select(User).where(User.username == "bench-editor")).one()
        actor = policy.Actor(editor, second_factor=True)
        for document in documents.listing(s, order="slug"):
            if not gate.has_edition(document):
                continue
            for code in ("fa", "tr", "fr", "es", "de", "pt"):
                for unit, translation in editing.rows(s, document.id, code):
                    if translation.state != State.APPROVED:
                        editing.save(
                            s,
                            actor,
                            unit.id,
                            code,
                            translation.text,
                            version=translation.version,
                            state=State.APPROVED,
                        )
                if not gate.blockers(s, document, code, root):
                    publications.publish_edition(s, actor, document, code, root)
    desk.command("users", "add", "bench-bot", "--role", "translator", "--lang", "fa,tr,fr,es,de,pt")
    return desk.command("token", "create", "bench-bot", "--scope", "read").strip().splitlines()[-1]


def _first_pull(desk: Desk, token: str, out: Path) -> float:
    """The pull that fills the folder, every edition built by the desk's one worker: a file
    whose job outlasts the pull's patience (60 s, on a busy machine) is asked again."""
    took = 0.0
    for _ in range(FIRST_TRIES):
        seconds, done = _run_pull(desk, token, out)
        took += seconds
        if done.returncode == 0:
            return took
    raise RuntimeError(f"the pull failed: {done.stdout}{done.stderr}")


def _pull(desk: Desk, token: str, out: Path) -> float:
    took, done = _run_pull(desk, token, out)
    if done.returncode != 0 or "0 downloaded" not in done.stdout:
        raise RuntimeError(f"the pull with nothing changed failed: {done.stdout}{done.stderr}")
    return took


def _run_pull(desk: Desk, token: str, out: Path) -> tuple[float, subprocess.CompletedProcess[str]]:
    translator = str(Path(sys.executable).with_name("translator"))
    command = [translator, "pull", "--server", f"http://127.0.0.1:{desk.port}"]
    command += ["--token", token, "--format", "mo", "--editions", "--out", str(out)]
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, timeout=3600)
    return time.perf_counter() - started, done


def _requests(desk: Desk, token: str, out: Path) -> int:
    """How many requests a pull with nothing changed makes: one (`GET /state`) when the folder
    holds the desk's state from a whole pull; else a file each (its ETag known), the desk's
    assets, and the state and the listings (languages, documents, stats, publications)."""
    if (out / ".state.json").is_file():
        return 1
    return len(json.loads((out / ".etags.json").read_text())) + 5


def _healthz(desk: Desk, count: int) -> float:
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "-c", _CLIENT, f"http://127.0.0.1:{desk.port}/healthz", str(count)],
        check=True,
    )
    return time.perf_counter() - started
