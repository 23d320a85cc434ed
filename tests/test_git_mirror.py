"""The git mirror of publications, against real bare repositories: a publication becomes a
commit on the branch, laid out as `translator pull --editions` lays out a site, naming its
translators and reviewers by pseudonym only; a remote that is missing keeps the delivery
pending, says so to editors and is pushed to once it is there; a branch someone else moved
gets the publication on top; a publication the branch already holds adds no commit.

The desk here holds the palm card and the website's strings only, so that a publication builds
six files (the Farsi edition and the English one, each HTML, PDF and share image).
"""

from __future__ import annotations

import datetime as dt
import json
import re
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from sqlalchemy import select
from werkzeug.serving import WSGIRequestHandler, make_server

from tests.conftest import content_of, done_second_step, enrol, sign_in_fully
from translator import cli, db
from translator.models import Delivery, EditionFile, Role, State, utcnow
from translator.services import (
    accounts,
    documents,
    editing,
    git_mirror,
    outbox,
    policy,
    publications,
    tokens,
)

SLUGS = ("palm-card", "website-strings")
DESK = "Campaign translation desk <desk@users.noreply.invalid>"


@pytest.fixture
def root(tmp_path: Path) -> Path:
    """A content root of the repository's palm card and website strings only."""
    return content_of(tmp_path / "content", SLUGS)


# Built files by the hash of their inputs, as the store keeps them for the API, carried from
# one test's store into the next: each process renders the palm card's files once.
_BUILT: dict[str, tuple[str, str, bytes]] = {}


@pytest.fixture
def desk(app) -> Iterator[dict[str, Any]]:  # type: ignore[no-untyped-def]
    """An editor, a Farsi translator (who gave an e-mail address) and a Farsi reviewer; the
    translator has reworded a unit of the Farsi palm card and the reviewer approved it all."""
    factory = app.extensions["translator.sessions"]
    with db.transaction(factory) as s:
        passwords = {
            "elif": accounts.create_user(s, "elif", Role.EDITOR),
            "sahar": accounts.create_user(s, "sahar", Role.TRANSLATOR, "fa"),
            "reza": accounts.create_user(s, "reza", Role.REVIEWER, "fa"),
        }
        accounts.by_username(s, "sahar").email = "sahar@example.org"
        for key, (filename, mimetype, data) in _BUILT.items():
            s.add(EditionFile(key=key, filename=filename, mimetype=mimetype, data=data))
    enrol(app, "elif")
    reword(app, "sahar", State.TRANSLATED)
    approve_all(app, "reza")
    yield {"app": app, "factory": factory, "passwords": passwords}
    with db.transaction(factory) as s:
        for row in s.scalars(select(EditionFile)):
            _BUILT[row.key] = (row.filename, row.mimetype, bytes(row.data))


def units(app: Any) -> list[Any]:
    with db.transaction(app.extensions["translator.sessions"]) as s:
        rows = editing.rows(s, documents.by_slug(s, "palm-card").id, "fa")
        return [(unit.id, translation.text, translation.version) for unit, translation in rows]


def reword(app: Any, name: str, state: State, mark: str = "\u200c!") -> None:
    """`name` rewords the Farsi palm card's second unit (adds `mark`) with `state`."""
    unit_id, text, version = units(app)[1]
    with db.transaction(app.extensions["translator.sessions"]) as s:
        who = done_second_step(accounts.by_username(s, name))
        editing.save(s, who, unit_id, "fa", text + mark, version=version, state=state)


def approve_all(app: Any, name: str) -> None:
    with db.transaction(app.extensions["translator.sessions"]) as s:
        who = done_second_step(accounts.by_username(s, name))
        rows = editing.rows(s, documents.by_slug(s, "palm-card").id, "fa")
        for unit, translation in rows:
            if translation.state != State.APPROVED:
                editing.save(
                    s,
                    who,
                    unit.id,
                    "fa",
                    translation.text,
                    version=translation.version,
                    state=State.APPROVED,
                )


