"""CRD `pattern`s matched as the API server matches them: RE2 (google-re2), in time linear in the text.

The API server checks a CRD's `pattern` with Go's regexp, which is RE2; Python's re backtracks and
reads another dialect (`$` before a final newline, Unicode `\\w`, look-arounds), so a foreign
schema must never reach it. RE2's own refusals (back-references, look-arounds, repetitions past
1000) are Re2Error with RE2's message, never logged; a program past RE2's memory budget is
TooLarge (Go would accept it: the caller leaves that pattern unchecked).

`compile(pattern).search(text)` says whether the pattern matches anywhere in text, as Go's
regexp.MatchString and JSON Schema's `pattern` do. `pattern_keyword` is that as a jsonschema
keyword.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import jsonschema
import re2

_OPTIONS = re2.Options()
_OPTIONS.log_errors = False  # RE2 would print every refused pattern to stderr
_OPTIONS.never_capture = True  # only whether it matches is asked: no submatch bookkeeping


class Re2Error(ValueError):
    """A pattern RE2 refuses (so the API server refuses the CRD that declares it)."""


class TooLarge(Re2Error):
    """A pattern past RE2's memory budget (8 MiB): valid for Go's regexp, which has none, but not checked here.

    RE2 compiles a Unicode class to UTF-8 byte ranges, so `\\pL{1000}` (one instruction repeated, for Go) is
    megabytes of program; the budget keeps such a pattern to a tenth of a second and bounded memory.
    """


@dataclass(frozen=True)
class Pattern:
    """A compiled RE2 pattern."""

    text: str
    _compiled: Any

    def search(self, text: str) -> bool:
        """Whether the pattern matches anywhere in text."""
        try:
            return self._compiled.search(text) is not None
        except UnicodeEncodeError:  # a lone surrogate: RE2 reads UTF-8, where Go sees U+FFFD
            return self._compiled.search(text.encode("utf-8", "replace").decode("utf-8")) is not None


@lru_cache(maxsize=4096)
def compile(pattern: str) -> Pattern:  # noqa: A001 - the name re uses
    """The compiled pattern (cached); Re2Error when RE2 refuses it, TypeError for a pattern that is no string."""
    if not isinstance(pattern, str):
        raise TypeError(f"a pattern is a string, not {type(pattern).__name__}")
    try:
        return Pattern(pattern, re2.compile(pattern, options=_OPTIONS))
    except re2.error as error:
        message = _message(error)
        raise (TooLarge if message.startswith("pattern too large") else Re2Error)(message) from None
    except UnicodeEncodeError:
        raise Re2Error("the pattern is not valid UTF-8 (a lone surrogate)") from None


def _message(error: Exception) -> str:
    """RE2's message as text (the binding hands it over as UTF-8 bytes)."""
    detail = error.args[0] if error.args else ""
    return detail.decode("utf-8", "replace") if isinstance(detail, bytes) else str(detail)


def pattern_keyword(validator: Any, pattern: str, instance: Any, schema: Any) -> Iterator[jsonschema.ValidationError]:
    """JSON Schema's `pattern`, matched as RE2 (for CRD schemas)."""
    if not validator.is_type(instance, "string"):
        return
    try:
        matched = compile(pattern).search(instance)
    except (Re2Error, TypeError) as error:
        yield jsonschema.ValidationError(f"the schema's pattern {pattern!r} is not valid RE2: {error}")
        return
    if not matched:
        yield jsonschema.ValidationError(f"{instance!r} does not match {pattern!r}")
