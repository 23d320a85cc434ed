"""The translators' workspace through HTTP: finding work, saving safely, review, history, memory."""

from __future__ import annotations

import html
import re
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, update

from tests.conftest import approve_edition, done_second_step, enrol, sign_in_fully
from translator import db
from translator.models import Role, State, Translation
from translator.services import accounts, catalogue_files, documents
from translator.services import extract as extraction


@pytest.fixture
def desk(app) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    with db.transaction(app.extensions["translator.sessions"]) as s:
        passwords = {
            "sahar": accounts.create_user(s, "sahar", Role.TRANSLATOR, "fa"),
            "reza": accounts.create_user(s, "reza", Role.REVIEWER, "fa"),
        }
    return {"app": app, "passwords": passwords}


def client_for(desk: dict[str, Any], name: str) -> Any:
    client = desk["app"].test_client()
    assert (
        client.post(
            "/login", data={"username": name, "password": desk["passwords"][name]}
        ).status_code
        == 302
    )
    return client


def open_unit(
    client: Any, slug: str = "press-release", state: str = "untranslated", index: int = 0
) -> tuple[str, str, str, str]:
    listing = client.get(f"/translate/fa/{slug}?state={state}").get_data(as_text=True)
    unit_id = re.findall(rf'/translate/fa/{slug}/(\d+)"', listing)[index]
    page = client.get(f"/translate/fa/{slug}/{unit_id}").get_data(as_text=True)
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    version = re.search(r'name="version" value="(\d+)"', page).group(1)
    return unit_id, csrf, version, page


def save(
    client: Any,
    unit_id: str,
    csrf: str,
    version: str,
    text: str,
    state: str = "translated",
    slug: str = "press-release",
) -> Any:
    return client.post(
        f"/translate/fa/{slug}/{unit_id}",
        data={"csrf_token": csrf, "version": version, "text": text, "state": state},
    )


def stored(desk: dict[str, Any], unit_id: str) -> Translation:
    with db.transaction(desk["app"].extensions["translator.sessions"]) as s:
        return s.scalars(
            select(Translation).where(
                Translation.unit_id == int(unit_id), Translation.language == "fa"
            )
        ).one()


def test_work_list_puts_urgent_alerts_first(desk) -> None:
    page = client_for(desk, "sahar").get("/translate/fa").get_data(as_text=True)
    titles = re.findall(r'<tr class="(urgent|)">', page)
    assert titles[0] == "urgent" and titles.count("urgent") >= 3
    assert titles.index("") > titles.index("urgent")


@pytest.mark.unfinished
def test_unit_list_filters_by_state_search_and_flags(desk) -> None:
    client = client_for(desk, "sahar")
    untranslated = client.get("/translate/fa/press-release?state=untranslated").get_data(
        as_text=True
    )
    assert 'class="badge state-0"' in untranslated and 'class="badge state-20"' not in untranslated
    found = client.get("/translate/fa/emergency-appeal?q=Chomsky").get_data(as_text=True)
    assert found.count('class="badge state-') == 1 and "Chomsky" in found
    assert "Next unit to do" in client.get("/translate/fa/press-release").get_data(as_text=True)


@pytest.mark.unfinished
def test_editor_carries_lang_dir_and_the_farsi_characters(desk) -> None:
    _, _, _, page = open_unit(client_for(desk, "sahar"))
    assert '<textarea name="text" id="translation" lang="fa" dir="rtl"' in page
    assert 'data-insert="&#x200C;"' in page and "ZWNJ" in page
    assert '<script src="/static/editor.js">' in page


def test_saving_keeps_zwnj_in_the_store_and_in_the_written_catalogue(desk, root: Path) -> None:
    client = client_for(desk, "sahar")
    unit_id, csrf, version, _ = open_unit(client, "palm-card", "translated", 1)
    text = "همه زندانیان سیاسی ایران را آزاد کنید — همین حالا! می‌خواهیم"
    assert save(client, unit_id, csrf, version, text, slug="palm-card").status_code == 302
    saved = stored(desk, unit_id)
    assert saved.text == text and "\u200c" in saved.text and saved.state == State.TRANSLATED
    with db.transaction(desk["app"].extensions["translator.sessions"]) as s:
        extraction.extract(s, root)
    assert "می\u200cخواهیم" in catalogue_files.catalogue_path(root, "fa", "palm-card").read_text()


