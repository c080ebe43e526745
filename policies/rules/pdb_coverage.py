"""pdb-coverage: every multi-replica workload has a PodDisruptionBudget that still lets nodes drain.

A workload running 2 or more pods (its replicas, or its HPA's minimum) needs a PDB selecting
its pods, or a node drain may take them all at once. The PDB must leave room to evict one pod:
minAvailable below the workload's fewest pods (replicas and HPA minimum alike), or
maxUnavailable of at least 1. A PDB whose minAvailable equals the replica count blocks every
drain, a cluster upgrade included.

PASS:
    Deployment agent-service (HPA minReplicas 3) + PDB minAvailable 2

FAIL:
    Deployment agent-service (HPA minReplicas 3), no PDB
    Deployment user-service (replicas 2) + PDB minAvailable 2     # blocks every drain
"""

from __future__ import annotations

from kube.workloads import SCALABLE_KINDS, mapping, namespace_of, number, pod_template, selector_matches
from policies.framework import StackResource, Violation, by_namespace, of_kind, report, stack_manifests

ID = "pdb-coverage"
DESCRIPTION = "Multi-replica workloads have a PodDisruptionBudget, and it leaves at least one pod evictable."
REMEDIATION = (
    "Give the service a pdb with min_available below its replicas and HPA minimum "
    "(or max_unavailable >= 1) in the stage file."
)
ENFORCEMENT = "mandatory"
GENERIC = "advisory"  # enforcement in the generic profile (foreign manifests)
MANIFEST_REMEDIATION = (
    "Add a PodDisruptionBudget whose selector matches the workload's pods, with minAvailable below its "
    "replicas (or maxUnavailable >= 1)."
)
SCOPE = "stack"
OPTIONS: dict = {}


def fewest_pods(workload: StackResource, hpas: list[StackResource]) -> int:
    """The fewest pods a workload runs: its HPA's minReplicas, else its replicas (default 1)."""
    meta = mapping(workload.manifest.get("metadata"))
    for hpa in hpas:
        spec = mapping(hpa.manifest.get("spec"))
        target = mapping(spec.get("scaleTargetRef"))
        if (
            namespace_of(hpa.manifest) == namespace_of(workload.manifest)
            and target.get("name") == meta.get("name")
            and target.get("kind") == workload.kind
        ):
            return number(spec.get("minReplicas", 1)) or 1
    replicas = number(mapping(workload.manifest.get("spec")).get("replicas", 1))
    return 1 if replicas is None else replicas


def _evictable(pdb_spec, pods: int) -> tuple[bool, str, str]:
    """Whether the PDB lets one of `pods` pods go: (ok, field, observed)."""
    if "maxUnavailable" in pdb_spec:
        value = pdb_spec["maxUnavailable"]
        percent = _percent(value)
        if percent is not None:  # rounded up by the disruption controller: any non-zero share lets one go
            return percent > 0, "maxUnavailable", str(value)
        return (number(value) or 0) >= 1, "maxUnavailable", _written(value)
    value = pdb_spec.get("minAvailable", 1)
    percent = _percent(value)
    if percent is not None:
        needed = -(-percent * pods // 100)  # rounded up, as the disruption controller does
        return needed < pods, "minAvailable", str(value)
    return (number(value) or 0) < pods, "minAvailable", _written(value)


def _written(value) -> str:
    """A count or percentage as the manifest writes it (Pulumi's 2.0 reads as 2)."""
    return str(number(value)) if number(value) is not None else str(value)


def _percent(value) -> int | None:
    if isinstance(value, str) and value.endswith("%") and value[:-1].isdigit():
        return int(value[:-1])
    return None


def validate(args, report_violation) -> None:
    resources = stack_manifests(args)
    hpas = by_namespace(of_kind(resources, "HorizontalPodAutoscaler"))
    pdbs = by_namespace(of_kind(resources, "PodDisruptionBudget"))
    for workload in of_kind(resources, *SCALABLE_KINDS):
        template = pod_template(workload.manifest)
        if template is None:
            continue
        namespace = namespace_of(workload.manifest)
        pods = fewest_pods(workload, hpas.get(namespace, []))
        covering = [
            pdb
            for pdb in pdbs.get(namespace, ())
            if selector_matches(mapping(pdb.manifest.get("spec")).get("selector"), template.labels)
        ]
        if pods >= 2 and not covering:
            report(
                report_violation,
                Violation(
                    workload.title,
                    "",
                    f"running {pods} pods with no PodDisruptionBudget",
                    "covered by a PodDisruptionBudget selecting its pods",
                    workload.urn,
                ),
            )
        for pdb in covering:
            ok, field, observed = _evictable(mapping(pdb.manifest.get("spec")), pods)
            if not ok:
                report(
                    report_violation,
                    Violation(
                        pdb.title,
                        f"spec.{field}",
                        f"{observed} for {workload.title}, which runs as few as {pods} pods",
                        f"below {pods} (minAvailable) or at least 1 (maxUnavailable), so a node can drain",
                        pdb.urn,
                    ),
                )
