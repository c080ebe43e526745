"""Bad stage files: every problem names file:line:column, key path, what was expected and a hint.

Each case edits a copy of environments/ and loads it, through model.loader and through the CLI
(`pipeline render`, exit 2, no traceback, nothing written). Expected lines and columns are
computed from the inserted text, so a case states only *which* token must be pointed at.
"""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from model.errors import InputError, InvalidEnvironment, UnknownStage
from model.loader import load_environment, load_environments
from tests.conftest import ENVIRONMENTS, REPOSITORY
from tests.model.helpers import (
    Edited,
    Line,
    assert_located,
    edit,
    load_error,
    only_problem,
    position,
    report_lines,
    run_cli,
    same_file,
    tree,
)

# Edit anchors in prod.yaml. A Line is the whole line starting so, whatever its value today.
AGENT_IMAGE = Line("    agent-service: ")  # release.images.agent-service (release.config's has no value)
COST_IMAGE = Line("    cost-service: ")
TASK_SERVICE = "\n  task-service:\n"  # services.task-service (release.config's is indented deeper)
AGENT_REQUESTS = "requests: {cpu: 500m, memory: 1Gi}"  # services.agent-service.resources, as the design has it
TASK_SCALING = "{min_replicas: 5, max_replicas: 20}"  # services.task-service.autoscaling, as the design has it
SCHEDULE = Line("  schedule: ")
RTO = Line("  rto_minutes: ")


@dataclass(frozen=True)
class Case:
    """One bad edit and the single problem it must produce."""

    id: str
    file: str
    old: str | Line
    new: str
    at: str  # the token (inside `new`) the problem must point at
    key_path: str
    message: str
    hint: str  # a part of the hint ("" = any non-empty hint)
    stage: str = "prod"