def test_a_stale_save_shows_both_texts_and_overwrites_nothing(desk) -> None:
    first, second = client_for(desk, "sahar"), client_for(desk, "reza")
    unit_id, csrf1, version, _ = open_unit(first, "palm-card", "translated", 1)
    _, csrf2, _, _ = open_unit(second, "palm-card", "translated", 1)
    assert save(first, unit_id, csrf1, version, "متن اول", slug="palm-card").status_code == 302
    clash = save(second, unit_id, csrf2, version, "متن دوم", slug="palm-card")
    page = clash.get_data(as_text=True)
    assert clash.status_code == 409
    assert 'id="theirs">متن اول<' in page and 'id="yours">متن دوم<' in page
    assert stored(desk, unit_id).text == "متن اول"


@pytest.mark.unfinished
def test_around_this_unit_is_numbered_in_the_interface_s_digits(desk) -> None:
    client = client_for(desk, "sahar")
    _, csrf, _, english = open_unit(client, index=3)
    assert re.findall(r'<span class="index" aria-hidden="true">([^<]+)</span>', english) == [
        "1",
        "2",
        "3",
        "4",
        "5",
    ]
    client.post("/interface-language", data={"language": "fa", "csrf_token": csrf})
    _, _, _, farsi = open_unit(client, index=3)
    numbers = re.findall(r'<span class="index" aria-hidden="true">([^<]+)</span>', farsi)
    assert numbers == ["۱", "۲", "۳", "۴", "۵"]


def test_a_text_failing_an_error_check_is_kept_as_needs_editing(desk) -> None:
    client = client_for(desk, "sahar")
    listing = client.get("/translate/fa/emergency-appeal?q=15,000").get_data(as_text=True)
    unit_id = re.findall(r'/translate/fa/emergency-appeal/(\d+)"', listing)[0]
    page = client.get(f"/translate/fa/emergency-appeal/{unit_id}").get_data(as_text=True)
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    version = re.search(r'name="version" value="(\d+)"', page).group(1)
    response = save(client, unit_id, csrf, version, "متنی بدون هیچ رقمی", slug="emergency-appeal")
    assert response.status_code == 200 and "figures" in response.get_data(as_text=True)
    assert stored(desk, unit_id).state == State.NEEDS_EDITING
    assert stored(desk, unit_id).text == "متنی بدون هیچ رقمی"


def test_a_translator_cannot_approve_even_by_forging_the_form(desk) -> None:
    client = client_for(desk, "sahar")
    unit_id, csrf, version, page = open_unit(client, "palm-card", "translated", 1)
    assert 'value="approved"' not in page
    assert save(client, unit_id, csrf, version, "x", "approved", "palm-card").status_code == 403
    assert stored(desk, unit_id).state == State.TRANSLATED


def test_a_translator_cannot_work_in_another_language(desk) -> None:
    client = client_for(desk, "sahar")
    assert client.get("/translate/de").status_code == 403
    listing = client.get("/translate/fa/palm-card").get_data(as_text=True)
    unit_id = re.findall(r'/translate/fa/palm-card/(\d+)"', listing)[0]
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', listing)
    token = (
        csrf.group(1)
        if csrf
        else re.search(
            r'name="csrf_token" value="([^"]+)"',
            client.get(f"/translate/fa/palm-card/{unit_id}").get_data(as_text=True),
        ).group(1)
    )
    forged = client.post(
        f"/translate/de/palm-card/{unit_id}",
        data={"csrf_token": token, "version": "1", "text": "x", "state": "translated"},
    )
    assert forged.status_code == 403


