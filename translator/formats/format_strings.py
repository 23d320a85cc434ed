"""Format strings as GNU gettext reads them (its format-c.c, format-python.c and format-kde.c):
the arguments a string's directives ask for, where each directive lies, and whether a translation
asks for the same arguments as its msgid, as `msgfmt --check-format` and `msgmerge` compare them.

A string is parsed directive by directive; the first invalid one ends the parse, and the string is
then not a valid format string of its language (`Parsed.spec` is None), though the directives
found before it are still known (`Parsed.spans`), as GNU's writer knows them when it refuses to
break a line inside one. The languages parsed are those of `LANGUAGES`; a flag of another
language (`sh-format`, `qt-format`, ...) is neither checked nor protected from line breaks.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from types import MappingProxyType

Span = tuple[int, int]  # a directive's first character and the one after its last


@dataclass(frozen=True)
class Spec:
    """What a valid format string asks of its arguments: their types in order (C, Python's
    unnamed arguments, KDE's argument numbers) and, for Python, its named ones."""

    arguments: tuple[str, ...] = ()
    named: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))


@dataclass(frozen=True)
class Parsed:
    spec: Spec | None  # None: not a valid format string of the language
    spans: tuple[Span, ...]  # the directives read before the parse ended


class _Invalid(Exception):
    """The directive being read is not valid: the parse ends there."""


_DIGITS = re.compile(r"[0-9]*")
# <inttypes.h> macros: PRI, a conversion, a size (ISO C 99 7.8.1)
_C99_MACRO = re.compile(r"<PRI([diouxX])(MAX|PTR|(?:LEAST|FAST)?(?:8|16|32|64))>")


class _CParser:
    """C's printf directives (and Objective C's `%@`), as format-c-parse.h reads them."""

    def __init__(self, text: str, *, translated: bool, objc: bool) -> None:
        self.text, self.translated, self.objc = text, translated, objc
        self.at = 0
        self.numbered: list[tuple[int, str]] = []
        self.unnumbered: list[str] = []
        self.spans: list[Span] = []

    def parse(self) -> Parsed:
        text = self.text
        try:
            while (start := text.find("%", self.at)) >= 0:
                self.at = start + 1
                self.directive()  # leaves the position on the directive's last character
                self.at += 1
                self.spans.append((start, self.at))
        except _Invalid:
            return Parsed(None, tuple(self.spans))
        return Parsed(self.spec(), tuple(self.spans))

    def char(self) -> str:
        return self.text[self.at : self.at + 1]

    def number(self) -> int | None:
        """An argument number `m$` at the reading position, or None (nothing consumed)."""
        digits = _DIGITS.match(self.text, self.at)
        assert digits is not None
        end = digits.end()
        if end == self.at or self.text[end : end + 1] != "$":
            return None
        if int(digits.group()) == 0:
            raise _Invalid
        self.at = end + 1
        return int(digits.group())

    def directive(self) -> None:
        number = self.number()
        while self.char() and (self.char() in " +-#0'" or (self.translated and self.char() == "I")):
            self.at += 1
        self.width_or_precision()
        if self.char() == ".":
            self.at += 1
            self.width_or_precision()
        macro = _C99_MACRO.match(self.text, self.at)
        if macro is not None:
            self.at = macro.end() - 1
            kind = "int" if macro.group(1) in "di" else "unsigned"
            size = "j" if macro.group(2) == "MAX" else macro.group(2)  # intmax_t, as %jd
            self.argument(number, f"{kind}:{size}")
        elif self.char() == "<":
            raise _Invalid
        else:
            self.argument(number, self.conversion())

    def width_or_precision(self) -> None:
        if self.char() == "*":
            self.at += 1
            self.argument(self.number(), "int")
        else:
            self.at = len(self.text) - len(self.text[self.at :].lstrip("0123456789"))

    def conversion(self) -> str:
        """The type the directive's size and conversion ask for ("" for none, as `%%`)."""
        size = ""
        while (char := self.char()) and char in "hlLqjzZt":
            size = _C_SIZES[char](size)
            self.at += 1
        char = self.char()
        if char == "@" and self.objc:
            return "object"
        if not char or char not in _C_CONVERSIONS:
            raise _Invalid
        return _C_CONVERSIONS[char](size)

    def argument(self, number: int | None, kind: str) -> None:
        if not kind:
            return
        if number is None:
            if self.numbered:
                raise _Invalid  # numbered and unnumbered arguments are exclusive
            self.unnumbered.append(kind)
        else:
            if self.unnumbered:
                raise _Invalid
            self.numbered.append((number, kind))

    def spec(self) -> Spec | None:
        if not self.numbered:
            return Spec(tuple(self.unnumbered))
        types: dict[int, str] = {}
        for number, kind in self.numbered:
            if types.setdefault(number, kind) != kind:
                return None  # one argument used with two types
        if sorted(types) != list(range(1, len(types) + 1)):
            return None  # an argument left out before the highest one
        return Spec(tuple(types[number] for number in sorted(types)))


