"""The editors' dashboard: the matrix of editions, per-language and per-document pages, the
publication gate and publishing, urgent marking, snapshots, and the public badges."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from babel import Locale
from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    g,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import format_date
from markupsafe import Markup

from translator import languages, numerals
from translator.formats import charts, editions
from translator.models import utcnow
from translator.services import (
    accounts,
    activity,
    dashboard,
    edition_files,
    gate,
    git_mirror,
    publications,
    questions,
)
from translator.services.policy import Action
from translator.services.stats import Blocker
from translator.web import (
    actor,
    as_http,
    auth,
    document_or_404,
    interface,
    jobs,
    session,
    target_language,
)
from translator.web.dashboard_cells import kept_cells, kept_rows
from translator.web.declared import performs, public, signed_in
from translator.web.interface import gettext as _  # numbers in the interface's digits
from translator.web.interface import in_digits, told
from translator.web.labels import language_name
from translator.web.public_pages import BADGE, kept
from translator.web.security import safe_path

bp = Blueprint("dashboard", __name__)


@bp.app_context_processor
def _figures() -> dict[str, Any]:
    """What the cells of a dashboard share, made once per page rather than once per cell. The
    labels keep their placeholders: the template fills them with Jinja's `format`."""
    if not (request.endpoint or "").startswith("dashboard."):
        return {}
    return {
        "empty_cell": dashboard.Cell(),
        "kept_cell": kept_cells(),  # a cell or a row rendered once per figures and language
        "kept_row": kept_rows(),
        "cell_urls": {
            "edition": url_for("dashboard.edition", slug="__slug__", code="__code__"),
            # the editor's list filtered to each kind of work left
            "untranslated": url_for(
                "workspace.units", code="__code__", slug="__slug__", state="untranslated"
            ),
            "editing": url_for(
                "workspace.units", code="__code__", slug="__slug__", state="needs-editing"
            ),
            "review": url_for(
                "workspace.units", code="__code__", slug="__slug__", state="translated"
            ),
            "errors": url_for("workspace.units", code="__code__", slug="__slug__", only="errors"),
        },
        "cell_labels": {
            "approved_by_units": _("approved, by units"),
            "translated": _("%(share).0f%% translated"),
            "words_title": _("share of the words approved, and translated"),
            "words": _("words: %(approved).0f%% appr., %(translated).0f%% tr."),
            "publishable": _("publishable"),
            "errors_title": _("failing error-level checks"),
            "source_changed": _("English changed"),
            "correction_due": _("correction due"),
            "correction_title": _(
                "published, but its English was corrected since: edit the "
                "changed units and publish again"
            ),
            "out_after": _("out %(after)s after creation"),
            "not_out": _("not out yet"),
            "untranslated_title": _("not translated yet"),
            "editing_title": _("needs editing"),
            "review_title": _("translated, waiting for approval"),
            "changed_title": _("approved, but the English changed since"),
        },
    }


