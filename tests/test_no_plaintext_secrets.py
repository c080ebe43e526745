"""No plaintext secret anywhere in the repository's configuration: stage files, stack files,
rendered output, workflows. Secrets are references (secretKeyRef, ExternalSecret remote keys,
${{ secrets.X }}), never values."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from kube.secrets import credential, literal, secret_name
from tests.conftest import REPOSITORY

FILES = sorted(
    [
        *(REPOSITORY / "environments").glob("*.yaml"),
        *(REPOSITORY / "stacks").glob("Pulumi.*.yaml"),
        *(REPOSITORY / "rendered").rglob("*.yaml"),
        *(REPOSITORY / ".github" / "workflows").glob("*.yml"),
        REPOSITORY / "Pulumi.yaml",
        *(REPOSITORY / "policies" / "config").glob("*.json"),
    ]
)


def leaves(node: Any, key: str = "") -> Iterator[tuple[str, Any]]:
    if isinstance(node, dict):
        for name, value in node.items():
            yield from leaves(value, str(name))
    elif isinstance(node, list):
        for value in node:
            yield from leaves(value, key)
    else:
        yield key, node


# Keys whose values name a secret rather than hold one: a Secret's name (secret_env.X.secret),
# a workflow's `secrets: inherit`, a stack's secrets provider, an ExternalSecret's key names.
REFERENCE_KEYS = {"secret", "secrets", "secretsprovider", "secretKey", "key"}


def is_reference(value: str) -> bool:
    return "${{" in value or value.startswith(("agentflow/", "postgres-")) or "secretKeyRef" in value


@pytest.mark.parametrize("path", FILES, ids=lambda p: str(p.relative_to(REPOSITORY)))
def test_no_secret_value(path: Path):
    documents = [doc for doc in yaml.safe_load_all(path.read_text()) if doc is not None]
    found = []
    for document in documents:
        for key, value in leaves(document):
            if isinstance(value, str) and not is_reference(value):
                if credential(value) or (secret_name(key) and literal(value) and key not in REFERENCE_KEYS):
                    found.append(key)
    assert found == [], f"secret-looking values under {found} in {path.relative_to(REPOSITORY)}"


def test_the_scan_would_catch_a_plaintext_secret(tmp_path):
    leaked = {
        "env": [{"name": "OPENAI_API_KEY", "value": "sk-" + "proj" + "A1b2C3d4E5f6G7h8I9j0K1"}],
        "database": {"password": "hunter" + "2-in-the-clear"},
    }
    hits = [
        key
        for key, value in leaves(leaked)
        if isinstance(value, str) and (credential(value) or (secret_name(key) and literal(value)))
    ]
    assert hits == ["value", "password"]
