"""scale-up-response: an HPA reacts to load within the stage's scale-up response target.

The cluster story asks for a scale-up response below 60 s. An HPA's scale-up is delayed by its
behavior.scaleUp.stabilizationWindowSeconds (0 when unset) and paced by each scale-up policy's
periodSeconds; each must be within the target. selectPolicy Disabled turns scale-up off
altogether. An HPA without behavior (or autoscaling/v1) gets the API's defaults (0 s window,
100 % or 4 pods per 15 s) and passes.

PASS (scale_up_seconds: 60):
    behavior:
      scaleUp:
        stabilizationWindowSeconds: 0
        policies: [{type: Percent, value: 100, periodSeconds: 15}]

FAIL (scale_up_seconds: 60):
    behavior:
      scaleUp:
        stabilizationWindowSeconds: 120
        policies: [{type: Pods, value: 4, periodSeconds: 300}]
"""

from __future__ import annotations

from collections.abc import Mapping

from kube.network import indexed
from kube.workloads import mapping, number, title
from policies.framework import Violation, manifest_of, option, report, shown

ID = "scale-up-response"
DESCRIPTION = "An HPA's scale-up stabilization window and policy periods are within the scale-up response target."
REMEDIATION = (
    "Set services.<name>.autoscaling.behavior.scale_up (stabilization_seconds, policies[].period_seconds, "
    "select) in the stage file, or service_defaults.autoscaling.behavior.scale_up in environments/defaults.yaml, "
    "within targets.scale_up_seconds; never select Disabled."
)
ENFORCEMENT = "mandatory"
GENERIC = None  # a platform convention: not in the generic profile
SCOPE = "resource"
OPTIONS = {
    "scale_up_seconds": {
        "type": "number",
        "minimum": 1,
        "default": 60,
        "description": "the scale-up response target in seconds (targets.scale_up_seconds)",
    }
}
PATH = "spec.behavior.scaleUp"


def validate(args, report_violation) -> None:
    manifest = manifest_of(args)
    if not manifest or manifest.get("kind") != "HorizontalPodAutoscaler":
        return
    target = number(option(args, "scale_up_seconds", 60)) or 60
    bound = f"at most {target} s (the scale-up response target)"
    behavior = mapping(manifest.get("spec")).get("behavior")
    scale_up = behavior.get("scaleUp") if isinstance(behavior, Mapping) else None
    if not isinstance(scale_up, Mapping):
        return

    def violation(path: str, observed: str, expected: str = bound) -> None:
        report(report_violation, Violation(title(manifest), f"{PATH}.{path}", observed, expected, args.urn))

    if scale_up.get("selectPolicy") == "Disabled":
        violation("selectPolicy", "'Disabled' (never scales up)", "'Max' or 'Min'")
    window = number(scale_up.get("stabilizationWindowSeconds"))
    if window is not None and window > target:
        violation("stabilizationWindowSeconds", shown(window))
    for index, policy in indexed(scale_up.get("policies")):
        period = number(policy.get("periodSeconds"))
        if period is not None and period > target:
            violation(f"policies[{index}].periodSeconds", shown(period))
