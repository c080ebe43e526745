"""Recognising secrets by name or by value, for the policy that forbids literals and the diff that redacts.

A name gives a secret away (password, token, api key, ... in any case and separator style)
unless another word says it is about the secret (max_tokens, token_url, secret_name). A value
gives itself away whatever its name (a PEM private key, an AWS key id, an OpenAI-style or
GitHub token, a JWT, a URL with a password). Nothing here ever returns the value itself.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from typing import Any

import yaml

# Credentials recognisable by their value alone. Each pattern runs in time linear in the text:
# a URL's scheme is bounded (64 characters; registered schemes are under 40), else a long run of
# scheme characters ("a.a.a.a...") is rescanned from each of its word starts, quadratic in its
# length (a 200 KB value took ten minutes to check).
VALUE_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("a PEM private key", re.compile(r"-----BEGIN [A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----")),
    ("an AWS access key id", re.compile(r"(?<![A-Z0-9])(?:AKIA|ASIA)[A-Z0-9]{16}(?![A-Z0-9])")),
    ("an OpenAI-style API key", re.compile(r"(?<![\w-])sk-(?=[\w-]*\d)(?=[\w-]*[A-Za-z])[A-Za-z0-9_-]{20,}")),
    ("a GitHub token", re.compile(r"(?<!\w)(?:gh[pousr]_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9_]{22,})")),
    ("a JWT", re.compile(r"(?<![\w-])eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*")),
    (
        "a URL with a password",
        re.compile(r"\b[A-Za-z][A-Za-z0-9+.-]{0,63}://[^\s:/@'\"]*:(?![$*]|\{\{)[^\s/@'\"]+@[^\s'\"]"),
    ),
)
# Words of a name that hold a secret ...
# A PEM private key whole, header to footer (or to the end of a text cut short): its body lines
# are base64 that no pattern recognises alone.
PEM_BLOCK = re.compile(
    r"-----BEGIN [A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----.*?"
    r"(?:-----END [A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----|\Z)",
    re.DOTALL,
)
_SECRET_WORDS = re.compile(r"password|passwd|secret|credentials?$|token$")
_SECRET_PAIRS = ("apikey", "privatekey", "accesskey", "clientsecret", "secretkey")
# ... unless another word says the value is about the secret (a count, a duration, a location, a name).
_QUALIFIERS = frozenset(
    """
    max min limit limits count counts number num ttl timeout seconds secs minutes hours days length len size
    expiry expires expiration lifetime age interval rotation file path dir directory url uri endpoint host
    name ref type header prefix policy enabled required mount store source provider version format
    algorithm budget usage rate mode kind env var field label annotation
""".split()
)
_REFERENCE = re.compile(r"^(?:\$\{[^}]*\}|\$\([^)]*\)|\$[A-Za-z_]\w*|\{\{.*\}\}|\*+|<[^>]*>)$", re.DOTALL)
_NOT_A_SECRET = re.compile(r"^(?:[+-]?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?|true|false|yes|no|on|off|null|none|~)$", re.I)
_WORD_SPLIT = re.compile(r"[^A-Za-z0-9]+|(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")
_LINE = re.compile(r"""^\s*(?:export\s+)?["']?([A-Za-z_][\w.-]*)["']?\s*[:=]\s*(.*?)\s*,?\s*$""")
_SHOWABLE = re.compile(r"^[\w.\-\[\]/]{1,80}$")


def words(name: str) -> list[str]:
    """The words of a name in any style: OPENAI_API_KEY, openaiApiKey, api-key -> openai, api, key."""
    return [w.lower() for w in _WORD_SPLIT.split(name) if w]


def secret_name(name: Any) -> bool:
    """Whether a variable or key name says it holds a secret (max_tokens and token_url do not)."""
    parts = words(name) if isinstance(name, str) else []
    if not parts or any(part in _QUALIFIERS for part in parts):
        return False
    compact = "".join(parts)
    return any(_SECRET_WORDS.search(part) for part in parts) or any(pair in compact for pair in _SECRET_PAIRS)


def literal(value: Any) -> bool:
    """Whether a value is a literal that could be a secret (not empty, a reference, a number or a boolean)."""
    if not isinstance(value, str):
        return False
    text = value.strip().strip("'\"").strip()
    return bool(text) and not _REFERENCE.match(text) and not _NOT_A_SECRET.match(text)


def credential(value: Any) -> str | None:
    """What a value looks like when it looks like a credential whatever its name, else None."""
    if not isinstance(value, str):
        return None
    return next((what for what, pattern in VALUE_PATTERNS if pattern.search(value)), None)


def showable(name: Any) -> str:
    """A name fit for a message: never one that itself looks like a credential."""
    text = str(name)
    return text if _SHOWABLE.match(text) and credential(text) is None else "(a key not shown)"


def _structured(key: str, text: str) -> Any:
    """The parsed YAML or JSON document a ConfigMap entry holds, or None.

    YAML through libyaml (the same safe constructor and resolvers as yaml.safe_load, ten times
    faster: a 1 MB config.yaml took a minute); nesting too deep to construct counts as unparsed.
    """
    try:
        return json.loads(text) if key.endswith(".json") else yaml.load(text, Loader=yaml.CSafeLoader)
    except (ValueError, RecursionError, yaml.YAMLError):
        return None


def _leaves(node: Any, path: str = "") -> Iterator[tuple[str, str, Any]]:
    """(dotted path, last key, value) of every scalar in a parsed document."""
    if isinstance(node, Mapping):
        for key, value in node.items():
            inner = f"{path}.{key}" if path else str(key)
            if isinstance(value, (Mapping, list)):
                yield from _leaves(value, inner)
            else:
                yield inner, str(key), value
    elif isinstance(node, list):
        for index, value in enumerate(node):
            if isinstance(value, (Mapping, list)):
                yield from _leaves(value, f"{path}[{index}]")


def file_secrets(key: str, text: str) -> list[str]:
    """The inner keys of a file (YAML, JSON, .env, properties) that hold a literal secret."""
    document = _structured(key, text)
    if isinstance(document, (Mapping, list)):
        return [path for path, name, value in _leaves(document) if secret_name(name) and literal(value)]
    found = []
    for line in text.splitlines():
        match = _LINE.match(line)
        if match and secret_name(match[1]):
            value = match[2]
            if value[:1] not in ("'", '"'):
                value = value.split(" #", 1)[0]
            if literal(value):
                found.append(match[1])
    return found
