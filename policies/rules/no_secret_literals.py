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
from collections.abc import Iterator, Mapping
from functools import lru_cache

from kube.resources import containers_of, pod_of
from kube.secrets import credential, file_secrets, literal, secret_name, showable
from kube.workloads import is_list, title
from policies.framework import Violation, manifest_of, report

ID = "no-secret-literals"
DESCRIPTION = "No secret-looking literal sits in a container's env values or in a ConfigMap."
REMEDIATION = (
    "Keep the value in the secret manager, declare it under secrets.items in the stage file (an ExternalSecret) "
    "and reference it (secret_env, valueFrom.secretKeyRef); rotate the value that was exposed."
)
ENFORCEMENT = "mandatory"
GENERIC = "mandatory"  # enforcement in the generic profile (foreign manifests)
MANIFEST_REMEDIATION = (
    "Move the value into a Secret (or a secret manager through an operator) and reference it with "
    "valueFrom.secretKeyRef or envFrom.secretRef; rotate the value that was exposed."
)
SCOPE = "resource"
OPTIONS: dict = {}

EXPECTED_ENV = "a reference to a Secret created by an ExternalSecret (valueFrom.secretKeyRef), not a literal"
EXPECTED_DATA = "free of secrets: a Secret created by an ExternalSecret holds them"


@lru_cache(maxsize=1024)
def _file_secrets(key: str, text: str) -> tuple[str, ...]:
    """file_secrets once per distinct file: a fleet's tenants run the same configuration files."""
    return tuple(file_secrets(key, text))


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
    for inner in _file_secrets(key, text):
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