def test_approved_units_are_changed_only_by_reviewers_others_suggest(desk) -> None:
    reviewer, translator = client_for(desk, "reza"), client_for(desk, "sahar")
    unit_id, csrf, version, _ = open_unit(reviewer, "palm-card", "translated", 1)
    assert (
        save(reviewer, unit_id, csrf, version, "تأییدشده", "approved", "palm-card").status_code
        == 302
    )
    _, csrf_t, version_t, page = open_unit(translator, "palm-card", "approved", 0)
    assert "only a reviewer changes it" in page
    assert (
        save(translator, unit_id, csrf_t, version_t, "تغییر", slug="palm-card").status_code == 403
    )
    translator.post(
        f"/translate/fa/palm-card/{unit_id}/suggest",
        data={"csrf_token": csrf_t, "text": "پیشنهاد من"},
    )
    page = reviewer.get(f"/translate/fa/palm-card/{unit_id}").get_data(as_text=True)
    assert "پیشنهاد من" in page and "Accept" in page
    suggestion = re.search(rf"/translate/fa/palm-card/{unit_id}/suggestions/(\d+)", page).group(1)
    current = re.search(r'name="version" value="(\d+)"', page).group(1)
    reviewer.post(
        f"/translate/fa/palm-card/{unit_id}/suggestions/{suggestion}",
        data={"csrf_token": csrf, "version": current, "decision": "accept"},
    )
    assert stored(desk, unit_id).text == "پیشنهاد من"
    assert stored(desk, unit_id).state == State.TRANSLATED


def test_history_lists_every_change_and_revert_is_a_new_change(desk) -> None:
    client = client_for(desk, "sahar")
    unit_id, csrf, version, _ = open_unit(client, "palm-card", "translated", 1)
    original = stored(desk, unit_id).text
    save(client, unit_id, csrf, version, "نسخهٔ دوم", slug="palm-card")
    page = client.get(f"/translate/fa/palm-card/{unit_id}").get_data(as_text=True)
    assert page.count('class="history-text"') == 2  # loaded, then edited
    change = re.findall(rf"/translate/fa/palm-card/{unit_id}/revert/(\d+)", page)[-1]
    current = re.search(r'name="version" value="(\d+)"', page).group(1)
    client.post(
        f"/translate/fa/palm-card/{unit_id}/revert/{change}",
        data={"csrf_token": csrf, "version": current},
    )
    assert stored(desk, unit_id).text == original
    page = client.get(f"/translate/fa/palm-card/{unit_id}").get_data(as_text=True)
    assert page.count('class="history-text"') == 3


@pytest.mark.unfinished
def test_a_question_for_the_editors_is_kept_with_the_unit(desk) -> None:
    client = client_for(desk, "sahar")
    unit_id, csrf, _, _ = open_unit(client)
    client.post(
        f"/translate/fa/press-release/{unit_id}/comment",
        data={"csrf_token": csrf, "text": "Is this the right date?", "question": "1"},
    )
    page = client.get(f"/translate/fa/press-release/{unit_id}").get_data(as_text=True)
    assert "Question for the editors: Is this the right date?" in re.sub(r"<[^>]+>", "", page)
    flagged = client.get("/translate/fa/press-release?only=comments").get_data(as_text=True)
    assert flagged.count('class="badge state-') == 1


def test_translation_memory_offers_similar_units_with_a_percentage(desk) -> None:
    client = client_for(desk, "sahar")
    listing = client.get("/translate/fa/palm-card").get_data(as_text=True)
    unit_id = re.findall(r'/translate/fa/palm-card/(\d+)"', listing)[0]
    page = client.get(f"/translate/fa/palm-card/{unit_id}").get_data(as_text=True)
    assert re.search(r'<span class="similarity">\d+%</span>', page)


@pytest.mark.unfinished
def test_markup_in_a_translation_is_shown_as_text_never_run(desk) -> None:
    client = client_for(desk, "sahar")
    unit_id, csrf, version, _ = open_unit(client)
    save(client, unit_id, csrf, version, "<script>alert(1)</script>")
    for path in (f"/translate/fa/press-release/{unit_id}", "/translate/fa/press-release"):
        page = client.get(path).get_data(as_text=True)
        assert "<script>alert(1)</script>" not in page
        # shown as text, escaped (its Latin runs isolated in the Farsi: <bdi>, nothing else)
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in re.sub(r"</?bdi>", "", page)