CASES = [
    # unknown keys and wrong types (the JSON Schema)
    Case(
        "unknown-key-near-miss",
        "prod.yaml",
        TASK_SERVICE,
        TASK_SERVICE + "    replica: 3\n",
        at="replica",
        key_path="services.task-service.replica",
        message="unknown key 'replica'",
        hint="did you mean 'replicas'? allowed keys here: api_access, autoscaling,",
    ),
    Case(
        "unknown-key-in-defaults",
        "defaults.yaml",
        "\n  tool-service:\n",
        "\n  tool-service:\n    egres: [redis]\n",
        at="egres",
        key_path="services.tool-service.egres",
        message="unknown key 'egres'",
        hint="did you mean 'egress'?",
    ),
    Case(
        "unknown-top-level-key",
        "prod.yaml",
        "\ntenants:\n",
        "\ntenant:\n  x: 1\ntenants:\n",
        at="tenant",
        key_path="tenant",
        message="unknown key 'tenant'",
        hint="did you mean 'tenants'?",
    ),
    Case(
        "string-for-integer",
        "prod.yaml",
        TASK_SERVICE,
        TASK_SERVICE + '    replicas: "3"\n',
        at="replicas",
        key_path="services.task-service.replicas",
        message="expected integer, got string '3'",
        hint="",
    ),
    Case(
        "unquoted-version",
        "prod.yaml",
        Line("  version: "),
        "  version: 2026.11\n",
        at="version",
        key_path="release.version",
        message="expected string, got number 2026.11",
        hint="quote",
    ),
    Case(
        "enum",
        "prod.yaml",
        Line("  zone_spread: "),
        "  zone_spread: Always\n",
        at="zone_spread",
        key_path="availability.zone_spread",
        message="is 'Always', expected one of 'DoNotSchedule', 'ScheduleAnyway', 'none'",
        hint="",
    ),
    # bounds and quantities
    Case(
        "min-above-max",
        "prod.yaml",
        TASK_SCALING,
        "{min_replicas: 25, max_replicas: 20}",
        at="min_replicas",
        key_path="services.task-service.autoscaling.min_replicas",
        message="min_replicas 25 is above max_replicas 20",
        hint="min_replicas must be <= max_replicas",
    ),
    Case(
        "quantity-512MB",
        "prod.yaml",
        AGENT_REQUESTS,
        "requests: {cpu: 500m, memory: 512MB}",
        at="memory: 512MB",
        key_path="services.agent-service.resources.requests.memory",
        message="'512MB' is not a Kubernetes quantity",
        hint="such as 500m, 2, 512Mi or 4Gi",
    ),
    Case(
        "quantity-1K",
        "prod.yaml",
        AGENT_REQUESTS,
        "requests: {cpu: 1K, memory: 1Gi}",
        at="cpu: 1K",
        key_path="services.agent-service.resources.requests.cpu",
        message="'1K' is not a Kubernetes quantity",
        hint="decimal k M G T P E",
    ),
    Case(
        "quantity-abc",
        "prod.yaml",
        AGENT_REQUESTS,
        "requests: {cpu: abc, memory: 1Gi}",
        at="cpu: abc",
        key_path="services.agent-service.resources.requests.cpu",
        message="'abc' is not a Kubernetes quantity",
        hint="such as 500m, 2, 512Mi or 4Gi",
    ),
    Case(
        "quantity-in-defaults",
        "defaults.yaml",
        Line("  tmp_size: "),
        "  tmp_size: 256MB\n",
        stage="dev",
        at="tmp_size",
        key_path="pod.tmp_size",
        message="'256MB' is not a Kubernetes quantity",
        hint="not MB or GB",
    ),
    Case(
        "cpu-request-above-limit",
        "prod.yaml",
        AGENT_REQUESTS,
        "requests: {cpu: 1500m, memory: 1Gi}",
        at="cpu: 1500m",
        key_path="services.agent-service.resources.requests.cpu",
        message="request 1500m is above the limit 1000m",
        hint="raise the limit or lower the request",
    ),
    Case(
        "memory-request-above-limit",
        "prod.yaml",
        AGENT_REQUESTS,
        "requests: {cpu: 500m, memory: 3Gi}",
        at="memory: 3Gi",
        key_path="services.agent-service.resources.requests.memory",
        message="request 3Gi is above the limit 2Gi",
        hint="raise the limit or lower the request",
    ),
    # cron
    Case(
        "cron-four-fields",
        "prod.yaml",
        SCHEDULE,
        '  schedule: "0 2 * *"\n',
        at="schedule",
        key_path="backup.schedule",
        message="'0 2 * *': has 4 fields; a CronJob schedule has 5 (minute hour day-of-month month day-of-week)",
        hint="write five fields",
    ),
    Case(
        "cron-minute-61",
        "prod.yaml",
        SCHEDULE,
        '  schedule: "61 * * * *"\n',
        at="schedule",
        key_path="backup.schedule",
        message="'61 * * * *': minute 61 is outside 0-59",
        hint="e.g. '*/30 * * * *', or @hourly",
    ),
    Case(
        "cron-time-zone",
        "prod.yaml",
        SCHEDULE,
        '  schedule: "TZ=UTC 0 2 * * *"\n',
        at="schedule",
        key_path="backup.schedule",
        message="'TZ=UTC 0 2 * * *': has a time zone in it, which CronJob refuses; set spec.timeZone instead",
        hint="write five fields",
    ),
    # names
    Case(
        "service-in-both-families",
        "prod.yaml",
        "\ntraining:\n",
        "\ntraining:\n  services:\n    agent-service: {component: agent-runtime}\n",
        at="agent-service",
        key_path="training.services.agent-service",
        message="service 'agent-service' is already defined at services.agent-service",
        hint="service names are unique across the agent and training platforms",
    ),
    Case(
        "service-name-not-dns-1035",
        "prod.yaml",
        TASK_SERVICE,
        "\n  Agent_Service: {component: x}" + TASK_SERVICE,
        at="Agent_Service",
        key_path="services.Agent_Service",
        message="'Agent_Service' is not a DNS-1035 label (a Kubernetes Service name)",
        hint="starting with a letter",
    ),
    # release images
    Case(
        "image-not-a-reference",
        "prod.yaml",
        AGENT_IMAGE,
        "    agent-service: registry/Bad Image:tag\n",
        at="agent-service",
        key_path="release.images.agent-service",
        message="'registry/Bad Image:tag' is not an image reference (registry/repository:tag[@sha256:<64 hex>])",
        hint="e.g. registry.example.com/team/app:1.2.3@sha256:<64 hex>",
    ),
    Case(
        "image-for-unknown-service",
        "prod.yaml",
        "\n  config:\n",
        "\n    ghost-service: registry.example.com/ghost:1\n  config:\n",
        at="ghost-service",
        key_path="release.images.ghost-service",
        message="image for 'ghost-service', which is not a service of this stage",
        hint="remove it, or declare the service",
    ),
    # references between settings
    Case(
        "unknown-egress-target",
        "prod.yaml",
        TASK_SERVICE,
        TASK_SERVICE + "    egress: [postgres, smtp]\n",
        at="smtp",
        key_path="services.task-service.egress[1]",
        message="unknown egress target 'smtp'",
        hint="declare it under network.egress_targets (known: llm-apis, nats, object-storage, postgres, redis, "
        "tracing)",
    ),
    Case(
        "unknown-secret",
        "prod.yaml",
        TASK_SERVICE,
        TASK_SERVICE + "    secret_env:\n      SMTP_PASSWORD: {secret: smtp, key: password}\n",
        at="secret: smtp",
        key_path="services.task-service.secret_env.SMTP_PASSWORD.secret",
        message="unknown secret 'smtp'",
        hint="declare it under secrets.items (known: jwt-signing-key, llm-api-keys, oauth2-client, redis-credentials)",
    ),
    Case(
        "unknown-secret-key",
        "prod.yaml",
        TASK_SERVICE,
        TASK_SERVICE + "    secret_env:\n      REDIS_PASSWORD: {secret: redis-credentials, key: passwd}\n",
        at="key: passwd",
        key_path="services.task-service.secret_env.REDIS_PASSWORD.key",
        message="secret 'redis-credentials' has no key 'passwd'",
        hint="its keys: password",
    ),
    Case(
        "unknown-callee",
        "prod.yaml",
        TASK_SERVICE,
        TASK_SERVICE + "    calls: [agent-service, billing]\n",
        at="billing",
        key_path="services.task-service.calls[1]",
        message="calls 'billing', which is not a service of this namespace",
        hint="known: agent-service,",
    ),
    Case(
        "unknown-tenant-plan",
        "prod.yaml",
        "initech: {plan: small,",
        "initech: {plan: platinum,",
        at="plan: platinum",
        key_path="tenants.initech.plan",
        message="unknown plan 'platinum'",
        hint="known plans: enterprise, small, standard",
    ),
    Case(
        "release-in-defaults",
        "defaults.yaml",
        "\nplatform:\n",
        "\nrelease: {version: shared}\nplatform:\n",
        at="release",
        key_path="release",
        message="release cannot be a shared default",
        hint="keep it in each <stage>.yaml",
    ),
    # dedicated tenants
    Case(
        "tenant-runs-an-unknown-service",
        "prod.yaml",
        "initech: {plan: small, features: [sso]}",
        "initech: {plan: small, features: [sso], services: {billing-service: {}}}",
        at="billing-service",
        key_path="tenants.initech.services.billing-service",
        message="'billing-service' is not a service of the agent platform",
        hint="known: agent-service,",
    ),
    Case(
        "tenant-sizing-min-above-max",
        "prod.yaml",
        "initech: {plan: small, features: [sso]}",
        "initech: {plan: small, features: [sso], services: {agent-service: {autoscaling: {min_replicas: 9}}}}",
        at="min_replicas",
        key_path="tenants.initech.services.agent-service.autoscaling.min_replicas",
        message="min_replicas 9 is above max_replicas 4",
        hint="min_replicas must be <= max_replicas",
    ),
    Case(
        "tenant-name-too-long-for-its-namespace",
        "prod.yaml",
        "initech: {plan: small, features: [sso]}",
        "initech-" + "x" * 50 + ": {plan: small}",
        at="initech-",
        key_path="tenants.initech-" + "x" * 50,
        message="namespace tenant-initech-" + "x" * 50 + "-prod is not a valid namespace name",
        hint="shorten the tenant's name",
    ),
    Case(
        "tenant-service-setting-not-sizing",
        "prod.yaml",
        "initech: {plan: small, features: [sso]}",
        "initech: {plan: small, features: [sso], services: {agent-service: {egress: [redis]}}}",
        at="egress",
        key_path="tenants.initech.services.agent-service.egress",
        message="unknown key 'egress'",
        hint="",
    ),
]


