"""Loading a stage: stage order, defaults.yaml laid under <stage>.yaml, validated, then built.

    load_environment(Path("environments"), "prod") -> Environment

Every failure is an InvalidEnvironment listing all problems found, each with file, line,
column, key path, what was expected and a hint.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from model.build import MissingSetting, build
from model.environment import (
    Availability,
    Backup,
    Environment,
    IngressSettings,
    LimitRangeSettings,
    Monitoring,
    NamespaceSettings,
    Network,
    Plan,
    Platform,
    PodSettings,
    PolicySettings,
    Postgres,
    Release,
    SecretSettings,
    Service,
    Targets,
    Tenancy,
    Tenant,
    Training,
    TrainingJob,
    TrainingTargets,
    TrainingThresholds,
)
from model.errors import InputError, InvalidEnvironment, Location, Problem
from model.limits import capped
from model.merge import deep_merge, merge_sources
from model.numbers import number_problems
from model.schema import schema_problems
from model.semantic import effective_services, effective_tenants, semantic_problems, tenant_service_settings
from model.source import Document, SourceMap, format_path, load_document, parse_document
from model.stage_file import check_file_kind
from model.stage_order import DEFAULTS_FILE, STAGE_ORDER_FILE, display_path, load_stage_order, select_stages

__all__ = [  # the stage order's names are the loader's too: callers import them from here
    "DEFAULTS_FILE",
    "STAGE_ORDER_FILE",
    "display_path",
    "load_environment",
    "load_environments",
    "load_stage_document",
    "load_stage_order",
    "select_stages",
]


def load_environments(directory: Path, stages: list[str] | tuple[str, ...] | None = None) -> list[Environment]:
    """The environments of the given stages (default: all, in order), all-or-nothing."""
    order = load_stage_order(directory)
    chosen = select_stages(order, stages, directory)
    loaded, problems = [], []
    for stage in chosen:
        try:
            loaded.append(load_environment(directory, stage, order))
        except InputError as error:  # keep going: one stage's mistakes must not hide another's
            problems.extend(error.problems)
    if problems:
        raise InvalidEnvironment(capped(list(dict.fromkeys(problems))))  # defaults.yaml problems once, not per stage
    return loaded


def load_environment(
    directory: Path, stage: str, order: tuple[str, ...] | None = None, texts: Mapping[str, str] | None = None
) -> Environment:
    """One stage's Environment: defaults.yaml merged with <stage>.yaml, validated and built.

    texts maps a file name (prod.yaml) to content that stands in for the file on disk, so an
    edit can be validated before anything is written.
    """
    data, source = load_stage_document(directory, stage, order, texts)
    return _build_environment(stage, data, source)


def load_stage_document(
    directory: Path, stage: str, order: tuple[str, ...] | None = None, texts: Mapping[str, str] | None = None
):
    """The merged, validated plain document of a stage and its source map."""
    order = order if order is not None else load_stage_order(directory)
    select_stages(order, [stage], directory)
    texts = texts or {}
    defaults = _load_mapping(directory / DEFAULTS_FILE, texts)
    stage_file = directory / f"{stage}.yaml"
    if not stage_file.exists() and stage_file.is_symlink() and stage_file.name not in texts:
        raise InvalidEnvironment(
            [
                Problem(
                    None,
                    "",
                    f"{display_path(stage_file)} is a symbolic link that leads to no file (a loop, or no target)",
                    f"point it at a stage file (ls -l {display_path(stage_file)} shows where it leads)",
                )
            ]
        )
    if not stage_file.exists() and stage_file.name not in texts:
        raise InvalidEnvironment(
            [
                Problem(
                    None,
                    "",
                    f"{display_path(stage_file)}: no such stage file",
                    f"stage {stage!r} is listed in {STAGE_ORDER_FILE}; create {stage}.yaml beside it",
                )
            ]
        )
    own = _load_mapping(stage_file, texts)
    if not own.data:  # else every key it must set would be blamed on defaults.yaml
        raise InvalidEnvironment(
            [
                Problem(
                    Location(own.file, 1, 1),
                    "",
                    "the stage file is empty: it holds no settings",
                    f"restore it (git checkout -- {display_path(stage_file)}) or write its settings, "
                    "such as `release: ...`",
                )
            ]
        )
    problems = []
    if "release" in defaults.data:
        problems.append(
            Problem(
                defaults.source.locate(("release",)),
                "release",
                "release cannot be a shared default",
                "the release is promoted stage by stage; keep it in each <stage>.yaml",
            )
        )
    data = deep_merge(defaults.data, own.data)
    source = merge_sources(defaults.source, own.source, own.data)
    problems += schema_problems(data, source)
    if not problems:
        problems += semantic_problems(data, source, stage)
    if problems:
        raise InvalidEnvironment(capped(problems))
    return data, source


def _load_mapping(path: Path, texts: Mapping[str, str]) -> Document:
    try:
        if path.name in texts:
            check_file_kind(path, display_path(path))  # a FIFO there would block whoever reads it next
            document = parse_document(texts[path.name], display_path(path))
        else:
            document = load_document(path, display_path(path))
    except InvalidEnvironment:
        raise
    except InputError as error:
        raise InvalidEnvironment(error.problems) from None
    problems = number_problems(document)
    if problems:
        raise InvalidEnvironment(problems)
    if not isinstance(document.data, dict):
        raise InvalidEnvironment(
            [
                Problem(
                    Location(document.file, 1, 1),
                    "",
                    "expected a mapping of settings at the top",
                    "a stage file is a YAML mapping such as `release: ...`",
                )
            ]
        )
    return document


def _build_environment(stage: str, data: dict[str, Any], source: SourceMap) -> Environment:
    try:
        return _environment(stage, data, source)
    except MissingSetting as missing:  # a key every instance inherits was deleted where it is defined
        raise InvalidEnvironment(
            [
                Problem(
                    source.locate(missing.path),
                    format_path(missing.path + (missing.key,)),
                    f"missing required key {missing.key!r}",
                    "add it here, or where this setting is shared (service_defaults, the plan, defaults.yaml)",
                )
            ]
        ) from None


def _environment(stage: str, data: dict[str, Any], source: SourceMap) -> Environment:
    services = effective_services(data)
    images = data["release"]["images"]

    def family(path: tuple) -> tuple[Service, ...]:
        return tuple(
            build(Service, settings, path + ("services", name), name=name, image=images[name])
            for name, settings in services[path].items()
        )

    def section(cls: type, *path: str) -> Any:
        value = data
        for key in path:
            value = value[key]
        return build(cls, value, path)

    platform_services = family(())  # first: a setting missing from every service is reported there
    plans = {name: build(Plan, plan, ("plans", name)) for name, plan in data["plans"].items()}
    tenants = tuple(
        build(
            Tenant,
            {key: value for key, value in entry.items() if key != "services"},
            ("tenants", name),
            name=name,
            services=tuple(
                build(Service, settings, ("tenants", name, "services", service), name=service, image=images[service])
                for service, settings in tenant_service_settings(data, entry).items()
            ),
        )
        for name, entry in effective_tenants(data).items()
    )
    training = data["training"]
    return Environment(
        stage=stage,
        platform=section(Platform, "platform"),
        release=section(Release, "release"),
        pod=section(PodSettings, "pod"),
        services=platform_services,
        availability=section(Availability, "availability"),
        network=section(Network, "network"),
        namespace=section(NamespaceSettings, "namespace"),
        ingress=section(IngressSettings, "ingress"),
        secrets=section(SecretSettings, "secrets"),
        postgres=section(Postgres, "postgres"),
        backup=section(Backup, "backup"),
        monitoring=section(Monitoring, "monitoring"),
        targets=section(Targets, "targets"),
        tenancy=section(Tenancy, "tenancy"),
        plans=plans,
        tenants=tenants,
        training=Training(
            namespace_prefix=training["namespace_prefix"],
            concurrent_jobs=training["concurrent_jobs"],
            job=section(TrainingJob, "training", "job"),
            services=family(("training",)),
            quota={k: str(v) for k, v in training["quota"].items()},
            limit_range=section(LimitRangeSettings, "training", "limit_range"),
            thresholds=section(TrainingThresholds, "training", "thresholds"),
            targets=section(TrainingTargets, "training", "targets"),
        ),
        policy=section(PolicySettings, "policy"),
        source=source,
    )
