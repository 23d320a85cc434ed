"""The templates' gettext: an interface translation is text, never markup.

The interface's translations are written in the desk itself (the `desk-interface` document), so a
translation is as untrusted as any other text a volunteer types. Jinja's newstyle gettext, which
flask-babel installs, marks the translated string safe (`Markup(translation) % values`): a
translation holding `<meta http-equiv=refresh …>` would be a tag on the page. Here the translation
is escaped first and then formatted with escaped values, for `_()`, `gettext`, `ngettext`,
`pgettext`, `npgettext` and the `{% trans %}` blocks (which call the same names). Markup belongs
to the templates: around a message, or passed in as a value that is already `Markup`.

Numbers given by name are written in the interface language's digits, as `interface.gettext`
writes them (`%(count)d` is ۱۲ in Farsi).
"""

from __future__ import annotations

from collections.abc import Mapping
from numbers import Number
from typing import Any

from flask import Flask
from flask_babel import get_translations
from jinja2 import pass_context
from jinja2.runtime import Context
from markupsafe import Markup, escape

from translator.web.interface import with_digits


def init_app(app: Flask) -> None:
    """Install the escaping gettext functions in the app's templates (after flask-babel and the
    interface module have installed theirs)."""
    app.jinja_env.globals.update(
        _=gettext, gettext=gettext, ngettext=ngettext, pgettext=pgettext, npgettext=npgettext
    )


@pass_context
def gettext(context: Context, string: str, **values: Any) -> str:
    return formatted(context, get_translations().ugettext(string), values)


@pass_context
def ngettext(context: Context, singular: str, plural: str, num: int, **values: Any) -> str:
    values.setdefault("num", num)
    return formatted(context, get_translations().ungettext(singular, plural, num), values)


@pass_context
def pgettext(context: Context, message_context: str, string: str, **values: Any) -> str:
    return formatted(context, get_translations().upgettext(message_context, string), values)


@pass_context
def npgettext(
    context: Context, message_context: str, singular: str, plural: str, num: int, **values: Any
) -> str:
    values.setdefault("num", num)
    translated = get_translations().unpgettext(message_context, singular, plural, num)
    return formatted(context, translated, values)


def formatted(context: Context, translation: str, values: Mapping[str, Any]) -> str:
    """`translation % values` for a template: with autoescape, the translation escaped (`<`
    becomes `&lt;`), then the values escaped unless they are Markup already, the whole Markup."""
    if not context.eval_ctx.autoescape:
        return with_digits(str(translation), values)
    return Markup(with_digits(str(escape(translation)), _escaped_values(values)))


def _escaped_values(values: Mapping[str, Any]) -> dict[str, Any]:
    """Numbers stay numbers (for `%d` and the interface's digits); the rest is escaped text."""
    return {k: v if isinstance(v, Number) else escape(v) for k, v in values.items()}
