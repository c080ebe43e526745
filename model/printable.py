"""Text fit for a terminal or a log: control characters shown as escapes, credentials hidden.

A name or value read from input can hold an ESC sequence or a newline that forges output (a
fake "PASS" line, a cleared screen) or a pasted API key; everything the pipeline prints of
input passes through here first.
"""

from __future__ import annotations

import re

from kube.secrets import PEM_BLOCK, VALUE_PATTERNS

REDACTED = "(redacted)"
# C0 controls but tab and newline, DEL, C1 controls, and the Unicode line and bidi overrides
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def escape_controls(text: str, keep_newlines: bool = True) -> str:
    """text with each control character written as a visible escape (\\x1b, \\u202e); newlines kept if asked."""
    pattern = _CONTROL if keep_newlines else re.compile(f"{_CONTROL.pattern}|[\n\t]")
    return pattern.sub(_escape, text)


def _escape(match: re.Match[str]) -> str:
    char = match[0]
    return repr(char)[1:-1] if ord(char) < 0x100 else f"\\u{ord(char):04x}"


def hide_credentials(text: str) -> str:
    """text with every value that looks like a credential (a key, a token, a PEM block) replaced whole."""
    text = PEM_BLOCK.sub(REDACTED, text)
    for _, pattern in VALUE_PATTERNS:
        text = pattern.sub(REDACTED, text)
    return text


def printable(text: str, keep_newlines: bool = True) -> str:
    """text safe to print: credentials hidden, control characters escaped."""
    return escape_controls(hide_credentials(text), keep_newlines)