def params(cases) -> list:
    """pytest params of cases, named by their id."""
    return [pytest.param(case, id=case.id) for case in cases]


def apply(case: Case, directory: Path) -> Edited:
    return edit(directory, case.file, case.old, case.new)


# --- the loader ----------------------------------------------------------------------------------


@pytest.mark.parametrize("case", params(CASES))
def test_problem_names_file_line_column_key_path_and_what_was_expected(environments_copy, case):
    edited = apply(case, environments_copy)
    error = load_error(environments_copy, case.stage)
    assert isinstance(error, InvalidEnvironment)
    problem = only_problem(error)
    assert_located(problem, edited.path, *edited.at(case.at))
    assert problem.key_path == case.key_path
    assert problem.message == case.message


@pytest.mark.parametrize("case", params(CASES))
def test_problem_has_a_hint(environments_copy, case):
    apply(case, environments_copy)
    problem = only_problem(load_error(environments_copy, case.stage))
    assert problem.hint.strip(), f"no hint for: {problem}"
    assert case.hint in problem.hint


def test_missing_image_is_reported_at_release_images(environments_copy):
    edited = edit(environments_copy, "prod.yaml", COST_IMAGE, "")
    problem = only_problem(load_error(environments_copy))
    assert_located(problem, edited.path, *edited.find("images:\n"))
    assert (problem.key_path, problem.message, problem.hint) == (
        "release.images",
        "no image for service 'cost-service'",
        "add release.images.cost-service",
    )