_C_SIZES: dict[str, Callable[[str], str]] = {
    "h": lambda size: "hh" if size in ("h", "hh") else "h",
    "l": lambda size: "ll" if size in ("l", "ll") else "l",
    "L": lambda size: "ll",
    "q": lambda size: "ll",
    "j": lambda size: "j",
    "z": lambda size: "z",
    "Z": lambda size: "z",
    "t": lambda size: "t",
}
_WIDE = ("l", "ll")
_C_CONVERSIONS: dict[str, Callable[[str], str]] = {
    "%": lambda size: "",
    "m": lambda size: "",
    "c": lambda size: "wide char" if size in _WIDE else "char",
    "s": lambda size: "wide string" if size in _WIDE else "string",
    "C": lambda size: "wide char",
    "S": lambda size: "wide string",
    "p": lambda size: "pointer",
    "n": lambda size: f"count:{size}",
    **dict.fromkeys("di", lambda size: f"int:{size}"),
    **dict.fromkeys("ouxX", lambda size: f"unsigned:{size}"),
    **dict.fromkeys("eEfFgGaA", lambda size: "double:ll" if size == "ll" else "double"),
}


def _parse_python(text: str) -> Parsed:
    """Python's `%` directives, named (`%(name)s`) or not, as format-python.c reads them."""
    named: dict[str, str] = {}
    unnamed: list[str] = []
    spans: list[Span] = []
    conflict = False  # a name used with two types: found after the parse, as GNU finds it
    at = 0
    while (start := text.find("%", at)) >= 0:
        found = _python_directive(text, start + 1)
        if found is None:
            return Parsed(None, tuple(spans))
        name, stars, kind, at = found
        if stars and (named or name is not None):
            return Parsed(None, tuple(spans))  # a mapping and a tuple are exclusive
        unnamed.extend(["int"] * stars)
        if name is not None:
            if unnamed:
                return Parsed(None, tuple(spans))
            conflict |= name in named and not _same_python_type(named[name], kind, strict=False)
            named[name] = kind if named.get(name, "any") == "any" else named[name]
        elif kind != "%":
            if named:
                return Parsed(None, tuple(spans))
            unnamed.append(kind)
        spans.append((start, at))
    if conflict:
        return Parsed(None, tuple(spans))
    return Parsed(Spec(tuple(unnamed), MappingProxyType(named)), tuple(spans))


_PYTHON_DIRECTIVE = re.compile(r"[-+ #0]*(\*|[0-9]*)(?:\.(\*|[0-9]*))?[hlL]?(.?)", re.S)
_PYTHON_TYPES = {"%": "%", "c": "char"} | dict.fromkeys("sr", "string")
_PYTHON_TYPES |= dict.fromkeys("iduoxX", "int") | dict.fromkeys("eEfgG", "float")


