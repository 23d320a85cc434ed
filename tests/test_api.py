"""The REST API: every endpoint and every error status, and a build script's pull (schemathesis
in test_api_conformance.py)."""

from __future__ import annotations

import gettext
import io
import threading
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import polib
import pytest
from click.testing import CliRunner
from flask import Flask
from werkzeug.serving import make_server

from tests.conftest import fetched
from translator import cli, db
from translator.models import Role
from translator.services import accounts, policy, tokens


@pytest.fixture
def api(app) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    """A client and tokens: a Farsi reviewer, a German translator, an editor, a read-only one."""
    with db.transaction(app.extensions["translator.sessions"]) as s:
        accounts.create_user(s, "sahar", Role.REVIEWER, "fa")
        accounts.create_user(s, "jonas", Role.TRANSLATOR, "de")
        accounts.create_user(s, "maria", Role.EDITOR)
        keys = {
            "reviewer": tokens.create(s, "sahar", ["read", "translate", "review"]),
            "translator": tokens.create(s, "jonas", ["read", "translate", "review"]),
            "editor": tokens.create(s, "maria", ["read"]),
            "reader": tokens.create(s, "sahar", ["read"]),
        }
    return {
        "client": app.test_client(),
        "app": app,
        **{name: {"Authorization": f"Bearer {key}"} for name, key in keys.items()},
    }


def unit(
    api: dict[str, Any], slug: str = "palm-card", code: str = "fa", index: int = 1
) -> dict[str, Any]:
    units = (
        api["client"]
        .get(f"/api/v1/documents/{slug}/languages/{code}/units", headers=api["editor"])
        .json
    )
    return units[index]


def assert_error(response: Any, status: int, code: str) -> None:
    assert response.status_code == status, response.json
    assert response.json["error"] == code and response.json["message"]
    assert set(response.json) == {"error", "message", "details"}


def test_languages_and_documents(api) -> None:
    client = api["client"]
    languages = client.get("/api/v1/languages", headers=api["reader"]).json
    assert [lang["code"] for lang in languages] == ["fa", "tr", "fr", "es", "de", "pt"]
    assert languages[0]["direction"] == "rtl"
    documents = client.get("/api/v1/documents", headers=api["reader"]).json
    appeal = next(d for d in documents if d["slug"] == "emergency-appeal")
    assert appeal == {
        "slug": "emergency-appeal",
        "kind": "appeal",
        "date": "2022-11-25",
        "title": appeal["title"],
        "priority": None,
        "deadline": None,
    }


def test_stats_carry_publishable_and_blockers(api) -> None:
    client = api["client"]
    rows = client.get("/api/v1/stats", headers=api["reader"]).json
    assert len(rows) == 60 and all("publishable" in row for row in rows)
    one = client.get("/api/v1/documents/palm-card/languages/de/stats", headers=api["reader"]).json
    assert one["percent_translated"] == 100.0 and one["publishable"] is False
    assert (
        one["blockers"][0]["state"] == "translated"
        and one["blockers"][0]["code"] == "blocker.translated"
        and "not approved" in one["blockers"][0]["message"]
    )


