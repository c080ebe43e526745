"""Redaction: values of secret-like fields never reach a diff report.

Secret data, env values and ConfigMap entries named like keys, tokens or passwords, and any
value that looks like a credential whatever its name, become "(redacted)". Redaction works on
values, not lines: inside a file a ConfigMap holds, a secret value is replaced whole however
many lines it spans (a PEM key, a block scalar), before the file's lines are diffed. An
annotation that embeds a whole object (kubectl's last-applied-configuration) is redacted as
that object would be.
"""

from __future__ import annotations

import json
import re
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from kube.secrets import PEM_BLOCK, credential, file_secrets, literal, secret_name
from model.printable import hide_credentials
from pipeline.diff.paths import is_item_key

# Annotations whose value is a whole object as JSON: shown as that object, redacted as it.
EMBEDDED_OBJECT_ANNOTATIONS = frozenset({"kubectl.kubernetes.io/last-applied-configuration"})

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
    if isinstance(value, str) and len(parts) >= 2 and parts[-2] == "annotations":
        if parts[-1] in EMBEDDED_OBJECT_ANNOTATIONS:
            return redact_embedded_object(value)
    if sensitive(kind, parts, value) and not isinstance(value, (dict, list)):
        return REDACTED
    if isinstance(value, dict):
        if "value" in value and isinstance(value.get("name"), str) and secret_name(value["name"]):
            value = {**value, "value": REDACTED}  # an env item added or removed whole
        return {k: redact(kind, [*parts, k], v) for k, v in value.items()}
    if isinstance(value, list):
        return [redact(kind, [*parts, i], v) for i, v in enumerate(value)]
    return value


def redact_embedded_object(text: str) -> str:
    """An annotation holding an object as JSON, with that object's secret parts redacted (all of it if unreadable)."""
    try:
        embedded = json.loads(text)
    except ValueError:
        return REDACTED
    if not isinstance(embedded, dict):
        return REDACTED
    kind = embedded.get("kind") if isinstance(embedded.get("kind"), str) else ""
    return json.dumps(redact(kind, [], embedded), sort_keys=True, separators=(",", ":"))


Secrets = dict[Any, tuple[tuple[int, int], str]]  # where (a key path, a variable) -> (span in the text, value)
CHANGED = "(redacted, changed)"  # a secret value that differs from the one before: the change shows, not the value


def redact_texts(key: str, before: str, after: str) -> tuple[str, str]:
    """Two versions of a file, each secret value replaced whole (however many lines it spans).

    YAML and JSON files: every scalar under a secret-named key, and every credential-looking
    scalar, is cut out by its position in the text; other files (.env, properties) line by
    line. A secret whose value changed reads "(redacted, changed)" in the new version, so a
    rotated key shows as a changed line without showing either value. Then PEM blocks and
    credential-shaped values anywhere, whatever the format.
    """
    before, old = _secrets(key, before)
    after, new = _secrets(key, after)
    return _cut(before, old, None), _cut(after, new, {where: value for where, (_, value) in old.items()})


def _cut(text: str, secrets: Secrets, earlier: dict[Any, str] | None) -> str:
    """text with each secret replaced; with earlier (the old version's values), one that differs says so."""
    for where, ((start, end), value) in sorted(secrets.items(), key=lambda item: item[1][0], reverse=True):
        changed = earlier is not None and where in earlier and earlier[where] != value
        text = text[:start] + (CHANGED if changed else REDACTED) + text[end:]
    return hide_credentials(PEM_BLOCK.sub(REDACTED, text))


def _secrets(key: str, text: str) -> tuple[str, Secrets]:
    """The text to cut from, and each secret value in it by where it sits: its span and value.

    Not YAML or JSON: PEM blocks go first (their body lines look like nothing), then line by line.
    """
    found = None if key.endswith((".env", ".properties")) else _yaml_secrets(text)
    if found is not None:
        return text, found
    text = PEM_BLOCK.sub(REDACTED, text)
    found, offset = {}, 0
    for number, line in enumerate(text.split("\n")):
        match = _LINE.match(line)
        value = match[3].split(" #", 1)[0] if match else ""
        if match and secret_name(match[2]) and literal(value):
            found[(match[2],)] = ((offset + len(match[1]), offset + len(match[1]) + len(value)), value)
        elif credential(line):
            found[(number,)] = ((offset, offset + len(line)), line)
        offset += len(line) + 1
    return text, found


def _yaml_secrets(text: str) -> Secrets | None:
    """The secret scalars of a YAML or JSON document by key path; None if the text is not one."""
    try:
        root = yaml.compose(text, Loader=yaml.CSafeLoader)
    except yaml.YAMLError:
        return None
    if not isinstance(root, (MappingNode, SequenceNode)):
        return None
    found: Secrets = {}
    seen: set[int] = set()  # an alias is the node it names: visited once (and no billion laughs)

    def visit(node: Node, path: tuple[Any, ...], secret_key: bool) -> None:
        if id(node) in seen:
            return
        seen.add(id(node))
        if isinstance(node, ScalarNode):
            if (secret_key and literal(node.value)) or credential(node.value):
                start, end = node.start_mark.index, node.end_mark.index
                while end > start and text[end - 1] == "\n":  # a block scalar ends past its last line break
                    end -= 1
                found[path] = ((start, end), node.value)
        elif isinstance(node, MappingNode):
            for key_node, value_node in node.value:
                name = key_node.value if isinstance(key_node, ScalarNode) else id(key_node)
                visit(value_node, (*path, name), isinstance(name, str) and secret_name(name))
        elif isinstance(node, SequenceNode):
            for index, item in enumerate(node.value):
                visit(item, (*path, index), secret_key)

    visit(root, (), False)
    return found
