"""The editors' dashboard as services: figures kept by the database, the publication gate,
publishing and its snapshots, the two-person rule, urgency, activity and questions."""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET
from pathlib import Path

import pyotp
import pytest
from sqlalchemy import select, text, update
from sqlalchemy.orm import Session, sessionmaker

from tests.conftest import approve_edition, done_second_step
from translator import db
from translator.formats import charts
from translator.models import Document, Publication, Role, State, Translation, User
from translator.services import (
    accounts,
    activity,
    dashboard,
    editing,
    extract,
    gate,
    importing,
    policy,
    publications,
    questions,
    review,
    second_factor,
    stats,
)


def user(session: Session, name: str, role: Role, langs: str = "") -> User:
    accounts.create_user(session, name, role, langs)
    return session.scalars(select(User).where(User.username == name)).one()


def document(session: Session, slug: str) -> Document:
    return session.scalars(select(Document).where(Document.slug == slug)).one()


def cells(session: Session, root: Path | None = None) -> dict[tuple[str, str], dashboard.Cell]:
    return {
        (row.slug, code): cell
        for row in dashboard.matrix(session, root)
        for code, cell in row.cells.items()
    }


def assert_counts_match_the_translations(session: Session) -> None:
    """The trigger-kept figures equal a count over every translation."""
    found = cells(session)
    for row in stats.status(session):
        cell = found[(row.document, row.language)]
        assert (
            cell.units,
            cell.untranslated,
            cell.needs_editing,
            cell.translated,
            cell.approved,
            cell.words,
            cell.words_translated,
        ) == (
            row.total,
            row.untranslated,
            row.needs_editing,
            row.translated,
            row.approved,
            row.words_total,
            row.words_translated,
        ), (row.document, row.language)
    assert len(found) == len(stats.status(session))


def test_edition_counts_follow_every_kind_of_change(loaded: sessionmaker[Session], root: Path):
    with db.transaction(loaded) as s:
        assert_counts_match_the_translations(s)
        reviewer = user(s, "reza", Role.REVIEWER, "fa,de")
        approve_edition(s, reviewer, "palm-card", "de")
        unit, translation = editing.rows(s, document(s, "press-release").id, "fa")[0]
        editing.save(s, reviewer, unit.id, "fa", "یک ترجمه", version=translation.version)
        assert_counts_match_the_translations(s)
    card = root / "source_texts" / "palm-card.md"
    card.write_text(
        card.read_text().replace("**Donate** to the campaign.", "Give to the campaign now.")
        + "\nA brand new closing line for the card.\n"
    )
    with db.transaction(loaded) as s:
        extract.update_all(s, root)  # one unit changed (needs editing), one new
    with db.transaction(loaded) as s:
        assert_counts_match_the_translations(s)
        assert cells(s)[("palm-card", "de")].needs_editing == 1
        s.execute(update(Translation).where(Translation.language == "tr").values(state=20))
        s.execute(text("DELETE FROM translations WHERE language = 'pt' AND id % 3 = 0"))
        assert_counts_match_the_translations(s)


def test_an_edition_is_publishable_only_when_all_is_approved_and_clean(
    loaded: sessionmaker[Session], root: Path
) -> None:
    with db.transaction(loaded) as s:
        reviewer = user(s, "reza", Role.REVIEWER, "de")
        assert not cells(s, root)[("emergency-appeal", "de")].publishable
        approve_edition(s, reviewer, "emergency-appeal", "de")
        cell = cells(s, root)[("emergency-appeal", "de")]
        assert cell.publishable and cell.percent_approved == 100.0
        assert cell.words_percent_approved == 100.0
        assert gate.blockers(s, document(s, "emergency-appeal"), "de", root) == []


