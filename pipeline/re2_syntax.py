"""RE2's regular expression syntax, parsed into a small tree (pipeline.re2_match compiles and runs it).

The API server checks a CRD's `pattern` with Go's regexp, which is RE2: no backreferences, no
lookaround, and matching in time linear in the text. Python's re backtracks, so `(a+)+$` on a
long value runs for ages, and its syntax differs (\\w is Unicode, `$` matches before a final
newline, `[[:alpha:]]` and \\pL are no classes). This parser takes RE2's syntax: alternation,
groups (capturing, `(?:...)`, `(?P<name>...)`, `(?<name>...)`), flags i, m, s and U (`(?i)`,
`(?i:...)`), repetition (`* + ? {n} {n,} {n,m}`, lazy or not, at most 1000), `.`, `^ $ \\A \\z
\\b \\B`, classes with ranges, negation, POSIX classes and the Perl classes \\d \\w \\s (ASCII, as
in RE2), \\pX and \\p{Name} for Unicode general categories, escapes (\\n, \\x41, \\x{263a}, octal,
\\Q...\\E). What RE2 refuses is an Re2Error; a Unicode script class (\\p{Greek}) is Unsupported.

Nodes: ("char", predicate), ("cat", [nodes]), ("alt", [nodes]), ("rep", node, min, max or None),
("assert", kind), ("empty",).
"""

from __future__ import annotations

from typing import Any

from pipeline.re2_classes import (
    PERL,
    POSIX,
    SIMPLE_ESCAPES,
    Pred,
    Re2Error,
    class_pred,
    folded,
    is_word,
    negated,
    unicode_class,
)

Node = tuple[Any, ...]
MAX_REPEAT = 1000
MAX_NESTING = 200
BOT, EOT, BOL, EOL, WORD_BOUNDARY, NOT_WORD_BOUNDARY = "bot", "eot", "bol", "eol", "wordb", "nwordb"


