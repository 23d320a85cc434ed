"""The interface's language on every request (the account's choice, else the browser's
Accept-Language, else English), the switcher, and numbers and dates written for that language.
Messages are said by translator/speaking.py, in the request's voice."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from babel import Locale, numbers
from babel.dates import format_datetime
from flask import Blueprint, Flask, current_app, g, has_request_context, redirect, request, url_for
from flask_babel import get_locale, get_translations
from markupsafe import Markup

from translator import languages, numerals, speaking
from translator.formats import editions
from translator.messages import Message
from translator.services import interface
from translator.speaking import native_digits as _native_digits
from translator.web import as_http, session
from translator.web.declared import public
from translator.web.security import safe_path

bp = Blueprint("interface", __name__)
COOKIE = "desk_language"  # the choice of a visitor who has not signed in (the sign-in page)


def init_app(app: Flask) -> None:
    app.extensions["babel"].locale_selector = select_locale  # Babel() is made unbound
    app.register_blueprint(bp)
    app.context_processor(_context)
    for function in (number, percent, day, moment, say):
        app.add_template_filter(function)
    # the templates' format writes numbers in the interface's digits (their gettext and
    # ngettext, escaping the translation, are web/i18n.py's)
    app.jinja_env.filters["format"] = _template_format


def select_locale() -> str:
    if not has_request_context():  # a template rendered by a command or a job: the default
        return str(current_app.config.get("BABEL_DEFAULT_LOCALE", "en"))
    user = g.get("user")
    chosen = user.interface_language if user is not None else ""
    if interface.known(chosen):
        return chosen
    cookie = request.cookies.get(COOKIE, "")
    if interface.known(cookie):
        return cookie
    best = interface.best_match(request.accept_languages)
    return best or str(current_app.config.get("BABEL_DEFAULT_LOCALE", "en"))


def current() -> str:
    return str(get_locale() or "en")


def _context() -> dict[str, Any]:
    code = current()
    direction = Locale.parse(code).text_direction
    return {
        "interface_lang": code,
        "interface_dir": direction,
        "arrow": "←" if direction == "rtl" else "→",  # "onwards" in the reading direction
        "interface_languages": [
            (c, languages.get(c).native_name) for c in interface.INTERFACE_LANGUAGES
        ],
    }


@bp.post("/interface-language")
@public
def choose() -> Any:
    """The switcher: the account keeps the choice; a visitor's browser keeps it in a cookie."""
    code = request.form.get("language", "")
    if not interface.known(code):
        code = ""
    user = g.get("user")
    if user is not None:
        with session() as s, as_http():
            interface.set_preference(s, user.id, code)
    response = redirect(safe_path(request.form.get("next"), url_for("documents.index")))
    response.set_cookie(COOKIE, code, samesite="Lax", secure=request.is_secure, max_age=31_536_000)
    return response


def number(value: float, digits: int = 0) -> str:
    """A number in the interface's digits and separators: ۱٬۲۳۴ in Farsi, 1.234 in German."""
    pattern = "#,##0" + ("." + "0" * digits if digits else "")
    code = current()
    text = numbers.format_decimal(value, format=pattern, locale=code, numbering_system="default")
    return _native_digits(text, code)


def percent(value: float) -> str:
    """A share given in percent (0-100), rounded to a whole percent: ۴۵٪, 45 %, %45."""
    code = current()
    text = numbers.format_percent(round(value) / 100, locale=code, numbering_system="default")
    return _native_digits(text, code)


def in_digits(text: str) -> str:
    """A text Babel formatted for the interface, its digits the interface language's."""
    return _native_digits(text, current())


def day(value: date | datetime) -> str:
    """A date for the interface; in Farsi the Solar Hijri date, the Gregorian beside it."""
    code = current()
    gregorian = editions.gregorian(value, code, "medium")
    if code != "fa":
        return gregorian
    year, month, dom = numerals.gregorian_to_jalali(value.year, value.month, value.day)
    solar = _native_digits(f"{dom} {numerals.PERSIAN_MONTHS[month - 1]} {year}", code)
    return f"{solar} ({_native_digits(gregorian, code)})"


def moment(value: datetime) -> str:
    """A date and a time (UTC) for the interface, Solar Hijri first in Farsi."""
    code = current()
    return f"{day(value)} {_native_digits(format_datetime(value, 'HH:mm', locale=code), code)}"


def voice() -> speaking.Voice:
    """The request's voice: the interface language and flask-babel's catalogue of it."""
    return speaking.Voice(current(), get_translations())


def with_digits(text: str, values: Mapping[str, Any]) -> str:
    """`text % values`, where the numbers are written in the interface language's digits
    (۱۲ in Farsi); strings (names, titles, hashes) are put in as they are."""
    return voice().with_digits(text, values)


def gettext(string: str, **values: Any) -> str:
    """flask-babel's gettext, numbers in the interface's digits."""
    return voice().gettext(string, **values)


def say(message: Message) -> str:
    """What a service said (a message id and its values), in the reader's language and digits:
    a view's `say(...)` and the templates' `|say` filter (speaking.Voice.say)."""
    return voice().say(message)


def told(error: Exception) -> str:
    """A service's refusal for a person: said in their language when it carries a message id,
    else its text."""
    said = getattr(error, "said", None)
    return say(said) if isinstance(said, Message) else str(error)


def ngettext(singular: str, plural: str, num: int, **values: Any) -> str:
    return voice().ngettext(singular, plural, num, **values)


def _template_format(value: Any, *args: Any, **values: Any) -> str:
    """Jinja's `format` filter, numbers given by name in the interface's digits."""
    if args:
        return str(value) % args
    if isinstance(value, Markup):
        return Markup(with_digits(str(value), _escape_values(values)))
    return with_digits(str(value), values)


def _escape_values(values: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v if isinstance(v, int | float) else Markup.escape(v) for k, v in values.items()}
