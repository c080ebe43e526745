"""pipeline check --manifests, the pure part: any Kubernetes YAML judged, and what was not, said.

The manifests a user brings (a vendor chart, kustomize output, an operator's YAML) are judged
by a profile: the generic one (every rule that holds for any workload, fixes in the manifest's
own fields) or the platform's with a stage's config. Each finding and schema problem points at
its field's line; a resource defined twice is a problem naming both places, and the rules judge
the later copy (applied, it replaces the earlier). Unreadable documents, skipped files, custom
resources no schema covers and findings a skip covers with its reason all stay in the verdict.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kube.identity import ResourceId, resource_id
from kube.workloads import title
from model.environment import Environment
from model.errors import Location
from pipeline.check import enabled, judged
from pipeline.crd_schemas_input import SchemaSet
from pipeline.kube_limits import duplicates
from pipeline.kube_schema import check_manifests as schema_check
from pipeline.manifest_input import ManifestInput, SourcedManifest
from pipeline.policy_config import generic_config, policy_config, with_option
from pipeline.schema_problem import SchemaProblem
from pipeline.suppressions import Skip, annotation_skips, split_suppressed
from pipeline.verdict import Located, StageCheck
from policies.pod_security import VERSION_OPTION
from policies.rules import GENERIC, PLATFORM

INPUT_LABEL = "manifests"  # what a generic verdict is named in reports (no stage judged it)


@dataclass(frozen=True)
class ManifestCheckSettings:
    """How manifests are judged: the profile, the schemas known beyond the input's, the skips."""

    profile: str = GENERIC
    schema_dirs: tuple[Path, ...] = ()
    strict_schemas: bool = False  # a custom resource no schema covers fails the check
    skips: tuple[Skip, ...] = ()  # from a skip file; annotations add their own per resource
    pod_security_version: str | None = None  # where a namespace declares none (`latest`, `v1.30`)


def check_manifests(
    read: ManifestInput, env: Environment | None = None, settings: ManifestCheckSettings = ManifestCheckSettings()
) -> StageCheck:
    """Judge what was read: by the generic profile, or (settings.profile platform) by env's config."""
    if settings.profile == PLATFORM and env is None:
        raise ValueError("the platform profile judges with a stage's config: pass env")
    sourced = list(read.manifests)
    manifests = [s.manifest for s in sourced]
    config = policy_config(env) if settings.profile == PLATFORM and env is not None else generic_config()
    if settings.pod_security_version is not None:
        config = with_option(config, VERSION_OPTION, settings.pod_security_version)
    label = env.stage if settings.profile == PLATFORM and env is not None else INPUT_LABEL
    origin = {resource_id(s.manifest): s for s in sourced}  # the later copy, as the rules see it
    schemas = SchemaSet.from_manifests(manifests, settings.schema_dirs)
    problems = schema_check(manifests, schemas)
    findings, unjudged = judged(manifests, config, label, problems, settings.profile)
    problems += unjudged
    input_problems = list(read.problems)
    skips_by_id: dict[ResourceId, list[Skip]] = {}
    for rid, source in origin.items():
        declared, bad = annotation_skips(source.manifest, source.field_location)
        skips_by_id[rid] = declared
        input_problems += bad

    def where(rid: ResourceId | None, path: str) -> Located | None:
        source = origin.get(rid) if rid is not None else None
        return Located(source.field_location(path)) if source is not None else None

    def skips_of(index: int) -> Sequence[Skip]:
        rid = findings[index].resource_id
        return [*(skips_by_id.get(rid, ()) if rid is not None else ()), *settings.skips]

    def file_of(index: int) -> str | None:
        rid = findings[index].resource_id
        return origin[rid].location.file if rid in origin else None

    kept, suppressed = split_suppressed(findings, skips_of, file_of)
    schema_locations = {i: spot for i, p in enumerate(problems) if (spot := where(p.resource_id, p.path))}
    for at, problem in _duplicated(sourced):
        schema_locations[len(problems)] = Located(at)
        problems.append(problem)
    kept_findings = [findings[i] for i in kept]
    return StageCheck(
        label,
        len(manifests),
        enabled(config),
        tuple(problems),
        tuple(kept_findings),
        {i: spot for i, f in enumerate(kept_findings) if (spot := where(f.resource_id, f.path))},
        schema_locations,
        profile=settings.profile,
        input_problems=tuple(input_problems),
        skipped=read.skipped,
        suppressed=tuple(suppressed),
        suppressed_locations={
            i: spot for i, s in enumerate(suppressed) if (spot := where(s.finding.resource_id, s.finding.path))
        },
        strict_schemas=settings.strict_schemas,
    )


def _duplicated(sourced: list[SourcedManifest]) -> list[tuple[Location, SchemaProblem]]:
    """A problem on each object whose identity an earlier one has, naming where both are."""
    manifests: list[Mapping[str, Any]] = [s.manifest for s in sourced]
    out = []
    for first, later in duplicates(manifests):
        earlier = sourced[first]
        problem = SchemaProblem(
            title(manifests[later]),
            resource_id(manifests[later]),
            "metadata.name",
            f"defined twice: the same object as the {earlier.manifest['apiVersion']} {earlier.manifest['kind']} at "
            f"{earlier.location}; one object per API group, kind, namespace and name (applied, this later copy "
            "replaces the earlier, and it is the one judged)",
        )
        out.append((sourced[later].field_location("metadata.name"), problem))
    return out
