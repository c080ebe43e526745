"""What a rendered stage holds, for people: resources by kind, namespaces, replicas and bounds."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass
from typing import Any

from kube.tenancy import tenant_namespaces


@dataclass(frozen=True)
class WorkloadSummary:
    namespace: str
    name: str
    replicas: int | None  # fixed replica count, or None when an HPA owns it
    hpa_min: int | None
    hpa_max: int | None
    pdb: str | None  # "minAvailable 2" / "maxUnavailable 1"

    def scaling(self) -> str:
        if self.hpa_min is not None:
            return f"HPA {self.hpa_min}..{self.hpa_max}"
        return f"replicas {self.replicas if self.replicas is not None else 1}"


@dataclass(frozen=True)
class StageSummary:
    stage: str
    release: str | None
    resources: int
    kinds: dict[str, int]
    namespaces: tuple[str, ...]
    workloads: tuple[WorkloadSummary, ...]
    tenants: tuple[str, ...] = ()  # the dedicated tenants among the summarized resources

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> StageSummary:
        """The inverse of as_dict: summaries written apart (render --stage S --format json) read back."""
        return cls(
            data["stage"],
            data["release"],
            data["resources"],
            dict(data["kinds"]),
            tuple(data["namespaces"]),
            tuple(WorkloadSummary(**w) for w in data["workloads"]),
            tuple(data.get("tenants", ())),
        )


def summarize(stage: str, manifests: Iterable[dict[str, Any]], release: str | None = None) -> StageSummary:
    """Summarize rendered manifests (any manifests: nothing here needs the stage file)."""
    manifests = list(manifests)
    kinds = Counter(m["kind"] for m in manifests)
    namespaces = sorted(
        {m["metadata"]["name"] for m in manifests if m["kind"] == "Namespace"}
        | {m["metadata"].get("namespace") for m in manifests if m["metadata"].get("namespace")}
    )
    hpas = {
        (m["metadata"].get("namespace"), m["spec"]["scaleTargetRef"]["name"]): m["spec"]
        for m in manifests
        if m["kind"] == "HorizontalPodAutoscaler"
    }
    pdbs = _pdbs_by_selector(manifests)
    workloads = []
    for m in manifests:
        if m["kind"] not in ("Deployment", "StatefulSet"):
            continue
        ns, name = m["metadata"].get("namespace") or "", m["metadata"]["name"]
        hpa = hpas.get((ns or None, name)) or hpas.get((ns, name))
        labels = m["spec"].get("template", {}).get("metadata", {}).get("labels", {})
        workloads.append(
            WorkloadSummary(
                namespace=ns,
                name=name,
                replicas=None if hpa else m["spec"].get("replicas", 1),
                hpa_min=hpa.get("minReplicas", 1) if hpa else None,
                hpa_max=hpa["maxReplicas"] if hpa else None,
                pdb=next(
                    (
                        text
                        for (pdb_ns, selector), text in pdbs.items()
                        if pdb_ns == ns and selector and all(labels.get(k) == v for k, v in selector)
                    ),
                    None,
                ),
            )
        )
    workloads.sort(key=lambda w: (w.namespace, w.name))
    return StageSummary(
        stage,
        release,
        len(manifests),
        dict(sorted(kinds.items())),
        tuple(namespaces),
        tuple(workloads),
        tuple(sorted(set(tenant_namespaces(manifests).values()))),
    )


def _pdbs_by_selector(manifests: list[dict[str, Any]]) -> dict[tuple[str, tuple], str]:
    out = {}
    for m in manifests:
        if m["kind"] != "PodDisruptionBudget":
            continue
        spec = m["spec"]
        text = (
            f"minAvailable {spec['minAvailable']}"
            if "minAvailable" in spec
            else f"maxUnavailable {spec.get('maxUnavailable')}"
        )
        selector = tuple(sorted(spec.get("selector", {}).get("matchLabels", {}).items()))
        out[(m["metadata"].get("namespace") or "", selector)] = text
    return out


TENANTS_SHOWN = 20


def _more(tenants: tuple[str, ...]) -> str:
    return f", ... ({len(tenants)} in all)" if len(tenants) > TENANTS_SHOWN else ""


def format_summary(summary: StageSummary) -> str:
    """A few lines a person reads at a glance."""
    release = f" (release {summary.release})" if summary.release else ""
    lines = [
        f"{summary.stage}{release}: {summary.resources} resources in {len(summary.namespaces)} namespaces",
        f"  namespaces: {', '.join(summary.namespaces)}",
        *(
            [f"  tenants: {', '.join(summary.tenants[:TENANTS_SHOWN])}{_more(summary.tenants)}"]
            if summary.tenants
            else []
        ),
        "  kinds: " + ", ".join(f"{kind} {count}" for kind, count in summary.kinds.items()),
        "  services:",
    ]
    width = max((len(f"{w.namespace}/{w.name}") for w in summary.workloads), default=0)
    for w in summary.workloads:
        pdb = f"  PDB {w.pdb}" if w.pdb else ""
        lines.append(f"    {f'{w.namespace}/{w.name}':<{width}}  {w.scaling():<12}{pdb}".rstrip())
    return "\n".join(lines)
