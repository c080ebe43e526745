"""egress-ports: every egress rule of a NetworkPolicy names its ports, each one the stage allows.

The reference platform reaches only Redis 6379, PostgreSQL 5432, HTTPS 443 and DNS 53 (the
stage adds its declared egress targets, its own HTTP and gRPC ports and the API server's 6443).
An egress rule without `ports` opens every port to its peers; a port entry without `port` opens
every port of its protocol; an `endPort` range must lie wholly in the allowed list.

A named (string) port is a violation: it is resolved against the destination pod's container
ports, so the number it opens depends on pods this policy does not describe and cannot be
checked against the list. Write the number. Rules are checked wherever they are listed, also
in a policy whose policyTypes leave them inert: they take effect as soon as Egress is added.

PASS (allowed_egress_ports: [53, 443, 5432, 6379]):
    spec:
      policyTypes: [Egress]
      egress:
        - ports: [{protocol: TCP, port: 5432}]

FAIL (allowed_egress_ports: [53, 443, 5432, 6379]):
    spec:
      policyTypes: [Egress]
      egress:
        - to: [{podSelector: {}}]          # no ports: every port
        - ports: [{port: 8443}]            # not in the list
"""

from __future__ import annotations

from kube.network import indexed, port_number, spec_of
from kube.workloads import is_list, number, title
from policies.framework import Violation, manifest_of, option, report, shown

ID = "egress-ports"
DESCRIPTION = "Every NetworkPolicy egress rule lists its ports, and each port is in the stage's allowed egress ports."
REMEDIATION = (
    "Open only the ports the service needs: list it under services.<name>.egress, whose targets' ports "
    "(network.egress_targets in the stage file) are the allowed list; write ports as numbers."
)
ENFORCEMENT = "mandatory"
GENERIC = None  # a platform convention: not in the generic profile
SCOPE = "resource"
REFERENCE_PORTS = [53, 443, 5432, 6379]
OPTIONS = {
    "allowed_egress_ports": {
        "type": "array",
        "items": {"type": "integer"},
        "default": REFERENCE_PORTS,
        "description": "the port numbers egress may open (the stage's egress targets, "
        "DNS, its own HTTP and gRPC ports, the API server)",
    }
}


def validate(args, report_violation) -> None:
    manifest = manifest_of(args)
    if not manifest or manifest.get("kind") != "NetworkPolicy":
        return
    raw = option(args, "allowed_egress_ports", REFERENCE_PORTS)
    allowed = sorted({number(p) for p in raw if isinstance(number(p), int)} if is_list(raw) else [])
    expected = f"in the allowed egress ports {', '.join(map(str, allowed)) or '(none)'} (the stage's egress targets)"

    def violation(path: str, observed: str, must: str = expected) -> None:
        report(report_violation, Violation(title(manifest), path, observed, must, args.urn))

    for index, rule in indexed(spec_of(manifest).get("egress")):
        ports = rule.get("ports")
        if not ports:
            observed = "[] (every port open)" if is_list(ports) else "not set (every port open)"
            violation(f"spec.egress[{index}].ports", observed, f"a list of ports {expected}")
            continue
        for position, entry in indexed(ports):
            path = f"spec.egress[{index}].ports[{position}]"
            protocol = entry.get("protocol") or "TCP"
            port, end = entry.get("port"), entry.get("endPort")
            start = port_number(port)
            if port is None:
                violation(f"{path}.port", f"not set (every {protocol} port open)")
            elif start is None:
                violation(
                    f"{path}.port",
                    f"{shown(port)}, a named port that this policy cannot resolve",
                    f"a port number {expected}",
                )
            elif end is not None and port_number(end) is not None and port_number(end) > start:
                outside = [p for p in range(start, port_number(end) + 1) if p not in allowed]
                if outside:
                    violation(
                        f"{path}.endPort",
                        f"{shown(end)}, opening {start}-{port_number(end)} ({len(outside)} ports outside the list)",
                        expected,
                    )
            elif start not in allowed:
                violation(f"{path}.port", shown(port), expected)