def _python_directive(text: str, at: int) -> tuple[str | None, int, str, int] | None:
    """The directive after a `%` at `at`: its name, how many `*` it has (each an argument), its
    type ("%" for `%%`, "any" for `%.0s`) and where it ends; None when it is not valid."""
    name = None
    if text[at : at + 1] == "(":
        end = _closing_parenthesis(text, at + 1)
        if end is None:
            return None
        name, at = text[at + 1 : end], end + 1
    match = _PYTHON_DIRECTIVE.match(text, at)
    assert match is not None
    width, precision, conversion = match.groups()
    if conversion not in _PYTHON_TYPES:
        return None
    kind = _PYTHON_TYPES[conversion]
    if kind == "string" and precision and precision != "*" and set(precision) == {"0"}:
        kind = "any"
    return name, [width, precision].count("*"), kind, match.end()


def _closing_parenthesis(text: str, at: int) -> int | None:
    """Where the parenthesis opened before `at` closes (nested ones count), or None."""
    depth = 0
    while (close := text.find(")", at)) >= 0:
        depth += text.count("(", at, close)
        if depth == 0:
            return close
        depth, at = depth - 1, close + 1
    return None


_KDE_DIRECTIVE = re.compile(r"%([1-9][0-9]*)")


def _parse_kde(text: str) -> Parsed:
    """KDE's `%1`, `%2`, ...: the numbers used must be 1..n, at most one of them left out."""
    found = list(_KDE_DIRECTIVE.finditer(text))
    numbers = sorted({int(match.group(1)) for match in found})
    gaps = [n for n in range(1, numbers[-1] + 1) if n not in numbers] if numbers else []
    spans = tuple(match.span() for match in found)
    if len(gaps) > 1:
        return Parsed(None, spans)
    return Parsed(Spec(tuple(map(str, numbers))), spans)


_PARSERS: dict[str, Callable[[str, bool], Parsed]] = {
    "c": lambda text, translated: _CParser(text, translated=translated, objc=False).parse(),
    "objc": lambda text, translated: _CParser(text, translated=translated, objc=True).parse(),
    "python": lambda text, translated: _parse_python(text),
    "kde": lambda text, translated: _parse_kde(text),
}
LANGUAGES = tuple(_PARSERS)  # the format flags (`c-format`, ...) whose strings are parsed


@lru_cache(maxsize=1 << 14)
def parse(language: str, text: str, *, translated: bool) -> Parsed:
    """A string read as a format string of `language` (one of LANGUAGES); `translated` for a
    msgstr, where C allows the flag `I`."""
    if "%" not in text:
        return Parsed(Spec(), ())
    return _PARSERS[language](text, translated)


def differs(language: str, source: Spec, translation: Spec, *, strict: bool) -> bool:
    """Whether a translation asks for other arguments than its msgid: strictly the same ones, or
    (`strict` False, a plural form used for few counts) possibly fewer, as GNU compares them."""
    if language == "python":
        return _python_differs(source, translation, strict=strict)
    if language == "kde":
        return _kde_differs(source.arguments, translation.arguments, strict=strict)
    ours, theirs = source.arguments, translation.arguments
    if len(ours) != len(theirs) if strict else len(ours) < len(theirs):
        return True
    return any(a != b for a, b in zip(ours, theirs, strict=False))


def _python_differs(source: Spec, translation: Spec, *, strict: bool) -> bool:
    if (source.named and translation.arguments) or (source.arguments and translation.named):
        return True  # a mapping where a tuple is expected, or the reverse
    if set(translation.named) - set(source.named):
        return True
    if strict and set(source.named) - set(translation.named):
        return True
    for name, kind in translation.named.items():
        if not _same_python_type(source.named[name], kind, strict=strict):
            return True
    if len(source.arguments) != len(translation.arguments):
        return True
    return any(
        not _same_python_type(a, b, strict=strict)
        for a, b in zip(source.arguments, translation.arguments, strict=True)
    )


def _same_python_type(first: str, second: str, *, strict: bool) -> bool:
    return first == second or (not strict and "any" in (first, second))


def _kde_differs(source: tuple[str, ...], translation: tuple[str, ...], *, strict: bool) -> bool:
    if set(translation) - set(source):
        return True
    missing = set(source) - set(translation)
    return bool(missing) if strict else len(missing) > 1