def test_offline_download_and_upload_with_conflicts_listed(desk) -> None:
    import io

    client = client_for(desk, "sahar")
    data = client.get("/translate/fa/palm-card/po").data
    assert data.startswith(b"# Persian translation")
    changed = data.replace("همین حالا اقدام کنید".encode(), "اکنون اقدام کنید".encode())
    listing = client.get("/translate/fa/palm-card").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', listing).group(1)
    page = client.post(
        "/translate/fa/palm-card/po",
        data={
            "csrf_token": token,
            "mode": "untranslated-only",
            "file": (io.BytesIO(changed), "card.po"),
        },
        content_type="multipart/form-data",
    )
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and "1 conflict<" in text
    assert "اکنون اقدام کنید" in text and "Take the file" in text
    assert 'id="upload-again"' in text  # the form again, for the next file
    broken = client.post(
        "/translate/fa/palm-card/po",
        data={"csrf_token": token, "file": (io.BytesIO(b'msgid "a"\nmsgstr "b'), "bad.po")},
        content_type="multipart/form-data",
    )
    said = broken.get_data(as_text=True).replace("\u2068", "").replace("\u2069", "")
    assert broken.status_code == 422 and "bad.po:2: unterminated" in said  # names isolated
    # in Farsi, the file's problem is said in Farsi, with its line in Persian digits
    client.post("/interface-language", data={"csrf_token": token, "language": "fa", "next": "/"})
    farsi = client.post(
        "/translate/fa/palm-card/po",
        data={"csrf_token": token, "file": (io.BytesIO(b'msgid "a"\nmsgstr "b'), "bad.po")},
        content_type="multipart/form-data",
    ).get_data(as_text=True)
    assert "سطر ۲: رشتهٔ ناتمام" in farsi and "unterminated" not in farsi


def test_an_upload_of_another_documents_file_is_refused_naming_it(desk) -> None:
    import io

    client = client_for(desk, "sahar")
    before = [(t.id, t.text) for _, t in units_of(desk, "palm-card")]
    press = client.get("/translate/fa/press-release/po").data
    token = csrf_of(client, "/translate/fa/palm-card")
    page = client.post(
        "/translate/fa/palm-card/po",
        data={"csrf_token": token, "file": (io.BytesIO(press), "press.fa.po")},
        content_type="multipart/form-data",
    )
    text = page.get_data(as_text=True)
    assert page.status_code == 422 and 'id="import-refused"' in text
    assert "did you mean \u2068press-release\u2069?" in text and 'id="import-report"' not in text
    assert 'id="upload-again"' in text
    assert [(t.id, t.text) for _, t in units_of(desk, "palm-card")] == before


def test_the_import_report_is_said_in_the_readers_digits_with_failing_checks(desk) -> None:
    import io

    client = client_for(desk, "sahar")
    data = client.get("/translate/fa/palm-card/po").data
    # a paragraph's figures (16 September 2022) left out: the figures check fails (an error)
    from translator.formats import po

    catalogue = po.read(data, "card.po")
    entry = next(e for e in catalogue.entries if "2022" in e.msgid)
    entry.msgstr = "مردم ایران به پا خاسته‌اند."
    without_figures = po.write(catalogue).encode()
    client.post("/interface-language", data={"language": "fa", "csrf_token": csrf_of(client)})
    page = client.post(
        "/translate/fa/palm-card/po",
        data={
            "csrf_token": csrf_of(client, "/translate/fa/palm-card"),
            "mode": "overwrite",
            "file": (io.BytesIO(without_figures), "card.po"),
        },
        content_type="multipart/form-data",
    )
    text = page.get_data(as_text=True)
    assert page.status_code == 200, text
    report = re.search(r'id="import-report">(.*?)</div>', text, re.S)
    assert report and "۱" in report.group(1) and "1" not in report.group(1)
    assert 'id="import-failing"' in text and "palm-card.md:" in text


def csrf_of(client: Any, path: str = "/") -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', client.get(path).get_data(as_text=True))
    assert found
    return found.group(1)


def test_a_reviewer_sends_a_translation_back_with_a_reason(desk) -> None:
    reviewer = client_for(desk, "reza")
    unit_id, csrf, version, page = open_unit(reviewer, "palm-card", "translated", 1)
    assert "Send back" in page
    reviewer.post(
        f"/translate/fa/palm-card/{unit_id}/send-back",
        data={"csrf_token": csrf, "version": version, "reason": "wrong tone"},
    )
    assert stored(desk, unit_id).state == State.NEEDS_EDITING
    assert "Sent back: wrong tone" in reviewer.get(f"/translate/fa/palm-card/{unit_id}").get_data(
        as_text=True
    )
    translator = client_for(desk, "sahar")
    _, csrf_t, version_t, _ = open_unit(translator, "palm-card", "needs-editing", 0)
    assert (
        translator.post(
            f"/translate/fa/palm-card/{unit_id}/send-back",
            data={"csrf_token": csrf_t, "version": version_t},
        ).status_code
        == 403
    )


