"""Checkov checks that do not apply to the platform, each with the reason, as skip annotations.

Checkov reads `checkov.io/skip<N>: <check id>=<reason>` annotations on a resource. The reasons
live here once; components annotate the workloads they concern and `pipeline docs` lists every
skip in docs/checkov-skips.md.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Skip:
    check: str
    title: str
    reason: str


HIGH_UID = Skip(
    "CKV_K8S_40",
    "Containers should run as a high UID to avoid host conflict",
    "the platform's images run as UID 1000 (REFERENCE.md section 2); runAsNonRoot, no privilege escalation, "
    "all capabilities dropped and the restricted Pod Security Standard keep that UID powerless on the node",
)
SECRETS_AS_ENV = Skip(
    "CKV_K8S_35",
    "Prefer using secrets as files over secrets as environment variables",
    "the services and pg_dump read credentials from the environment (REFERENCE.md section 6: PGPASSWORD from a "
    "secret); the values come from Secrets an ExternalSecret keeps in sync, never from a literal",
)
API_TOKEN = Skip(
    "CKV_K8S_38",
    "Ensure that Service Account Tokens are only mounted where necessary",
    "the service declares Kubernetes API access (api_access in the stage files): it is granted by a namespaced "
    "Role and needs its token",
)

SKIPS = (HIGH_UID, SECRETS_AS_ENV, API_TOKEN)


def skip_annotations(*skips: Skip) -> dict[str, str]:
    """checkov.io/skip1..N annotations for the given skips."""
    return {f"checkov.io/skip{index}": f"{skip.check}={skip.reason}" for index, skip in enumerate(skips, 1)}
