"""The interface's language on every request (the account's choice, else the browser's
Accept-Language, else English), the switcher, and numbers and dates written for that language."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from babel import Locale, numbers
from babel.dates import format_date, format_datetime
from flask import Blueprint, Flask, current_app, g, redirect, request, url_for
from flask_babel import get_locale

from translator import languages, numerals
from translator.services import interface
from translator.web import as_http, session

bp = Blueprint("interface", __name__)
COOKIE = "desk_language"  # the choice of a visitor who has not signed in (the sign-in page)


def init_app(app: Flask) -> None:
    app.extensions["babel"].locale_selector = select_locale  # Babel() is made unbound
    app.register_blueprint(bp)
    app.context_processor(_context)
    for function in (number, percent, day, moment):
        app.add_template_filter(function)


def select_locale() -> str:
    user = g.get("user")
    chosen = user.interface_language if user is not None else ""
    if interface.known(chosen):
        return chosen
    cookie = request.cookies.get(COOKIE, "")
    if interface.known(cookie):
        return cookie
    best = request.accept_languages.best_match(interface.INTERFACE_LANGUAGES)
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
def choose() -> Any:
    """The switcher: the account keeps the choice; a visitor's browser keeps it in a cookie."""
    code = request.form.get("language", "")
    if not interface.known(code):
        code = ""
    user = g.get("user")
    if user is not None:
        with session() as s, as_http():
            interface.set_preference(s, user.id, code)
    target = request.form.get("next", "")
    safe = target.startswith("/") and not target.startswith("//") and "\\" not in target
    response = redirect(target if safe else url_for("documents.index"))
    response.set_cookie(COOKIE, code, samesite="Lax", secure=request.is_secure, max_age=31_536_000)
    return response


def number(value: float, digits: int = 0) -> str:
    """A number in the interface's digits and separators: ۱٬۲۳۴ in Farsi, 1.234 in German."""
    pattern = "#,##0" + ("." + "0" * digits if digits else "")
    return numbers.format_decimal(
        value, format=pattern, locale=current(), numbering_system="default"
    )


def percent(value: float) -> str:
    """A share given in percent (0-100), rounded to a whole percent: ۴۵٪, 45 %, %45."""
    return numbers.format_percent(round(value) / 100, locale=current(), numbering_system="default")


def day(value: date | datetime) -> str:
    """A date for the interface; in Farsi the Solar Hijri date, the Gregorian beside it."""
    code = current()
    gregorian = format_date(value, "medium", locale=code)
    if code != "fa":
        return gregorian
    year, month, dom = numerals.gregorian_to_jalali(value.year, value.month, value.day)
    digits = str.maketrans("0123456789", languages.get("fa").digits)
    solar = f"{dom} {numerals.PERSIAN_MONTHS[month - 1]} {year}".translate(digits)
    return f"{solar} ({gregorian})"


def moment(value: datetime) -> str:
    """A date and a time (UTC) for the interface, Solar Hijri first in Farsi."""
    code = current()
    time = format_datetime(value, "HH:mm", locale=code)
    if code == "fa":
        time = time.translate(str.maketrans("0123456789", languages.get("fa").digits))
    return f"{day(value)} {time}"
