"""Forgetting a volunteer: a neutral pseudonym everywhere, sessions and tokens ended, work kept."""

from __future__ import annotations

import re
from typing import Any

import pytest
from sqlalchemy import select

from tests.conftest import enrol, sign_in_fully
from translator import db
from translator.models import Change, Role, User
from translator.services import accounts, audit, review, tokens


@pytest.fixture
def volunteer(app) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    """sahar translated a unit (through the API) and asked a question; root is an admin."""
    with db.transaction(app.extensions["translator.sessions"]) as s:
        passwords = {
            "sahar": accounts.create_user(s, "sahar", Role.TRANSLATOR, "fa"),
            "root": accounts.create_user(s, "root", Role.ADMIN),
        }
        token = tokens.create(s, "sahar", ["read", "translate"])
    enrol(app, "root")
    client = app.test_client()
    api = {"Authorization": f"Bearer {token}"}
    unit = client.get("/api/v1/documents/palm-card/languages/fa/units", headers=api).json[1]
    saved = client.put(
        f"/api/v1/units/{unit['id']}/translations/fa",
        json={"text": unit["text"] + " !", "version": unit["version"]},
        headers=api,
    )
    assert saved.status_code == 200
    with db.transaction(app.extensions["translator.sessions"]) as s:
        sahar = s.scalars(select(User).where(User.username == "sahar")).one()
        review.comment(s, sahar, unit["id"], "fa", "Is this the right word?", question=True)
    return {"app": app, "passwords": passwords, "api": api, "unit": unit["id"]}


def _csrf(client: Any, path: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', client.get(path).get_data(as_text=True))
    assert found
    return found.group(1)


def test_an_admin_retires_a_volunteer_whose_name_then_appears_nowhere(volunteer) -> None:
    app = volunteer["app"]
    theirs, admin = app.test_client(), app.test_client()
    theirs.post("/login", data={"username": "sahar", "password": volunteer["passwords"]["sahar"]})
    sign_in_fully(admin, "root", volunteer["passwords"]["root"])
    assert "sahar" in admin.get("/dashboard/languages/fa").get_data(as_text=True)
    people = admin.get("/admin/users").get_data(as_text=True)
    row = r"<td>(?:<bdi[^>]*>)?sahar(?:</bdi>)?</td>.*?/admin/users/(\d+)/retire"
    user_id = re.search(row, people, re.S).group(1)
    refused = admin.post(
        f"/admin/users/{user_id}/retire", data={"csrf_token": _csrf(admin, "/admin/users")}
    )
    assert refused.status_code == 422  # not without typing "retire"
    admin.post(
        f"/admin/users/{user_id}/retire",
        data={"csrf_token": _csrf(admin, "/admin/users"), "confirm": "retire"},
    )
    with db.transaction(app.extensions["translator.sessions"]) as s:
        pseudonym = s.get(User, int(user_id)).username  # type: ignore[union-attr]
        kept = s.scalars(select(Change).where(Change.user_id == int(user_id))).all()
        last = audit.rows(s, limit=1)[0]
    assert pseudonym.startswith("volunteer-") and kept  # the work stays
    assert (last.action, last.actor, last.subject) == ("account-retired", "root", pseudonym)
    for path in (
        "/dashboard/languages/fa",
        "/dashboard",
        "/admin/users",
        "/admin/audit",
        f"/translate/fa/palm-card/{volunteer['unit']}",
    ):
        page = admin.get(path).get_data(as_text=True)
        assert "sahar" not in page, path
    assert pseudonym in admin.get("/dashboard/languages/fa").get_data(as_text=True)
    # signed out, tokens ended, and the old password opens nothing
    assert "volunteer-" not in theirs.get("/").get_data(as_text=True)
    assert theirs.get("/translate/fa").status_code == 302
    api = app.test_client().get("/api/v1/documents", headers=volunteer["api"])
    assert api.status_code == 401
    again = app.test_client().post(
        "/login", data={"username": "sahar", "password": volunteer["passwords"]["sahar"]}
    )
    assert again.status_code == 401


def test_only_admins_retire_and_never_themselves(volunteer) -> None:
    app = volunteer["app"]
    with db.transaction(app.extensions["translator.sessions"]) as s:
        editor_password = accounts.create_user(s, "elif", Role.EDITOR)
        root = s.scalars(select(User).where(User.username == "root")).one()
        with pytest.raises(accounts.DeskError):
            accounts.retire(s, root, root.id)
    enrol(app, "elif")
    editor = app.test_client()
    sign_in_fully(editor, "elif", editor_password)
    assert (
        editor.post("/admin/users/1/retire", data={"csrf_token": _csrf(editor, "/")}).status_code
        == 403
    )


def test_the_command_line_retires_a_volunteer(volunteer, run) -> None:
    result = run("users", "retire", "sahar")
    assert "sahar is now volunteer-" in result.output
    assert "sahar" not in run("audit", "list").output