def test_a_dropped_figure_blocks_naming_the_figure_and_the_numbers(
    loaded: sessionmaker[Session], root: Path
) -> None:
    with db.transaction(loaded) as s:
        reviewer = user(s, "reza", Role.REVIEWER, "de")
        approve_edition(s, reviewer, "emergency-appeal", "de")
        appeal = document(s, "emergency-appeal")
        unit, translation = next(
            (u, t)
            for u, t in editing.rows(s, appeal.id, "de")
            if "1988" in u.source and "1988" in t.text
        )
        editing.save(
            s,
            reviewer,
            unit.id,
            "de",
            translation.text.replace("1988", "1998"),
            version=translation.version,
            state=State.APPROVED,
        )
        found = gate.blockers(s, appeal, "de", root)
        cell = cells(s, root)[("emergency-appeal", "de")]
    assert not cell.publishable and cell.needs_editing == 1 and cell.errors >= 1
    figures = [b for b in found if b.check == "figures"]
    assert figures and figures[0].unit == unit.id
    assert "figure 1988" in figures[0].message and "1998" in figures[0].message
    assert any(b.state == "needs-editing" and b.unit == unit.id for b in found)


def test_english_changed_on_disk_blocks_until_extracted(
    loaded: sessionmaker[Session], root: Path
) -> None:
    with db.transaction(loaded) as s:
        approve_edition(s, user(s, "reza", Role.REVIEWER, "de"), "emergency-appeal", "de")
    appeal = root / "source_texts" / "emergency-appeal.md"
    appeal.write_text(appeal.read_text() + "\nOne more sentence in English.\n")
    with db.transaction(loaded) as s:
        found = gate.blockers(s, document(s, "emergency-appeal"), "de", root)
        assert found[0].state == "source-changed" and found[0].unit is None
        assert "run translator extract" in found[0].message
        assert cells(s, root)[("emergency-appeal", "de")].source_changed


def test_approved_text_whose_english_changed_is_a_blocker(
    loaded: sessionmaker[Session], root: Path
) -> None:
    with db.transaction(loaded) as s:
        approve_edition(s, user(s, "reza", Role.REVIEWER, "de"), "emergency-appeal", "de")
        unit, translation = editing.rows(s, document(s, "emergency-appeal").id, "de")[3]
        translation.previous_source = "An older English sentence."
        found = gate.blockers(s, document(s, "emergency-appeal"), "de", root)
    assert [(b.unit, b.state) for b in found] == [(unit.id, "source-changed")]
    assert "changed since this was approved" in found[0].message


def test_publishing_freezes_a_snapshot_that_later_edits_leave_alone(
    loaded: sessionmaker[Session], root: Path
) -> None:
    with db.transaction(loaded) as s:
        reviewer = user(s, "reza", Role.REVIEWER, "de")
        editor = user(s, "elif", Role.EDITOR)
        approve_edition(s, reviewer, "emergency-appeal", "de")
        appeal = document(s, "emergency-appeal")
        first = publications.publish_edition(s, done_second_step(editor), appeal, "de", root)
        unit, translation = editing.rows(s, appeal.id, "de")[1]
        frozen_text = translation.text
        editing.save(
            s,
            reviewer,
            unit.id,
            "de",
            "Ein ganz neuer Satz.",
            version=translation.version,
            state=State.APPROVED,
        )
        published = publications.get(s, first.id)
        edition = publications.edition_of(s, published)
        second = publications.publish_edition(s, done_second_step(editor), appeal, "de", root)
    assert first.number == 1 and second.number == 2
    assert published.publisher == "elif" and first.source_sha256 == appeal.source_sha256
    snapshot = {entry["unit"]: entry for entry in first.units}
    assert snapshot[unit.id]["text"] == frozen_text
    assert frozen_text in edition.body and "Ein ganz neuer Satz." not in edition.body
    assert "Ein ganz neuer Satz." in second.markdown


def test_publishing_is_refused_while_blocked_and_to_non_editors(
    loaded: sessionmaker[Session], root: Path
) -> None:
    with db.transaction(loaded) as s:
        reviewer = user(s, "reza", Role.REVIEWER, "de")
        editor = user(s, "elif", Role.EDITOR)
        appeal = document(s, "emergency-appeal")
        with pytest.raises(gate.NotPublishable) as refused:
            publications.publish_edition(s, done_second_step(editor), appeal, "de", root)
        assert "not approved" in str(refused.value) and len(refused.value.blockers) == 53
        approve_edition(s, reviewer, "emergency-appeal", "de")
        with pytest.raises(editing.Forbidden):
            publications.publish_edition(s, reviewer, appeal, "de", root)
        assert s.scalar(select(Publication.id)) is None


