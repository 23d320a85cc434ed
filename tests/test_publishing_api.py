"""Publishing by API and command, and corrections followed into published editions: a token with
the `publish` scope publishes as its editor would in the browser (the gate, the two-person rule,
the audit log); a change of the English since marks the publication outdated with its units."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from sqlalchemy import select

from tests.conftest import approve_edition, done_second_step
from translator import db
from translator.models import AuditEntry, Role, State, User
from translator.services import accounts, documents, editing, publications, tokens

PUBLICATIONS = "/api/v1/documents/palm-card/languages/de/publications"


def account(app: Any, name: str, role: Role, langs: str = "") -> User:
    with db.transaction(app.extensions["translator.sessions"]) as s:
        accounts.create_user(s, name, role, langs)
        user = s.scalars(select(User).where(User.username == name)).one()
        s.expunge(user)
        return user


def bearer(app: Any, name: str, scopes: list[str]) -> dict[str, str]:
    with db.transaction(app.extensions["translator.sessions"]) as s:
        return {"Authorization": f"Bearer {tokens.create(s, name, scopes)}"}


def approve(app: Any, slug: str = "palm-card", language: str = "de") -> User:
    reviewer = account(app, "reza", Role.REVIEWER, language)
    with db.transaction(app.extensions["translator.sessions"]) as s:
        approve_edition(s, reviewer, slug, language)
    return reviewer


def test_a_publish_token_publishes_and_the_list_says_it_is_current(app, client) -> None:
    account(app, "elif", Role.EDITOR)
    approve(app)
    auth = bearer(app, "elif", ["read", "publish"])
    made = client.post(PUBLICATIONS, headers=auth)
    assert made.status_code == 201, made.json
    assert made.json["number"] == 1 and made.json["outdated"] is False
    assert made.json["changed"] == [] and made.headers["Location"] == made.json["url"]
    assert made.json["url"].endswith("/documents/palm-card/de/edition.html")
    assert "elif" not in json.dumps(made.json)  # no publisher's name goes out
    listed = client.get(PUBLICATIONS, headers=auth).json
    assert [(p["number"], p["outdated"]) for p in listed] == [(1, False)]
    with db.transaction(app.extensions["translator.sessions"]) as s:
        rows = s.scalars(select(AuditEntry).where(AuditEntry.action == "publish")).all()
        assert [(row.details.get("via"), row.details.get("number")) for row in rows] == [
            ("token", 1)
        ]


def test_publishing_by_api_is_refused_as_in_the_browser(app, client) -> None:
    account(app, "elif", Role.EDITOR)
    account(app, "ana", Role.REVIEWER, "de")
    without_scope = client.post(PUBLICATIONS, headers=bearer(app, "elif", ["read", "review"]))
    assert without_scope.status_code == 403 and "'publish' scope" in without_scope.json["message"]
    reviewer = client.post(PUBLICATIONS, headers=bearer(app, "ana", ["read", "publish"]))
    assert reviewer.status_code == 403 and reviewer.json["details"]["code"] == "forbidden.role"
    blocked = client.post(PUBLICATIONS, headers=bearer(app, "elif", ["publish"]))
    assert blocked.status_code == 409 and blocked.json["error"] == "not-publishable"
    assert blocked.json["details"][0]["state"] in ("translated", "untranslated")
    assert client.get(PUBLICATIONS, headers=bearer(app, "elif", ["read"])).json == []


def test_the_two_person_rule_holds_for_a_token(app, client) -> None:
    editor = account(app, "elif", Role.EDITOR)
    admin = account(app, "root", Role.ADMIN)
    with db.transaction(app.extensions["translator.sessions"]) as s:
        approve_edition(s, editor, "palm-card", "de")
        publications.set_two_person_rule(s, done_second_step(admin), True)
    refused = client.post(PUBLICATIONS, headers=bearer(app, "elif", ["publish"]))
    assert refused.status_code == 403 and "two-person rule" in refused.json["message"]


def test_only_an_admin_makes_a_publish_token(app) -> None:
    editor = account(app, "elif", Role.EDITOR)
    with db.transaction(app.extensions["translator.sessions"]) as s:
        try:
            tokens.create(s, "elif", ["publish"], by=s.merge(editor, load=False))
        except Exception as refused:
            assert "manage-tokens" in repr(refused) or "admin" in str(refused)
        else:
            raise AssertionError("an editor made a token")


def correct_the_english(root: Path, old: str, new: str) -> None:
    path = root / "source_texts" / "palm-card.md"
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new))


def test_a_corrected_english_makes_the_publication_outdated_until_republished(
    app, client, run, root
) -> None:
    account(app, "elif", Role.EDITOR)
    reviewer = approve(app)
    auth = bearer(app, "elif", ["read", "publish"])
    assert client.post(PUBLICATIONS, headers=auth).status_code == 201

    correct_the_english(root, "Thousands have been jailed.", "At least 15,000 have been jailed.")
    run("extract")
    first = client.get(PUBLICATIONS, headers=auth).json[0]
    assert first["outdated"] is True and len(first["changed"]) == 1
    from_cli = json.loads(run("publications", "palm-card", "de", "--json").output)
    assert [(p["number"], p["outdated"], p["changed"]) for p in from_cli] == [
        (1, True, first["changed"])
    ]
    assert client.post(PUBLICATIONS, headers=auth).status_code == 409  # needs editing first

    with db.transaction(app.extensions["translator.sessions"]) as s:
        unit_id = first["changed"][0]
        document = documents.by_slug(s, "palm-card")
        rows = dict((u.id, t) for u, t in editing.rows(s, document.id, "de"))
        corrected = rows[unit_id].text.replace("Tausende", "Mindestens 15.000 Menschen")
        assert corrected != rows[unit_id].text
        editing.save(
            s,
            done_second_step(s.merge(reviewer, load=False)),
            unit_id,
            "de",
            corrected,
            version=rows[unit_id].version,
            state=State.APPROVED,
        )
    again = client.post(PUBLICATIONS, headers=auth)
    assert again.status_code == 201 and again.json["number"] == 2, again.json
    listed = client.get(PUBLICATIONS, headers=auth).json
    assert [(p["number"], p["outdated"]) for p in listed] == [(2, False), (1, True)]


def test_the_operator_publishes_from_the_command_line(app, run) -> None:
    blocked = run("publish", "palm-card", "de", check=False)
    assert blocked.exit_code == 1 and "not publishable" in blocked.output
    approve(app)
    done = run("publish", "palm-card", "de", "--json")
    assert json.loads(done.output.strip().splitlines()[-1])["number"] == 1
    listed = run("publications", "palm-card", "de").output
    assert "#1" in listed and "current" in listed


def test_the_dashboard_shows_a_correction_due_until_the_edition_is_republished(
    app, client, run, root
) -> None:
    from translator.services import dashboard

    account(app, "elif", Role.EDITOR)
    approve(app)
    auth = bearer(app, "elif", ["read", "publish"])
    assert client.post(PUBLICATIONS, headers=auth).status_code == 201
    factory = app.extensions["translator.sessions"]

    def due() -> bool:
        with db.transaction(factory) as s:
            return dashboard.row(s, documents.by_slug(s, "palm-card")).cells["de"].correction_due

    assert not due()
    correct_the_english(root, "Thousands have been jailed.", "At least 15,000 have been jailed.")
    run("extract")
    assert due()
    with db.transaction(factory) as s:
        assert publications.corrections_due(s) == {(documents.by_slug(s, "palm-card").id, "de")}
