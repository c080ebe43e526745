"""pss-host-probes: no probe or lifecycle hook sends the kubelet to another host.

Pod Security Standards, baseline profile, "Host Probes / Lifecycle Hooks" (Kubernetes v1.34+):
the kubelet runs httpGet and tcpSocket probes and hooks from the node, so a `host` other than the
pod's own IP lets a pod make the node call any address (blind SSRF past NetworkPolicies). The
`host` of `httpGet` and `tcpSocket` in livenessProbe, readinessProbe, startupProbe and
lifecycle.postStart / preStop must be unset or empty, on every container. The control is new in
v1.34: a namespace declaring an older Pod Security version is not judged by it.

PASS:
    containers:
      - name: agent
        readinessProbe: {httpGet: {path: /ready, port: http}}

FAIL:
    containers:
      - name: agent
        livenessProbe: {httpGet: {host: 169.254.169.254, path: /latest/meta-data, port: 80}}
"""

from __future__ import annotations

from kube.pod_security import BASELINE, starts
from kube.workloads import containers, mapping, title
from policies import pod_security
from policies.framework import Violation, report, shown

ID = "pss-host-probes"
DESCRIPTION = "No probe or lifecycle hook sets httpGet.host or tcpSocket.host (Pod Security Standards, baseline)."
REMEDIATION = (
    "Remove host from the probe or hook so the kubelet calls the pod's own IP; our services' probes "
    "come from pod.probes in environments/defaults.yaml and name only a path and port."
)
ENFORCEMENT = "mandatory"
GENERIC = "mandatory"  # enforcement in the generic profile (foreign manifests)
MANIFEST_REMEDIATION = (
    "Remove host from the probe or lifecycle hook (httpGet.host, tcpSocket.host) so the kubelet calls the pod's own IP."
)
SCOPE = "resource"
OPTIONS = pod_security.OPTIONS

LEVEL = BASELINE
CONTROL = "hostProbesAndHostLifecycle"  # pod-security-admission's check (kube/pod_security.py: from v1.34)

PROBES = ("livenessProbe", "readinessProbe", "startupProbe")
HOOKS = ("postStart", "preStop")
ACTIONS = ("httpGet", "tcpSocket")


def validate(args, report_violation) -> None:
    found = pod_security.judged(args, LEVEL)
    if found is None:
        return
    manifest, template, policy = found
    if not starts(CONTROL, policy.version):
        return  # the namespace declares a version older than the control
    resource = title(manifest)
    expected = "unset (the pod's own IP)" + policy.suffix()
    for container in containers(template):
        lifecycle = mapping(container.spec.get("lifecycle"))
        handlers = [(f"{container.path}.{probe}", container.spec.get(probe)) for probe in PROBES]
        handlers += [(f"{container.path}.lifecycle.{hook}", lifecycle.get(hook)) for hook in HOOKS]
        for path, handler in handlers:
            for action in ACTIONS:
                host = mapping(mapping(handler).get(action)).get("host")
                if host is not None and host != "":
                    report(
                        report_violation,
                        Violation(resource, f"{path}.{action}.host", shown(host), expected, args.urn),
                    )