def test_two_person_rule_stops_the_last_approver_publishing_alone(
    loaded: sessionmaker[Session], root: Path
) -> None:
    with db.transaction(loaded) as s:
        admin = user(s, "ayla", Role.ADMIN)
        first_editor = user(s, "elif", Role.EDITOR)
        second_editor = user(s, "omid", Role.EDITOR)
        appeal = document(s, "emergency-appeal")
        approve_edition(s, first_editor, "emergency-appeal", "de")  # editors review every language
        publications.set_two_person_rule(s, done_second_step(admin), True)
        with pytest.raises(editing.Forbidden, match="two-person rule"):
            publications.publish_edition(s, done_second_step(first_editor), appeal, "de", root)
        assert (
            publications.publish_edition(
                s, done_second_step(second_editor), appeal, "de", root
            ).number
            == 1
        )
        with pytest.raises(editing.Forbidden):
            publications.set_two_person_rule(s, done_second_step(first_editor), False)
        publications.set_two_person_rule(s, done_second_step(admin), False)
        assert (
            publications.publish_edition(
                s, done_second_step(first_editor), appeal, "de", root
            ).number
            == 2
        )


def test_an_editors_urgent_mark_stands_over_the_front_matter(
    loaded: sessionmaker[Session], root: Path
) -> None:
    deadline = dt.date(2026, 12, 1)
    with db.transaction(loaded) as s:
        editor = user(s, "elif", Role.EDITOR)
        translator = user(s, "sahar", Role.TRANSLATOR, "fa")
        faq = document(s, "faq")
        with pytest.raises(editing.Forbidden):
            publications.mark_urgent(s, translator, faq, deadline, True)
        with pytest.raises(editing.Invalid):
            publications.mark_urgent(s, done_second_step(editor), faq, None, True)
        publications.mark_urgent(s, done_second_step(editor), faq, deadline, True)
    with db.transaction(loaded) as s:
        extract.update_all(s, root)
    with db.transaction(loaded) as s:
        rows = dashboard.matrix(s, root)
        faq_row = next(r for r in rows if r.slug == "faq")
        assert faq_row.urgent and faq_row.deadline == deadline
        assert [r.urgent for r in rows] == sorted((r.urgent for r in rows), reverse=True)
        noon = dt.datetime(2026, 11, 30, 12, 0)
        assert faq_row.time_left(noon) == dt.timedelta(hours=36)


def test_rows_sort_and_filter(loaded: sessionmaker[Session], root: Path) -> None:
    with db.transaction(loaded) as s:
        approve_edition(s, user(s, "reza", Role.REVIEWER, "de"), "palm-card", "de")
        rows = dashboard.matrix(s, root)
        one = dashboard.row(s, document(s, "palm-card"), root)  # aggregated over one document
    assert one == next(r for r in rows if r.slug == "palm-card")
    by_title = dashboard.sort(rows, "title")
    assert [r.title.casefold() for r in by_title] == sorted(r.title.casefold() for r in rows)
    least_german = dashboard.sort(rows, "progress", "de")
    assert least_german[-1].slug == "palm-card"
    alerts = dashboard.select_rows(rows, kind="alert")
    assert alerts and {r.kind for r in alerts} == {"alert"}
    assert [r.slug for r in dashboard.select_rows(rows, query="PALM")] == ["palm-card"]
    blocked_in_german = dashboard.select_rows(rows, blocked_in="de")
    assert "palm-card" not in {r.slug for r in blocked_in_german}
    assert len(blocked_in_german) == len(rows) - 1
    assert all(r.urgent for r in dashboard.select_rows(rows, urgent=True))