class _Parser:
    """A recursive descent over one pattern."""

    def __init__(self, pattern: str):
        self.text = pattern
        self.at = 0

    def fail(self, what: str) -> Re2Error:
        return Re2Error(f"{what} at offset {self.at} of {self.text!r}")

    def peek(self, ahead: int = 0) -> str:
        index = self.at + ahead
        return self.text[index] if index < len(self.text) else ""

    def parse(self) -> Node:
        node = self.alternation({"i": False, "m": False, "s": False}, 0)
        if self.at < len(self.text):
            raise self.fail("unexpected )")
        return node

    def alternation(self, flags: dict[str, bool], depth: int) -> Node:
        if depth > MAX_NESTING:
            raise self.fail("groups nested too deeply")
        branches = [self.concat(flags, depth)]
        while self.peek() == "|":
            self.at += 1
            branches.append(self.concat(flags, depth))
        return branches[0] if len(branches) == 1 else ("alt", branches)

    def concat(self, flags: dict[str, bool], depth: int) -> Node:
        items: list[Node] = []
        while self.peek() not in ("", "|", ")"):
            atom = self.atom(flags, depth)
            if atom is None:
                continue  # a flag group such as (?i): nothing to match
            items.append(self.repeat(atom))
        return ("cat", items) if len(items) != 1 else items[0]

    def repeat(self, atom: Node) -> Node:
        bounds = self.quantifier()
        if bounds is None:
            return atom
        if self.peek() == "?":
            self.at += 1  # lazy: the same strings match
        if self.peek() in ("*", "+", "?") or self.quantifier(probe=True):
            raise self.fail("bad repetition operator")
        return ("rep", atom, *bounds)

    def quantifier(self, probe: bool = False) -> tuple[int, int | None] | None:
        ch = self.peek()
        simple = {"*": (0, None), "+": (1, None), "?": (0, 1)}
        if ch in simple:
            if not probe:
                self.at += 1
            return simple[ch]
        if ch != "{":
            return None
        end = self.text.find("}", self.at)
        body = self.text[self.at + 1 : end] if end > 0 else ""
        low, comma, high = body.partition(",")
        if not low.isdigit() or not (high.isdigit() or high == "") or not low.isascii() or not high.isascii():
            return None  # not a repetition: `{` is a literal
        bounds = (int(low), int(high) if high else (None if comma else int(low)))
        if bounds[0] > MAX_REPEAT or (bounds[1] is not None and (bounds[1] > MAX_REPEAT or bounds[1] < bounds[0])):
            raise self.fail("bad repetition operator")
        if not probe:
            self.at = end + 1
        return bounds

    def atom(self, flags: dict[str, bool], depth: int) -> Node | None:
        ch = self.peek()
        if ch in ("*", "+", "?") or (ch == "{" and self.quantifier(probe=True) is not None):
            raise self.fail("missing argument to repetition operator")
        self.at += 1
        if ch == "(":
            return self.group(flags, depth)
        if ch == "[":
            return ("char", self.char_class(flags))
        if ch == ".":
            return ("char", (lambda c: True) if flags["s"] else (lambda c: c != "\n"))
        if ch == "^":
            return ("assert", BOL if flags["m"] else BOT)
        if ch == "$":
            return ("assert", EOL if flags["m"] else EOT)
        if ch == "\\":
            return self.escape(flags)
        return self.literal(ch, flags)

    def literal(self, ch: str, flags: dict[str, bool]) -> Node:
        if flags["i"] and ch.lower() != ch.upper():
            forms = {ch, ch.lower(), ch.upper()}
            return ("char", lambda c: c in forms)
        return ("char", lambda c: c == ch)

    def group(self, flags: dict[str, bool], depth: int) -> Node | None:
        inner = dict(flags)
        if self.peek() == "?":
            self.at += 1
            if self.peek() == "P" and self.peek(1) == "<" or self.peek() == "<" and self.peek(1) not in ("=", "!"):
                self.at += 2 if self.peek() == "P" else 1
                end = self.text.find(">", self.at)
                name = self.text[self.at : end] if end > 0 else ""
                if not name or not all(is_word(c) for c in name):
                    raise self.fail("invalid named capture group")
                self.at = end + 1
            else:
                scoped = self.flag_group(inner)
                if not scoped:
                    flags.update(inner)  # (?i): the rest of the enclosing group
                    return None
        node = self.alternation(inner, depth + 1)
        if self.peek() != ")":
            raise self.fail("missing closing )")
        self.at += 1
        return node

    def flag_group(self, flags: dict[str, bool]) -> bool:
        """Reads `i-m:` or `i)` after `(?`; True when a group body follows (`:`)."""
        value = True
        while True:
            ch = self.peek()
            self.at += 1
            if ch in ("i", "m", "s"):
                flags[ch] = value
            elif ch == "U":
                pass  # ungreedy: the same strings match
            elif ch == "-" and value:
                value = False
            elif ch in (":", ")"):
                return ch == ":"
            else:
                raise self.fail("invalid or unsupported Perl syntax")

    def escape(self, flags: dict[str, bool]) -> Node:
        ch = self.peek()
        if ch == "":
            raise self.fail("trailing \\")
        self.at += 1
        asserts = {"A": BOT, "z": EOT, "b": WORD_BOUNDARY, "B": NOT_WORD_BOUNDARY}
        if ch in asserts:
            return ("assert", asserts[ch])
        if ch == "Q":
            end = self.text.find("\\E", self.at)
            text = self.text[self.at : end if end >= 0 else len(self.text)]
            self.at = end + 2 if end >= 0 else len(self.text)
            return ("cat", [self.literal(c, flags) for c in text])
        if ch == "C":
            return ("char", lambda c: True)
        pred = self.class_escape(ch)
        if pred is not None:
            return ("char", folded(pred) if flags["i"] else pred)
        return self.literal(self.char_escape(ch), flags)

    def class_escape(self, ch: str) -> Pred | None:
        """The class of \\d \\D \\w \\W \\s \\S \\pX \\PX, or None for another escape."""
        if ch.lower() in PERL:
            pred = PERL[ch.lower()]
            return pred if ch.islower() else negated(pred)
        if ch in ("p", "P"):
            if self.peek() == "{":
                end = self.text.find("}", self.at)
                if end < 0:
                    raise self.fail("invalid character class range")
                name, self.at = self.text[self.at + 1 : end], end + 1
            else:
                name = self.peek()
                self.at += 1
            negate = name.startswith("^")
            pred = unicode_class(name.lstrip("^"))
            return negated(pred) if negate != (ch == "P") else pred
        return None

    def char_escape(self, ch: str) -> str:
        """The character an escape stands for."""
        if ch in SIMPLE_ESCAPES:
            return SIMPLE_ESCAPES[ch]
        if ch == "x":
            if self.peek() == "{":
                end = self.text.find("}", self.at)
                digits, self.at = self.text[self.at + 1 : end] if end > 0 else "", end + 1
            else:
                digits, self.at = self.text[self.at : self.at + 2], self.at + 2
            if not digits or len(digits) > 8 or any(c not in "0123456789abcdefABCDEF" for c in digits):
                raise self.fail("invalid escape sequence")
            if int(digits, 16) > 0x10FFFF:
                raise self.fail("invalid escape sequence")
            return chr(int(digits, 16))
        if ch in "01234567" and (ch == "0" or self.peek() in "01234567" and self.peek()):
            digits = ch
            while len(digits) < 3 and self.peek() and self.peek() in "01234567":
                digits += self.peek()
                self.at += 1
            return chr(int(digits, 8))
        if ch and ch.isascii() and not ch.isalnum():
            return ch  # escaped punctuation
        raise self.fail(f"invalid escape sequence \\{ch}")

    def char_class(self, flags: dict[str, bool]) -> Pred:
        negate = self.peek() == "^"
        self.at += negate
        ranges: list[tuple[str, str]] = []
        preds: list[Pred] = []
        first = True
        while True:
            ch = self.peek()
            if ch == "":
                raise self.fail("missing closing ]")
            if ch == "]" and not first:
                self.at += 1
                break
            first = False
            if ch == "[" and self.peek(1) == ":":
                end = self.text.find(":]", self.at + 2)
                name = self.text[self.at + 2 : end] if end > 0 else ""
                posix = POSIX.get(name.lstrip("^"))
                if posix is None:
                    raise self.fail("invalid character class range")
                preds.append(negated(posix) if name.startswith("^") else posix)
                self.at = end + 2
                continue
            low = self.class_char(preds)
            if low is None:
                continue
            if self.peek() == "-" and self.peek(1) not in ("]", ""):
                self.at += 1
                high = self.class_char(preds)
                if high is None or high < low:
                    raise self.fail("invalid character class range")
                ranges.append((low, high))
            else:
                ranges.append((low, low))
        pred = class_pred(tuple(ranges), tuple(preds))
        pred = folded(pred) if flags["i"] else pred
        return negated(pred) if negate else pred

    def class_char(self, preds: list[Pred]) -> str | None:
        """One character of a class, or None when an escape such as \\d added a class to preds."""
        ch = self.peek()
        self.at += 1
        if ch != "\\":
            return ch
        escaped = self.peek()
        if escaped == "":
            raise self.fail("missing closing ]")
        self.at += 1
        pred = self.class_escape(escaped)
        if pred is not None:
            preds.append(pred)
            return None
        return self.char_escape(escaped)


def parse(pattern: str) -> Node:
    """The tree of an RE2 pattern; Re2Error when RE2 would refuse it."""
    if not isinstance(pattern, str):
        raise Re2Error(f"a pattern is a string, not {type(pattern).__name__}")
    return _Parser(pattern).parse()
