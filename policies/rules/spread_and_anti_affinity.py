"""spread-and-anti-affinity: where the stage requires it, pods spread over nodes and zones.

With `require_spread` (prod), every Deployment and StatefulSet pod template has:

- a required pod anti-affinity term (requiredDuringSchedulingIgnoredDuringExecution) with
  topologyKey kubernetes.io/hostname whose labelSelector selects the pod's own labels, so no
  node runs two of its pods (a preferred term does not count: the scheduler may ignore it);
- a topologySpreadConstraint with topologyKey topology.kubernetes.io/zone, maxSkew 1,
  whenUnsatisfiable DoNotSchedule and a labelSelector selecting the pod's own labels; when the
  stage declares 2 or more `zones`, its minDomains is at least that many, so pods stay pending
  rather than crowd into the zones left when one is missing.

With `require_spread` false the rule checks nothing.

PASS (require_spread: true, zones: 3):
    affinity:
      podAntiAffinity:
        requiredDuringSchedulingIgnoredDuringExecution:
          - {topologyKey: kubernetes.io/hostname, labelSelector: {matchLabels: {app: agent}}}
    topologySpreadConstraints:
      - {topologyKey: topology.kubernetes.io/zone, maxSkew: 1, minDomains: 3,
         whenUnsatisfiable: DoNotSchedule, labelSelector: {matchLabels: {app: agent}}}

FAIL (require_spread: true, zones: 3):
    topologySpreadConstraints:
      - {topologyKey: topology.kubernetes.io/zone, maxSkew: 2, whenUnsatisfiable: ScheduleAnyway,
         labelSelector: {matchLabels: {app: agent}}}       # and no anti-affinity
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from kube.network import indexed, is_empty_selector
from kube.workloads import PodTemplate, number, pod_template, selector_matches, title
from policies.framework import Violation, manifest_of, option, report, shown

ID = "spread-and-anti-affinity"
DESCRIPTION = (
    "Where required, pods have required hostname anti-affinity and a DoNotSchedule zone spread with maxSkew 1."
)
REMEDIATION = (
    "Set availability.anti_affinity: required, availability.zone_spread: DoNotSchedule and "
    "availability.zones (the stage's zones) in the stage file."
)
ENFORCEMENT = "mandatory"
GENERIC = None  # a platform convention: not in the generic profile
SCOPE = "resource"
OPTIONS = {
    "require_spread": {
        "type": "boolean",
        "default": False,
        "description": "whether pods must spread over nodes and zones (policy.require_spread)",
    },
    "zones": {
        "type": "integer",
        "minimum": 0,
        "default": 3,
        "description": "the stage's availability zones; with 2 or more, the zone spread's minDomains must reach it",
    },
}
HOSTNAME = "kubernetes.io/hostname"
ZONE = "topology.kubernetes.io/zone"
KINDS = ("Deployment", "StatefulSet")


def validate(args, report_violation) -> None:
    manifest = manifest_of(args)
    if not manifest or manifest.get("kind") not in KINDS or option(args, "require_spread", False) is not True:
        return
    template = pod_template(manifest)
    if template is None:
        return
    zones = number(option(args, "zones", 3)) or 0
    for path, observed, expected in [*_anti_affinity(template), *_zone_spread(template, zones)]:
        report(report_violation, Violation(title(manifest), path, observed, expected, args.urn))


def _anti_affinity(template: PodTemplate):
    path = f"{template.path}.affinity.podAntiAffinity"
    affinity = template.spec.get("affinity")
    anti = affinity.get("podAntiAffinity") if isinstance(affinity, Mapping) else None
    anti = anti if isinstance(anti, Mapping) else {}
    required = [term for _, term in indexed(anti.get("requiredDuringSchedulingIgnoredDuringExecution"))]
    if any(
        term.get("topologyKey") == HOSTNAME and _selects_own(term.get("labelSelector"), template) for term in required
    ):
        return
    if required:
        observed = f"without a term on {HOSTNAME} selecting the pod's own labels"
    elif anti.get("preferredDuringSchedulingIgnoredDuringExecution"):
        observed = "not set (only preferred anti-affinity, which the scheduler may ignore)"
    else:
        observed = "not set"
    yield (
        f"{path}.requiredDuringSchedulingIgnoredDuringExecution",
        observed,
        f"a term with topologyKey {HOSTNAME} whose labelSelector selects the pod's own labels (policy.require_spread)",
    )


def _zone_spread(template: PodTemplate, zones: int):
    path = f"{template.path}.topologySpreadConstraints"
    candidates = [
        (i, c) for i, c in indexed(template.spec.get("topologySpreadConstraints")) if c.get("topologyKey") == ZONE
    ]
    if not candidates:
        yield (
            path,
            f"without a constraint on {ZONE}",
            f"a constraint on {ZONE} with maxSkew 1 and whenUnsatisfiable DoNotSchedule (policy.require_spread)",
        )
        return
    findings = [_constraint_problems(f"{path}[{i}]", c, template, zones) for i, c in candidates]
    if not all(findings):
        return  # one constraint meets every condition
    yield from findings[0]


def _constraint_problems(path: str, constraint: Mapping[str, Any], template: PodTemplate, zones: int) -> list:
    problems = []
    if number(constraint.get("maxSkew")) != 1:
        problems.append((f"{path}.maxSkew", shown(constraint.get("maxSkew")), "1 (pods spread evenly over the zones)"))
    if constraint.get("whenUnsatisfiable") != "DoNotSchedule":
        problems.append(
            (
                f"{path}.whenUnsatisfiable",
                shown(constraint.get("whenUnsatisfiable")),
                "'DoNotSchedule' (ScheduleAnyway may put every pod in one zone)",
            )
        )
    selector = constraint.get("labelSelector")
    if not _selects_own(selector, template):
        observed = (
            "not set (counts no pods)"
            if selector is None
            else "{} (counts every pod)"
            if is_empty_selector(selector)
            else "not selecting the pod's own labels"
        )
        problems.append((f"{path}.labelSelector", observed, "a selector of the pod's own labels"))
    min_domains = number(constraint.get("minDomains"))
    if zones >= 2 and (min_domains is None or min_domains < zones):
        problems.append(
            (
                f"{path}.minDomains",
                shown(constraint.get("minDomains")),
                f"at least {zones} (the stage's availability zones)",
            )
        )
    return problems


def _selects_own(selector: Any, template: PodTemplate) -> bool:
    """A selector of the pod's own labels; an empty one (every pod) is too broad to count."""
    return (
        isinstance(selector, Mapping)
        and not is_empty_selector(selector)
        and selector_matches(selector, template.labels)
    )
