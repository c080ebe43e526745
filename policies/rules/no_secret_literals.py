"""no-secret-literals: no secret is written as a literal into an env value or a ConfigMap.

Two signs give a secret away. Its name: an env variable or a ConfigMap key (or a key inside a
YAML, JSON, .env or properties file a ConfigMap holds) called like a secret (password, passwd,
secret, token, api key, private key, credentials, access key, client secret, in any case and
separator style) with a non-empty literal value. Or its value, whatever the name: a PEM private
key, an AWS access key id (AKIA...), an OpenAI-style key (sk-...), a GitHub token (ghp_...,
github_pat_...), a JWT (eyJ... with two dots), or a URL with a password (scheme://user:pass@host).

Not secrets: references (`${VAR}`, `$(VAR)`, `valueFrom`), empty values, numbers and booleans,
and names that count or configure a secret rather than hold it (`max_tokens: 2000`,
`jwt_ttl_seconds`, `token_url`, `password_file`, `secret_name`). Messages never repeat a value.

PASS:
    env: [{name: OPENAI_API_KEY, valueFrom: {secretKeyRef: {name: llm-api-keys, key: openai-api-key}}}]
    data: {config.yaml: "llm:\\n  max_tokens: 2000\\n"}

FAIL:
    env: [{name: OPENAI_API_KEY, value: sk-...}]
    data: {config.yaml: "database:\\n  password: hunter2\\n"}
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Iterator, Mapping
from typing import Any

import yaml

from kube.resources import containers_of, pod_of
from kube.workloads import is_list, title
from policies.framework import Violation, manifest_of, report

ID = "no-secret-literals"
DESCRIPTION = "No secret-looking literal sits in a container's env values or in a ConfigMap."
REMEDIATION = (
    "Keep the value in the secret manager, declare it under secrets.items in the stage file (an ExternalSecret) "
    "and reference it (secret_env, valueFrom.secretKeyRef); rotate the value that was exposed."
)
ENFORCEMENT = "mandatory"
SCOPE = "resource"
OPTIONS: dict = {}

EXPECTED_ENV = "a reference to a Secret created by an ExternalSecret (valueFrom.secretKeyRef), not a literal"
EXPECTED_DATA = "free of secrets: a Secret created by an ExternalSecret holds them"

# Credentials recognisable by their value alone.
VALUE_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("a PEM private key", re.compile(r"-----BEGIN [A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----")),
    ("an AWS access key id", re.compile(r"(?<![A-Z0-9])(?:AKIA|ASIA)[A-Z0-9]{16}(?![A-Z0-9])")),
    ("an OpenAI-style API key", re.compile(r"(?<![\w-])sk-(?=[\w-]*\d)(?=[\w-]*[A-Za-z])[A-Za-z0-9_-]{20,}")),
    ("a GitHub token", re.compile(r"(?<!\w)(?:gh[pousr]_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9_]{22,})")),
    ("a JWT", re.compile(r"(?<![\w-])eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*")),
    (
        "a URL with a password",
        re.compile(r"\b[A-Za-z][A-Za-z0-9+.-]*://[^\s:/@'\"]*:(?![$*]|\{\{)[^\s/@'\"]+@[^\s'\"]"),
    ),
)
# Words of a name that hold a secret ...
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
    """The parsed YAML or JSON document a ConfigMap entry holds, or None."""
    try:
        return json.loads(text) if key.endswith(".json") else yaml.safe_load(text)
    except (ValueError, yaml.YAMLError):
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


def _entry(manifest, side: str, key: str, text: str, urn) -> Iterator[Violation]:
    """The findings of one ConfigMap entry: a credential anywhere, a secret-named key, or a file's secret keys."""
    where = f"{side}.{showable(key)}"
    what = credential(text)
    if secret_name(key) and literal(text):
        observed = f"a literal value that looks like {what} (redacted)" if what else "a literal value (redacted)"
        yield Violation(title(manifest), where, observed, EXPECTED_DATA, urn)
        return
    if what:
        yield Violation(
            title(manifest), where, f"a literal value holding what looks like {what} (redacted)", EXPECTED_DATA, urn
        )
    for inner in file_secrets(key, text):
        yield Violation(
            title(manifest), where, f"a file whose {showable(inner)} is a literal value (redacted)", EXPECTED_DATA, urn
        )


def _config_map(manifest, urn) -> Iterator[Violation]:
    for side in ("data", "binaryData"):
        entries = manifest.get(side)
        for key, value in entries.items() if isinstance(entries, Mapping) else ():
            if not isinstance(value, str):
                continue
            text = value
            if side == "binaryData":  # text files are checked like data; other binaries by their key alone
                try:
                    text = base64.b64decode(value, validate=True).decode("utf-8")
                except (binascii.Error, ValueError):
                    text = value if secret_name(key) else ""
            yield from _entry(manifest, side, str(key), text, urn)


def _env(manifest, template, urn) -> Iterator[Violation]:
    for container in containers_of(template):
        env = container.spec.get("env")
        for item in env if is_list(env) else ():
            if not isinstance(item, Mapping) or "value" not in item:
                continue
            name, value = item.get("name"), item.get("value")
            path = f"{container.path}.env[{showable(name)}].value"
            what = credential(value)
            if what:
                yield Violation(
                    title(manifest), path, f"a literal value that looks like {what} (redacted)", EXPECTED_ENV, urn
                )
            elif secret_name(name) and literal(value):
                yield Violation(title(manifest), path, "a literal value (redacted)", EXPECTED_ENV, urn)


def validate(args, report_violation) -> None:
    manifest = manifest_of(args)
    if not manifest:
        return
    template = pod_of(manifest)
    if manifest.get("kind") == "ConfigMap":
        violations = _config_map(manifest, args.urn)
    elif template is not None:
        violations = _env(manifest, template, args.urn)
    else:
        return
    for violation in violations:
        report(report_violation, violation)