def test_activity_feed_and_questions_come_from_the_history(
    loaded: sessionmaker[Session],
) -> None:
    with db.transaction(loaded) as s:
        reviewer = user(s, "reza", Role.REVIEWER, "fa")
        translator = user(s, "sahar", Role.TRANSLATOR, "fa")
        release = document(s, "press-release")
        unit, first = editing.rows(s, release.id, "fa")[0]
        editing.save(s, translator, unit.id, "fa", "متن نخست", version=first.version)
        title, translated = editing.rows(s, document(s, "emergency-appeal").id, "fa")[0]
        editing.save(
            s,
            reviewer,
            title.id,
            "fa",
            translated.text,
            version=translated.version,
            state=State.APPROVED,
        )
        question = review.comment(
            s, translator, unit.id, "fa", "Which date is meant?", question=True
        )
        days = activity.per_day(s, language="fa")
        feed = activity.feed(s, reviewer, language="fa")
        release_feed = activity.feed(s, reviewer, document_id=release.id)
        asked = questions.unanswered(s, reviewer, language="fa")
        with pytest.raises(editing.Forbidden):
            questions.resolve(s, user(s, "can", Role.TRANSLATOR, "tr"), question.id)
        questions.resolve(s, reviewer, question.id)
        assert questions.unanswered(s, reviewer) == []
    assert len(days) == 60 and days[-1].edits == 1 and days[-1].approvals == 1
    assert sum(d.edits + d.approvals for d in days[:-1]) == 0  # loading is not activity
    assert [(e.who, e.action) for e in feed] == [("reza", "approve"), ("sahar", "edit")]
    assert [(e.who, e.document) for e in release_feed] == [("sahar", "press-release")]
    assert [(q.who, q.text, q.document) for q in asked] == [
        ("sahar", "Which date is meant?", "press-release")
    ]


def test_people_are_named_only_in_the_languages_the_viewer_works_in(
    loaded: sessionmaker[Session], root: Path
) -> None:
    with db.transaction(loaded) as s:
        sahar = user(s, "sahar", Role.TRANSLATOR, "fa")
        reza = user(s, "reza", Role.REVIEWER, "de")
        can = user(s, "can", Role.TRANSLATOR, "tr")
        both = user(s, "both", Role.TRANSLATOR, "fa,de")
        elif_ = user(s, "elif", Role.EDITOR)
        appeal = document(s, "emergency-appeal")
        unit, first = editing.rows(s, appeal.id, "fa")[0]
        editing.save(s, sahar, unit.id, "fa", "متن نخست", version=first.version)
        review.comment(s, sahar, unit.id, "fa", "Which date?", question=True)
        approve_edition(s, reza, "emergency-appeal", "de")
        review.comment(s, reza, unit.id, "de", "Welches Datum?", question=True)
        secret = second_factor.begin(s, elif_)  # editors publish with a second factor
        second_factor.confirm(s, elif_, pyotp.TOTP(secret).now())
        publications.publish_edition(s, done_second_step(elif_), appeal, "de", root)
        seen = {
            viewer.username: (
                activity.feed(s, viewer, document_id=appeal.id, limit=500),
                questions.unanswered(s, viewer),
                dashboard.publications_seen_by(viewer, publications.publications(s, appeal.id)),
                activity.feed(s, viewer, language="de", limit=500),
            )
            for viewer in (sahar, reza, can, both, elif_)
        }

    def names(viewer: str) -> set[str | None]:
        feed, asked, published, german = seen[viewer]
        return (
            {e.who for e in feed + german}
            | {q.who for q in asked}
            | {p.publisher for p in published}
        )

    assert names("elif") == {"sahar", "reza", "elif"}
    assert names("both") == {"sahar", "reza", "elif"}
    assert names("sahar") == {"sahar", None, ""}  # German work: nobody named
    assert names("reza") == {"reza", None, "", "elif"}  # Farsi work: nobody named
    assert names("can") == {None, ""}  # works in neither: no name on the whole document
    feed, asked, published, german = seen["sahar"]
    assert {(e.language, e.role) for e in german} == {("de", "reviewer")}
    assert [(q.language, q.who, q.role) for q in asked] == [
        ("fa", "sahar", None),
        ("de", "", "reviewer"),
    ]
    assert [(p.publication.language, p.publisher) for p in published] == [("de", "")]
    assert "reza" not in repr(seen["sahar"]) and "elif" not in repr(seen["sahar"])
    assert "sahar" not in repr(seen["reza"]) and "sahar" not in repr(seen["can"])


