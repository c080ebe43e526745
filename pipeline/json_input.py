"""JSON files read within limits: size, nesting depth, numbers (`pipeline preview --merge PART...`).

json.loads recurses once per level and gives a RecursionError near 1000 levels, a number of
more than 4300 digits is a ValueError, and NaN or Infinity are no JSON: each is an InputError
here naming the file, and the line and column where it can. Limits: MAX_BYTES per file (64
MiB, far above any preview's JSON) and MAX_DEPTH levels of nesting (as for manifests).
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from model.errors import InputError, Problem
from pipeline.input_text import display_name, read_text
from pipeline.manifest_yaml import MAX_DEPTH

MAX_BYTES = 64 * 2**20
_TOKENS = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{}]', re.DOTALL)  # strings whole (their brackets are text), brackets


def read_json(path: Path, hint: str) -> Any:
    """The data of a JSON file; any problem with it is an InputError `FILE: reason`, with hint."""
    name = display_name(path)
    try:
        text = read_text(path, MAX_BYTES, hint)
    except InputError as error:
        raise InputError([Problem(p.location, p.key_path, p.message, p.hint or hint) for p in error.problems]) from None
    try:
        data = json.loads(text, parse_constant=_no_constant)
    except json.JSONDecodeError as error:
        raise _problem(name, f"not JSON ({error.msg} at line {error.lineno}, column {error.colno})", hint) from None
    except RecursionError:
        raise _problem(name, _too_deep(text), hint) from None
    except ValueError as error:  # a number of more than 4300 digits, NaN, Infinity
        reason = "a number of more than 4300 digits" if "digits" in str(error) else str(error)
        raise _problem(name, f"not JSON ({reason})", hint) from None
    if _depth(data) > MAX_DEPTH:
        raise _problem(name, _too_deep(text), hint)
    return data


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


def _problem(name: str, reason: str, hint: str) -> InputError:
    return InputError([Problem(None, "", f"{name}: {reason}", hint)])


def _depth(data: Any) -> int:
    """How deep lists and objects nest in data (an explicit stack: no recursion)."""
    deepest, stack = 0, [(data, 1)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, dict):
            children = node.values()
        elif isinstance(node, list):
            children = node
        else:
            continue
        deepest = max(deepest, depth)
        if deepest > MAX_DEPTH:
            return deepest
        stack.extend((child, depth + 1) for child in children if isinstance(child, (dict, list)))
    return deepest


def _too_deep(text: str) -> str:
    """Where the text first nests deeper than MAX_DEPTH, as a reason."""
    depth = 0
    for match in _TOKENS.finditer(text):
        token = match[0]
        if token in ("[", "{"):
            depth += 1
            if depth > MAX_DEPTH:
                line = text.count("\n", 0, match.start()) + 1
                column = match.start() - text.rfind("\n", 0, match.start())
                return f"nested deeper than {MAX_DEPTH} levels at line {line}, column {column}"
        elif token in ("]", "}"):
            depth -= 1
    return f"nested deeper than {MAX_DEPTH} levels"
