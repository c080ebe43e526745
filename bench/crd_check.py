"""The schema check of custom resources validated against a CRD, per resource, against the floor.

usage: .venv/bin/python -m bench.crd_check [--count 2000] [--invalid 0.1] [--repeat 3]

In one process, on the same objects: N cert-manager Certificates (the CRD of
tests/pipeline/crd_fixtures, a share of them invalid so that jsonschema explains them), and, for
comparison, the built-in kinds of the platform's rendered prod stage:

  floor        PyYAML's C dumper writing the Certificates to one file each (as bench/run.py's floor)
  crd check    pipeline.kube_schema.check_manifests on the Certificates, the SchemaSet built once
  crd schemas  SchemaSet.from_manifests alone (the CRD's validators; once per run)
  built-in     check_manifests on prod's rendered objects (today's check per resource)

Printed as JSON: seconds, microseconds per resource, and the ratios crd check / floor and crd
check per resource / built-in per resource. Fastest of --repeat runs; figures, not assertions.
"""

from __future__ import annotations

import argparse
import copy
import json
import math
import random
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

REPOSITORY = Path(__file__).resolve().parent.parent
if str(REPOSITORY) not in sys.path:
    sys.path.insert(0, str(REPOSITORY))


def certificates(count: int, invalid: float, seed: int = 0) -> list[dict[str, Any]]:
    """Certificates in many shapes; `invalid` of them with one wrong field."""
    rng = random.Random(seed)
    out = []
    for index in range(count):
        spec: dict[str, Any] = {
            "secretName": f"tls-{index}",
            "issuerRef": {"name": rng.choice(("letsencrypt", "internal-ca")), "kind": "ClusterIssuer"},
            "dnsNames": [f"svc-{index}.example.com", f"svc-{index}.internal"],
            "duration": rng.choice(("2160h", "720h0m0s", "8760h")),
            "privateKey": {
                "algorithm": rng.choice(("RSA", "ECDSA")),
                "size": rng.choice((2048, 256)),
                "rotationPolicy": "Always",
            },
            "usages": ["server auth", "digital signature"][: rng.randint(1, 2)],
            "secretTemplate": {"labels": {"app.kubernetes.io/name": f"svc-{index}"}},
        }
        if rng.random() < invalid:
            spec[rng.choice(("duration", "secretName", "isCA"))] = rng.choice((3, "soon", None))
        out.append(
            {
                "apiVersion": "cert-manager.io/v1",
                "kind": "Certificate",
                "metadata": {"name": f"svc-{index}", "namespace": f"tenant-{index % 40}"},
                "spec": spec,
            }
        )
    return out


def _fastest(repeat: int, work: Callable[[], Any]) -> float:
    best = math.inf
    for _ in range(repeat):
        started = time.perf_counter()
        work()
        best = min(best, time.perf_counter() - started)
    return best


def _floor(objects: list[dict[str, Any]], repeat: int) -> float:
    import yaml

    def write() -> None:
        with tempfile.TemporaryDirectory() as folder:
            for index, manifest in enumerate(objects):
                with open(Path(folder) / f"{index}.yaml", "w", encoding="utf-8") as handle:
                    yaml.dump(manifest, handle, Dumper=yaml.CSafeDumper, default_flow_style=False, allow_unicode=True)

    return _fastest(repeat, write)


def run(count: int, invalid: float, repeat: int) -> dict[str, Any]:
    """The measurements and ratios."""
    import yaml

    from model.loader import load_environments
    from pipeline.crd_schemas_input import SchemaSet
    from pipeline.kube_schema import check_manifests
    from pipeline.render import render_stage

    crd = yaml.safe_load(
        (REPOSITORY / "tests/pipeline/crd_fixtures/crds/certificates.cert-manager.io.yaml").read_text()
    )
    objects = certificates(count, invalid)
    builtin = [
        copy.deepcopy(m)
        for env in load_environments(REPOSITORY / "environments", ["prod"])
        for m in render_stage(env).manifests
    ]
    schemas = SchemaSet.from_manifests([crd, *objects])
    check_manifests(objects[:50], schemas)  # compiled, as after any first object
    check_manifests(builtin, SchemaSet())
    problems = len(check_manifests(objects, schemas))
    seconds = {
        "floor": _floor(objects, repeat),
        "crd check": _fastest(repeat, lambda: check_manifests(objects, schemas)),
        "crd schemas": _fastest(repeat, lambda: SchemaSet.from_manifests([crd, *objects])),
        "built-in": _fastest(repeat, lambda: check_manifests(builtin, SchemaSet())),
    }
    per = {name: 1e6 * s / (len(builtin) if name == "built-in" else count) for name, s in seconds.items()}
    return {
        "certificates": count,
        "invalid_share": invalid,
        "problems": problems,
        "built_in_objects": len(builtin),
        "seconds": seconds,
        "us_per_resource": per,
        "ratios": {
            "crd check / floor": seconds["crd check"] / seconds["floor"],
            "crd check per resource / built-in check per resource": per["crd check"] / per["built-in"],
        },
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=2000, help="Certificates checked (2000)")
    parser.add_argument("--invalid", type=float, default=0.1, help="share of them with a wrong field (0.1)")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each measurement, the fastest counts (3)")
    args = parser.parse_args(argv)
    print(json.dumps(run(args.count, args.invalid, max(1, args.repeat)), indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
