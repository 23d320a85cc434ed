"""The translators' workspace: work lists, the units of a document, and the editor."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, g, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from translator import languages, plurals
from translator.checks import Severity
from translator.models import (
    State,
)
from translator.services import accounts, editing, review
from translator.services import workspace as worklist
from translator.services.policy import Action
from translator.web import as_http, auth, document_or_404, session, target_language
from translator.web.declared import performs, signed_in
from translator.web.editor_text import form_fields, isolated, readable
from translator.web.interface import say, told
from translator.web.labels import label as label_of

bp = Blueprint("workspace", __name__, url_prefix="/translate")
STATES = worklist.STATES
ADVANCES = {"save": State.TRANSLATED, "approve": State.APPROVED}
PAGE_SIZE = 50
SORTS = {
    "order": _l("document order"),
    "state": _l("least done first"),
    "recent": _l("recently changed first"),
}
SKIP_REASONS = {
    "untranslated": _l("not translated yet"),
    "needs-editing": _l("needs editing"),
    "failing-checks": _l("an error-level check fails"),
    "two-person-rule": _l("two-person rule: you wrote this translation"),
    "conflict": _l("changed by someone else while approving"),
}


@bp.app_template_filter("grouped")
def grouped(events: list[Any]) -> list[review.EventGroup]:
    """The activity feed with runs of alike events together (a bulk approval is one line)."""
    return review.grouped(events)


def _language(code: str) -> languages.Language:
    """A language the person may work in (read its unreviewed text), or 403."""
    lang = target_language(code)
    if not accounts.can_see_drafts(g.user, code):
        abort(403)
    return lang


@bp.get("/")
@auth.login_required()
@signed_in
def home() -> Any:
    mine = sorted(accounts.languages_of(g.user), key=languages.TARGET_LANGUAGES.index)
    if len(mine) == 1:
        return redirect(url_for("workspace.language", code=mine[0]))
    return render_template("workspace_home.html", languages=[languages.get(c) for c in mine])


@bp.get("/<code>")
@auth.login_required()
@performs(Action.READ_UNREVIEWED)
def language(code: str) -> Any:
    lang = _language(code)
    with session() as s:
        work = worklist.language_work(s, code)
    return render_template(
        "workspace_language.html", lang=lang, documents=work.documents, rows=work.rows
    )


def _filter(form: Any) -> worklist.Filter:
    return worklist.Filter(
        state=form.get("state", ""), query=form.get("q", "").strip(), only=form.get("only", "")
    )


@bp.get("/<code>/<slug>")
@auth.login_required()
@performs(Action.READ_UNREVIEWED)
def units(code: str, slug: str) -> Any:
    lang = _language(code)
    wanted = _filter(request.args)
    sort = request.args.get("sort", "order") if request.args.get("sort") in SORTS else "order"
    with as_http(), session() as s:
        found = worklist.selection(s, slug, code, wanted, sort=sort)
    rows = found.rows
    pages = max(1, -(-len(rows) // PAGE_SIZE))
    page = min(max(1, _page_number(request.args.get("page"))), pages)
    return render_template(
        "workspace_units.html",
        lang=lang,
        document=found.document,
        units=rows[(page - 1) * PAGE_SIZE : page * PAGE_SIZE],
        total=len(rows),
        page=page,
        pages=pages,
        sort=sort,
        sorts=SORTS,
        flags=found.flags,
        state=wanted.state,
        q=wanted.query,
        only=wanted.only,
        next_id=worklist.next_to_do(worklist.order_of(rows)),
        can_review=accounts.can_review(g.user, code),
    )


def _page_number(value: str | None) -> int:
    return int(value) if value and value.isdigit() and len(value) < 7 else 1


@bp.get("/<code>/<slug>/<int:unit_id>")
@auth.login_required()
@performs(Action.READ_UNREVIEWED)
def editor(
    code: str,
    slug: str,
    unit_id: int,
    conflict: dict[str, Any] | None = None,
    failures: list[Any] | None = None,
    message: str = "",
) -> Any:
    lang = _language(code)
    with as_http(), session() as s:
        view = worklist.editor(s, slug, code, unit_id)
        unit, translation = view.unit, view.translation
        context = {
            **vars(view),
            "lang": lang,
            "conflict_diff": review.word_diff(conflict["text"], conflict["yours"])
            if conflict
            else [],
            "failures": failures if failures is not None else view.failures,
            "term_notes": _notes_for(code),
            "can_review": accounts.can_review(g.user, code),
            "conflict": conflict,
            "message": message,
            "display": isolated(translation.text) if lang.rtl and not unit.plural else None,
            "readable": lambda other, text, limit=None: readable(other, code, text, limit),
            "forms": form_fields(unit, code, conflict["yours"] if conflict else translation.text),
        }
    return render_template("editor.html", **context)


def _posted_forms(code: str) -> list[str] | None:
    """A plural unit's forms as the editor posts them (text_0, text_1, ...), or None."""
    if "text_0" not in request.form:
        return None
    return [request.form.get(f"text_{i}", "") for i in range(languages.get(code).nplurals)]