def units_of(desk: dict[str, Any], slug: str, language: str = "fa") -> list[tuple[Any, Any]]:
    from translator.models import Document
    from translator.services import editing

    with db.transaction(desk["app"].extensions["translator.sessions"]) as s:
        document = s.scalars(select(Document).where(Document.slug == slug)).one()
        return editing.rows(s, document.id, language)


def token_for(desk: dict[str, Any], name: str, scopes: list[str]) -> dict[str, str]:
    from translator.services import tokens

    with db.transaction(desk["app"].extensions["translator.sessions"]) as s:
        return {"Authorization": f"Bearer {tokens.create(s, name, scopes)}"}


def test_the_editor_never_offers_a_unit_its_own_translation(desk) -> None:
    client = client_for(desk, "sahar")
    offered = 0
    for unit, _ in units_of(desk, "emergency-appeal"):
        page = client.get(f"/translate/fa/emergency-appeal/{unit.id}").get_data(as_text=True)
        sources = re.findall(r'class="use-memory" data-unit="(\d+)"', page)
        assert str(unit.id) not in sources and len(sources) <= 3
        offered += len(sources)
    assert offered  # the memory still offers the appeal plenty


def test_memory_endpoint_serves_what_the_editor_shows(desk) -> None:
    client = desk["app"].test_client()
    headers = token_for(desk, "sahar", ["read"])
    unit, _ = units_of(desk, "palm-card")[1]
    response = client.get(f"/api/v1/units/{unit.id}/memory/fa", headers=headers)
    assert response.status_code == 200
    for match in response.json:
        assert set(match) == {"source", "translation", "similarity", "document", "unit"}
        assert match["unit"] != unit.id and 60 <= match["similarity"] <= 100
    assert client.get("/api/v1/units/999999/memory/fa", headers=headers).status_code == 404
    assert client.get(f"/api/v1/units/{unit.id}/memory/xx", headers=headers).status_code == 404
    assert client.get(f"/api/v1/units/{unit.id}/memory/fa").status_code == 401


def test_glossary_terms_of_the_unit_are_insertable_with_notes_for_the_language(desk) -> None:
    client = client_for(desk, "sahar")
    listing = client.get("/translate/fa/emergency-appeal?q=Islamic Republic").get_data(as_text=True)
    unit_id = re.findall(r'/translate/fa/emergency-appeal/(\d+)"', listing)[0]
    page = client.get(f"/translate/fa/emergency-appeal/{unit_id}").get_data(as_text=True)
    assert 'class="insert-term" data-insert="جمهوری اسلامی"' in page
    assert "The Iranian state." in page and "German declines" not in page


def test_live_check_reports_failures_without_saving(desk) -> None:
    client = client_for(desk, "sahar")
    listing = client.get("/translate/fa/emergency-appeal?q=15,000").get_data(as_text=True)
    unit_id = re.findall(r'/translate/fa/emergency-appeal/(\d+)"', listing)[0]
    page = client.get(f"/translate/fa/emergency-appeal/{unit_id}").get_data(as_text=True)
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    before = stored(desk, unit_id)
    url = f"/translate/fa/emergency-appeal/{unit_id}/check"
    found = client.post(url, data={"csrf_token": csrf, "text": "بیش از ۱۴٬۰۰۰ نفر"}).json
    figures = [c for c in found["checks"] if c["check"] == "figures"]
    assert figures and "۱۵٬۰۰۰" in figures[0]["message"] and figures[0]["severity"] == "error"
    assert client.post(url, data={"text": "x"}).status_code == 400  # no CSRF token
    shown = client.post(
        url, data={"csrf_token": csrf, "text": "سازمان (IEC) و [این](https://a.org/)"}
    )
    assert shown.json["display"] == "سازمان (<bdi>IEC</bdi>) و [این](<bdi>https://a.org/</bdi>)"
    after = stored(desk, unit_id)
    assert (after.text, after.version) == (before.text, before.version)
    api = desk["app"].test_client()
    headers = token_for(desk, "sahar", ["read"])
    checked = api.post(
        f"/api/v1/units/{unit_id}/check/fa", json={"text": "بیش از 1۵,000 نفر"}, headers=headers
    ).json
    assert {c["check"] for c in checked["checks"]} >= {"digits"}
    refused = api.post(f"/api/v1/units/{unit_id}/check/fa", json={"text": 3}, headers=headers)
    assert refused.status_code == 422