def publish(desk: dict[str, Any]) -> int:
    """The editor publishes the Farsi palm card; its number."""
    with db.transaction(desk["factory"]) as s:
        editor = done_second_step(accounts.by_username(s, "elif"))
        made = publications.publish_edition(
            s, editor, documents.by_slug(s, "palm-card"), "fa", Path(desk["app"].config["ROOT"])
        )
        return made.number


def mirrored_to(desk: dict[str, Any], remote: Path | str) -> dict[str, Any]:
    return {**desk["app"].config, "PUBLISH_GIT": str(remote), "PUBLISH_BRANCH": "editions"}


def round_at(desk: dict[str, Any], config: dict[str, Any], later: int = 0) -> None:
    """The workers' round of the outbox, `later` minutes from now (past any backoff)."""
    outbox.run_once(config, desk["factory"], now=utcnow() + dt.timedelta(minutes=later))


def deliveries(desk: dict[str, Any]) -> list[Delivery]:
    with db.transaction(desk["factory"]) as s:
        found = list(s.scalars(select(Delivery).where(Delivery.channel == "git")))
        for row in found:
            s.expunge(row)
        return found


def git(*args: str, cwd: Path | None = None) -> str:
    done = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    return done.stdout


def bare(path: Path) -> Path:
    git("init", "--quiet", "--bare", str(path))
    return path


def subjects(remote: Path) -> list[str]:
    return git(f"--git-dir={remote}", "log", "--format=%s", "editions").splitlines()


class _Quiet(WSGIRequestHandler):
    def log_request(self, *args: Any, **kwargs: Any) -> None:
        pass


@pytest.fixture
def served(desk: dict[str, Any]) -> Iterator[str]:
    """The desk on loopback, for `translator pull`."""
    server = make_server("127.0.0.1", 0, desk["app"], threaded=True, request_handler=_Quiet)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


def pulled(desk: dict[str, Any], server: str, out: Path) -> Path:
    """What `translator pull --editions` writes for the desk, as the editor's build script."""
    with db.transaction(desk["factory"]) as s:
        token = tokens.create(s, "elif", ["read"])
    arguments = ["pull", "--server", server, "--token", token, "--editions", "--out", str(out)]
    result = CliRunner().invoke(cli.main, arguments)
    assert result.exit_code == 0, result.output
    return out


def test_a_publication_is_committed_as_the_pulled_site_naming_its_people_by_pseudonym(
    desk: dict[str, Any], served: str, tmp_path: Path
) -> None:
    remote = bare(tmp_path / "mirror.git")
    assert publish(desk) == 1
    round_at(desk, mirrored_to(desk, remote))
    assert [(d.state, d.target, d.last_error) for d in deliveries(desk)] == [("sent", 0, "")]

    log = git(f"--git-dir={remote}", "log", "--format=%an <%ae>|%cn <%ce>%n%B", "editions")
    assert log.splitlines()[:5] == [
        f"{DESK}|{DESK}",
        "Publish palm-card fa #1",
        "",
        "Co-authored-by: reza <reza@users.noreply.invalid>",
        "Co-authored-by: sahar <sahar@users.noreply.invalid>",
    ]
    addresses = set(re.findall(r"[\w.+-]+@[\w.-]+", log))
    assert addresses == {
        "desk@users.noreply.invalid",
        "reza@users.noreply.invalid",
        "sahar@users.noreply.invalid",
    }
    assert "elif" not in log  # the publisher is no co-author: nobody's change is theirs

    files = git(f"--git-dir={remote}", "ls-tree", "-r", "--name-only", "editions").split()
    assert "fa/LC_MESSAGES/palm-card.po" in files
    assert {f for f in files if "palm-card." in f} >= {
        f"editions/{code}/palm-card.{kind}"
        for code in ("en", "fa")
        for kind in ("html", "pdf", "png")
    }
    assert {"editions/index.html", "editions/fa/index.html", "editions/manifest.json"} <= set(files)
    assert "editions/assets/edition.css" in files
    assert not [f for f in files if "website-strings" in f and f.startswith("editions/")]

    out = pulled(desk, served, tmp_path / "pulled")
    for name in ("editions/fa/palm-card.html", "fa/LC_MESSAGES/palm-card.po"):
        shown = subprocess.run(
            ["git", f"--git-dir={remote}", "show", f"editions:{name}"], capture_output=True
        ).stdout
        assert shown == (out / name).read_bytes(), name
    branch_manifest = json.loads(
        git(f"--git-dir={remote}", "show", "editions:editions/manifest.json")
    )
    pulled_manifest = json.loads((out / "editions" / "manifest.json").read_text())
    assert without_inputs(branch_manifest) == without_inputs(pulled_manifest)
    assert branch_manifest["fa/palm-card.html"]["outdated"] is False