def _posted_text(code: str) -> str:
    """The text a form posted: `text`, or a plural unit's forms joined as the store keeps them."""
    forms = _posted_forms(code)
    return request.form.get("text", "") if forms is None else plurals.join(forms)


def _save(s: Any, user: Any, unit_id: int, code: str, version: int, state: State) -> Any:
    forms = _posted_forms(code)
    if forms is None:
        text = request.form.get("text", "")
        return editing.save(s, user, unit_id, code, text, version=version, state=state)
    return editing.save_forms(s, user, unit_id, code, forms, version=version, state=state)


def _act(code: str, slug: str, unit_id: int, action: Any) -> Any:
    """Run a save-like action; show the editor again with the conflict, or go on."""
    with as_http(), session() as s:
        result = action(s, s.merge(g.user, load=False))
        outcome = None
        if result is not None and result.conflict:
            outcome = {
                "text": result.translation.text,
                "version": result.translation.version,
                "state": State(result.translation.state).label,
                "yours": _posted_text(code),
            }
        failures = list(result.failures) if result is not None else []
    if outcome is not None:
        return editor(
            code,
            slug,
            unit_id,
            conflict=outcome,
            message=_(
                "Someone saved this unit while you were editing. Nothing was "
                "overwritten: choose which text to keep."
            ),
        ), 409
    if any(f.severity == Severity.ERROR for f in failures):
        return editor(
            code,
            slug,
            unit_id,
            failures=failures,
            message=_("Saved as needs editing: an error-level check fails."),
        ), 200
    return None


@bp.post("/<code>/<slug>/<int:unit_id>")
@auth.login_required()
@performs(Action.TRANSLATE, Action.APPROVE, Action.CHANGE_APPROVED)
def save(code: str, slug: str, unit_id: int) -> Any:
    _language(code)
    advance = ADVANCES.get(request.form.get("advance", ""))  # save, or approve, and next
    state = advance or STATES.get(request.form.get("state", "translated"), State.TRANSLATED)
    version = _int(request.form.get("version"))
    response = _act(
        code,
        slug,
        unit_id,
        lambda s, user: _save(s, user, unit_id, code, version, state),
    )
    if response is not None:
        return response
    field = "next_unapproved" if state == State.APPROVED else "next"
    following = request.form.get(field, "") if advance else ""
    if following.isdigit() and len(following) < 11:
        return redirect(url_for("workspace.editor", code=code, slug=slug, unit_id=int(following)))
    return redirect(url_for("workspace.editor", code=code, slug=slug, unit_id=unit_id))


@bp.post("/<code>/<slug>/<int:unit_id>/revert/<int:change_id>")
@auth.login_required()
@performs(Action.REVERT)
def revert(code: str, slug: str, unit_id: int, change_id: int) -> Any:
    _language(code)
    version = _int(request.form.get("version"))
    response = _act(
        code,
        slug,
        unit_id,
        lambda s, user: review.revert(s, user, unit_id, code, change_id=change_id, version=version),
    )
    return response or redirect(url_for("workspace.editor", code=code, slug=slug, unit_id=unit_id))


@bp.post("/<code>/<slug>/<int:unit_id>/suggest")
@auth.login_required()
@performs(Action.SUGGEST)
def suggest(code: str, slug: str, unit_id: int) -> Any:
    _language(code)
    with as_http(), session() as s:
        review.suggest(s, s.merge(g.user, load=False), unit_id, code, request.form.get("text", ""))
    return redirect(url_for("workspace.editor", code=code, slug=slug, unit_id=unit_id))


@bp.post("/<code>/<slug>/<int:unit_id>/suggestions/<int:suggestion_id>")
@auth.login_required()
@performs(Action.DECIDE_SUGGESTION)
def decide(code: str, slug: str, unit_id: int, suggestion_id: int) -> Any:
    _language(code)
    accept = request.form.get("decision") == "accept"
    version = _int(request.form.get("version"))
    response = _act(
        code,
        slug,
        unit_id,
        lambda s, user: review.decide(s, user, suggestion_id, accept=accept, version=version),
    )
    return response or redirect(url_for("workspace.editor", code=code, slug=slug, unit_id=unit_id))


@bp.post("/<code>/<slug>/<int:unit_id>/comment")
@auth.login_required()
@performs(Action.COMMENT)
def comment(code: str, slug: str, unit_id: int) -> Any:
    _language(code)
    with as_http(), session() as s:
        review.comment(
            s,
            s.merge(g.user, load=False),
            unit_id,
            code,
            request.form.get("text", ""),
            question=bool(request.form.get("question")),
        )
    return redirect(url_for("workspace.editor", code=code, slug=slug, unit_id=unit_id))


def _int(value: str | None) -> int:
    try:
        return int(value or "")
    except ValueError:
        abort(400, description=_("The form lost the version it was loaded with; reload it."))


