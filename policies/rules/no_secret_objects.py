"""no-secret-objects: the manifests hold no Secret; secrets reach the cluster through ExternalSecrets.

A Secret in a manifest puts its value (base64 is an encoding, not encryption) into Git, the
Pulumi state and every review. Secrets live in the secret manager; an ExternalSecret names where
each key lives and the External Secrets Operator creates the Secret in the cluster. The message
never repeats what the Secret holds.

PASS:
    kind: ExternalSecret
    apiVersion: external-secrets.io/v1
    spec: {target: {name: redis-credentials}, data: [{secretKey: password, remoteRef: {key: agentflow/redis}}]}

FAIL:
    kind: Secret
    apiVersion: v1
    metadata: {name: redis-credentials}
    stringData: {password: ...}
"""

from __future__ import annotations

from kube.workloads import title
from policies.framework import Violation, manifest_of, report

ID = "no-secret-objects"
DESCRIPTION = "No Secret object is written into the manifests; an ExternalSecret creates each Secret."
REMEDIATION = (
    "Store the value in the secret manager and declare the Secret under secrets.items in the stage file "
    "(an ExternalSecret), then remove the Secret manifest and rotate the value it exposed."
)
ENFORCEMENT = "mandatory"
GENERIC = None  # a platform convention: not in the generic profile
SCOPE = "resource"
OPTIONS: dict = {}


def validate(args, report_violation) -> None:
    manifest = manifest_of(args)
    if not manifest or manifest.get("kind") != "Secret" or manifest.get("apiVersion") != "v1":
        return
    held = [key for key in ("data", "stringData") if manifest.get(key)]
    observed = "a Secret in the manifests" + (f" with {' and '.join(held)} (not shown)" if held else "")
    report(
        report_violation,
        Violation(
            title(manifest), "", observed, "an ExternalSecret that creates the Secret from the secret manager", args.urn
        ),
    )