def without_inputs(manifest: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """A manifest without the hashes of what each file was made from (the stylesheet's: the
    desk's assets as a pull fetched them, or as the worker has them)."""
    return {
        name: {k: v for k, v in entry.items() if k != "inputs"} for name, entry in manifest.items()
    }


def test_a_missing_remote_is_shown_to_editors_and_pushed_to_once_it_is_there(
    desk: dict[str, Any], tmp_path: Path
) -> None:
    remote = tmp_path / "later.git"
    config = mirrored_to(desk, remote)
    publish(desk)
    round_at(desk, config)
    (failing,) = deliveries(desk)
    assert failing.state == "pending" and failing.attempts == 1
    assert "does not appear to be a git repository" in failing.last_error

    editor = desk["app"].test_client()
    sign_in_fully(editor, "elif", desk["passwords"]["elif"])
    page = editor.get("/dashboard").get_data(as_text=True)
    notice = re.search(r'<p class="error" role="status" id="mirror-trouble">(.*?)</p>', page)
    assert notice and "The git mirror could not be updated:" in notice.group(1)
    assert "does not appear to be a git repository" in notice.group(1)
    assert "it is tried again automatically" in notice.group(1)
    translator = desk["app"].test_client()
    sign_in_fully(translator, "sahar", desk["passwords"]["sahar"])
    assert "mirror-trouble" not in translator.get("/dashboard").get_data(as_text=True)
    status = mirror_status(desk, config)
    assert status.exit_code == 1 and "palm-card fa #1  pending, 1 tries" in status.output

    bare(remote)
    round_at(desk, config, later=1)  # the next round after the backoff
    assert [(d.state, d.last_error) for d in deliveries(desk)] == [("sent", "")]
    assert subjects(remote) == ["Publish palm-card fa #1"]
    assert "mirror-trouble" not in editor.get("/dashboard").get_data(as_text=True)
    status = mirror_status(desk, config)
    assert status.exit_code == 0 and "palm-card fa #1  sent" in status.output


def mirror_status(desk: dict[str, Any], config: dict[str, Any]) -> Any:
    environ = {
        "TRANSLATOR_PUBLISH_GIT": config["PUBLISH_GIT"],
        "TRANSLATOR_INSTANCE_PATH": config["INSTANCE_PATH"],
    }
    return CliRunner().invoke(
        cli.main,
        ["--root", config["ROOT"], "--database", config["DATABASE_URL"], "mirror", "status"],
        env=environ,
    )


def test_a_branch_moved_meanwhile_gets_the_publication_on_top_and_a_republication_its_commit(
    desk: dict[str, Any], tmp_path: Path
) -> None:
    remote = bare(tmp_path / "mirror.git")
    config = mirrored_to(desk, remote)
    publish(desk)
    round_at(desk, config)
    other = tmp_path / "other"  # someone else's clone of the branch, with a commit of theirs
    git("clone", "--quiet", "--branch", "editions", str(remote), str(other))
    (other / "CNAME").write_text("editions.example.org\n")
    git("add", "CNAME", cwd=other)
    git(
        "-c",
        "user.name=site",
        "-c",
        "user.email=site@example.org",
        "commit",
        "-qm",
        "CNAME",
        cwd=other,
    )
    # they push it while the desk is about to push its next publication: the desk's push is
    # refused, and the desk makes its commit again on top of theirs
    hook = Path(config["INSTANCE_PATH"]) / "git-mirror" / "clone" / ".git" / "hooks" / "pre-push"
    hook.write_text(
        "#!/bin/sh\n"
        "unset GIT_DIR GIT_WORK_TREE GIT_INDEX_FILE\n"
        f"rm -- \"$0\" && git -C '{other}' push --quiet origin editions\n"
    )
    hook.chmod(0o755)

    reword(desk["app"], "reza", State.APPROVED, mark="\u200c?")
    assert publish(desk) == 2
    round_at(desk, config)
    assert not hook.exists()  # the race happened
    assert [d.state for d in deliveries(desk)] == ["sent", "sent"]
    assert subjects(remote) == ["Publish palm-card fa #2", "CNAME", "Publish palm-card fa #1"]
    files = git(f"--git-dir={remote}", "ls-tree", "-r", "--name-only", "editions").split()
    assert "CNAME" in files
    page = git(f"--git-dir={remote}", "show", "editions:editions/fa/palm-card.html")
    assert "\u200c?" in page

    assert publish(desk) == 3  # nothing changed since #2: the same files
    round_at(desk, config)
    assert [d.state for d in deliveries(desk)] == ["sent", "sent", "sent"]
    assert subjects(remote)[0] == "Publish palm-card fa #2"  # no empty commit


def test_credentials_in_the_remote_never_reach_the_delivery_log(
    desk: dict[str, Any], tmp_path: Path
) -> None:
    config = mirrored_to(desk, "https://bot:s3cret-token@127.0.0.1:9/campaign/site.git")
    publish(desk)
    round_at(desk, config)
    (failing,) = deliveries(desk)
    assert failing.state == "pending" and failing.last_error.startswith("GitFailed: git ")
    assert "s3cret" not in failing.last_error and "127.0.0.1" in failing.last_error
    status = mirror_status(desk, config)
    assert (
        "s3cret" not in status.output
        and "https://***@127.0.0.1:9/campaign/site.git" in status.output
    )


def test_a_mirror_given_up_is_said_so_until_a_new_publication_is_tried(
    desk: dict[str, Any], tmp_path: Path
) -> None:
    config = mirrored_to(desk, tmp_path / "absent.git")
    publish(desk)
    round_at(desk, config)
    with db.transaction(desk["factory"]) as s:
        s.scalars(select(Delivery)).one().attempts = 15  # the next try is the last
    round_at(desk, config, later=60)
    assert [(d.state, d.attempts) for d in deliveries(desk)] == [("failed", 16)]
    with db.transaction(desk["factory"]) as s:
        said = git_mirror.trouble(s, policy.OPERATOR)
    assert said is not None and said.code == "mirror.given-up"
    assert "does not appear to be a git repository" in str(said.values["error"])
    status = mirror_status(desk, config)
    assert status.exit_code == 1 and "palm-card fa #1  given up after 16 tries" in status.output
    assert "the desk has stopped trying" in status.output

    publish(desk)
    round_at(desk, config, later=61)
    with db.transaction(desk["factory"]) as s:
        said = git_mirror.trouble(s, policy.OPERATOR)
    assert said is not None and said.code == "mirror.failing"


def test_the_mirrors_trouble_is_told_only_to_those_who_may_publish(
    desk: dict[str, Any], tmp_path: Path
) -> None:
    config = mirrored_to(desk, tmp_path / "absent.git")
    publish(desk)
    round_at(desk, config)
    with db.transaction(desk["factory"]) as s:
        told = {
            name: git_mirror.trouble(s, policy.Actor(accounts.by_username(s, name)))
            for name in ("elif", "reza", "sahar")
        }
        operator = git_mirror.trouble(s, policy.OPERATOR)
    # an editor, even before their second factor is done in this session; the desk's command
    assert told["elif"] is not None and told["elif"].code == "mirror.failing"
    assert operator == told["elif"]
    assert told["reza"] is None and told["sahar"] is None  # below the least role to publish


def test_no_mirror_no_delivery(desk: dict[str, Any]) -> None:
    publish(desk)
    round_at(desk, {**desk["app"].config, "PUBLISH_GIT": None})
    assert deliveries(desk) == []