@pytest.mark.parametrize(
    ("file_format", "start"), [("po", b"# Persian"), ("mo", b"\xde\x12\x04\x95"), ("json", b"{")]
)
def test_file_download_with_etag(api, file_format: str, start: bytes) -> None:
    client = api["client"]
    url = f"/api/v1/documents/palm-card/languages/fa/file?format={file_format}"
    first = client.get(url, headers=api["reader"])
    assert first.status_code == 200 and first.data.startswith(start) and first.headers["ETag"]
    again = client.get(url, headers={**api["reader"], "If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304 and again.data == b""


def test_json_file_maps_source_to_translation(api) -> None:
    table = (
        api["client"]
        .get("/api/v1/documents/palm-card/languages/fa/file?format=json", headers=api["reader"])
        .json
    )
    assert table["Act Now"] == "همین حالا اقدام کنید"


def test_zip_of_all_files(api) -> None:
    response = api["client"].get("/api/v1/files.zip?format=mo", headers=api["editor"])
    names = zipfile.ZipFile(io.BytesIO(response.data)).namelist()
    assert (
        response.status_code == 200 and len(names) == 60
    )  # 9 Markdown documents and website-strings, 6 languages
    assert "fa/LC_MESSAGES/emergency-appeal.mo" in names


def test_the_zip_holds_only_the_languages_the_token_reads(api) -> None:
    response = api["client"].get("/api/v1/files.zip?format=mo", headers=api["reader"])
    names = zipfile.ZipFile(io.BytesIO(response.data)).namelist()
    assert response.status_code == 200 and len(names) == 10
    assert all(name.startswith("fa/") for name in names)


@pytest.mark.unfinished
def test_units_filtered_by_state(api) -> None:
    client = api["client"]
    untranslated = client.get(
        "/api/v1/documents/press-release/languages/fa/units?state=untranslated",
        headers=api["reader"],
    ).json
    assert untranslated and all(u["state"] == "untranslated" for u in untranslated)
    assert set(untranslated[0]) >= {"id", "source", "text", "state", "version", "checks"}


def test_save_then_a_stale_save_is_a_conflict_that_overwrites_nothing(api) -> None:
    client, target = api["client"], unit(api)
    url = f"/api/v1/units/{target['id']}/translations/fa"
    saved = client.put(
        url,
        json={"text": target["text"] + "!", "version": target["version"], "state": "approved"},
        headers=api["reviewer"],
    )
    assert saved.status_code == 200 and saved.json["state"] == "approved"
    assert saved.json["version"] == target["version"] + 1
    stale = client.put(
        url, json={"text": "متن دیگر", "version": target["version"]}, headers=api["reviewer"]
    )
    assert_error(stale, 409, "conflict")
    assert stale.json["details"] == {
        "text": target["text"] + "!",
        "forms": None,
        "state": "approved",
        "version": target["version"] + 1,
    }


def test_a_failing_error_check_keeps_the_text_as_needs_editing(api) -> None:
    client = api["client"]
    target = next(
        u
        for u in client.get(
            "/api/v1/documents/emergency-appeal/languages/de/units", headers=api["translator"]
        ).json
        if "15.000" in u["text"]
    )
    response = client.put(
        f"/api/v1/units/{target['id']}/translations/de",
        json={"text": target["text"].replace("15.000", "1.500"), "version": target["version"]},
        headers=api["translator"],
    )
    assert response.status_code == 200 and response.json["state"] == "needs-editing"
    assert "1.500" in response.json["text"]
    figures = [c for c in response.json["checks"] if c["check"] == "figures"]
    # a stable code and the values beside the English message, whoever reads it
    assert figures and figures[0]["severity"] == "error"
    assert figures[0]["code"] == "figures.missing"
    # (the English figure as the English writes it: the translation writes Latin digits too)
    assert figures[0]["values"]["figure"] == "15,000" and "1.500" in figures[0]["values"]["found"]
    assert figures[0]["message"].startswith("figure 15,000 of the English is missing")
    listed = client.get(
        "/api/v1/documents/emergency-appeal/languages/de/units", headers=api["translator"]
    ).json
    kept = next(u for u in listed if u["id"] == target["id"])["checks"]
    assert [c for c in kept if c["check"] == "figures"] == figures  # as stored, the same


def test_errors_401(api) -> None:
    client = api["client"]
    assert_error(client.get("/api/v1/documents"), 401, "unauthorized")
    assert_error(
        client.get("/api/v1/documents", headers={"Authorization": "Bearer nope"}),
        401,
        "unauthorized",
    )
    assert "Bearer" in client.get("/api/v1/documents").headers["WWW-Authenticate"]


def test_revoked_token_is_refused(api, run) -> None:
    client = api["client"]
    assert client.get("/api/v1/documents", headers=api["editor"]).status_code == 200
    listing = run("token", "list", "maria").output
    run("token", "revoke", listing.split()[0])
    assert_error(client.get("/api/v1/documents", headers=api["editor"]), 401, "unauthorized")


def test_errors_403_scope_role_and_language(api) -> None:
    client, target = api["client"], unit(api)
    url = f"/api/v1/units/{target['id']}/translations/fa"
    body = {"text": "x", "version": target["version"]}
    assert_error(client.put(url, json=body, headers=api["reader"]), 403, "forbidden")
    assert_error(client.put(url, json=body, headers=api["translator"]), 403, "forbidden")
    german = unit(api, code="de")
    assert_error(
        client.put(
            f"/api/v1/units/{german['id']}/translations/de",
            json={**body, "version": german["version"], "state": "approved"},
            headers=api["translator"],
        ),
        403,
        "forbidden",
    )
    assert_error(
        client.get(
            "/api/v1/documents/palm-card/languages/de/edition.pdf?draft=1", headers=api["reviewer"]
        ),
        403,
        "forbidden",
    )


def test_errors_404(api) -> None:
    client = api["client"]
    assert_error(
        client.get("/api/v1/documents/nope/languages/fa/units", headers=api["reader"]),
        404,
        "not-found",
    )
    assert_error(
        client.get("/api/v1/documents/palm-card/languages/xx/units", headers=api["reader"]),
        404,
        "not-found",
    )
    assert_error(
        client.put(
            "/api/v1/units/999999/translations/fa",
            json={"text": "x", "version": 0},
            headers=api["reviewer"],
        ),
        404,
        "not-found",
    )
    assert_error(client.get("/api/v1/nothing", headers=api["reader"]), 404, "not-found")


def test_errors_400_415_422_on_saving(api) -> None:
    client, target = api["client"], unit(api)
    url = f"/api/v1/units/{target['id']}/translations/fa"
    headers = api["reviewer"]
    assert_error(
        client.put(url, data="{broken", headers={**headers, "Content-Type": "application/json"}),
        400,
        "bad-request",
    )
    assert_error(
        client.put(url, data="text", headers={**headers, "Content-Type": "text/plain"}),
        415,
        "unsupported-media-type",
    )
    assert_error(
        client.put(url, json={"text": 5, "version": 1}, headers=headers), 422, "invalid-content"
    )
    assert_error(
        client.put(url, json={"text": "x", "version": 1, "state": "done"}, headers=headers),
        422,
        "invalid-content",
    )
    assert_error(
        client.get("/api/v1/documents/palm-card/languages/fa/units?state=done", headers=headers),
        400,
        "bad-request",
    )
    assert_error(
        client.get("/api/v1/documents/palm-card/languages/fa/file?format=xliff", headers=headers),
        400,
        "bad-request",
    )


def test_upload_imports_and_refuses_bad_files(api) -> None:
    client = api["client"]
    url = "/api/v1/documents/palm-card/languages/fa/file"
    headers = {**api["reviewer"], "Content-Type": "text/x-gettext-translation"}
    po = client.get(f"{url}?format=po", headers=api["reviewer"]).data
    changed = po.replace("همین حالا اقدام کنید".encode(), "اکنون اقدام کنید".encode())
    report = client.post(url, data=changed, headers=headers).json
    assert report["filled"] == 0 and len(report["conflicts"]) == 1
    overwritten = client.post(f"{url}?mode=overwrite", data=changed, headers=headers).json
    assert overwritten["overwritten"] == 1
    malformed = client.post(url, data=b'msgid "a"\nmsgstr "b', headers=headers)
    assert_error(malformed, 422, "invalid-content")
    assert malformed.json["details"] == {"line": 2}
    assert_error(
        client.post(url, data=po, headers={**api["reviewer"], "Content-Type": "application/json"}),
        415,
        "unsupported-media-type",
    )
    assert_error(
        client.post(url, data=po, headers={**api["translator"], "Content-Type": "text/x-po"}),
        403,
        "forbidden",
    )


def test_upload_over_the_limit_is_413_before_parsing(api) -> None:
    api["app"].config["MAX_CONTENT_LENGTH"] = 1000
    response = api["client"].post(
        "/api/v1/documents/palm-card/languages/fa/file",
        data=b"#" * 5000,
        headers={**api["reviewer"], "Content-Type": "text/x-po"},
    )
    assert_error(response, 413, "request-entity-too-large")


def test_editions_published_drafts_and_english(api) -> None:
    client = api["client"]
    blocked = client.get(
        "/api/v1/documents/palm-card/languages/de/edition.html", headers=api["reader"]
    )
    assert_error(blocked, 409, "not-publishable")
    first = blocked.json["details"][0]  # the blockers, each with its code and values
    assert first["code"].startswith("blocker.") and first["message"].startswith(first["location"])
    draft = fetched(
        client,
        client.get(
            "/api/v1/documents/palm-card/languages/de/edition.pdf?draft=1", headers=api["editor"]
        ),
        api["editor"],
    )
    assert draft.status_code == 200 and draft.data.startswith(b"%PDF")
    english = fetched(
        client,
        client.get("/api/v1/documents/palm-card/languages/en/edition.html", headers=api["reader"]),
        api["reader"],
    )
    assert english.status_code == 200 and b'<html lang="en"' in english.data


def test_openapi_describes_every_route(api) -> None:
    spec = api["client"].get("/api/v1/openapi.json").json
    assert spec["openapi"].startswith("3.")
    routes = {
        rule.rule.removeprefix("/api/v1")
        .replace("<slug>", "{slug}")
        .replace("<code>", "{lang}")
        .replace("<int:unit_id>", "{id}")
        .replace("<job_id>", "{id}")
        .replace("edition.<file_format>", "edition.html")
        for rule in api["app"].url_map.iter_rules()
        if rule.rule.startswith("/api/v1/")
    }
    assert routes - {"/openapi.json"} <= set(spec["paths"])


# A build script: pull over HTTP, then a Flask site renders Farsi from the pulled MO files.


@pytest.fixture
def server(api) -> Iterator[str]:
    httpd = make_server("127.0.0.1", 0, api["app"], threaded=True)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_port}"
    httpd.shutdown()


def test_pull_downloads_only_what_changed_and_a_flask_babel_site_renders_farsi(
    api, server: str, tmp_path: Path
) -> None:
    token = api["editor"]["Authorization"].removeprefix("Bearer ")  # reads every language
    out = tmp_path / "site" / "translations"
    arguments = [
        "pull",
        "--server",
        server,
        "--token",
        token,
        "--format",
        "mo",
        "--lang",
        "fa",
        "--lang",
        "de",
        "--out",
        str(out),
    ]
    first = CliRunner().invoke(cli.main, arguments)
    assert first.exit_code == 0, first.output
    assert "20 downloaded, 0 unchanged" in first.output
    second = CliRunner().invoke(cli.main, arguments)
    assert "0 downloaded, 20 unchanged" in second.output
    mo = out / "fa" / "LC_MESSAGES" / "palm-card.mo"
    assert polib.mofile(str(mo)).find("Act Now").msgstr == "همین حالا اقدام کنید"

    from flask_babel import Babel
    from flask_babel import gettext as _

    site = Flask("campaign_site")
    site.config.update(
        BABEL_TRANSLATION_DIRECTORIES=str(out), BABEL_DOMAIN="palm-card", BABEL_DEFAULT_LOCALE="fa"
    )
    Babel(site, locale_selector=lambda: "fa")

    @site.get("/")
    def home() -> str:
        return f'<html lang="fa" dir="rtl"><h1>{_("Act Now")}</h1></html>'

    page = site.test_client().get("/").get_data(as_text=True)
    assert "<h1>همین حالا اقدام کنید</h1>" in page
    assert gettext.GNUTranslations(mo.open("rb")).gettext("Act Now") == "همین حالا اقدام کنید"


def test_pull_fails_clearly(api, server: str, tmp_path: Path) -> None:
    bad = CliRunner().invoke(
        cli.main, ["pull", "--server", server, "--token", "nope", "--out", str(tmp_path)]
    )
    assert bad.exit_code == 2 and "HTTP 401" in bad.output
    down = CliRunner().invoke(
        cli.main, ["pull", "--server", "http://127.0.0.1:9", "--token", "x", "--out", str(tmp_path)]
    )
    assert down.exit_code == 2 and "cannot reach" in down.output


def test_token_create_prints_the_token_on_its_last_line(run) -> None:
    run("init")
    run("users", "add", "sahar", "--role", "reviewer", "--lang", "fa")
    result = run("token", "create", "sahar", "--scope", "read,translate")
    assert result.output.strip().splitlines()[-1].startswith("tdk_")
    assert "read,translate" in run("token", "list").output
    assert run("token", "create", "sahar", "--scope", "root", check=False).exit_code == 2


def test_file_etag_changes_when_a_translation_changes(api) -> None:
    client = api["client"]
    url = "/api/v1/documents/palm-card/languages/fa/file?format=po"
    etag = client.get(url, headers=api["reader"]).headers["ETag"]
    assert client.get(url, headers={**api["reader"], "If-None-Match": etag}).status_code == 304
    target = unit(api)
    client.put(
        f"/api/v1/units/{target['id']}/translations/fa",
        json={"text": target["text"] + "!", "version": target["version"]},
        headers=api["reviewer"],
    )
    changed = client.get(url, headers={**api["reader"], "If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["ETag"] != etag
    assert (target["text"] + "!").encode() in changed.data


def test_import_report_lists_plural_forms_filled_from_the_closest_one(api) -> None:
    from tests.test_plural_import import FRENCH_TWO_FORMS, SLUG

    with db.transaction(api["app"].extensions["translator.sessions"]) as s:
        accounts.create_user(s, "camille", Role.REVIEWER, "fr")
        key = tokens.create(s, "camille", ["read", "translate", "review"])
    response = api["client"].post(
        f"/api/v1/documents/{SLUG}/languages/fr/file?mode=overwrite",
        data=FRENCH_TWO_FORMS.encode(),
        headers={"Authorization": f"Bearer {key}", "Content-Type": "text/x-gettext-translation"},
    )
    assert response.status_code == 200, response.json
    assert response.json["plural_forms"] == [
        {
            "line": 8,
            "source": "%(count)d political prisoner faces execution",
            "filled": ["many"],
            "dropped": [],
            "note": "line 8: form many filled from the closest form, needs editing",
            "messages": [
                {
                    "code": "plural-form-filled",
                    "values": {"line": 8, "forms": "many"},
                    "message": "line 8: form many filled from the closest form, needs editing",
                }
            ],
        }
    ]
    codes = {m["code"]: m["values"] for m in response.json["messages"]}
    assert codes["import-mode"] == {"mode": "overwrite"} and "plural-form-filled" in codes


def test_upload_of_another_documents_file_is_refused_naming_it(api) -> None:
    client = api["client"]
    headers = {**api["reviewer"], "Content-Type": "text/x-gettext-translation"}
    press = client.get(
        "/api/v1/documents/press-release/languages/fa/file?format=po", headers=api["reviewer"]
    ).data
    refused = client.post(
        "/api/v1/documents/palm-card/languages/fa/file", data=press, headers=headers
    )
    assert refused.status_code == 422
    body = refused.json
    assert body["error"] == "not-this-document"
    assert body["details"]["code"] == "another-document"
    assert body["details"]["suggested"] == "press-release"
    assert body["details"]["values"]["document"] == "palm-card"
    assert body["message"].endswith("did you mean press-release?")


def test_a_malformed_po_file_is_refused_with_its_line_as_data(loaded) -> None:
    from translator.services import importing

    with pytest.raises(importing.InvalidFile) as refused, db.transaction(loaded) as s:
        importing.import_file(
            s, b'msgid "a"\nmsgstr "b', "palm-card.fa.po", "palm-card", "fa", who=policy.OPERATOR
        )
    assert (refused.value.filename, refused.value.line) == ("palm-card.fa.po", 2)
    assert str(refused.value).startswith("palm-card.fa.po:2: ")
    german = b'msgid ""\nmsgstr ""\n"Language: de\\n"\n\nmsgid "a"\nmsgstr "b"\n'
    with pytest.raises(importing.InvalidFile) as refused, db.transaction(loaded) as s:
        importing.import_file(s, german, "palm-card.fa.po", "palm-card", "fa", who=policy.OPERATOR)
    assert (refused.value.filename, refused.value.line) == ("palm-card.fa.po", 1)


def test_a_query_parameter_given_twice_or_of_an_unknown_value_is_400(api) -> None:
    client, headers = api["client"], api["reviewer"]
    for url in (
        "/api/v1/documents/palm-card/languages/fa/units?state=approved&state=approved",
        "/api/v1/documents/palm-card/languages/fa/file?format=po&format=mo",
        "/api/v1/files.zip?format=xliff",
        "/api/v1/documents/palm-card/languages/en/edition.html?draft=null",
        "/api/v1/documents/palm-card/languages/en/edition.html?draft=1&draft=1",
    ):
        assert_error(client.get(url, headers=headers), 400, "bad-request")
    upload = client.post(
        "/api/v1/documents/palm-card/languages/fa/file?mode=all",
        data=b"",
        headers={**headers, "Content-Type": "text/x-gettext-translation"},
    )
    assert_error(upload, 400, "bad-request")


def test_bodies_with_unknown_properties_or_wrong_types_are_refused(api) -> None:
    client, headers, target = api["client"], api["reviewer"], unit(api)
    check = f"/api/v1/units/{target['id']}/check/fa"
    approve = "/api/v1/documents/palm-card/languages/fa/approve"
    assert_error(
        client.post(check, json={"forms": [], "text": {}}, headers=headers), 422, "invalid-content"
    )
    extra = client.post(check, json={"text": "x", "colour": 1}, headers=headers)
    assert_error(extra, 422, "invalid-content")
    assert extra.json["details"] == ["colour"]
    assert_error(
        client.post(approve, json={"units": None}, headers=headers), 422, "invalid-content"
    )
    assert_error(
        client.post(approve, json={"units": [True]}, headers=headers), 422, "invalid-content"
    )
    assert_error(client.post(approve, json={"all": True}, headers=headers), 422, "invalid-content")
    builds = client.post("/api/v1/editions/builds", json={"zip": True}, headers=headers)
    assert_error(builds, 400, "bad-request")
    assert_error(
        client.post("/api/v1/editions/builds", json={"draft": "yes"}, headers=headers),
        400,
        "bad-request",
    )


def test_a_method_not_allowed_names_the_allowed_ones(api) -> None:
    response = api["client"].delete("/api/v1/documents/palm-card/languages/fa/file")
    assert_error(response, 405, "method-not-allowed")
    assert set(response.headers["Allow"].split(", ")) >= {"GET", "POST"}


def test_openapi_request_bodies_allow_no_unknown_properties(api) -> None:
    schemas = api["client"].get("/api/v1/openapi.json").json["components"]["schemas"]
    for name in ("Save", "CheckText", "Approve", "BuildRequest"):
        assert schemas[name]["additionalProperties"] is False, name


def test_a_job_is_described_as_needing_no_token(api) -> None:
    paths = api["client"].get("/api/v1/openapi.json").json["paths"]
    for path in ("/jobs/{id}", "/jobs/{id}/file"):
        assert {} in paths[path]["get"]["security"], path


def test_a_zip_pulled_again_after_one_edit_has_that_edit_and_the_rest_as_before(api) -> None:
    client, headers = api["client"], api["reviewer"]
    first = zipfile.ZipFile(io.BytesIO(client.get("/api/v1/files.zip", headers=headers).data))
    target = client.get(
        "/api/v1/documents/palm-card/languages/fa/units", headers=headers
    ).get_json()[0]
    saved = client.put(
        f"/api/v1/units/{target['id']}/translations/fa",
        json={"text": "برای آزادی زندانیان سیاسی", "version": target["version"]},
        headers=headers,
    )
    assert saved.status_code == 200, saved.get_data(as_text=True)
    again = zipfile.ZipFile(io.BytesIO(client.get("/api/v1/files.zip", headers=headers).data))
    changed = [n for n in first.namelist() if first.read(n) != again.read(n)]
    assert changed == ["fa/LC_MESSAGES/palm-card.po"]
    assert "برای آزادی زندانیان سیاسی" in again.read(changed[0]).decode()