@pytest.mark.unfinished
def test_english_saved_as_the_translation_is_an_error_not_a_translation(desk) -> None:
    client = client_for(desk, "sahar")
    unit_id, csrf, version, page = open_unit(client, "press-release", "untranslated")
    source = re.search(r'id="source">([^<]*)<', page).group(1)
    response = save(client, unit_id, csrf, version, source)
    assert response.status_code == 200 and "unchanged" in response.get_data(as_text=True)
    assert stored(desk, unit_id).state == State.NEEDS_EDITING


def test_save_stays_save_and_next_goes_on_approve_and_next_goes_to_the_next_unapproved(
    desk,
) -> None:
    client = client_for(desk, "reza")
    unit_id, csrf, version, page = open_unit(client, "palm-card", "translated", 0)
    text = stored(desk, unit_id).text
    stay = save(client, unit_id, csrf, version, text, slug="palm-card")
    assert stay.headers["Location"].endswith(f"/translate/fa/palm-card/{unit_id}")
    page = client.get(f"/translate/fa/palm-card/{unit_id}").get_data(as_text=True)
    version = re.search(r'name="version" value="(\d+)"', page).group(1)
    following = re.search(r'name="next_unapproved" value="(\d+)"', page).group(1)
    approved = client.post(
        f"/translate/fa/palm-card/{unit_id}",
        data={
            "csrf_token": csrf,
            "version": version,
            "text": text,
            "advance": "approve",
            "next_unapproved": following,
        },
    )
    assert approved.headers["Location"].endswith(f"/translate/fa/palm-card/{following}")
    assert stored(desk, unit_id).state == State.APPROVED
    rows = units_of(desk, "palm-card")
    position = [u.id for u, _ in rows].index(int(following))
    page = client.get(f"/translate/fa/palm-card/{following}").get_data(as_text=True)
    assert (
        f'id="previous" rel="prev" href="/translate/fa/palm-card/{rows[position - 1][0].id}"'
        in page
    )
    if position + 1 < len(rows):
        assert f'href="/translate/fa/palm-card/{rows[position + 1][0].id}"' in page


def test_bulk_approval_confirms_count_and_skips_with_reasons_then_approves(desk) -> None:
    client = client_for(desk, "reza")
    rows = units_of(desk, "palm-card")
    clean = [u.id for u, t in rows if t.state == State.TRANSLATED]
    untouched = [u.id for u, t in rows if t.state in (State.UNTRANSLATED, State.NEEDS_EDITING)]
    listing = client.get("/translate/fa/palm-card").get_data(as_text=True)
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', listing).group(1)
    assert 'id="approve-all"' in listing
    plan = client.post("/translate/fa/palm-card/approve", data={"csrf_token": csrf})
    page = plan.get_data(as_text=True)
    assert f"{len(clean)} clean translated units will be approved" in page
    assert all(stored(desk, str(u)).state != State.APPROVED for u in clean)  # nothing yet
    done = client.post("/translate/fa/palm-card/approve", data={"csrf_token": csrf, "confirm": "1"})
    assert f"{len(clean)} units approved" in done.get_data(as_text=True)
    assert all(stored(desk, str(u)).state == State.APPROVED for u in clean)
    assert all(stored(desk, str(u)).state != State.APPROVED for u in untouched)
    history = client.get(f"/translate/fa/palm-card/{clean[0]}").get_data(as_text=True)
    assert "<bdi>reza</bdi> · approved" in history
    translator = client_for(desk, "sahar")
    own = translator.get("/translate/fa/palm-card").get_data(as_text=True)
    assert 'id="approve-all"' not in own
    token = re.search(r'name="csrf_token" value="([^"]+)"', own).group(1)
    forged = translator.post("/translate/fa/palm-card/approve", data={"csrf_token": token})
    assert forged.status_code == 403