@pytest.mark.parametrize("stage", ["dev", "prod"])
def test_a_bad_default_is_reported_in_defaults_yaml_not_in_the_stage_file(environments_copy, stage):
    edited = edit(environments_copy, "defaults.yaml", Line("  tmp_size: "), "  tmp_size: 256MB\n")
    problem = only_problem(load_error(environments_copy, stage))
    assert Path(problem.location.file).name == "defaults.yaml"
    assert_located(problem, edited.path, *edited.at("tmp_size"))


def test_a_bad_stage_service_default_is_reported_in_the_stage_file(environments_copy):
    # Every prod service without its own bounds takes these; each reports the same problem, located
    # at prod.yaml's service_defaults (not at defaults.yaml, which also sets autoscaling bounds).
    edited = edit(
        environments_copy, "prod.yaml", Line("  autoscaling: "), "  autoscaling: {min_replicas: 30, max_replicas: 20}\n"
    )
    error = load_error(environments_copy)
    assert {(p.key_path, p.message) for p in error.problems} == {
        ("service_defaults.autoscaling.min_replicas", "min_replicas 30 is above max_replicas 20")
    }
    for problem in error.problems:
        assert_located(problem, edited.path, *edited.at("min_replicas"))


# --- YAML that is not a stage file's kind of YAML -------------------------------------------------


def test_mismatched_bracket_points_at_the_wrong_closing_bracket(environments_copy):
    edited = edit(environments_copy, "prod.yaml", TASK_SCALING, "{min_replicas: [5, max_replicas: 20}")
    problem = only_problem(load_error(environments_copy))
    assert_located(problem, edited.path, *edited.at("}"))
    assert problem.message == "YAML syntax error: did not find expected ',' or ']'"
    assert "closing brackets" in problem.hint


def test_unclosed_bracket_is_reported_where_the_parser_runs_into_the_next_key(environments_copy):
    edited = edit(environments_copy, "prod.yaml", Line("  zones: "), "  zones: [eu-west-1a, eu-west-1b\n  spread: 1\n")
    problem = only_problem(load_error(environments_copy))
    line, column = edited.at("spread:")
    assert_located(problem, edited.path, line, column + len("spread"))  # the ':' inside the open '['
    assert problem.message == "YAML syntax error: did not find expected ',' or ']'"
    assert problem.hint == "check indentation, colons, quotes and closing brackets around this position"


@pytest.mark.parametrize(
    "new, at, message",
    [
        ("   rto_minutes: 30\n", ":", "YAML syntax error: mapping values are not allowed in this context"),
        ("\trto_minutes: 30\n", "\t", "YAML syntax error: found a tab character that violates indentation"),
    ],
    ids=["over-indented", "tab"],
)
def test_bad_indentation_is_a_located_syntax_error(environments_copy, new, at, message):
    edited = edit(environments_copy, "prod.yaml", RTO, new)
    problem = only_problem(load_error(environments_copy))
    assert_located(problem, edited.path, *edited.at(at))
    assert problem.message == message
    assert "check indentation" in problem.hint


def test_a_second_document_is_rejected(environments_copy):
    edited = edit(environments_copy, "prod.yaml", "\ntenants:\n", "\n---\ntenants:\n")
    problem = only_problem(load_error(environments_copy))
    assert_located(problem, edited.path, *edited.at("---"))
    assert problem.message == "YAML syntax error: holds more than one YAML document"
    assert problem.hint == "a stage file is one document: remove the '---' separator"


def test_duplicate_key_names_both_lines(environments_copy):
    edited = edit(environments_copy, "prod.yaml", RTO, "  rto_minutes: 30\n  rto_minutes: 45\n")
    problem = only_problem(load_error(environments_copy))
    first_line, _ = edited.at("rto_minutes: 30")
    assert_located(problem, edited.path, *edited.at("rto_minutes: 45"))
    assert problem.key_path == "targets.rto_minutes"
    assert problem.message == f"duplicate key 'rto_minutes'; it is already defined at line {first_line}"
    assert "remove one of the two entries" in problem.hint


def test_duplicate_service_in_the_same_mapping_names_both_lines(environments_copy):
    edited = edit(environments_copy, "prod.yaml", TASK_SERVICE, "\n  agent-service:\n    replicas: 2" + TASK_SERVICE)
    first_line, _ = position(edited.text, edited.text.index("\n  agent-service:\n") + 1)  # services.agent-service
    problem = only_problem(load_error(environments_copy))
    assert_located(problem, edited.path, *edited.at("agent-service"))
    assert problem.key_path == "services.agent-service"
    assert problem.message == f"duplicate key 'agent-service'; it is already defined at line {first_line}"


