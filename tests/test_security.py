"""The holes a hostile test found, each closed on every path: imports over approved work, request
sizes, nested JSON, drafts for the public, open redirects, remote images in editions."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from tests.conftest import fetched
from translator import db
from translator.models import Role, State, Suggestion, Translation, Unit, User
from translator.services import accounts, tokens

PO_TYPE = "text/x-gettext-translation"
UPLOAD = "/api/v1/documents/palm-card/languages/fa/file"
APPROVED = "همین حالا اقدام کنید"
CHANGED = "اکنون اقدام کنید"


@pytest.fixture
def desk(app) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    """People and tokens: a Farsi translator and reviewer, an editor; "Act Now" approved in fa."""
    with db.transaction(app.extensions["translator.sessions"]) as s:
        passwords = {
            "kian": accounts.create_user(s, "kian", Role.TRANSLATOR, "fa"),
            "sahar": accounts.create_user(s, "sahar", Role.REVIEWER, "fa"),
            "jonas": accounts.create_user(s, "jonas", Role.TRANSLATOR, "de"),
        }
        keys = {
            "kian": tokens.create(s, "kian", ["read", "translate"]),
            "sahar": tokens.create(s, "sahar", ["read", "translate", "review"]),
        }
        _act_now(s).state = State.APPROVED
    return {
        "app": app,
        "client": app.test_client(),
        "passwords": passwords,
        **{name: {"Authorization": f"Bearer {key}"} for name, key in keys.items()},
    }


def _act_now(s: Any) -> Translation:
    return s.scalars(
        select(Translation).join(Unit).where(Unit.source == "Act Now", Translation.language == "fa")
    ).one()


def act_now(app: Any) -> tuple[str, int, list[str]]:
    with db.transaction(app.extensions["translator.sessions"]) as s:
        translation = _act_now(s)
        suggested = s.scalars(
            select(Suggestion.text).where(Suggestion.unit_id == translation.unit_id)
        ).all()
        return translation.text, translation.state, list(suggested)


def changed_po(desk: dict[str, Any]) -> bytes:
    po = desk["client"].get(f"{UPLOAD}?format=po", headers=desk["sahar"]).data
    return po.replace(APPROVED.encode(), CHANGED.encode())


def sign_in(client: Any, name: str, password: str, next_: str = "") -> Any:
    url = "/login" + (f"?next={next_}" if next_ else "")
    return client.post(url, data={"username": name, "password": password})


def csrf(client: Any, path: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', client.get(path).get_data(as_text=True))
    assert found
    return found.group(1)


# 1. An approved translation changes only by a reviewer of its language.


@pytest.mark.parametrize("mode", ["untranslated-only", "suggest", "overwrite"])
def test_a_translators_po_upload_turns_a_change_to_approved_text_into_a_suggestion(
    desk, mode: str
) -> None:
    headers = {**desk["kian"], "Content-Type": PO_TYPE}
    report = desk["client"].post(f"{UPLOAD}?mode={mode}", data=changed_po(desk), headers=headers)
    assert report.status_code == 200, report.json
    assert report.json["overwritten"] == 0 and report.json["conflicts"] == []
    assert [(h["source"], h["incoming"]) for h in report.json["held"]] == [("Act Now", CHANGED)]
    assert act_now(desk["app"]) == (APPROVED, State.APPROVED, [CHANGED])


def test_a_reviewers_overwrite_changes_approved_text(desk) -> None:
    headers = {**desk["sahar"], "Content-Type": PO_TYPE}
    report = desk["client"].post(f"{UPLOAD}?mode=overwrite", data=changed_po(desk), headers=headers)
    assert report.json["overwritten"] == 1 and report.json["held"] == []
    assert act_now(desk["app"]) == (CHANGED, State.TRANSLATED, [])


def test_the_browser_upload_holds_approved_text_for_a_reviewer(desk) -> None:
    import io

    client = desk["client"]
    sign_in(client, "kian", desk["passwords"]["kian"])
    page = client.post(
        "/translate/fa/palm-card/po",
        data={
            "csrf_token": csrf(client, "/translate/fa/palm-card"),
            "mode": "overwrite",
            "file": (io.BytesIO(changed_po(desk)), "fa.po"),
        },
        content_type="multipart/form-data",
    )
    assert page.status_code == 200
    assert CHANGED in page.get_data(as_text=True) and "0 overwritten" in page.get_data(as_text=True)
    assert act_now(desk["app"]) == (APPROVED, State.APPROVED, [CHANGED])


def test_the_browser_upload_refuses_a_language_the_user_does_not_translate(desk) -> None:
    import io

    client = desk["client"]
    sign_in(client, "jonas", desk["passwords"]["jonas"])
    page = client.post(
        "/translate/fa/palm-card/po",
        data={
            "csrf_token": csrf(client, "/translate/de/palm-card"),
            "mode": "overwrite",
            "file": (io.BytesIO(changed_po(desk)), "fa.po"),
        },
        content_type="multipart/form-data",
    )
    assert page.status_code == 403
    assert act_now(desk["app"])[0] == APPROVED


def test_the_command_line_acts_as_the_desk_and_may_overwrite_approved_text(
    desk, run, tmp_path: Path
) -> None:
    path = tmp_path / "fa.po"
    path.write_bytes(changed_po(desk))
    result = run(
        "import", str(path), "--document", "palm-card", "--lang", "fa", "--mode", "overwrite"
    )
    assert "1 overwritten" in result.output
    assert act_now(desk["app"])[0] == CHANGED


# 2. Request sizes: limited before the body is read; translations far longer than the English.


def put_unit(client: Any, headers: dict[str, str], body: bytes | str, unit_id: int = 1) -> Any:
    return client.put(
        f"/api/v1/units/{unit_id}/translations/fa",
        data=body,
        headers={**headers, "Content-Type": "application/json"},
    )


def test_the_app_really_limits_request_bodies(desk) -> None:
    app = desk["app"]
    assert app.config["MAX_CONTENT_LENGTH"] >= app.config["MAX_IMPORT_BYTES"]
    response = desk["client"].post(
        "/login", data={"username": "x" * (app.config["MAX_CONTENT_LENGTH"] + 1), "password": ""}
    )
    assert response.status_code == 413


def test_a_json_body_over_one_mebibyte_is_413_before_it_is_read(desk) -> None:
    body = '{"text": "' + "a" * (1024 * 1024) + '", "version": 0}'
    response = put_unit(desk["client"], desk["sahar"], body)
    assert response.status_code == 413 and response.json["error"] == "request-entity-too-large"
    # the size alone decides: even without a valid token
    response = put_unit(desk["client"], {"Authorization": "Bearer nope"}, body)
    assert response.status_code == 413


def test_a_po_upload_over_the_import_limit_is_413(desk) -> None:
    desk["app"].config["MAX_IMPORT_BYTES"] = 2000
    response = desk["client"].post(
        UPLOAD, data=b"#" * 3000, headers={**desk["kian"], "Content-Type": PO_TYPE}
    )
    assert response.status_code == 413


def test_a_translation_far_longer_than_its_english_is_422(desk) -> None:
    client = desk["client"]
    units = client.get("/api/v1/documents/palm-card/languages/fa/units", headers=desk["kian"]).json
    target = next(u for u in units if u["source"] != "Act Now" and not u["forms"])
    body = {"text": "ب" * (25 * len(target["source"]) + 300), "version": target["version"]}
    import json

    response = put_unit(client, desk["kian"], json.dumps(body), target["id"])
    assert response.status_code == 422 and "20 times" in response.json["message"]
    huge = {"text": "ب" * 40000, "version": target["version"]}
    response = put_unit(client, desk["kian"], json.dumps(huge), target["id"])
    assert response.status_code == 422 and "64 KiB" in response.json["message"]


def test_a_po_import_with_a_far_too_long_translation_names_the_line_and_changes_nothing(
    desk,
) -> None:
    po = changed_po(desk).replace(CHANGED.encode(), ("ب" * 5000).encode())
    response = desk["client"].post(
        f"{UPLOAD}?mode=overwrite", data=po, headers={**desk["sahar"], "Content-Type": PO_TYPE}
    )
    assert response.status_code == 422 and response.json["details"]["line"]
    assert act_now(desk["app"])[0] == APPROVED


# 3. Deeply nested JSON, unknown properties, 405s.


def test_deeply_nested_json_is_400_not_500(desk) -> None:
    response = put_unit(desk["client"], desk["sahar"], "[" * 100_000 + "]" * 100_000)
    assert response.status_code == 400 and response.json["error"] == "bad-request"


def test_a_save_with_unknown_properties_is_refused(desk) -> None:
    response = put_unit(desk["client"], desk["sahar"], '{"text": "x", "version": 0, "admin": 1}')
    assert response.status_code == 422 and response.json["details"] == ["admin"]


def test_a_405_names_the_allowed_methods(desk) -> None:
    response = desk["client"].delete("/api/v1/documents", headers=desk["sahar"])
    assert response.status_code == 405 and response.json["error"] == "method-not-allowed"
    assert "GET" in response.headers["Allow"]


# 4. Drafts and previews: for signed-in people with a role in the language.

DRAFTS = [
    "/documents/palm-card/fa/preview",
    "/documents/palm-card/fa/edition.html?draft=1",
    "/documents/palm-card/fa/edition.pdf?draft=1",
]


@pytest.mark.parametrize("path", DRAFTS)
def test_the_public_gets_no_draft_or_preview(desk, path: str) -> None:
    response = desk["client"].get(path)
    assert response.status_code == 302 and "/login?next=" in response.headers["Location"]


def test_drafts_are_for_a_role_in_that_language_in_the_browser_and_the_api(desk) -> None:
    fa, de = desk["client"], desk["app"].test_client()
    sign_in(fa, "kian", desk["passwords"]["kian"])
    sign_in(de, "jonas", desk["passwords"]["jonas"])
    assert fetched(fa, fa.get(DRAFTS[1])).status_code == 200  # made by a job
    assert de.get(DRAFTS[1]).status_code == 403
    assert de.get("/documents/palm-card/fa/preview").status_code == 403
    api = "/api/v1/documents/palm-card/languages/fa/edition.html?draft=1"
    # a translator of fa, not an editor
    assert fetched(fa, fa.get(api, headers=desk["kian"]), desk["kian"]).status_code == 200
    assert fa.get(api.replace("/fa/", "/de/"), headers=desk["kian"]).status_code == 403


def test_the_public_front_page_links_no_draft(desk) -> None:
    client = desk["client"]
    assert "preview" not in client.get("/").get_data(as_text=True)
    sign_in(client, "kian", desk["passwords"]["kian"])
    page = client.get("/").get_data(as_text=True)
    assert (
        "/documents/palm-card/fa/preview" in page and "/documents/palm-card/de/preview" not in page
    )


# 6. No open redirect: a `next=` is a path on this site or nothing.

BYPASSES = [
    "//example.org",
    "/%09/example.org",
    "/\t/example.org",
    "/\\example.org",
    "/\\/example.org",
    "\\/\\/example.org",
    "%09//example.org",
    "https:example.org",
    "https://example.org/",
    "/%2F%2Fexample.org",
    "/%5Cexample.org",
    "%2F%2Fexample.org",
    " //example.org",
    "/\n/example.org",
    "javascript:alert(1)",
    "/%252F%252Fexample.org",
]


def test_sign_in_never_redirects_to_another_site(desk) -> None:
    from urllib.parse import quote

    for target in BYPASSES:
        response = desk["client"].post(
            f"/login?next={quote(target, safe='')}",
            data={"username": "kian", "password": desk["passwords"]["kian"]},
        )
        assert response.status_code == 302
        # the person's own work list, never another site
        assert response.headers["Location"] == "/translate/", (target, response.headers["Location"])


def test_sign_in_keeps_a_path_on_this_site(desk) -> None:
    from urllib.parse import quote

    target = quote("/translate/fa?x=y", safe="")
    response = sign_in(desk["client"], "kian", desk["passwords"]["kian"], target)
    assert response.headers["Location"] == "/translate/fa?x=y"


def test_resolving_a_question_never_redirects_to_another_site(desk) -> None:
    from translator.services import review

    with db.transaction(desk["app"].extensions["translator.sessions"]) as s:
        password = accounts.create_user(s, "elif", Role.EDITOR)
        editor = s.scalars(select(User).where(User.username == "elif")).one()
        question = review.comment(s, editor, _act_now(s).unit_id, "fa", "Why?", question=True)
    client = desk["client"]
    sign_in(client, "elif", password)
    for target in BYPASSES:
        response = client.post(
            f"/dashboard/questions/{question.id}/resolve",
            data={"csrf_token": csrf(client, "/dashboard"), "next": target},
        )
        assert response.status_code == 303 and response.headers["Location"] == "/dashboard"


# Every way a hostile tester found to hide another site, or a line break, in a `next=`.
HOSTILE = [
    *BYPASSES,
    "/\r\n/example.org",
    "/\r/example.org",
    "/\r\nSet-Cookie: desk_session=stolen",
    "/translate/\nLocation: https://example.org",
    "/%0a/example.org",
    "/%0d%0aSet-Cookie:%20desk_session=stolen",
    "/translate/%0d%0a",
    "/%09/%09example.org",
    "\t//example.org",
    "//example.org\n",
    "/\x00/example.org",
    "/\x7f/example.org",
    "/\x85/example.org",  # NEXT LINE, a C1 control
    "/\u00a0/example.org",  # no-break space
    "/\u2028/example.org",  # line separator
    "/\u3000/example.org",  # ideographic space
    "\u3000//example.org",
    "/\u200b/example.org",  # zero-width space
    "/\u202e/example.org",  # right-to-left override
    "/\ufeff/example.org",
    "/%C2%A0/example.org",
    "/%E3%80%80/example.org",
    "/%e2%80%8b/example.org",
    "/ /example.org",
    "///example.org",
    "/\\\\example.org",
    "/%5C%5Cexample.org",
    "http://example.org",
    "HTTPS://example.org",
    "https:/example.org",
    "//example.org/%2F..",
    "/%25252F%25252Fexample.org",
    "/%2525252F%2525252Fexample.org",
    "example.org",
    "",
]


def test_no_redirect_target_from_a_request_leaves_the_site_or_reaches_a_header_raw() -> None:
    from translator.web.security import safe_path

    for target in HOSTILE:
        assert safe_path(target, "/fallback") == "/fallback", repr(target)
    assert safe_path(None, "/fallback") == "/fallback"
    kept = {
        "/translate/fa?x=y": "/translate/fa?x=y",
        "/translate/fa/palm-card/units?q=two+words&page=2": (
            "/translate/fa/palm-card/units?q=two+words&page=2"
        ),
        "/documents/palm-card/fa/preview": "/documents/palm-card/fa/preview",
        "/translate/fa?q=%D8%B3%D9%84%D8%A7%D9%85": "/translate/fa?q=%D8%B3%D9%84%D8%A7%D9%85",
        "/documents/سلام": "/documents/%D8%B3%D9%84%D8%A7%D9%85",  # ASCII only in a header
        '/a"<b>': "/a%22%3Cb%3E",
    }
    for target, expected in kept.items():
        assert safe_path(target, "/fallback") == expected, target


def test_the_language_switcher_never_redirects_to_another_site(desk) -> None:
    visitor = desk["app"].test_client()
    for target in HOSTILE:
        response = visitor.post("/interface-language", data={"language": "de", "next": target})
        assert response.status_code == 302, repr(target)  # a newline once gave 500
        assert response.headers["Location"] == "/", (target, response.headers["Location"])
    kept = visitor.post("/interface-language", data={"language": "de", "next": "/glossary?x=y"})
    assert kept.headers["Location"] == "/glossary?x=y"
    client = desk["client"]
    sign_in(client, "kian", desk["passwords"]["kian"])
    for target in ("/\t/example.org", "/\r\n/example.org", "/%0a/example.org"):
        response = client.post(
            "/interface-language",
            data={"csrf_token": csrf(client, "/translate/fa"), "language": "fa", "next": target},
        )
        assert response.status_code == 302 and response.headers["Location"] == "/", target


def test_sign_in_never_redirects_to_another_site_whatever_is_hidden_in_next(desk) -> None:
    from urllib.parse import quote

    for target in HOSTILE:
        response = sign_in(
            desk["client"], "kian", desk["passwords"]["kian"], quote(target, safe="")
        )
        assert response.status_code == 302, repr(target)
        assert response.headers["Location"] == "/translate/", (target, response.headers["Location"])


# 7. Editions never reference another origin, and carry their own policy.

REMOTE = (
    "![x](https://evil.example/p.png) ![y](//evil.example/q.png) ![z](data:image/png;base64,AA)"
)


def _translate_with_images(app: Any) -> None:
    with db.transaction(app.extensions["translator.sessions"]) as s:
        translation = _act_now(s)
        translation.text, translation.state = f"{APPROVED} {REMOTE}", State.TRANSLATED


def test_an_image_in_a_translation_never_reaches_a_preview_or_an_edition(desk) -> None:
    _translate_with_images(desk["app"])
    client = desk["client"]
    sign_in(client, "kian", desk["passwords"]["kian"])
    pages = [
        client.get("/documents/palm-card/fa/preview").get_data(as_text=True),
        fetched(client, client.get(DRAFTS[1])).get_data(as_text=True),
        fetched(
            client,
            client.get(
                "/api/v1/documents/palm-card/languages/fa/edition.html?draft=1",
                headers=desk["kian"],
            ),
            desk["kian"],
        ).get_data(as_text=True),
    ]
    for page in pages:
        assert "<img" not in page and "evil.example" not in page and "data:image" not in page
        assert page.count('<span class="image">') == 3


def test_every_html_edition_and_index_carries_a_strict_policy(desk, run, tmp_path: Path) -> None:
    _translate_with_images(desk["app"])
    out = tmp_path / "dist"
    run(
        "build",
        "--draft",
        "--lang",
        "fa",
        "--document",
        "palm-card",
        "--format",
        "html",
        "--out",
        str(out),
    )
    for path in (out / "fa" / "palm-card.html", out / "fa" / "index.html", out / "index.html"):
        page = path.read_text()
        policy = re.search(r'<meta http-equiv="Content-Security-Policy" content="([^"]+)">', page)
        assert policy and "default-src 'none'" in policy.group(1), path
        assert "evil.example" not in page


# 8. Headers: signed-in pages are never cached; the server names no software; gunicorn believes
# no forwarded scheme.

SIGNED_IN_PAGES = [
    "/",
    "/glossary",
    "/translate/",
    "/translate/fa",
    "/translate/fa/palm-card",
    "/dashboard",
    "/account/second-factor",
    "/documents/palm-card/fa/preview",
    "/badges/de.svg",
]


def test_every_answer_to_a_signed_in_request_is_kept_by_no_cache(desk) -> None:
    client = desk["client"]
    signed = sign_in(client, "kian", desk["passwords"]["kian"])
    assert signed.headers["Cache-Control"] == "no-store"
    for path in SIGNED_IN_PAGES:
        response = client.get(path)
        assert response.headers.get("Cache-Control") == "no-store", (path, response.status_code)
    out = client.post("/logout", data={"csrf_token": csrf(client, "/translate/fa")})
    assert out.headers["Cache-Control"] == "no-store"
    # the desk's own stylesheets and scripts are everyone's: still cacheable
    assert "no-store" not in client.get("/static/desk.css").headers.get("Cache-Control", "")


def test_private_paths_are_kept_by_no_cache_even_for_a_visitor_and_public_pages_keep_theirs(
    desk,
) -> None:
    visitor = desk["app"].test_client()
    for path in ("/translate/", "/translate/fa", "/dashboard", "/admin/users", "/account/x"):
        assert visitor.get(path).headers.get("Cache-Control") == "no-store", path
    assert "no-store" not in visitor.get("/").headers.get("Cache-Control", "")
    assert "no-store" not in visitor.get("/glossary").headers.get("Cache-Control", "")
    assert visitor.get("/badges/de.svg").headers["Cache-Control"] == "public, max-age=60"


def _free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _ask(port: int, method: str, path: str, headers: dict[str, str], body: str = "") -> Any:
    import http.client

    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    connection.request(method, path, body=body or None, headers=headers)
    response = connection.getresponse()
    response.read()
    connection.close()
    return response


def test_gunicorn_names_no_server_and_believes_no_forwarded_scheme(
    desk, database_url: str, root: Path, tmp_path: Path
) -> None:
    """`translator serve` for real: no `Server: gunicorn`, and a client on 127.0.0.1 claiming
    HTTPS (X-Forwarded-Proto) gets no Secure cookie, as TRANSLATOR_PROXY_HOPS is 0."""
    import os
    import signal
    import subprocess
    import sys
    import time
    from urllib.parse import urlencode

    port = _free_port()
    environ = {k: v for k, v in os.environ.items() if not k.startswith("TRANSLATOR_")}
    environ.update(TRANSLATOR_INSTANCE_PATH=str(tmp_path / "instance"), FORWARDED_ALLOW_IPS="*")
    command = [sys.executable, "-m", "translator.cli", "--root", str(root)]
    command += ["--database", database_url, "serve", "--port", str(port), "--workers", "1"]
    log = tmp_path / "serve.log"
    with open(log, "wb") as output:
        server = subprocess.Popen(
            [*command, "--no-jobs"],
            env=environ,
            stdout=output,
            stderr=output,
            start_new_session=True,
        )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                health = _ask(port, "GET", "/healthz", {})
                break
            except OSError:
                assert server.poll() is None and time.monotonic() < deadline, log.read_text()
                time.sleep(0.2)
        assert health.status == 200 and health.getheader("Server") is None
        https = {"X-Forwarded-Proto": "https", "X-Forwarded-Ssl": "on"}
        form = _ask(port, "GET", "/login", https)
        assert form.getheader("Server") is None
        cookie = form.getheader("Set-Cookie")
        assert cookie.startswith("desk_form=") and "Secure" not in cookie, cookie
        # the token: show the form again with the cookie (the same token, reused while young)
        import http.client

        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        connection.request("GET", "/login", headers={**https, "Cookie": cookie.split(";")[0]})
        page = connection.getresponse().read().decode()
        connection.close()
        token = re.search(r'name="form_token" value="([^"]+)"', page)
        assert token, page
        signed = _ask(
            port,
            "POST",
            "/login",
            {
                **https,
                "Cookie": cookie.split(";")[0],
                "Content-Type": "application/x-www-form-urlencoded",
            },
            urlencode(
                {
                    "form_token": token.group(1),
                    "username": "kian",
                    "password": desk["passwords"]["kian"],
                }
            ),
        )
        assert signed.status == 302 and signed.getheader("Server") is None, signed.status
        session_cookie = signed.getheader("Set-Cookie")
        assert session_cookie.startswith("desk_session=") and "Secure" not in session_cookie
        assert signed.getheader("Location") == "/translate/"  # not https://...
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()