def test_bulk_approval_of_a_selection_skips_failing_checks_with_the_reason(desk) -> None:
    client = client_for(desk, "reza")
    unit_id, csrf, _, page = open_unit(client, "emergency-appeal", "translated", 0)
    source = re.search(r'id="source">([^<]*)<', page).group(1)
    with db.transaction(desk["app"].extensions["translator.sessions"]) as s:
        s.execute(  # the English, put there behind the checks' back (as an old import could)
            update(Translation)
            .where(Translation.unit_id == int(unit_id), Translation.language == "fa")
            .values(text=html.unescape(source))
        )
    plan = client.post(
        "/translate/fa/emergency-appeal/approve",
        data={"csrf_token": csrf, "state": "translated"},
    ).get_data(as_text=True)
    assert "an error-level check fails" in plan and "unchanged: the translation is the same" in plan
    assert f'href="/translate/fa/emergency-appeal/{unit_id}"' in plan


def test_api_approves_an_edition_in_bulk_and_lists_the_skipped(desk) -> None:
    client = desk["app"].test_client()
    rows = units_of(desk, "palm-card")
    clean = [u.id for u, t in rows if t.state == State.TRANSLATED]
    reader = token_for(desk, "reza", ["read"])
    url = "/api/v1/documents/palm-card/languages/fa/approve"
    assert client.post(url, headers=reader, json={}).status_code == 403
    reviewer = token_for(desk, "reza", ["read", "translate", "review"])
    done = client.post(url, headers=reviewer, json={"units": clean[:2]}).json
    assert done["approved"] == clean[:2] and done["skipped"] == []
    everything = client.post(url, headers=reviewer).json
    assert set(everything["approved"]) == set(clean[2:])
    assert {s["reason"] for s in everything["skipped"]} <= {"untranslated", "needs-editing"}
    assert client.post(url, headers=reviewer, json={"units": "all"}).status_code == 422
    translator = token_for(desk, "sahar", ["read", "translate", "review"])
    assert client.post(url, headers=translator).status_code == 403


def test_search_folds_turkish_i_and_persian_letters(desk) -> None:
    from translator.services import editing

    assert editing.fold("İRAN", "tr") == editing.fold("iran", "tr") == "iran"
    assert editing.fold("IŞIK", "tr") == "ışık"
    assert editing.fold("كتاب علي", "fa") == editing.fold("کتاب علی", "fa")
    assert editing.fold("می\u200cخواهیم", "fa") == editing.fold("میخواهیم", "fa")
    for query in ("iran", "İRAN", "IRAN", "Iran"):
        assert editing.matches(query, "Free Iran's prisoners", "", "tr"), query
    assert editing.matches("İRAN", "", "İran'daki tutsaklar", "tr")
    assert not editing.matches("ıran", "Free Iran's prisoners", "Serbest bırakın", "fr")


def test_unit_list_pages_and_sorts(desk) -> None:
    client = client_for(desk, "sahar")
    rows = units_of(desk, "emergency-appeal")
    first = client.get("/translate/fa/emergency-appeal").get_data(as_text=True)
    assert first.count('class="badge state-') == min(len(rows), 50)
    if len(rows) > 50:
        second = client.get("/translate/fa/emergency-appeal?page=2").get_data(as_text=True)
        assert second.count('class="badge state-') == len(rows) - 50
    by_state = client.get("/translate/fa/emergency-appeal?sort=state").get_data(as_text=True)
    states = [int(s) for s in re.findall(r'class="badge state-(\d+)"', by_state)]
    assert states == sorted(states)
    assert client.get("/translate/fa/emergency-appeal?page=x&sort=nonsense").status_code == 200


# First steps: the front page, invitations, joining, signing in, a publication's page.


def test_the_front_page_says_what_the_desk_is_and_how_to_join(desk) -> None:
    anonymous = desk["app"].test_client().get("/").get_data(as_text=True)
    assert "volunteers translate the texts" in anonymous and 'id="how-to-join"' in anonymous
    assert "invitation" in anonymous
    signed_in = client_for(desk, "sahar").get("/").get_data(as_text=True)
    assert 'id="how-to-join"' not in signed_in