def test_yaml_merge_key_is_rejected(environments_copy):
    edited = edit(environments_copy, "prod.yaml", RTO, "  <<: {rto_minutes: 30}\n")
    problem = only_problem(load_error(environments_copy))
    assert_located(problem, edited.path, *edited.at("<<"))
    assert problem.key_path == "targets"
    assert problem.message == "YAML merge keys (<<) are not supported"
    assert problem.hint == "put shared values in defaults.yaml or under service_defaults instead"


@pytest.mark.parametrize(
    "old, new",
    [
        (TASK_SCALING, "{min_replicas: [5, max_replicas: 20}"),
        (RTO, "  rto_minutes: 30\n  rto_minutes: 45\n"),
    ],
    ids=["syntax", "duplicate-key"],
)
def test_yaml_problems_are_invalid_environments(environments_copy, old, new):
    edit(environments_copy, "prod.yaml", old, new)
    assert isinstance(load_error(environments_copy), InvalidEnvironment)


# --- several problems at once --------------------------------------------------------------------


def assert_reported_in_line_order(error: InputError, path: Path, expected: list[tuple[str, str]]) -> None:
    """error.report() lists exactly `expected` (needle in the file, key path), ordered by line."""
    text = path.read_text(encoding="utf-8")
    wanted = []
    for needle, key_path in expected:
        wanted.append((*position(text, text.index(needle)), key_path))
    got = [(p.location.line, p.location.column, p.key_path) for p in error.problems]
    assert sorted(got) == sorted(wanted)
    lines = report_lines(error)
    assert [line.split(": ")[1] for line in lines] == [key_path for _, _, key_path in sorted(wanted)]
    assert [int(line.split(":")[1]) for line in lines] == sorted(line for line, _, _ in wanted)


def test_every_schema_problem_of_a_file_is_reported_in_line_order(environments_copy):
    # Edited from the bottom up so that each anchor is still where it was.
    edit(environments_copy, "prod.yaml", RTO, "  rto_minutes: 30\n  rpo: 1\n")
    edit(environments_copy, "prod.yaml", TASK_SERVICE, TASK_SERVICE + "    replica: 3\n")
    edit(environments_copy, "prod.yaml", Line("  version: "), "  version: 2026.11\n")
    error = load_error(environments_copy)
    assert_reported_in_line_order(
        error,
        environments_copy / "prod.yaml",
        [("rpo: 1", "targets.rpo"), ("replica: 3", "services.task-service.replica"), ("version:", "release.version")],
    )


def test_every_semantic_problem_of_a_file_is_reported_in_line_order(environments_copy):
    edit(environments_copy, "prod.yaml", "initech: {plan: small,", "initech: {plan: platinum,")
    edit(environments_copy, "prod.yaml", TASK_SCALING, "{min_replicas: 25, max_replicas: 20}")
    edit(environments_copy, "prod.yaml", AGENT_REQUESTS, "requests: {cpu: 1500m, memory: 1Gi}")
    error = load_error(environments_copy)
    assert_reported_in_line_order(
        error,
        environments_copy / "prod.yaml",
        [
            ("plan: platinum", "tenants.initech.plan"),
            ("min_replicas: 25", "services.task-service.autoscaling.min_replicas"),
            ("cpu: 1500m", "services.agent-service.resources.requests.cpu"),
        ],
    )


def test_every_yaml_problem_of_a_file_is_reported_in_line_order(environments_copy):
    edit(environments_copy, "prod.yaml", RTO, "  rto_minutes: 30\n  rto_minutes: 45\n")
    edit(environments_copy, "prod.yaml", Line("  zone_spread: "), "  <<: {zones: []}\n  zone_spread: none\n")
    edit(environments_copy, "prod.yaml", Line("  version: "), '  version: x\n  version: "y"\n')
    error = load_error(environments_copy)
    assert_reported_in_line_order(
        error,
        environments_copy / "prod.yaml",
        [("rto_minutes: 45", "targets.rto_minutes"), ("<<", "availability"), ('version: "y"', "release.version")],
    )


def test_problems_in_defaults_and_stage_file_are_all_reported(environments_copy):
    edit(environments_copy, "defaults.yaml", "\n  tool-service:\n", "\n  tool-service:\n    egres: [redis]\n")
    edit(environments_copy, "prod.yaml", TASK_SERVICE, TASK_SERVICE + "    replica: 3\n")
    error = load_error(environments_copy)
    assert [(Path(p.location.file).name, p.key_path) for p in sorted(error.problems, key=lambda p: p.location)] == [
        ("defaults.yaml", "services.tool-service.egres"),
        ("prod.yaml", "services.task-service.replica"),
    ]
    assert [line.split(":")[0].rsplit("/", 1)[-1] for line in report_lines(error)] == ["defaults.yaml", "prod.yaml"]