@bp.app_template_filter("duration")
def duration(value: dt.timedelta) -> str:
    """A span as people say it: "2 d 5 h", "3 h 20 min", "12 min"."""
    minutes = max(int(value.total_seconds() // 60), 0)
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    if days:
        return _("%(d)d d %(h)d h", d=days, h=hours)
    if hours:
        return _("%(h)d h %(m)d min", h=hours, m=minutes)
    return _("%(m)d min", m=minutes)


def _root() -> Path:
    return Path(current_app.config["ROOT"])


def _chart(days: list[activity.Day], title: str) -> Markup:
    """The activity chart as the reader writes: their digits on the axis and in the dates, the
    chart mirrored in a right-to-left interface."""
    return Markup(
        charts.activity_svg(
            [(d.day, d.edits, d.approvals) for d in days],
            title,
            labels=(_("edits"), _("approvals")),
            day_label=_chart_day,
            number=interface.number,
            tip=lambda day, edits, approvals: _(
                "%(day)s: edits %(edits)d, approvals %(approvals)d",
                day=interface.day(day),
                edits=edits,
                approvals=approvals,
            ),
            direction=Locale.parse(interface.current()).text_direction,
        )
    )


def _chart_day(day: dt.date) -> str:
    """A date under the chart, short: day and month, in Farsi of the Solar Hijri calendar as
    every date of the interface (the tooltip gives the whole date, the Gregorian beside)."""
    if interface.current() == "fa":
        _year, month, dom = numerals.gregorian_to_jalali(day.year, day.month, day.day)
        return in_digits(f"{dom} {numerals.PERSIAN_MONTHS[month - 1]}")
    return in_digits(format_date(day, "d MMM"))


@bp.get("/dashboard")
@auth.login_required()
@signed_in
def index() -> Any:
    sort = request.args.get("sort", "urgency")
    language = request.args.get("lang") or None
    kind = request.args.get("kind") or None
    blocked = request.args.get("blocked") or None
    query = request.args.get("q", "").strip()
    urgent = request.args.get("urgent") == "1"
    if sort not in dashboard.SORTS:
        sort = "urgency"
    if language and language not in languages.TARGET_LANGUAGES:
        language = None
    with session() as s:
        rows = dashboard.matrix(s, _root())
        two_person = publications.two_person_rule(s)
        asked = questions.unanswered(s, g.user)
        mirror = git_mirror.trouble(s, actor(s))
    kinds = sorted({row.kind for row in rows})
    shown = dashboard.sort(
        dashboard.select_rows(rows, kind, query, blocked, urgent), sort, language
    )
    columns = [languages.get(language)] if language else languages.targets()
    return render_template(
        "dashboard.html",
        rows=shown,
        total_rows=len(rows),
        columns=columns,
        all_languages=languages.targets(),
        totals={c.code: dashboard.totals(rows, c.code) for c in languages.targets()},
        kinds=kinds,
        sorts=dashboard.SORTS,
        sort=sort,
        language=language,
        kind=kind,
        blocked=blocked,
        q=query,
        urgent=urgent,
        now=utcnow(),
        two_person=two_person,
        questions=asked,
        mirror_trouble=mirror,
    )


@bp.get("/dashboard/languages/<code>")
@auth.login_required()
@signed_in
def language(code: str) -> Any:
    lang = target_language(code)
    with session() as s:
        rows = dashboard.matrix(s, _root())
        days = activity.per_day(s, language=code)
        feed = activity.feed(s, g.user, language=code)
        asked = questions.unanswered(s, g.user, language=code)
    return render_template(
        "dashboard_language.html",
        lang=lang,
        rows=rows,
        total=dashboard.totals(rows, code),
        chart=_chart(
            days, _("Activity in %(language)s, last 60 days", language=language_name(lang.code))
        ),
        feed=feed,
        questions=asked,
        now=utcnow(),
    )


@bp.get("/dashboard/documents/<slug>")
@auth.login_required()
@signed_in
def document(slug: str) -> Any:
    with session() as s:
        found = document_or_404(s, slug)
        row = dashboard.row(s, found, _root())
        days = activity.per_day(s, document_id=found.id)
        feed = activity.feed(s, g.user, document_id=found.id)
        asked = questions.unanswered(s, g.user, document_id=found.id)
        published = dashboard.publications_seen_by(
            g.user, publications.publications(s, document_id=found.id)
        )
    return render_template(
        "dashboard_document.html",
        row=row,
        languages=languages.targets(),
        chart=_chart(days, _("Activity on %(title)s, last 60 days", title=row.title)),
        feed=feed,
        questions=asked,
        published=published,
        now=utcnow(),
        can_edit=accounts.is_editor(g.user),
    )


@bp.get("/dashboard/documents/<slug>/<code>")
@auth.login_required()
@signed_in
def edition(slug: str, code: str, message: str | None = None) -> Any:
    lang = target_language(code)
    with session() as s:
        found = document_or_404(s, slug)
        row = dashboard.row(s, found, _root())
        blockers = gate.blockers(s, found, code, _root())
        english = dashboard.english_of(s, (b.unit for b in blockers))
        published = dashboard.publications_seen_by(
            g.user, publications.publications(s, document_id=found.id, language=code)
        )
        two_person = publications.two_person_rule(s)
        last_approver = publications.last_approver(s, found, code) if two_person else None
    return render_template(
        "dashboard_edition.html",
        row=row,
        cell=row.cells.get(code, dashboard.Cell()),
        lang=lang,
        blockers=blockers,
        blocker_groups=_grouped_blockers(blockers, english),
        published=published,
        two_person=two_person,
        approved_last=last_approver is not None and last_approver == g.user.id,
        can_publish=accounts.is_editor(g.user),
        message=message,
        just_published=request.args.get("published", type=int),
        now=utcnow(),
    )


# The gate page's groups of blockers, what stops publishing outright first: failing checks, then
# English changed, then the units by how far they are from approval.
BLOCKER_KINDS = ("errors", "source-changed", "empty", "untranslated", "needs-editing", "translated")


@dataclass(frozen=True)
class GateLine:
    """A blocker as the gate page lists it: the blocker and the English of its unit."""

    blocker: Blocker
    english: str = ""


def _grouped_blockers(
    blockers: list[Blocker], english: dict[int, str]
) -> list[tuple[str, list[GateLine]]]:
    """Blockers by kind (a failing check is "errors", else the blocker's state), in the order
    of BLOCKER_KINDS (an unforeseen kind last), each group in the order the gate gave."""
    groups: dict[str, list[GateLine]] = {}
    for blocker in blockers:
        kind = "errors" if blocker.check else str(blocker.state)
        line = GateLine(blocker, english.get(blocker.unit, "") if blocker.unit else "")
        groups.setdefault(kind, []).append(line)
    rank = {kind: n for n, kind in enumerate(BLOCKER_KINDS)}
    return sorted(groups.items(), key=lambda item: rank.get(item[0], len(rank)))


@bp.post("/dashboard/documents/<slug>/<code>/publish")
@auth.login_required()
@performs(Action.PUBLISH)
def publish_edition(slug: str, code: str) -> Any:
    target_language(code)
    try:
        with as_http(), session() as s:
            publication = publications.publish_edition(
                s, s.merge(g.user, load=False), document_or_404(s, slug), code, _root()
            )
            number = publication.number
    except gate.NotPublishable as exc:
        return edition(slug, code, message=told(exc)), 409
    return redirect(url_for("dashboard.edition", slug=slug, code=code, published=number)), 303


@bp.post("/dashboard/documents/<slug>/urgency")
@auth.login_required()
@performs(Action.SET_URGENCY)
def urgency(slug: str) -> Any:
    urgent = request.form.get("urgent") == "1"
    raw = request.form.get("deadline", "").strip()
    try:
        deadline = dt.date.fromisoformat(raw) if raw else None
    except ValueError:
        abort(400, description=_("The deadline must be a date (YYYY-MM-DD)."))
    with as_http(), session() as s:
        publications.mark_urgent(
            s, s.merge(g.user, load=False), document_or_404(s, slug), deadline, urgent
        )
    return redirect(url_for("dashboard.document", slug=slug)), 303


@bp.post("/dashboard/settings")
@auth.login_required()
@performs(Action.CHANGE_SETTINGS)
def settings() -> Any:
    with as_http(), session() as s:
        publications.set_two_person_rule(
            s, s.merge(g.user, load=False), request.form.get("two_person_rule") == "on"
        )
    return redirect(url_for("dashboard.index")), 303


@bp.post("/dashboard/questions/<int:comment_id>/resolve")
@auth.login_required()
@performs(Action.RESOLVE_QUESTION)
def resolve(comment_id: int) -> Any:
    with as_http(), session() as s:
        questions.resolve(s, s.merge(g.user, load=False), comment_id)
    return redirect(safe_path(request.form.get("next"), url_for("dashboard.index"))), 303


def _frozen(publication_id: int) -> tuple[publications.Published, editions.Edition]:
    """A publication and its edition as frozen, or 404."""
    with as_http(), session() as s:
        published = publications.get(s, publication_id)
        return published, publications.edition_of(s, published)


@bp.get("/publications/<int:publication_id>")
@auth.login_required()
@signed_in
def snapshot(publication_id: int) -> Any:
    """A publication exactly as it went out, however the translations changed since, under
    the desk's own bar: which snapshot, who published it and when, and the way back."""
    published, frozen = _frozen(publication_id)
    assets = url_for("editions.asset", name="edition.css").rsplit("/", 1)[0]
    page = editions.render_html(replace(frozen, assets=assets))
    (seen,) = dashboard.publications_seen_by(g.user, [published])
    bar = render_template("_publication_bar.html", published=seen, edition=frozen)
    style = f'<link rel="stylesheet" href="{url_for("static", filename="publication.css")}">'
    return page.replace("</head>", f"{style}\n</head>", 1).replace("<body>", f"<body>\n{bar}", 1)


@bp.get("/publications/<int:publication_id>.pdf")
@auth.login_required()
@performs(Action.START_JOB)
def snapshot_pdf(publication_id: int) -> Any:
    """The snapshot as PDF, rendered by a job: 202 and a page that follows it, then the file."""
    _, frozen = _frozen(publication_id)
    key = edition_files.publication_key(frozen, publication_id)
    return jobs.file_or_job("publication", {"publication_id": publication_id}, key)


@bp.get("/publications/<int:publication_id>.png")
@auth.login_required()
@performs(Action.START_JOB)
def snapshot_png(publication_id: int) -> Any:
    """The snapshot's share image (an alert's or the palm card's; 404 for other documents),
    rendered by a job like its PDF."""
    _, frozen = _frozen(publication_id)
    try:
        edition_files.shareable(frozen, "png")
    except gate.NoEdition:
        abort(404)
    with session() as s:
        campaign = edition_files.campaign_name(s, frozen.language.code)
    key = edition_files.publication_key(frozen, publication_id, "png", campaign=campaign)
    params = {"publication_id": publication_id, "file_format": "png"}
    return jobs.file_or_job("publication", params, key)


@bp.get("/badges/<code>.svg")
@public
@kept(BADGE)
def language_badge(code: str) -> Response:
    """The approved share of a language over every document, for the campaign's pages."""
    lang = target_language(code)
    with session() as s:
        total = dashboard.totals(dashboard.matrix(s), code)
    return _svg(charts.badge_svg(lang.native_name, total.percent_approved))


@bp.get("/badges/<slug>/<code>.svg")
@public
@kept(BADGE)
def document_badge(slug: str, code: str) -> Response:
    lang = target_language(code)
    with session() as s:
        row = dashboard.row(s, document_or_404(s, slug))
    return _svg(
        charts.badge_svg(lang.native_name, row.cells.get(code, dashboard.Cell()).percent_approved)
    )


def _svg(markup: str) -> Response:
    return Response(markup, mimetype="image/svg+xml")