def test_signing_in_lands_on_the_persons_own_work(desk) -> None:
    with db.transaction(desk["app"].extensions["translator.sessions"]) as s:
        desk["passwords"]["elif"] = accounts.create_user(s, "elif", Role.EDITOR)
    client = desk["app"].test_client()
    for name, place in (("sahar", "/translate/"), ("elif", "/dashboard")):
        answer = client.post("/login", data={"username": name, "password": desk["passwords"][name]})
        assert answer.headers["Location"] == place, name
    back = client.post(
        "/login?next=/glossary", data={"username": "sahar", "password": desk["passwords"]["sahar"]}
    )
    assert back.headers["Location"] == "/glossary"


def test_pending_invitations_are_listed_revocable_and_joining_is_confirmed(desk) -> None:
    with db.transaction(desk["app"].extensions["translator.sessions"]) as s:
        desk["passwords"]["elif"] = accounts.create_user(s, "elif", Role.EDITOR)
    enrol(desk["app"], "elif")  # editors administer with a second factor
    editor = desk["app"].test_client()
    sign_in_fully(editor, "elif", desk["passwords"]["elif"])
    page = editor.get("/admin/users").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    links = []
    for language in ("tr", "fr"):
        made = editor.post(
            "/admin/invitations",
            data={"csrf_token": token, "role": "translator", f"lang-{language}": "1"},
        ).get_data(as_text=True)
        links.append(re.search(r'<code id="invitation">http://[^/]+([^<]+)</code>', made).group(1))
    listing = editor.get("/admin/users").get_data(as_text=True)
    table = listing.split('id="pending-invitations"')[1].split("</table>")[0]
    assert table.count("<tr>") == 3 and ">tr<" in table and ">fr<" in table
    assert "translator" in table and "elif" in table
    revoke = re.findall(r'action="(/admin/invitations/\d+/revoke)"', listing)
    assert editor.post(revoke[0], data={"csrf_token": token}).status_code == 302  # the newest: fr
    newcomer = desk["app"].test_client()
    refused = newcomer.post(links[1], data={"username": "camille", "password": "x" * 12})
    assert refused.status_code == 422
    joined = newcomer.post(links[0], data={"username": "deniz", "password": "y" * 12})
    assert joined.headers["Location"] == "/translate/"  # signed in, at their own work
    assert newcomer.get("/translate/tr").status_code == 200
    after = editor.get("/admin/users").get_data(as_text=True)
    assert 'id="pending-invitations"' not in after  # one used, one revoked: none left
    translator = client_for(desk, "sahar")
    own = translator.get("/translate/fa").get_data(as_text=True)
    mine = re.search(r'name="csrf_token" value="([^"]+)"', own).group(1)
    assert translator.post(revoke[1], data={"csrf_token": mine}).status_code == 403


def test_a_publication_page_names_its_snapshot_who_and_when_and_links_back(desk) -> None:
    from translator.services import publications

    with db.transaction(desk["app"].extensions["translator.sessions"]) as s:
        desk["passwords"]["elif"] = accounts.create_user(s, "elif", Role.EDITOR)
        elif_ = accounts.by_username(s, "elif")
        approve_edition(s, elif_, "palm-card", "de")
        card = documents.by_slug(s, "palm-card")
        publication = publications.publish_edition(
            s, done_second_step(elif_), card, "de", Path(desk["app"].config["ROOT"])
        )
        number, publication_id = publication.number, publication.id
    page = client_for(desk, "elif").get(f"/publications/{publication_id}").get_data(as_text=True)
    bar = page.split('class="desk-bar"')[1].split("</header>")[0]
    assert f"Snapshot {number} of Deutsch, published by elif on" in re.sub(r"<[^>]+>", "", bar)
    assert 'href="/dashboard/documents/palm-card/de"' in bar
    assert f'href="/publications/{publication_id}.pdf"' in bar
    assert "/static/publication.css" in page and 'lang="de"' in page


def test_turkish_search_finds_the_same_units_whatever_the_case_of_i(desk) -> None:
    with db.transaction(desk["app"].extensions["translator.sessions"]) as s:
        desk["passwords"]["deniz"] = accounts.create_user(s, "deniz", Role.TRANSLATOR, "tr")
    client = client_for(desk, "deniz")
    counts = {
        query: client.get(f"/translate/tr/emergency-appeal?q={query}")
        .get_data(as_text=True)
        .count('class="badge state-')
        for query in ("İRAN", "iran", "Iran", "İran")
    }
    assert len(set(counts.values())) == 1 and counts["iran"] > 3, counts
