"""A fleet of tenant services in the repository's own stage-file format, for the benchmark.

usage: .venv/bin/python bench/fleet.py --services N --out DIR [--seed S] [--change]

Copies environments/ (stages.yaml, defaults.yaml, dev.yaml, staging.yaml, the schema the stage
files point at) to DIR and writes DIR/prod.yaml: the repository's prod.yaml (release, policy,
sizes and comments kept) whose `tenants` run N tenant service instances in all. Each tenant runs
its plan's services (agent-, task- and tool-service); the last tenant sets the services it does
not need to null so that the count is exactly N. Plans cycle small, standard, enterprise; the
seed only picks the names. `pipeline ... --environments DIR` works on the result.

--change writes the change the benchmark previews instead: one image of prod's release bumped
(a new tag and digest) and one tenant added (see change()).
"""

from __future__ import annotations

import argparse
import hashlib
import io
import random
import shutil
import sys
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap

REPOSITORY = Path(__file__).resolve().parent.parent
ENVIRONMENTS = REPOSITORY / "environments"
COPIED = ("stages.yaml", "defaults.yaml", "dev.yaml", "staging.yaml")
SCHEMA = "stage.schema.json"
PLANS = ("small", "standard", "enterprise")
# The services a tenant runs when defaults.yaml's plans do not list them (the tenant model's default).
TENANT_SERVICES = ("agent-service", "task-service", "tool-service")
# Fictitious company names; a tenant is <word>-<index>, so any seed gives unique, valid DNS labels.
WORDS = (
    "acme",
    "globex",
    "initech",
    "umbrella",
    "hooli",
    "vehement",
    "massive",
    "stark",
    "wayne",
    "tyrell",
    "cyberdyne",
    "soylent",
    "wonka",
    "oscorp",
    "gringotts",
    "nakatomi",
)


def _yaml() -> YAML:
    yaml = YAML(typ="rt")
    yaml.preserve_quotes = True
    yaml.width = 4096
    yaml.indent(mapping=2, sequence=4, offset=2)
    return yaml


def _load(path: Path) -> Any:
    return _yaml().load(path.read_text(encoding="utf-8"))


def _dump(document: Any) -> str:
    stream = io.StringIO()
    _yaml().dump(document, stream)
    return stream.getvalue()


def plan_services(defaults: Any) -> dict[str, tuple[str, ...]]:
    """The services each plan runs, per defaults.yaml (plans without a list run TENANT_SERVICES)."""
    plans = (defaults or {}).get("plans") or {}
    out = {}
    for plan in PLANS:
        services = (plans.get(plan) or {}).get("services")
        out[plan] = tuple(services) if isinstance(services, dict) and services else TENANT_SERVICES
    return out


def tenant_names(count: int, seed: int) -> list[str]:
    """count distinct tenant names, the same for the same seed."""
    words = list(WORDS)
    random.Random(seed).shuffle(words)
    return [f"{words[i % len(words)]}-{i + 1:04d}" for i in range(count)]


def tenants(services: int, seed: int, runs: dict[str, tuple[str, ...]]) -> CommentedMap:
    """Tenants running `services` tenant service instances in all, plans cycling in PLANS order."""
    out = CommentedMap()
    remaining, index = services, 0
    names = tenant_names(services, seed)  # at least one service per tenant: never more tenants than services
    while remaining > 0:
        plan = PLANS[index % len(PLANS)]
        entry = CommentedMap(plan=plan)
        run = runs[plan]
        if remaining < len(run):  # the last tenant: only what is left of N
            entry["services"] = CommentedMap((name, None) for name in run[remaining:])
            entry["services"].fa.set_flow_style()
        entry.fa.set_flow_style()
        out[names[index]] = entry
        remaining -= min(remaining, len(run))
        index += 1
    return out


def _copy_environments(source: Path, out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    for name in COPIED:
        shutil.copyfile(source / name, out / name)
    schema = source / SCHEMA
    if schema.exists():  # a symlink into model/ in the repository; a plain copy here
        shutil.copyfile(schema.resolve(), out / SCHEMA)


def generate(services: int, out: Path, seed: int = 0, source: Path = ENVIRONMENTS) -> Path:
    """Write the fleet's environments directory to `out`; returns it."""
    if services < 0:
        raise ValueError("--services must be >= 0")
    _copy_environments(source, out)
    prod = _load(source / "prod.yaml")
    runs = plan_services(_load(source / "defaults.yaml"))
    prod["tenants"] = tenants(services, seed, runs)
    (out / "prod.yaml").write_text(_dump(prod), encoding="utf-8")
    return out


def bumped_image(reference: str) -> str:
    """The same repository at a new patch version and a new (fake, well-formed) digest."""
    repository, _, rest = reference.partition(":")
    tag = rest.split("@", 1)[0]
    parts = tag.split(".")
    if parts and parts[-1].isdigit():
        parts[-1] = str(int(parts[-1]) + 1)
    new_tag = ".".join(parts) if tag else "bench"
    digest = hashlib.sha256(f"{reference} bench bump".encode()).hexdigest()
    return f"{repository}:{new_tag}@sha256:{digest}"


def change_image(prod: Any) -> str:
    """The release image the change bumps: the first one no tenant runs a copy of (user-service).

    Bumping an image tenants run would update one Deployment per tenant, so the diff would grow
    with the fleet by construction; this change touches a fixed number of resources at any N.
    """
    tenant_run = set(TENANT_SERVICES)
    images = prod["release"]["images"]
    return next((name for name in images if name not in tenant_run), next(iter(images)))


def change(directory: Path, seed: int = 0, image: str | None = None) -> dict[str, str]:
    """Apply the benchmark's change to a fleet directory in place: bump one image, add one tenant.

    Returns what changed: {"image": service, "from": ref, "to": ref, "tenant": name, "plan": plan}.
    """
    prod = _load(directory / "prod.yaml")
    image = image or change_image(prod)
    before = str(prod["release"]["images"][image])
    after = bumped_image(before)
    prod["release"]["images"][image] = after
    existing = prod.get("tenants") or CommentedMap()
    name = f"newco-{random.Random(seed).randrange(10_000):04d}"
    while name in existing:
        name += "x"
    plan = PLANS[len(existing) % len(PLANS)]
    entry = CommentedMap(plan=plan)
    entry.fa.set_flow_style()
    existing[name] = entry
    prod["tenants"] = existing
    (directory / "prod.yaml").write_text(_dump(prod), encoding="utf-8")
    return {"image": image, "from": before, "to": after, "tenant": name, "plan": plan}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--services", type=int, required=True, metavar="N", help="tenant service instances in prod")
    parser.add_argument("--out", type=Path, required=True, metavar="DIR", help="the environments directory to write")
    parser.add_argument("--seed", type=int, default=0, help="picks the tenant names (default 0)")
    parser.add_argument("--change", action="store_true", help="also apply the benchmark's change (image + tenant)")
    args = parser.parse_args(argv)
    if args.services < 0:
        parser.error("--services must be >= 0")
    generate(args.services, args.out, args.seed)
    count = len(_load(args.out / "prod.yaml")["tenants"])
    print(f"wrote {args.out}/: prod runs {args.services} tenant services in {count} tenants")
    if args.change:
        applied = change(args.out, args.seed)
        print(f"change: {applied['image']} -> {applied['to']}; tenant {applied['tenant']} ({applied['plan']}) added")
    return 0


if __name__ == "__main__":
    sys.exit(main())
