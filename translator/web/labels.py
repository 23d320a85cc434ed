"""What the interface calls the desk's codes (document kinds, block types, states, history
actions, roles, scopes, checks): translatable names; the codes stay as they are in the store,
the files and the API."""

from __future__ import annotations

from babel import Locale
from flask import Flask
from flask_babel import LazyString, get_locale
from flask_babel import lazy_gettext as _l

LABELS: dict[str, LazyString] = {
    # document kinds
    "appeal": _l("appeal"),
    "alert": _l("alert"),
    "press-release": _l("press release"),
    "faq": _l("FAQ"),
    "palm-card": _l("palm card"),
    "strings": _l("interface strings"),
    # unit types
    "title": _l("title"),
    "heading": _l("heading"),
    "paragraph": _l("paragraph"),
    "list-item": _l("list item"),
    "quote": _l("quote"),
    "table-cell": _l("table cell"),
    "string": _l("string"),
    # translation states
    "untranslated": _l("untranslated"),
    "needs-editing": _l("needs editing"),
    "translated": _l("translated"),
    "approved": _l("approved"),
    # history actions
    "load": _l("loaded"),
    "edit": _l("edited"),
    "approve": _l("approved"),
    "import": _l("imported"),
    "source-changed": _l("the English changed"),
    "fuzzy-match": _l("taken from similar English"),
    # roles and token scopes
    "translator": _l("translator"),
    "reviewer": _l("reviewer"),
    "editor": _l("editor"),
    "admin": _l("admin"),
    "read": _l("read"),
    "translate": _l("translate"),
    "review": _l("review"),
    # checks and their severities
    "error": _l("error"),
    "warning": _l("warning"),
    "figures": _l("figures"),
    "markup": _l("markup"),
    "urls": _l("URLs"),
    "placeholders": _l("placeholders"),
    "glossary": _l("glossary"),
    "punctuation": _l("punctuation"),
    "spacing": _l("spacing"),
    "unchanged": _l("unchanged"),
    "length": _l("length"),
    "plurals": _l("plural forms"),
    # glossary entries
    "person": _l("person"),
    "place": _l("place"),
    "prison": _l("prison"),
    "institution": _l("institution"),
    "organisation": _l("organisation"),
    "slogan": _l("slogan"),
    "term": _l("term"),
}


def init_app(app: Flask) -> None:
    app.add_template_filter(label)
    app.add_template_filter(language_name)


def label(code: object) -> str:
    """The interface's name for a code, in the current language; an unknown code as it is."""
    found = LABELS.get(str(code))
    return str(found) if found is not None else str(code)


def language_name(code: str) -> str:
    """A language's name in the interface's language, from CLDR."""
    return Locale.parse(code).get_display_name(get_locale()) or code