def test_two_unknown_keys_in_one_mapping_are_both_reported(environments_copy):
    edit(environments_copy, "prod.yaml", TASK_SERVICE, TASK_SERVICE + "    replica: 3\n    cpu: 2\n")
    error = load_error(environments_copy)
    assert sorted(p.key_path for p in error.problems) == ["services.task-service.cpu", "services.task-service.replica"]


def test_problems_of_several_stages_are_all_reported(environments_copy):
    edit(environments_copy, "dev.yaml", Line("  rpo_minutes: "), "  rpo: 1440\n")
    edit(environments_copy, "prod.yaml", Line("  rpo_minutes: "), "  rpo: 60\n")
    with pytest.raises(InvalidEnvironment) as caught:
        load_environments(environments_copy)
    assert sorted((Path(p.location.file).name, p.key_path) for p in caught.value.problems) == [
        ("dev.yaml", "targets.rpo"),
        ("prod.yaml", "targets.rpo"),
    ]


def test_a_yaml_error_in_one_stage_does_not_hide_problems_in_another(environments_copy):
    edit(environments_copy, "dev.yaml", Line("  rpo_minutes: "), "  rpo_minutes: [1440}\n")
    edit(environments_copy, "prod.yaml", Line("  rpo_minutes: "), "  rpo: 60\n")
    with pytest.raises(InvalidEnvironment) as caught:
        load_environments(environments_copy)
    assert sorted(Path(p.location.file).name for p in caught.value.problems) == ["dev.yaml", "prod.yaml"]


# --- stages and the environments folder ----------------------------------------------------------


def test_missing_stage_file(environments_copy):
    (environments_copy / "prod.yaml").unlink()
    with pytest.raises(InvalidEnvironment) as caught:
        load_environment(environments_copy, "prod")
    problem = only_problem(caught.value)
    named, _, rest = problem.message.partition(": ")
    assert same_file(named, environments_copy / "prod.yaml")
    assert rest == "no such stage file"
    assert problem.hint == "stage 'prod' is listed in stages.yaml; create prod.yaml beside it"


@pytest.mark.parametrize(
    "load",
    [
        lambda directory: load_environment(directory, "qa"),
        lambda directory: load_environments(directory, ["prod", "qa"]),
    ],
    ids=["load_environment", "load_environments"],
)
def test_unknown_stage(load):
    with pytest.raises(UnknownStage) as caught:
        load(ENVIRONMENTS)
    problem = only_problem(caught.value)
    assert problem.message == "unknown stage 'qa'"
    assert problem.hint.startswith("the stages in ")
    assert problem.hint.endswith("stages.yaml are dev, staging, prod")


def test_environments_directory_that_does_not_exist(tmp_path):
    with pytest.raises(InvalidEnvironment) as caught:
        load_environments(tmp_path / "nowhere")
    problem = only_problem(caught.value)
    assert same_file(problem.message.partition(": ")[0], tmp_path / "nowhere")
    assert problem.message.endswith(": no such environments directory")
    assert problem.hint == "pass --environments DIR, a folder holding stages.yaml and <stage>.yaml files"


def test_stage_listed_twice(environments_copy):
    edited = edit(environments_copy, "stages.yaml", "  - prod\n", "  - prod\n  - dev\n")
    with pytest.raises(InvalidEnvironment) as caught:
        load_environments(environments_copy)
    problem = only_problem(caught.value)
    assert_located(problem, edited.path, *edited.at("dev"))
    assert (problem.key_path, problem.message, problem.hint) == (
        "stages[3]",
        "stage 'dev' is listed twice",
        "each stage appears once in the order",
    )


def test_missing_stage_order(environments_copy):
    (environments_copy / "stages.yaml").unlink()
    with pytest.raises(InputError) as caught:
        load_environments(environments_copy)
    problem = only_problem(caught.value)
    assert same_file(problem.message.partition(": ")[0], environments_copy / "stages.yaml")
    assert problem.message.endswith(": no such file")


# --- the CLI: exit 2, located message on stderr, no traceback, nothing written -------------------


@pytest.fixture
def in_tmp(environments_copy, monkeypatch):
    """Run from the folder holding the environments copy, as a user would: paths show as environments/..."""
    monkeypatch.chdir(environments_copy.parent)
    return environments_copy.parent