def test_imports_count_as_activity_without_a_name(loaded: sessionmaker[Session]) -> None:
    with db.transaction(loaded) as s:
        release = document(s, "press-release")
        unit, _ = editing.rows(s, release.id, "tr")[0]
        data = (
            'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n\n'
            f'msgid "{unit.source}"\nmsgstr "Bir çeviri"\n'
        ).encode()
        importing.import_file(
            s, data, "tr.po", "press-release", "tr", mode="overwrite", who=policy.OPERATOR
        )
        feed = activity.feed(s, user(s, "can", Role.TRANSLATOR, "tr"), language="tr")
    assert [(e.who, e.action, e.state) for e in feed] == [(None, "import", "translated")]


def test_charts_are_well_formed_svg_with_escaped_text() -> None:
    days = [(dt.date(2026, 11, 1) + dt.timedelta(days=i), i % 3, i % 2) for i in range(30)]
    chart = ET.fromstring(charts.activity_svg(days, "Activity <fa>", ("edits", "approvals")))
    assert chart.tag.endswith("svg")
    assert chart.find("{http://www.w3.org/2000/svg}title").text == "Activity <fa>"
    bars = chart.findall(".//{http://www.w3.org/2000/svg}rect")
    assert len(bars) == sum(bool(e) + bool(a) for _, e, a in days) + 2  # + the legend
    badge = ET.fromstring(charts.badge_svg("فارسی & co", 42.4))
    assert badge.get("aria-label") == "فارسی & co: 42%"
    assert 'fill="#c0392b"' in charts.badge_svg("x", 42) and "#2f7d4a" in charts.badge_svg("x", 100)


SVG = "{http://www.w3.org/2000/svg}"


def _chart_texts(chart: ET.Element, kind: str) -> list[ET.Element]:
    return [t for t in chart.iter(f"{SVG}text") if t.get("class") == kind]


def test_a_right_to_left_chart_writes_the_reader_s_digits_and_gives_the_legend_room() -> None:
    days = [(dt.date(2026, 10, 1) + dt.timedelta(days=i), i % 9, i % 4) for i in range(60)]
    persian = str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")
    labels = ("ویرایش‌ها", "تأییدها")
    chart = ET.fromstring(
        charts.activity_svg(
            days,
            "فعالیت",
            labels,
            day_label=lambda day: f"{day.day} مهر".translate(persian),
            number=lambda n: str(n).translate(persian),
            direction="rtl",
        )
    )
    assert chart.get("direction") == "rtl"
    axis = [t.text for t in _chart_texts(chart, "axis")]
    assert axis == ["۱۱", "۰"]  # the busiest day (8 + 3) and zero, in Persian digits
    assert axis[0].translate(persian) == axis[0] and not any(c in "0123456789" for c in axis[0])
    # mirrored: the axis on the right, the first day rightmost, today leftmost
    bars = [r for r in chart.iter(f"{SVG}rect") if r.get("fill") == charts.EDIT_COLOUR]
    assert float(_chart_texts(chart, "axis")[0].get("x")) > float(bars[0].get("x"))
    day_bars = [
        float(g.find(f"{SVG}rect").get("x"))
        for g in chart.iter(f"{SVG}g")
        if g.get("class") == "day" and g.find(f"{SVG}rect") is not None
    ]
    assert day_bars == sorted(day_bars, reverse=True)
    # the legend: each swatch beside its word, never over it (a word starts past its swatch
    # on the reading side and the next swatch comes after the word, measured generously)
    legend = next(g for g in chart.iter(f"{SVG}g") if g.get("class") == "legend")
    swatches = [float(r.get("x")) for r in legend.iter(f"{SVG}rect")]
    words = [(float(t.get("x")), t.text) for t in legend.iter(f"{SVG}text")]
    assert [word for _, word in words] == list(labels)
    for swatch, (x, _word) in zip(swatches, words, strict=True):
        assert x <= swatch  # RTL: the word's start (its right end) left of its swatch
    assert swatches[1] + 10 <= words[0][0] - charts._text_width(labels[0])


