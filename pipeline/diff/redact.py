"""Redaction: values of secret-like fields never reach a diff report.

Secret data, env values and ConfigMap entries named like keys, tokens or passwords, and any
value that looks like a credential whatever its name, become "(redacted)"; inside ConfigMap
files, the lines that hold one lose their value.
"""

from __future__ import annotations

import re
from typing import Any

from kube.secrets import credential, file_secrets, literal, secret_name
from pipeline.diff.paths import is_item_key

REDACTED = "(redacted)"
_LINE = re.compile(r"""^(\s*(?:export\s+)?["']?([A-Za-z_][\w.-]*)["']?\s*[:=]\s*)(.*)$""")


def secret_field(kind: str, parts: list[Any]) -> bool:
    """Whether the field itself holds a secret, whatever its value: Secret data, a secret-named env or entry."""
    if kind == "Secret" and parts and parts[0] in ("data", "stringData"):
        return True
    named = [p[1:-1] for p in parts if is_item_key(p)]
    if len(parts) >= 2 and "env" in parts and parts[-1] == "value" and named and secret_name(named[-1]):
        return True
    return kind == "ConfigMap" and len(parts) >= 2 and parts[0] in ("data", "binaryData") and secret_name(str(parts[1]))


def sensitive(kind: str, parts: list[Any], value: Any) -> bool:
    """Whether the value at this path of a resource of this kind must not be shown whole."""
    if secret_field(kind, parts):
        return True
    if isinstance(value, str) and credential(value):
        return True
    if kind == "ConfigMap" and len(parts) >= 2 and parts[0] in ("data", "binaryData") and isinstance(value, str):
        return bool(file_secrets(str(parts[1]), value))
    return False


def redact(kind: str, parts: list[Any], value: Any) -> Any:
    """value with every sensitive part replaced, however deep (for added or removed subtrees)."""
    if sensitive(kind, parts, value) and not isinstance(value, (dict, list)):
        return REDACTED
    if isinstance(value, dict):
        if "value" in value and isinstance(value.get("name"), str) and secret_name(value["name"]):
            value = {**value, "value": REDACTED}  # an env item added or removed whole
        return {k: redact(kind, [*parts, k], v) for k, v in value.items()}
    if isinstance(value, list):
        return [redact(kind, [*parts, i], v) for i, v in enumerate(value)]
    return value


def redact_line(line: str) -> str:
    """One line of a file, its value hidden when the key or the value looks secret."""
    match = _LINE.match(line)
    if match and secret_name(match[2]) and literal(match[3].split(" #", 1)[0]):
        return f"{match[1]}{REDACTED}"
    return REDACTED if credential(line) else line
