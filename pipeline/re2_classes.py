"""Character classes of RE2's syntax, as predicates on one character (pipeline.re2_syntax).

RE2's Perl classes are ASCII (\\d is [0-9], \\w is [0-9A-Za-z_], \\s is [\\t\\n\\f\\r ]), as are
the POSIX classes ([[:alpha:]]); \\pX and \\p{Name} are Unicode general categories.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable

Pred = Callable[[str], bool]


class Re2Error(ValueError):
    """A pattern RE2 does not accept (the API server refuses the CRD holding it)."""


class Unsupported(Re2Error):
    """Valid RE2 this module does not implement (a Unicode script class)."""


def is_word(ch: str) -> bool:
    return ch == "_" or ("0" <= ch <= "9") or ("a" <= ch <= "z") or ("A" <= ch <= "Z")


PERL: dict[str, Pred] = {
    "d": lambda ch: "0" <= ch <= "9",
    "w": is_word,
    "s": lambda ch: ch in "\t\n\f\r ",
}
POSIX: dict[str, Pred] = {
    "alnum": lambda ch: ch.isascii() and ch.isalnum(),
    "alpha": lambda ch: ch.isascii() and ch.isalpha(),
    "ascii": lambda ch: ch <= "\x7f",
    "blank": lambda ch: ch in " \t",
    "cntrl": lambda ch: ch <= "\x1f" or ch == "\x7f",
    "digit": PERL["d"],
    "graph": lambda ch: "!" <= ch <= "~",
    "lower": lambda ch: "a" <= ch <= "z",
    "print": lambda ch: " " <= ch <= "~",
    "punct": lambda ch: ("!" <= ch <= "~") and not (ch.isascii() and ch.isalnum()),
    "space": lambda ch: ch in "\t\n\v\f\r ",
    "upper": lambda ch: "A" <= ch <= "Z",
    "word": is_word,
    "xdigit": lambda ch: ch in "0123456789abcdefABCDEF",
}
SIMPLE_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "f": "\f", "v": "\v", "a": "\a"}


def negated(pred: Pred) -> Pred:
    return lambda ch: not pred(ch)


def unicode_class(name: str) -> Pred:
    if name == "Any":
        return lambda ch: True
    if len(name) in (1, 2) and name[0] in "CLMNPSZ" and (len(name) == 1 or name[1].islower()):
        if len(name) == 1:
            return lambda ch: unicodedata.category(ch)[0] == name
        return lambda ch: unicodedata.category(ch) == name
    raise Unsupported(f"the Unicode class \\p{{{name}}} is not supported here")


def folded(pred: Pred) -> Pred:
    """The class under (?i): a character matches when it, or its one-character lower or upper case, does."""

    def check(ch: str) -> bool:
        if pred(ch):
            return True
        lower, upper = ch.lower(), ch.upper()
        return (len(lower) == 1 and pred(lower)) or (len(upper) == 1 and pred(upper))

    return check


def class_pred(ranges: tuple[tuple[str, str], ...], preds: tuple[Pred, ...]) -> Pred:
    singles = frozenset(low for low, high in ranges if low == high)
    spans = tuple((low, high) for low, high in ranges if low != high)
    return lambda ch: ch in singles or any(low <= ch <= high for low, high in spans) or any(p(ch) for p in preds)
