"""Gettext plural expressions: written from CLDR's rules, read and evaluated without Python's eval.

`from_cldr` turns a CLDR plural rule (Babel's `PluralRule`) into the `Plural-Forms` value a person
can read and GNU tools accept, for integer counts, which is what gettext counts. It is written here,
rather than taken from Babel's `to_gettext`, because that function's output is nested parentheses
with constant sub-expressions (`0 == 0`) and changed between Babel releases; ours depends only on
the rule. For integers the CLDR operands are: `n` = `i` = the count, `v` = `w` = `f` = `t` = `c` =
`e` = 0, so every relation on those folds to true or false before anything is written.

`parse` reads a `Plural-Forms` value (as found in a PO file) into a `PluralForms` whose `index(n)`
evaluates the expression with C's unsigned arithmetic, as gettext does. It refuses, with a
message, anything that is not a gettext plural expression.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from babel.plural import PluralRule

# Babel's (and Weblate's) order of CLDR categories, which is also gettext's order of msgstr[n].
CATEGORY_ORDER = ("zero", "one", "two", "few", "many", "other")
_COUNT_OPERANDS = frozenset({"n", "i"})
_ZERO_OPERANDS = frozenset({"v", "w", "f", "t", "c", "e"})
_ULONG = 2**64


class PluralFormsError(ValueError):
    """A Plural-Forms value that is not a gettext plural expression, or one that cannot be used."""


# --- writing: CLDR rule -> C expression -----------------------------------------------------

# An expression under construction: a constant truth, or C text with its precedence
# (1 `||`, 2 `&&`, 3 a comparison), so that parentheses are written only where needed.
_Node = bool | tuple[str, int]


def categories(rule: PluralRule) -> tuple[str, ...]:
    """The rule's categories in gettext's order of forms (`other` always last)."""
    return tuple(tag for tag in CATEGORY_ORDER if tag in rule.tags or tag == "other")


def from_cldr(rule: PluralRule) -> str:
    """The `Plural-Forms` header value for a CLDR rule, e.g. for French
    `nplurals=3; plural=(n == 0 || n == 1) ? 0 : n != 0 && n % 1000000 == 0 ? 1 : 2;`."""
    tags = categories(rule)
    conditions = dict(rule.abstract)
    expression = str(tags.index("other"))
    for index in reversed(range(len(tags))):
        tag = tags[index]
        if tag == "other":
            continue
        condition = _compile(conditions[tag])
        if condition is True:
            expression = str(index)
        elif condition is not False:
            text, precedence = condition
            expression = f"{_wrap(text, precedence > 1)} ? {index} : {expression}"
    return f"nplurals={len(tags)}; plural={expression};"


def _wrap(text: str, bare: bool) -> str:
    return text if bare else f"({text})"


def _compile(node: Any) -> _Node:
    kind, args = node
    if kind == "or":
        return _or(_compile(args[0]), _compile(args[1]))
    if kind == "and":
        return _and(_compile(args[0]), _compile(args[1]))
    if kind == "not":
        return _not(args[0])
    if kind == "relation":
        return _relation(*args, negated=False)
    raise PluralFormsError(f"unknown CLDR rule node {kind!r}")


def _or(left: _Node, right: _Node) -> _Node:
    if left is True or right is True:
        return True
    if left is False:
        return right
    if right is False:
        return left
    return (f"{_operand(left, 1)} || {_operand(right, 1)}", 1)


def _and(left: _Node, right: _Node) -> _Node:
    if left is False or right is False:
        return False
    if left is True:
        return right
    if right is True:
        return left
    return (f"{_operand(left, 2)} && {_operand(right, 2)}", 2)


def _operand(node: _Node, parent: int) -> str:
    assert not isinstance(node, bool)
    text, precedence = node
    # `a && b || c` is valid C, but GCC and readers both prefer the parentheses.
    return f"({text})" if precedence < parent or (parent == 1 and precedence == 2) else text


def _not(node: Any) -> _Node:
    kind, args = node
    if kind == "relation":
        return _relation(*args, negated=True)
    inner = _compile(node)
    if isinstance(inner, bool):
        return not inner
    return (f"!({inner[0]})", 3)


def _relation(method: str, expression: Any, ranges: Any, *, negated: bool) -> _Node:
    """`x in a..b, c` (or `within`, the same for integers) as C comparisons."""
    bounds = [(low[1][0], high[1][0]) for low, high in ranges[1]]
    subject = _subject(expression)
    if isinstance(subject, int):
        inside = any(low <= subject <= high for low, high in bounds)
        return inside != negated
    parts = [_range(subject, low, high, negated) for low, high in bounds]
    if len(parts) == 1:
        return parts[0]
    if negated:
        return (" && ".join(_operand(part, 2) for part in parts), 2)
    return (" || ".join(_operand(part, 1) for part in parts), 1)


def _range(subject: str, low: int, high: int, negated: bool) -> tuple[str, int]:
    if low == high:
        return (f"{subject} {'!=' if negated else '=='} {low}", 3)
    if high == low + 1:
        if negated:
            return (f"{subject} != {low} && {subject} != {high}", 2)
        return (f"{subject} == {low} || {subject} == {high}", 1)
    if negated:
        return (f"{subject} < {low} || {subject} > {high}", 1)
    return (f"{subject} >= {low} && {subject} <= {high}", 2)


def _subject(expression: Any) -> str | int:
    kind, args = expression
    if kind == "mod":
        operand = _subject(args[0])
        divisor = args[1][1][0]
        return operand % divisor if isinstance(operand, int) else f"{operand} % {divisor}"
    if kind in _COUNT_OPERANDS:
        return "n"
    if kind in _ZERO_OPERANDS:
        return 0
    raise PluralFormsError(f"unknown CLDR operand {kind!r}")


# --- reading: Plural-Forms value -> evaluator ------------------------------------------------

_HEADER = re.compile(r"^\s*nplurals\s*=\s*(\d+)\s*;\s*plural\s*=\s*(.*?)\s*;?\s*$", re.S)
_TOKEN = re.compile(r"\s*(?:(\d+)|(n)|(\|\||&&|==|!=|<=|>=|[-+*/%<>!?:()]))")
_BINARY = {  # C precedence, lowest first
    "||": 1, "&&": 2, "==": 3, "!=": 3, "<": 4, ">": 4, "<=": 4, ">=": 4,
    "+": 5, "-": 5, "*": 6, "/": 6, "%": 6,
}  # fmt: skip
_Eval = Callable[[int], int]


@dataclass(frozen=True)
class PluralForms:
    """A parsed `Plural-Forms` value: the number of forms and the expression choosing one."""

    nplurals: int
    expression: str
    _evaluate: _Eval

    def index(self, n: int) -> int:
        """The form (msgstr[index]) gettext uses for the count n."""
        return self._evaluate(n % _ULONG)


def parse(value: str) -> PluralForms:
    """Reads `nplurals=N; plural=EXPR;`. Raises PluralFormsError for anything else, for an
    expression that can divide by zero, or one that gives an index outside 0..N-1."""
    match = _HEADER.match(value)
    if not match:
        raise PluralFormsError("Plural-Forms must read 'nplurals=N; plural=EXPRESSION;'")
    nplurals, expression = int(match.group(1)), match.group(2)
    if not 1 <= nplurals <= 100:
        raise PluralFormsError(f"nplurals={nplurals} is out of range")
    evaluate = _Parser(expression).parse()
    forms = PluralForms(nplurals, expression, evaluate)
    _check_range(forms)
    return forms


def _check_range(forms: PluralForms) -> None:
    for n in (*range(0, 1001), 1_000_000, 10**9, 2**32 - 1):
        try:
            index = forms.index(n)
        except ZeroDivisionError:
            raise PluralFormsError(f"the plural expression divides by zero (for n = {n})") from None
        if not 0 <= index < forms.nplurals:
            raise PluralFormsError(
                f"the plural expression gives form {index} for n = {n}, "
                f"but nplurals is {forms.nplurals}"
            )


class _Parser:
    """Recursive descent over gettext's grammar (C's conditional, logical, relational and
    arithmetic operators on `n` and integer constants), building closures."""

    def __init__(self, text: str) -> None:
        self.tokens = self._tokenize(text)
        self.position = 0

    @staticmethod
    def _tokenize(text: str) -> list[str]:
        tokens, position = [], 0
        stripped = text.rstrip()
        while position < len(stripped):
            match = _TOKEN.match(stripped, position)
            if not match:
                raise PluralFormsError(
                    f"unexpected {stripped[position:].strip()[:10]!r} in the plural expression"
                )
            tokens.append(match.group(match.lastindex or 0))
            position = match.end()
        return tokens

    def parse(self) -> _Eval:
        if not self.tokens:
            raise PluralFormsError("the plural expression is empty")
        result = self.conditional()
        if self.position != len(self.tokens):
            token = self.tokens[self.position]
            raise PluralFormsError(f"unexpected {token!r} in the plural expression")
        return result

    def peek(self) -> str | None:
        return self.tokens[self.position] if self.position < len(self.tokens) else None

    def take(self, expected: str | None = None) -> str:
        token = self.peek()
        if token is None or (expected is not None and token != expected):
            wanted = f"{expected!r}" if expected else "more"
            raise PluralFormsError(f"the plural expression ends early: expected {wanted}")
        self.position += 1
        return token

    def conditional(self) -> _Eval:
        condition = self.binary(1)
        if self.peek() != "?":
            return condition
        self.take("?")
        yes = self.conditional()
        self.take(":")
        no = self.conditional()
        return lambda n: yes(n) if condition(n) else no(n)

    def binary(self, level: int) -> _Eval:
        """Precedence climbing: operators of `level` and above, left-associative."""
        left = self.unary()
        while (operator := self.peek()) in _BINARY and _BINARY[operator] >= level:
            self.take()
            right = self.binary(_BINARY[operator] + 1)
            left = _operation(operator, left, right)
        return left

    def unary(self) -> _Eval:
        token = self.take()
        if token == "!":
            inner = self.unary()
            return lambda n: int(not inner(n))
        if token == "(":
            inner = self.conditional()
            self.take(")")
            return inner
        if token == "n":
            return lambda n: n
        if token.isdigit():
            value = int(token) % _ULONG
            return lambda n: value
        raise PluralFormsError(f"unexpected {token!r} in the plural expression")


def _operation(operator: str, left: _Eval, right: _Eval) -> _Eval:
    operations: dict[str, Callable[[int, int], int]] = {
        "==": lambda a, b: int(a == b), "!=": lambda a, b: int(a != b),
        "<": lambda a, b: int(a < b), ">": lambda a, b: int(a > b),
        "<=": lambda a, b: int(a <= b), ">=": lambda a, b: int(a >= b),
        "+": lambda a, b: (a + b) % _ULONG, "-": lambda a, b: (a - b) % _ULONG,
        "*": lambda a, b: (a * b) % _ULONG, "/": lambda a, b: a // b, "%": lambda a, b: a % b,
    }  # fmt: skip
    if operator == "||":
        return lambda n: int(bool(left(n)) or bool(right(n)))
    if operator == "&&":
        return lambda n: int(bool(left(n)) and bool(right(n)))
    apply = operations[operator]
    return lambda n: apply(left(n), right(n))


# --- mapping: a file's forms onto a language's CLDR forms ------------------------------------

_MAPPING_SAMPLES = (*range(0, 1001), *(k * 1_000_000 for k in range(1, 4)), 10**9)


@dataclass(frozen=True)
class FormSource:
    """Where one of our forms comes from: the file's form `index`, and whether that form is
    really the same one (`exact`) or only the closest, whose text needs a translator's look."""

    index: int
    exact: bool


def mapping(file_forms: PluralForms, rule: PluralRule) -> tuple[FormSource, ...]:
    """For each CLDR category of `rule` (gettext's order) the file's form to take, found by
    evaluating both rules on sample counts: a category takes the file form most of its counts
    get; it is exact when all its counts get that form and that form is mostly used for it. So
    a French file with `nplurals=2; plural=(n > 1);` gives one <- 0 and other <- 1 exactly,
    and many (1000000, ...) <- 1 as the closest, to be checked."""
    tags = categories(rule)
    used: dict[str, dict[int, int]] = {tag: {} for tag in tags}
    for n in _MAPPING_SAMPLES:
        counts = used[rule(n)]
        index = file_forms.index(n)
        counts[index] = counts.get(index, 0) + 1
    owner: dict[int, str] = {}
    for index in range(file_forms.nplurals):
        owner[index] = max(tags, key=lambda tag: used[tag].get(index, 0))
    sources = []
    for tag in tags:
        counts = used[tag]
        if not counts:
            sources.append(FormSource(0, False))
            continue
        index = max(sorted(counts), key=lambda i: counts[i])
        sources.append(FormSource(index, len(counts) == 1 and owner[index] == tag))
    return tuple(sources)