def render(capsys, *stages: str, environments: str = "environments"):
    argv = ["render", "--environments", environments, "--out", "out"]
    for stage in stages:
        argv += ["--stage", stage]
    return run_cli(capsys, *argv)


def assert_clean_failure(result, workdir: Path) -> None:
    assert result.code == 2, result.err
    assert result.err.startswith("pipeline render: invalid input\n")
    assert "Traceback" not in result.err
    assert result.out == ""
    assert not (workdir / "out").exists()


def test_cli_renders_good_stage_files(in_tmp, capsys):
    result = render(capsys, "prod")
    assert result.code == 0, result.err
    assert (in_tmp / "out" / "prod" / "kustomization.yaml").is_file()
    assert "wrote " in result.out


@pytest.mark.parametrize("case", params(CASES))
def test_cli_reports_bad_stage_file(in_tmp, capsys, case):
    edited = apply(case, in_tmp / "environments")
    line, column = edited.at(case.at)
    result = render(capsys, case.stage)
    assert_clean_failure(result, in_tmp)
    assert f"environments/{case.file}:{line}:{column}: {case.key_path}: {case.message}\n" in result.err
    hint = result.err.split("\n    hint: ", 1)[1] if "\n    hint: " in result.err else ""
    assert hint.strip() and case.hint in hint


@pytest.mark.parametrize(
    "old, new, at, message",
    [
        (
            TASK_SCALING,
            "{min_replicas: [5, max_replicas: 20}",
            "}",
            "YAML syntax error: did not find expected ',' or ']'",
        ),
        (RTO, "   rto_minutes: 30\n", ":", "YAML syntax error: mapping values are not allowed in this context"),
        ("\ntenants:\n", "\n---\ntenants:\n", "---", "YAML syntax error: holds more than one YAML document"),
        (
            RTO,
            "  rto_minutes: 30\n  rto_minutes: 45\n",
            "rto_minutes: 45",
            "targets.rto_minutes: duplicate key 'rto_minutes'; it is already defined at line ",
        ),
        (RTO, "  <<: {rto_minutes: 30}\n", "<<", "targets: YAML merge keys (<<) are not supported"),
    ],
    ids=["bracket", "indentation", "second-document", "duplicate-key", "merge-key"],
)
def test_cli_reports_bad_yaml(in_tmp, capsys, old, new, at, message):
    edited = edit(in_tmp / "environments", "prod.yaml", old, new)
    line, column = edited.at(at)
    result = render(capsys, "prod")
    assert_clean_failure(result, in_tmp)
    assert f"environments/prod.yaml:{line}:{column}: {message}" in result.err
    assert "\n    hint: " in result.err


def test_cli_missing_image(in_tmp, capsys):
    edited = edit(in_tmp / "environments", "prod.yaml", COST_IMAGE, "")
    line, column = edited.find("images:\n")
    result = render(capsys, "prod")
    assert_clean_failure(result, in_tmp)
    assert (
        f"environments/prod.yaml:{line}:{column}: release.images: no image for service 'cost-service'\n"
        "    hint: add release.images.cost-service\n"
    ) in result.err


def test_cli_unknown_stage(in_tmp, capsys):
    result = render(capsys, "qa")
    assert_clean_failure(result, in_tmp)
    assert result.err == (
        "pipeline render: invalid input\nunknown stage 'qa'\n"
        "    hint: the stages in environments/stages.yaml are dev, staging, prod\n"
    )


def test_cli_environments_directory_that_does_not_exist(in_tmp, capsys):
    result = render(capsys, environments="nowhere")
    assert_clean_failure(result, in_tmp)
    assert "nowhere: no such environments directory\n    hint: pass --environments DIR" in result.err


def test_cli_missing_stage_file(in_tmp, capsys):
    (in_tmp / "environments" / "staging.yaml").unlink()
    result = render(capsys)  # every stage: staging is missing
    assert_clean_failure(result, in_tmp)
    assert (
        "environments/staging.yaml: no such stage file\n"
        "    hint: stage 'staging' is listed in stages.yaml; create staging.yaml beside it"
    ) in result.err


def test_cli_stage_listed_twice(in_tmp, capsys):
    edited = edit(in_tmp / "environments", "stages.yaml", "  - prod\n", "  - prod\n  - dev\n")
    line, column = edited.at("dev")
    result = render(capsys)
    assert_clean_failure(result, in_tmp)
    assert (
        f"environments/stages.yaml:{line}:{column}: stages[3]: stage 'dev' is listed twice\n"
        "    hint: each stage appears once in the order"
    ) in result.err


