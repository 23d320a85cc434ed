"""The translators' workspace through HTTP: finding work, saving safely, review, history, memory."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from translator import db
from translator.models import Role, State, Translation
from translator.services import accounts, sync


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


def test_unit_list_filters_by_state_search_and_flags(desk) -> None:
    client = client_for(desk, "sahar")
    untranslated = client.get("/translate/fa/press-release?state=untranslated").get_data(
        as_text=True
    )
    assert 'class="badge state-0"' in untranslated and 'class="badge state-20"' not in untranslated
    found = client.get("/translate/fa/emergency-appeal?q=Chomsky").get_data(as_text=True)
    assert found.count('class="badge state-') == 1 and "Chomsky" in found
    assert "Next unit to do" in client.get("/translate/fa/press-release").get_data(as_text=True)


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
        sync.extract(s, root)
    assert "می\u200cخواهیم" in sync.catalogue_path(root, "fa", "palm-card").read_text()


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


def test_a_question_for_the_editors_is_kept_with_the_unit(desk) -> None:
    client = client_for(desk, "sahar")
    unit_id, csrf, _, _ = open_unit(client)
    client.post(
        f"/translate/fa/press-release/{unit_id}/comment",
        data={"csrf_token": csrf, "text": "Is this the right date?", "question": "1"},
    )
    page = client.get(f"/translate/fa/press-release/{unit_id}").get_data(as_text=True)
    assert "Question for the editors:</strong> Is this the right date?" in page
    flagged = client.get("/translate/fa/press-release?only=comments").get_data(as_text=True)
    assert flagged.count('class="badge state-') == 1


def test_translation_memory_offers_similar_units_with_a_percentage(desk) -> None:
    client = client_for(desk, "sahar")
    listing = client.get("/translate/fa/palm-card").get_data(as_text=True)
    unit_id = re.findall(r'/translate/fa/palm-card/(\d+)"', listing)[0]
    page = client.get(f"/translate/fa/palm-card/{unit_id}").get_data(as_text=True)
    assert re.search(r'<span class="similarity">\d+%</span>', page)


def test_markup_in_a_translation_is_shown_as_text_never_run(desk) -> None:
    client = client_for(desk, "sahar")
    unit_id, csrf, version, _ = open_unit(client)
    save(client, unit_id, csrf, version, "<script>alert(1)</script>")
    for path in (f"/translate/fa/press-release/{unit_id}", "/translate/fa/press-release"):
        page = client.get(path).get_data(as_text=True)
        assert "<script>alert(1)</script>" not in page
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


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
    assert page.status_code == 200 and "1 conflicts" in text
    assert "اکنون اقدام کنید" in text and "Take the file" in text
    broken = client.post(
        "/translate/fa/palm-card/po",
        data={"csrf_token": token, "file": (io.BytesIO(b'msgid "a"\nmsgstr "b'), "bad.po")},
        content_type="multipart/form-data",
    )
    assert broken.status_code == 422 and "bad.po:2: unterminated" in broken.get_data(as_text=True)


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