def test_chart_dates_are_thinned_so_that_none_overlaps() -> None:
    days = [(dt.date(2026, 10, 1) + dt.timedelta(days=i), 1, 0) for i in range(60)]
    for direction in ("ltr", "rtl"):
        for label in (lambda d: d.isoformat(), lambda d: f"{d.day} septembre 2026"):
            chart = ET.fromstring(
                charts.activity_svg(days, "t", day_label=label, direction=direction)
            )
            spans = sorted(
                (
                    float(t.get("x")) - charts._text_width(t.text) / 2,
                    float(t.get("x")) + charts._text_width(t.text) / 2,
                )
                for t in _chart_texts(chart, "date")
            )
            assert len(spans) >= 3
            assert all(a[1] + 8 <= b[0] for a, b in zip(spans, spans[1:], strict=False))
            assert spans[0][0] >= 0 and spans[-1][1] <= 720
            # every n-th day, today's always
            texts = [t.text for t in _chart_texts(chart, "date")]
            assert label(days[-1][0]) in texts


def test_the_feed_counts_distinct_units_apart_from_changes() -> None:
    at = dt.datetime(2026, 11, 1)
    saves = [
        activity.Event(at, "sahar", "edit", "fa", "faq", unit, "translated")
        for unit in (45, 46, 45, 45, 46, 45, 46)
    ]
    (group,) = review.grouped(saves)
    assert group.count == 7 and group.units == (45, 46) and group.other_units == 1
    other = activity.Event(at, "reza", "approve", "fa", "faq", 47, "approved")
    assert [g.count for g in review.grouped([*saves[:2], other, saves[2]])] == [2, 1, 1]


def test_a_store_made_before_the_dashboard_is_upgraded_in_place(database_url: str) -> None:
    engine = db.make_engine(database_url)
    with engine.begin() as connection:
        connection.exec_driver_sql(
            "CREATE TABLE documents (id INTEGER PRIMARY KEY, slug VARCHAR(200) UNIQUE, "
            "kind VARCHAR(40), title TEXT, date DATE, priority VARCHAR(20), deadline DATE, "
            "source_sha256 VARCHAR(64))"
        )
        connection.exec_driver_sql(
            "INSERT INTO documents VALUES (1, 'faq', 'faq', 'FAQ', NULL, NULL, NULL, '')"
        )
    db.create_schema(engine)
    db.create_schema(engine)  # again: nothing left to do
    with db.transaction(db.session_factory(engine)) as s:
        faq = document(s, "faq")
        assert faq.created_at is not None and faq.urgency_set_by is None
        assert dashboard.matrix(s)[0].slug == "faq"
    engine.dispose()


def test_failing_checks_are_counted_from_init_and_after_extract(
    run, root: Path, database_url: str
) -> None:
    catalogue = root / "locales" / "de" / "LC_MESSAGES" / "emergency-appeal.po"
    text = catalogue.read_text()
    assert '"1988 wurden rund' in text
    catalogue.write_text(text.replace('"1988 wurden rund', '"1998 wurden rund'))
    run("init")
    engine = db.make_engine(database_url)
    with db.transaction(db.session_factory(engine)) as s:
        assert cells(s, root)[("emergency-appeal", "de")].errors == 1
        assert cells(s, root)[("emergency-appeal", "fr")].errors == 0
    appeal = root / "source_texts" / "emergency-appeal.md"
    appeal.write_text(appeal.read_text().replace("1988", "1989"))  # now every language fails
    run("extract")
    with db.transaction(db.session_factory(engine)) as s:
        assert cells(s, root)[("emergency-appeal", "fr")].needs_editing >= 1
        assert all(cells(s, root)[("emergency-appeal", c)].errors >= 1 for c in ("fr", "de"))
    engine.dispose()