def test_cli_release_in_defaults(in_tmp, capsys):
    edited = edit(
        in_tmp / "environments", "defaults.yaml", "\nplatform:\n", "\nrelease: {version: shared}\nplatform:\n"
    )
    line, column = edited.at("release")
    result = render(capsys, "prod")
    assert_clean_failure(result, in_tmp)
    assert (
        f"environments/defaults.yaml:{line}:{column}: release: release cannot be a shared default\n"
        "    hint: the release is promoted stage by stage; keep it in each <stage>.yaml\n"
    ) in result.err


def test_cli_leaves_an_existing_output_folder_unchanged(in_tmp, capsys):
    (in_tmp / "out" / "prod").mkdir(parents=True)
    (in_tmp / "out" / "prod" / "old.yaml").write_text("kind: Old\n", encoding="utf-8")
    before = tree(in_tmp / "out")
    edit(in_tmp / "environments", "prod.yaml", TASK_SCALING, "{min_replicas: 25, max_replicas: 20}")
    result = render(capsys)
    assert result.code == 2
    assert "Traceback" not in result.err
    assert tree(in_tmp / "out") == before


def test_cli_writes_nothing_when_only_one_of_several_stages_is_bad(in_tmp, capsys):
    edit(in_tmp / "environments", "prod.yaml", "initech: {plan: small,", "initech: {plan: platinum,")
    result = render(capsys)  # dev and staging are fine, prod is not
    assert_clean_failure(result, in_tmp)
    assert ": tenants.initech.plan: unknown plan 'platinum'" in result.err


def test_cli_bad_explicit_tag_is_bad_input_not_an_internal_error(in_tmp, capsys):
    edited = edit(in_tmp / "environments", "prod.yaml", RTO, "  rto_minutes: !!int thirty\n")
    line, column = edited.at("!!int")
    result = render(capsys, "prod")
    assert result.code == 2, result.err
    assert f"environments/prod.yaml:{line}:{column}: targets.rto_minutes:" in result.err


# --- the installed console script ----------------------------------------------------------------


def console_script() -> str:
    script = Path(sys.executable).parent / "pipeline"
    if not script.exists():
        script = REPOSITORY / ".venv" / "bin" / "pipeline"
    return str(script)


@pytest.mark.parametrize(
    "old, new, at, expected",
    [
        (
            TASK_SCALING,
            "{min_replicas: 25, max_replicas: 20}",
            "min_replicas",
            "services.task-service.autoscaling.min_replicas: min_replicas 25 is above max_replicas 20\n"
            "    hint: min_replicas must be <= max_replicas\n",
        ),
        (
            TASK_SCALING,
            "{min_replicas: [5, max_replicas: 20}",
            "}",
            "YAML syntax error: did not find expected ',' or ']'\n"
            "    hint: check indentation, colons, quotes and closing brackets around this position\n",
        ),
    ],
    ids=["semantic", "syntax"],
)
def test_console_script_exits_2_with_a_located_message(environments_copy, old, new, at, expected):
    workdir = environments_copy.parent
    edited = edit(environments_copy, "prod.yaml", old, new)
    line, column = edited.at(at)
    env = {key: value for key, value in os.environ.items() if key != "PIPELINE_DEBUG"}
    completed = subprocess.run(
        [console_script(), "render", "--environments", "environments", "--stage", "prod", "--out", "out"],
        cwd=workdir,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert completed.returncode == 2, completed.stderr
    assert completed.stderr == f"pipeline render: invalid input\nenvironments/prod.yaml:{line}:{column}: {expected}"
    assert completed.stdout == ""
    assert not (workdir / "out").exists()


@pytest.mark.parametrize("text", ["", "# nothing but a comment\n", "{}\n"])
def test_an_empty_stage_file_is_named_not_blamed_on_the_defaults(environments_copy, text):
    (environments_copy / "dev.yaml").write_text(text)
    with pytest.raises(InvalidEnvironment) as raised:
        load_environment(environments_copy, "dev")
    (problem,) = raised.value.problems
    assert problem.location.file.endswith("dev.yaml") and problem.location.line == 1
    assert problem.message == "the stage file is empty: it holds no settings"
    assert "git checkout --" in problem.hint and "defaults.yaml" not in str(raised.value)


def test_a_stage_file_that_is_a_symlink_loop_is_named_as_one(environments_copy):
    (environments_copy / "dev.yaml").unlink()
    (environments_copy / "dev.yaml").symlink_to("dev.yaml")
    with pytest.raises(InvalidEnvironment) as raised:
        load_environment(environments_copy, "dev")
    (problem,) = raised.value.problems
    assert "dev.yaml is a symbolic link that leads to no file (a loop, or no target)" in problem.message
    assert "no such stage file" not in problem.message
