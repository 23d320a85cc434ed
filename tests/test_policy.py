"""One policy for every action: every route declared, the decision of every action for every
kind of actor, and the same answer (and audit row) whichever door the action comes through:
the browser, the API or the command line, on SQLite and PostgreSQL."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from tests.conftest import enrol, sign_in_fully
from translator import db
from translator.models import AuditEntry, Role, State, Suggestion, User
from translator.services import accounts, documents, editing, policy, tokens
from translator.services.policy import RULES, Action, Actor
from translator.web.declared import PUBLIC, declaration, declared_actions

A = Action

# ---------------------------------------------------------------------------------------------
# Every door declared


def test_every_route_declares_what_it_does(app) -> None:  # type: ignore[no-untyped-def]
    undeclared = [
        f"{rule.endpoint} {rule.rule}"
        for rule in app.url_map.iter_rules()
        if rule.endpoint != "static" and declaration(app.view_functions.get(rule.endpoint)) is None
    ]
    assert undeclared == [], "declare these routes with performs(), public or signed_in"


def test_every_action_of_the_policy_has_a_door(app) -> None:  # type: ignore[no-untyped-def]
    """An action no route performs is one only the command line does: say so here."""
    performed: set[Action] = set()
    for view in app.view_functions.values():
        found = declaration(view)
        if isinstance(found, tuple):
            performed |= set(found)
    assert set(Action) - performed == {A.CHANGE_GLOSSARY}


def test_public_routes_are_only_reads_and_the_doors_to_sign_in(app) -> None:  # type: ignore[no-untyped-def]
    writes = {
        rule.endpoint
        for rule in app.url_map.iter_rules()
        if declaration(app.view_functions.get(rule.endpoint)) == PUBLIC
        and rule.methods is not None
        and "POST" in rule.methods
    }
    assert writes == {
        "auth.login",
        "auth.second_step",
        "auth.logout",
        "admin.accept",
        "interface.choose",
        # a mailed link's signed token is the proof (web/mail.py): confirm an address, stop mail
        "mail.confirm",
        "mail.stop",
    }


def test_a_person_below_every_action_of_a_route_is_refused_at_its_door(app, people) -> None:  # type: ignore[no-untyped-def]
    """Made from the URL map and the policy's RULES, not a list: every page that performs
    actions refuses (403, with the policy's reason) a signed-in person whose role is just below
    the least role of all its actions, before any service is asked (the ids need not exist)."""
    by_role = {Role.TRANSLATOR: "sahar", Role.REVIEWER: "reza", Role.EDITOR: "elif"}
    example = {"code": "fa", "slug": "emergency-appeal", "file_format": "pdf"}
    adapter = app.url_map.bind("localhost")
    clients: dict[str, tuple[Any, str]] = {}
    gated: set[str] = set()
    answered: dict[str, tuple[str, int]] = {}
    for rule in app.url_map.iter_rules():
        actions = declared_actions(app.view_functions.get(rule.endpoint))
        if not actions or rule.rule.startswith("/api/"):
            continue  # the API's door is its token (tests/test_policy_doors.py)
        least = min(LEVEL[RULES[action].role] for action in actions)
        below = [role for role, level in LEVEL.items() if level == least - 1]
        if not below:
            continue  # a translator may do one of them: nobody signed in is below
        name = by_role[below[0]]
        if name not in clients:
            client = app.test_client()
            sign_in_fully(client, name, people[name])
            clients[name] = (client, csrf(client, "/dashboard"))
        client, token = clients[name]
        method = "GET" if "GET" in (rule.methods or ()) else "POST"
        path = adapter.build(rule.endpoint, {a: example.get(a, 1) for a in rule.arguments})
        response = client.open(path, method=method, data={"csrf_token": token})
        gated.add(rule.endpoint)
        if response.status_code != 403 or "Your role does not allow this." not in response.text:
            answered[f"{method} {path}"] = (name, response.status_code)
    assert answered == {}, "(who, status) where 403 was due"
    assert {"admin.token_list", "admin.users", "dashboard.settings", "workspace.approve"} <= gated


# ---------------------------------------------------------------------------------------------
# The decision, for every action and every kind of actor


def person(role: Role, langs: str = "", *, active: bool = True) -> User:
    return User(username=f"{role.value}-{langs}", role=role.value, languages=langs, active=active)


TRANSLATOR_FA = person(Role.TRANSLATOR, "fa")
REVIEWER_FA = person(Role.REVIEWER, "fa")
EDITOR = person(Role.EDITOR)
ADMIN = person(Role.ADMIN)
ACTORS: dict[str, Actor] = {
    "anonymous": policy.ANONYMOUS,
    "operator": policy.OPERATOR,
    "retired translator of fa": Actor(person(Role.TRANSLATOR, "fa", active=False)),
    "translator of fa": Actor(TRANSLATOR_FA),
    "translator of tr": Actor(person(Role.TRANSLATOR, "tr")),
    "reviewer of fa": Actor(REVIEWER_FA),
    "reviewer of fa, second factor": Actor(REVIEWER_FA, second_factor=True),
    "reviewer of tr": Actor(person(Role.REVIEWER, "tr")),
    "editor": Actor(EDITOR),
    "editor, second factor": Actor(EDITOR, second_factor=True),
    "admin": Actor(ADMIN),
    "admin, second factor": Actor(ADMIN, second_factor=True),
    **{
        f"token of a fa reviewer, {scope}": policy.token(REVIEWER_FA, frozenset({scope}))
        for scope in tokens.SCOPES
    },
    **{
        f"token of an admin, {scope}": policy.token(ADMIN, frozenset({scope}))
        for scope in tokens.SCOPES
    },
}

LEVEL = {Role.TRANSLATOR: 1, Role.REVIEWER: 2, Role.EDITOR: 3, Role.ADMIN: 4}


def expected(name: str, action: Action) -> str | None:
    """The rule written out once more, plainly, for the table: what each actor may do in fa."""
    rule = RULES[action]
    actor = ACTORS[name]
    if name == "operator":
        return None
    if actor.user is None:
        return "sign-in"
    if not actor.user.active:
        return "inactive"
    if actor.scopes is not None and rule.scope not in actor.scopes:
        return "scope"
    if LEVEL[Role(actor.user.role)] < LEVEL[rule.role]:
        return "role"
    if rule.per_language and name.endswith(" of tr"):
        return "language"
    needs = actor.user.role in (Role.EDITOR, Role.ADMIN)
    if rule.privileged and needs and "second factor" not in name and actor.scopes is None:
        return "second-factor"
    return None


@pytest.mark.parametrize("action", list(Action))
@pytest.mark.parametrize("name", list(ACTORS))
def test_the_policy_decides_every_action_for_every_actor(name: str, action: Action) -> None:
    assert policy.decide(ACTORS[name], action, language="fa") == expected(name, action)


def test_the_table_holds_the_rules_the_campaign_asked_for() -> None:
    # a translator translates, suggests and comments in their own languages only
    assert policy.allowed(Actor(TRANSLATOR_FA), A.TRANSLATE, language="fa")
    assert not policy.allowed(Actor(TRANSLATOR_FA), A.TRANSLATE, language="tr")
    # approved text is changed only by a reviewer; editors and admins need the second factor
    assert not policy.allowed(Actor(TRANSLATOR_FA), A.CHANGE_APPROVED, language="fa")
    assert policy.allowed(Actor(REVIEWER_FA), A.CHANGE_APPROVED, language="fa")
    assert policy.decide(Actor(EDITOR), A.APPROVE, language="fa") == "second-factor"
    # only admins switch settings and manage tokens; no token administers
    assert policy.decide(Actor(EDITOR, second_factor=True), A.CHANGE_SETTINGS) == "role"
    admin_token = policy.token(ADMIN, frozenset(tokens.SCOPES))
    assert policy.decide(admin_token, A.MANAGE_TOKENS) == "scope"
    # a token reads unreviewed text only of its account's languages
    read = policy.token(TRANSLATOR_FA, frozenset({"read"}))
    assert policy.allowed(read, A.READ_UNREVIEWED, language="fa")
    assert policy.decide(read, A.READ_UNREVIEWED, language="tr") == "language"


DOORS = {
    # who comes, to a route of which actions, in which language: the policy's reason, or None
    "in their language": (Actor(TRANSLATOR_FA), [A.READ_UNREVIEWED], "fa", None),
    "in another": (Actor(TRANSLATOR_FA), [A.READ_UNREVIEWED], "tr", "language"),
    "in some language of theirs": (Actor(TRANSLATOR_FA), [A.READ_UNREVIEWED], None, None),
    "working in none": (Actor(person(Role.TRANSLATOR)), [A.READ_UNREVIEWED], None, "language"),
    "one action of two": (Actor(TRANSLATOR_FA), [A.READ_UNREVIEWED, A.START_JOB], "tr", None),
    "role too low": (Actor(TRANSLATOR_FA), [A.SEND_BACK], "fa", "role"),
    "a reviewer's question": (Actor(REVIEWER_FA), [A.RESOLVE_QUESTION], None, None),
    "second factor not yet done": (Actor(EDITOR), [A.PUBLISH], None, None),
    "an admin's page": (Actor(EDITOR, second_factor=True), [A.RETIRE], None, "role"),
    "a visitor": (policy.ANONYMOUS, [A.START_JOB], None, "sign-in"),
    "the operator": (policy.OPERATOR, [A.RETIRE], None, None),
    "a token's scope": (policy.token(ADMIN, frozenset({"read"})), [A.PUBLISH], None, "scope"),
    "no action named": (Actor(ADMIN, second_factor=True), [], None, "role"),
}


@pytest.mark.parametrize("door", list(DOORS))
def test_a_door_lets_in_whoever_could_do_one_of_its_actions(door: str) -> None:
    """The second factor is the action's to ask (and the door's that sends to set it up)."""
    actor, actions, language, reason = DOORS[door]
    assert policy.decide_entry(actor, actions, language=language) == reason
    assert policy.may_enter(actor, actions, language=language) == (reason is None)


def test_every_privileged_action_needs_the_second_factor_of_an_editor() -> None:
    for action, rule in RULES.items():
        if rule.privileged:
            assert policy.decide(Actor(EDITOR), action, language="fa") in ("second-factor", "role")


# ---------------------------------------------------------------------------------------------
# The same answer at every door


@pytest.fixture
def people(app) -> dict[str, str]:  # type: ignore[no-untyped-def]
    with db.transaction(app.extensions["translator.sessions"]) as s:
        return {
            "root": accounts.create_user(s, "root", Role.ADMIN),
            "elif": accounts.create_user(s, "elif", Role.EDITOR),
            "reza": accounts.create_user(s, "reza", Role.REVIEWER, "fa"),
            "sahar": accounts.create_user(s, "sahar", Role.TRANSLATOR, "fa"),
            "deniz": accounts.create_user(s, "deniz", Role.TRANSLATOR, "tr"),
        }


def store(app):  # type: ignore[no-untyped-def]
    return db.transaction(app.extensions["translator.sessions"])


def translated_unit(app, language: str = "fa", *, approved: bool = False) -> tuple[str, int]:  # type: ignore[no-untyped-def]
    """(slug, unit id) of a translated unit whose text passes its checks (approved if asked)."""
    with store(app) as s:
        for document in documents.listing(s):
            for unit, translation in editing.rows(s, document.id, language):
                clean = not editing.check(s, policy.OPERATOR, unit.id, language, translation.text)
                if translation.state == State.TRANSLATED and clean and not unit.plural:
                    if approved:
                        editing.save(
                            s,
                            policy.OPERATOR,
                            unit.id,
                            language,
                            translation.text,
                            version=translation.version,
                            state=State.APPROVED,
                        )
                    return document.slug, unit.id
    raise AssertionError("no clean translated unit")


def state_of(app, unit_id: int, language: str = "fa") -> tuple[int, str, int]:  # type: ignore[no-untyped-def]
    with store(app) as s:
        _, translation = editing.find(s, unit_id, language)
        return translation.state, translation.text, translation.version


def audited(app, action: str) -> list[AuditEntry]:  # type: ignore[no-untyped-def]
    with store(app) as s:
        rows = s.scalars(select(AuditEntry).where(AuditEntry.action == action)).all()
        for row in rows:
            s.expunge(row)
        return list(rows)


def csrf(client, path: str) -> str:  # type: ignore[no-untyped-def]
    page = client.get(path).get_data(as_text=True)
    found = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert found, page[:500]
    return found.group(1)


def post(client, page: str, target: str, **form: Any):  # type: ignore[no-untyped-def]
    return client.post(target, data={"csrf_token": csrf(client, page), **form})


def sends_to_second_factor(response) -> bool:  # type: ignore[no-untyped-def]
    return (
        response.status_code in (302, 303)
        and "/account/second-factor" in response.headers["Location"]
    )


def test_approve_and_next_asks_an_editor_for_the_second_factor(app, client, people) -> None:  # type: ignore[no-untyped-def]
    slug, unit_id = translated_unit(app)
    state, text, version = state_of(app, unit_id)
    sign_in_fully(client, "elif", people["elif"])
    page = f"/translate/fa/{slug}/{unit_id}"
    refused = post(client, page, page, text=text, version=version, advance="approve")
    assert sends_to_second_factor(refused)
    assert state_of(app, unit_id)[0] == State.TRANSLATED  # nothing approved
    # the set-up page brings the editor back to the unit, a page (not the form's POST address)
    assert refused.headers["Location"].endswith(f"next=/translate/fa/{slug}/{unit_id}")
    enrol(app, "elif")
    client.post("/logout", data={"csrf_token": csrf(client, "/translate/")})
    sign_in_fully(client, "elif", people["elif"])
    done = post(client, page, page, text=text, version=version, advance="approve")
    assert done.status_code == 302 and not sends_to_second_factor(done)
    assert state_of(app, unit_id)[0] == State.APPROVED
    rows = audited(app, "approve")
    assert [(r.details["language"], r.details["unit"], r.details["via"]) for r in rows] == [
        ("fa", unit_id, "browser")
    ]


@pytest.mark.parametrize(
    "door", ["save new text", "send back", "accept a suggestion", "revert", "overwrite by upload"]
)
def test_changing_approved_text_asks_an_editor_for_the_second_factor(
    app, client, people, door: str
) -> None:  # type: ignore[no-untyped-def]
    slug, unit_id = translated_unit(app, approved=True)
    _, text, version = state_of(app, unit_id)
    page = f"/translate/fa/{slug}/{unit_id}"
    with store(app) as s:
        suggestion = Suggestion(unit_id=unit_id, language="fa", text=text + " ۱", user_id=None)
        s.add(suggestion)
        s.flush()
        suggestion_id = suggestion.id
    sign_in_fully(client, "elif", people["elif"])
    if door == "save new text":
        response = post(client, page, page, text=text + " ۲", version=version)
    elif door == "send back":
        response = post(client, page, page + "/send-back", reason="check", version=version)
    elif door == "accept a suggestion":
        response = post(
            client, page, f"{page}/suggestions/{suggestion_id}", decision="accept", version=version
        )
    elif door == "revert":
        with store(app) as s:
            from translator.services import review

            change_id = review.history(s, unit_id, "fa")[-1].id
        response = post(client, page, f"{page}/revert/{change_id}", version=version)
    else:
        with store(app) as s:
            from translator.formats import po
            from translator.services import writing

            catalogue = writing.catalogue_for(s, documents.by_slug(s, slug), "fa")
        data = po.write(catalogue).replace(text, text + " ۳").encode()
        from io import BytesIO

        response = client.post(
            f"/translate/fa/{slug}/po",
            data={
                "csrf_token": csrf(client, page),
                "mode": "overwrite",
                "file": (BytesIO(data), f"{slug}.fa.po"),
            },
            content_type="multipart/form-data",
        )
    assert sends_to_second_factor(response), (response.status_code, response.headers)
    assert state_of(app, unit_id)[:2] == (State.APPROVED, text)  # nothing changed
    location = response.headers["Location"]
    target = re.search(r"next=([^&]+)", location)
    assert target is not None
    from urllib.parse import unquote

    assert client.get(unquote(target.group(1))).status_code == 200  # a page, not a 405


def test_bulk_approval_and_urgency_ask_an_editor_for_the_second_factor(app, client, people) -> None:  # type: ignore[no-untyped-def]
    slug, unit_id = translated_unit(app)
    sign_in_fully(client, "elif", people["elif"])
    units = f"/translate/fa/{slug}"
    bulk = post(client, units, f"{units}/approve", confirm="1")
    assert sends_to_second_factor(bulk)
    assert state_of(app, unit_id)[0] == State.TRANSLATED
    urgent = post(
        client,
        f"/dashboard/documents/{slug}",
        f"/dashboard/documents/{slug}/urgency",
        urgent="1",
        deadline="2026-12-31",
    )
    assert sends_to_second_factor(urgent)
    enrol(app, "elif")
    client.post("/logout", data={"csrf_token": csrf(client, "/dashboard")})
    sign_in_fully(client, "elif", people["elif"])
    assert post(client, units, f"{units}/approve", confirm="1").status_code == 200
    assert state_of(app, unit_id)[0] == State.APPROVED
    (row,) = audited(app, "bulk-approve")
    assert row.details["approved"] >= 1 and row.details["language"] == "fa"
    post(
        client,
        f"/dashboard/documents/{slug}",
        f"/dashboard/documents/{slug}/urgency",
        urgent="1",
        deadline="2026-12-31",
    )
    (row,) = audited(app, "set-urgency")
    assert row.details == {
        "document": slug,
        "urgent": True,
        "deadline": "2026-12-31",
        "via": "browser",
    }


def test_send_back_is_audited(app, client, people) -> None:  # type: ignore[no-untyped-def]
    slug, unit_id = translated_unit(app)
    _, _, version = state_of(app, unit_id)
    sign_in_fully(client, "reza", people["reza"])
    page = f"/translate/fa/{slug}/{unit_id}"
    assert (
        post(client, page, page + "/send-back", reason="a figure", version=version).status_code
        == 302
    )
    assert state_of(app, unit_id)[0] == State.NEEDS_EDITING
    (row,) = audited(app, "send-back")
    assert row.details["unit"] == unit_id


def api_token(app, username: str, *scopes: str) -> dict[str, str]:  # type: ignore[no-untyped-def]
    with store(app) as s:
        raw = tokens.create(s, username, list(scopes))
    return {"Authorization": f"Bearer {raw}"}


def test_an_api_approval_is_audited_with_its_door(app, client, people) -> None:  # type: ignore[no-untyped-def]
    slug, unit_id = translated_unit(app)
    _, text, version = state_of(app, unit_id)
    headers = api_token(app, "reza", "translate", "review")
    saved = client.put(
        f"/api/v1/units/{unit_id}/translations/fa",
        json={"text": text, "version": version, "state": "approved"},
        headers=headers,
    )
    assert saved.status_code == 200, saved.json
    (row,) = audited(app, "approve")
    assert row.details["via"] == "token"
    only_translate = api_token(app, "reza", "translate")
    _, text, version = state_of(app, unit_id)
    refused = client.put(
        f"/api/v1/units/{unit_id}/translations/fa",
        json={"text": text + " ۱", "version": version},
        headers=only_translate,
    )
    assert refused.status_code == 403  # changing approved text takes the review scope


def test_the_api_serves_unreviewed_text_only_of_the_tokens_languages(app, client, people) -> None:  # type: ignore[no-untyped-def]
    slug, _ = translated_unit(app)
    turkish = api_token(app, "deniz", "read")
    base = f"/api/v1/documents/{slug}/languages"
    assert client.get(f"{base}/fa/units", headers=turkish).status_code == 403
    assert client.get(f"{base}/fa/file?format=json", headers=turkish).status_code == 403
    assert client.get(f"{base}/fa/file", headers=turkish).status_code == 403
    assert client.get(f"{base}/tr/units", headers=turkish).status_code == 200
    import io
    import zipfile

    bundle = client.get("/api/v1/files.zip", headers=turkish)
    names = zipfile.ZipFile(io.BytesIO(bundle.data)).namelist()
    assert names and all(name.startswith("tr/") for name in names)
    farsi_unit = translated_unit(app)[1]
    assert client.get(f"/api/v1/units/{farsi_unit}/memory/fa", headers=turkish).status_code == 403
    editor = api_token(app, "elif", "read")
    names = zipfile.ZipFile(
        io.BytesIO(client.get("/api/v1/files.zip", headers=editor).data)
    ).namelist()
    assert {name.split("/")[0] for name in names} == {"fa", "tr", "fr", "es", "de", "pt"}


BIG = "ب" * (40 * 1024)  # 80 KiB in UTF-8


def test_every_text_a_person_sends_is_held_to_one_limit(app, client, people) -> None:  # type: ignore[no-untyped-def]
    slug, unit_id = translated_unit(app)
    _, _, version = state_of(app, unit_id)
    sign_in_fully(client, "sahar", people["sahar"])
    page = f"/translate/fa/{slug}/{unit_id}"
    assert post(client, page, page + "/comment", text=BIG).status_code == 422
    assert post(client, page, page + "/comment", text=BIG, question="1").status_code == 422
    assert post(client, page, page + "/suggest", text=BIG).status_code == 422
    assert post(client, page, page + "/check", text=BIG).status_code == 422
    assert post(client, page, page, text=BIG, version=version).status_code == 422
    headers = api_token(app, "sahar", "read")
    checked = client.post(f"/api/v1/units/{unit_id}/check/fa", json={"text": BIG}, headers=headers)
    assert checked.status_code == 422
    with store(app) as s:
        from translator.models import Comment

        assert s.scalars(select(Comment)).all() == []
        assert s.scalars(select(Suggestion)).all() == []


@pytest.mark.parametrize("bad", ["\uffff", "\ud800", "\x00", "\ufdd0", "\U0010ffff"])
def test_text_no_page_can_hold_is_refused_on_the_way_in(app, client, people, bad: str) -> None:  # type: ignore[no-untyped-def]
    slug, unit_id = translated_unit(app)
    _, text, version = state_of(app, unit_id)
    headers = api_token(app, "sahar", "translate")
    saved = client.put(
        f"/api/v1/units/{unit_id}/translations/fa",
        json={"text": text + bad, "version": version},
        headers=headers,
    )
    assert saved.status_code == 422, saved.json
    assert state_of(app, unit_id)[1] == text


def test_a_lone_surrogate_sent_as_json_escape_is_refused(app, client, people) -> None:  # type: ignore[no-untyped-def]
    slug, unit_id = translated_unit(app)
    _, text, version = state_of(app, unit_id)
    headers = api_token(app, "sahar", "translate")
    saved = client.put(
        f"/api/v1/units/{unit_id}/translations/fa",
        data=b'{"text": "\\ud800", "version": %d}' % version,
        content_type="application/json",
        headers=headers,
    )
    assert saved.status_code == 422, saved.json
    assert state_of(app, unit_id)[1] == text


def test_the_command_line_acts_as_the_desk_and_is_audited(app, run, people, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    slug, unit_id = translated_unit(app, approved=True)
    _, text, _ = state_of(app, unit_id)
    with store(app) as s:
        from translator.formats import po
        from translator.services import writing

        catalogue = writing.catalogue_for(s, documents.by_slug(s, slug), "fa")
    changed = tmp_path / "fa.po"
    changed.write_text(po.write(catalogue).replace(text, text + " ۴"), encoding="utf-8")
    run("import", str(changed), "--document", slug, "--lang", "fa", "--mode", "overwrite")
    assert state_of(app, unit_id)[1] == text + " ۴"
    row = audited(app, "import")[-1]
    assert row.actor_id is None and row.details["via"] == "operator"
    assert row.details["overwritten"] == 1


def test_administration_asks_the_policy_whoever_calls_the_service(app, people) -> None:  # type: ignore[no-untyped-def]
    from translator.services import glossary, invitations, second_factor

    with store(app) as s:
        editor, translator = accounts.by_username(s, "elif"), accounts.by_username(s, "sahar")
        with pytest.raises(policy.SecondFactorNeeded):
            accounts.invite(s, editor, Role.TRANSLATOR, "fa")
        with pytest.raises(policy.Refused):
            tokens.create(s, "sahar", ["read"], by=translator)
        with pytest.raises(policy.Refused):
            glossary.import_terms(s, [], by=translator)
        with pytest.raises(policy.Refused):
            second_factor.reset(s, translator, editor)
        with pytest.raises(policy.Refused):
            accounts.create_user(s, "mina", Role.TRANSLATOR, "fa", by=translator)
        raw = accounts.invite(s, policy.Actor(editor, second_factor=True), Role.TRANSLATOR, "fa")
        assert raw
        with pytest.raises(policy.Refused):  # an editor does not invite an admin
            accounts.invite(s, policy.Actor(editor, second_factor=True), Role.ADMIN)
        assert invitations.pending(s)


def test_an_approval_that_met_someone_elses_save_leaves_no_audit_row(app, people) -> None:  # type: ignore[no-untyped-def]
    slug, unit_id = translated_unit(app)
    _, text, version = state_of(app, unit_id)
    with store(app) as s:
        reza = accounts.by_username(s, "reza")
        stale = editing.save(
            s, reza, unit_id, "fa", text, version=version - 1, state=State.APPROVED
        )
        assert stale.conflict
    assert audited(app, "approve") == [] and state_of(app, unit_id)[0] == State.TRANSLATED
    with store(app) as s:
        reza = accounts.by_username(s, "reza")
        editing.save(s, reza, unit_id, "fa", text, version=version, state=State.APPROVED)
    assert len(audited(app, "approve")) == 1