@bp.get("/<code>/<slug>/po")
@auth.login_required()
@performs(Action.READ_UNREVIEWED)
def download_po(code: str, slug: str) -> Any:
    """The document's catalogue in this language, to translate offline."""
    from flask import Response

    from translator.formats import po
    from translator.services import writing

    _language(code)
    with session() as s:
        text = po.write(writing.catalogue_for(s, document_or_404(s, slug), code))
    return Response(
        text,
        mimetype="text/x-gettext-translation",
        headers={"Content-Disposition": f'attachment; filename="{slug}.{code}.po"'},
    )


@bp.post("/<code>/<slug>/po")
@auth.login_required()
@performs(Action.IMPORT)
def upload_po(code: str, slug: str) -> Any:
    """Bring offline work back: the import modes of the command line; conflicts listed."""
    from flask import current_app

    from translator.services import DeskError, importing

    lang = _language(code)
    upload = request.files.get("file")
    mode = request.form.get("mode", "untranslated-only")
    if upload is None or not upload.filename:
        abort(400, description=_("Choose a PO file."))
    try:
        with as_http(), session() as s:
            document = document_or_404(s, slug)
            report = importing.import_file(
                s,
                upload.read(),
                upload.filename,
                slug,
                code,
                mode=mode,
                who=s.merge(g.user, load=False),
                max_bytes=current_app.config["MAX_IMPORT_BYTES"],
            )
            versions = {u.source: t for u, t in editing.rows(s, document.id, code)}
            conflicts = [(c, versions[c.source]) for c in report.conflicts if c.source in versions]
    except importing.NotThisDocument as exc:  # another document's file: said as a message
        return render_template(
            "workspace_import.html", lang=lang, slug=slug, refusal=exc.said, report=None
        ), 422
    except DeskError as exc:  # a file that cannot be imported (refusals are HTTP already)
        return render_template(
            "workspace_import.html", lang=lang, slug=slug, error=told(exc), report=None
        ), 422
    return render_template(
        "workspace_import.html", lang=lang, slug=slug, report=report, conflicts=conflicts
    )


@bp.post("/<code>/<slug>/<int:unit_id>/send-back")
@auth.login_required()
@performs(Action.SEND_BACK)
def send_back(code: str, slug: str, unit_id: int) -> Any:
    """A reviewer returns a translation to needs-editing, saying why."""
    _language(code)
    reason = request.form.get("reason", "").strip()
    version = _int(request.form.get("version"))
    note = _("Sent back: %(reason)s", reason=reason or "—")

    def act(s: Any, user: Any) -> Any:
        return review.send_back(s, user, unit_id, code, reason=reason, version=version, note=note)

    response = _act(code, slug, unit_id, act)
    return response or redirect(url_for("workspace.editor", code=code, slug=slug, unit_id=unit_id))


def _notes_for(code: str) -> Any:
    """A glossary note as this language's translator reads it: a note may speak of one
    language ("de: ..."), shown only to that language's translators."""
    from translator.checks.glossary import note_for

    return lambda term: note_for(term, code)


@bp.post("/<code>/<slug>/<int:unit_id>/check")
@auth.login_required()
@performs(Action.CHECK_TEXT)
def check(code: str, slug: str, unit_id: int) -> Any:
    """The editor's live checks: the failures of the text being typed, as JSON; nothing saved."""
    lang = _language(code)
    text = _posted_text(code)
    with as_http(), session() as s:
        document_or_404(s, slug)
        found = editing.check(s, s.merge(g.user, load=False), unit_id, code, text)
    return jsonify(
        {
            # how the text reads with its Latin runs isolated (right-to-left languages)
            "display": isolated(text) if lang.rtl else None,
            "checks": [
                {
                    "check": f.check,
                    "label": str(label_of(f.check)),
                    "severity": f.severity.value,
                    "severity_label": str(label_of(f.severity.value)),
                    "code": f.said.code,
                    "message": say(f.said),  # in the reader's language and digits
                }
                for f in found
            ],
        }
    )


@bp.post("/<code>/<slug>/approve")
@auth.login_required()
@performs(Action.BULK_APPROVE)
def approve(code: str, slug: str) -> Any:
    """Review in bulk: first the confirmation (how many, and which are skipped and why), then,
    confirmed, every clean translated unit of the selection approved."""
    lang = _language(code)
    confirmed = request.form.get("confirm") == "1"
    with as_http(), session() as s:
        selected = worklist.selection(s, slug, code, _filter(request.form))
        document = selected.document
        ids = [unit.id for unit, _ in selected.rows]
        act = review.approve_all if confirmed else review.plan_approval
        outcome = act(s, s.merge(g.user, load=False), document.id, code, unit_ids=ids)
    return render_template(
        "workspace_approve.html",
        lang=lang,
        document=document,
        outcome=outcome,
        confirmed=confirmed,
        reasons=SKIP_REASONS,
        selection={key: request.form.get(key, "") for key in ("state", "q", "only")},
    )
