"""Values a hostile or careless stage file holds: each is a located problem, never a crash or a leak.

Floats where integers are expected, numbers out of range or not finite, quantities Kubernetes
cannot hold, settings deleted where every service inherits them, secrets pasted under the wrong
key, files that are not files, huge fleets; and the loader stays linear in the size of a file.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from bench import fleet
from model.build import MissingSetting, build
from model.environment import Resources
from model.errors import InputError, Location, Problem
from model.limits import MAX_FILE_BYTES, MAX_REPORTED, MAX_SERVICE_INSTANCES, capped
from model.loader import load_environment
from model.merge import merge_sources
from model.numbers import number_problems
from model.schema import schema_problems
from model.source import SourceMap, load_document, parse_document
from model.stage_order import load_stage_order
from tests.model.helpers import Line, assert_located, edit, load_error, only_problem, position


def schema_problem_at(text: str) -> Problem:
    """The one problem the schema finds in the minimal valid stage of tests plus text laid over it."""
    document = parse_document(text, "f.yaml")
    problems = [p for p in schema_problems(document.data, document.source) if "missing required key" not in p.message]
    assert len(problems) == 1, "\n".join(map(str, problems))
    return problems[0]


# --- integers and bounds ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, message, hint",
    [
        ("pod: {http_port: 8080.0}\n", "expected an integer, got number 8080.0", "write 8080"),
        ("training: {concurrent_jobs: 2.0}\n", "expected an integer, got number 2.0", "write 2"),
        ("backup: {retention: 3.5}\n", "expected an integer, got number 3.5", "write a whole number"),
        ("backup: {retention: 1e30}\n", "expected an integer, got number 1e+30", "write a whole number"),
        ("policy: {min_replicas: 1.0}\n", "expected an integer, got number 1.0", "write 1"),
    ],
)
def test_a_float_is_never_an_integer(text, message, hint):
    problem = schema_problem_at(text)
    assert problem.message == message
    assert problem.hint.startswith(hint)


def test_an_integer_out_of_range_names_the_range():
    problem = schema_problem_at(f"training: {{concurrent_jobs: {10**30}}}\n")
    assert problem.message == f"is {10**30}, must be at most 2147483647"
    assert problem.hint == "write a number from 1 to 2147483647 (Kubernetes counts are 32-bit)"


def test_a_fraction_above_one_is_out_of_range():
    problem = schema_problem_at("monitoring: {thresholds: {error_rate: 5}}\n")
    assert (problem.key_path, problem.message) == ("monitoring.thresholds.error_rate", "is 5, must be at most 1")


def test_a_prometheus_duration_in_minutes_is_whole():
    problem = schema_problem_at("monitoring: {thresholds: {recovery_minutes: 10.5}}\n")
    assert problem.message == "expected an integer, got number 10.5"


@pytest.mark.parametrize("text", [".inf", "-.inf", ".nan", "1e400", "-1e999"])
def test_a_number_that_is_not_finite_is_refused_wherever_it_is(text):
    source = f"release:\n  config:\n    common: {{ratio: {text}}}\n"
    (problem,) = number_problems(parse_document(source, "f.yaml"))
    where = Location("f.yaml", *position(source, source.index("ratio")))  # a value is located at its key
    assert (problem.location, problem.key_path) == (where, "release.config.common.ratio")
    assert "is not a finite number" in problem.message


# --- secrets in messages ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, key_path",
    [
        ("secrets: {items: {db: {password: hunter2-horse}}}\n", "secrets.items.db.password"),
        ("secrets: {items: {db: {password: [hunter2-horse]}}}\n", "secrets.items.db.password"),
        ("services: {a: {secret_env: {DB_PASSWORD: hunter2-horse}}}\n", "services.a.secret_env.DB_PASSWORD"),
        ("services: {a: {secret_env: {API_TOKEN: 12345678}}}\n", "services.a.secret_env.API_TOKEN"),
    ],
)
def test_a_value_under_a_key_that_names_a_secret_is_described_by_type_only(text, key_path):
    problem = schema_problem_at(text)
    assert problem.key_path == key_path
    assert "(not shown: the key names a secret)" in problem.message
    assert "hunter2" not in str(problem) and "12345678" not in str(problem)


def test_a_value_under_a_secret_key_is_not_echoed_by_a_tag_that_does_not_fit_either():
    with pytest.raises(InputError) as caught:
        parse_document("secrets: {items: {db: {password: !!int hunter2-horse}}}\n", "f.yaml")
    (problem,) = caught.value.problems
    assert problem.message == "the value (not shown: the key names a secret) is not a valid !!int"
    assert problem.key_path == "secrets.items.db.password"


def test_other_values_are_still_shown():
    problem = schema_problem_at("availability: {zone_spread: Always}\n")
    assert problem.message == "is 'Always', expected one of 'DoNotSchedule', 'ScheduleAnyway', 'none'"


def test_a_long_value_is_shortened_in_a_message():
    problem = schema_problem_at(f"availability: {{zone_spread: {'x' * 5000}}}\n")
    assert "x" * 41 not in problem.message and "(a string of 5,000 characters)" in problem.message


def test_a_credential_is_never_cut_into_a_shape_that_escapes_redaction():
    key = "sk-" + "abcdefghij" * 8 + "1"
    problem = schema_problem_at(f"availability: {{zone_spread: {key}}}\n")
    assert "abcdefghij" not in str(problem) and "it looks like an OpenAI-style API key" in problem.message


# --- the loader, on a copy of the repository's files --------------------------------------------


def test_a_setting_every_service_inherits_deleted_is_located_not_a_type_error(environments_copy):
    edit(environments_copy, "defaults.yaml", Line("    enabled: true"), "")
    problem = only_problem(load_error(environments_copy, "prod"))
    assert problem.key_path == "services.agent-service.autoscaling.enabled"
    assert problem.message == "missing required key 'enabled'"
    assert Path(problem.location.file).name == "defaults.yaml"


def test_a_requirement_of_the_backup_job_deleted_is_located(environments_copy):
    edited = edit(environments_copy, "defaults.yaml", Line("    requests: {cpu: 250m, memory: 256Mi}"), "")
    problem = only_problem(load_error(environments_copy, "dev"))
    assert (problem.key_path, problem.message) == ("backup.resources.requests", "missing required key 'requests'")
    assert_located(problem, edited.path, *edited.find("resources:                                # limit/request"))


def test_build_names_what_a_dataclass_misses_and_where():
    with pytest.raises(MissingSetting) as caught:
        build(Resources, {"limits": {"cpu": "1"}}, ("backup", "resources"))
    assert (caught.value.path, caught.value.key) == (("backup", "resources"), "requests")


@pytest.mark.parametrize(
    "value, message",
    [
        ('"-1"', "'-1' is negative"),
        ('"1e400"', "'1e400' is larger than any Kubernetes quantity (at most 2^63-1)"),
        ("10Ei", "'10Ei' is larger than any Kubernetes quantity (at most 2^63-1)"),
        ("100u", "'100u' is below 1m, the smallest Kubernetes quantity (Kubernetes rounds it up to 1m)"),
    ],
)
def test_a_quantity_kubernetes_cannot_hold_is_refused(environments_copy, value, message):
    edit(environments_copy, "defaults.yaml", Line("  tmp_size: "), f"  tmp_size: {value}\n")
    problem = only_problem(load_error(environments_copy, "dev"))
    assert (problem.key_path, problem.message) == ("pod.tmp_size", message)


def test_a_fleet_over_the_instance_limit_is_one_problem(environments_copy):
    tenants = "".join(f"  t{n}: {{plan: small}}\n" for n in range(1001))
    edit(environments_copy, "prod.yaml", "tenants:\n", "tenants:\n" + tenants)
    problem = only_problem(load_error(environments_copy, "prod"))
    assert problem.key_path == "tenants" and "a stage runs at most 3,000" in problem.message


@pytest.mark.parametrize("stage", ["defaults", "stages"])
def test_the_shared_files_are_not_stages(environments_copy, stage):
    (environments_copy / "stages.yaml").write_text(f"stages: [dev, {stage}]\n")
    with pytest.raises(InputError) as caught:
        load_stage_order(environments_copy)
    (problem,) = caught.value.problems
    assert (problem.location.line, problem.location.column, problem.key_path) == (1, 15, "stages[1]")


def test_a_stage_name_that_is_not_a_string_is_located(environments_copy):
    (environments_copy / "stages.yaml").write_text("stages: [dev, {a: 1}, 3]\n")
    with pytest.raises(InputError) as caught:
        load_stage_order(environments_copy)
    assert [(p.key_path, p.message) for p in caught.value.problems] == [
        ("stages[1]", "expected a stage name, got a mapping"),
        ("stages[2]", "expected a stage name, got number 3"),
    ]


# --- files --------------------------------------------------------------------------------------


def test_a_fifo_is_refused_before_it_is_opened(tmp_path):
    os.mkfifo(tmp_path / "stage.yaml")  # opened for reading, it would block until a writer came
    with pytest.raises(InputError) as caught:
        load_document(tmp_path / "stage.yaml", "stage.yaml")
    assert [p.message for p in caught.value.problems] == [
        "stage.yaml is a named pipe (FIFO), not a file: nothing was read"
    ]


def test_a_directory_is_refused(tmp_path):
    (tmp_path / "stage.yaml").mkdir()
    with pytest.raises(InputError) as caught:
        load_document(tmp_path / "stage.yaml", "stage.yaml")
    assert "is a directory, not a file" in caught.value.problems[0].message


def test_text_given_for_a_file_that_is_a_fifo_on_disk_is_refused(environments_copy):
    text = (environments_copy / "dev.yaml").read_text()
    (environments_copy / "dev.yaml").unlink()
    os.mkfifo(environments_copy / "dev.yaml")
    with pytest.raises(InputError) as caught:
        load_environment(environments_copy, "dev", None, {"dev.yaml": text})
    assert "is a named pipe (FIFO)" in caught.value.problems[0].message


# --- scale --------------------------------------------------------------------------------------


def test_merging_source_maps_is_linear_in_their_size():
    count = 20_000  # a stage file of this many keys under a mapping of defaults: once 400 million comparisons
    base = SourceMap({("config", f"k{n}", "x"): Location("d", n, 1) for n in range(count)})
    override = SourceMap({("config", f"k{n}"): Location("s", n, 1) for n in range(count)})
    start = time.perf_counter()
    merged = merge_sources(base, override, {"config": {f"k{n}": 1 for n in range(count)}})
    assert time.perf_counter() - start < 5  # linear: a tenth of a second
    assert ("config", "k0", "x") not in merged.positions and merged.positions[("config", "k0")].file == "s"


def test_a_report_lists_at_most_max_reported_problems_and_counts_the_rest():
    problems = [Problem(Location("f", n, 1), "", f"p{n}") for n in range(MAX_REPORTED + 5)]
    listed = capped(problems)
    assert listed[:MAX_REPORTED] == problems[:MAX_REPORTED]
    assert listed[-1].message == "and 5 more problems (not listed): fix these first"


def test_the_largest_fleet_benchmarked_is_far_within_every_limit(tmp_path):
    """The limits are chosen above what real stages hold: bench/fleet.py's 1,000 tenant services."""
    directory = fleet.generate(1000, tmp_path / "environments")
    for name in ("defaults.yaml", "prod.yaml"):
        assert (directory / name).stat().st_size * 10 < MAX_FILE_BYTES  # a margin of ten at least
    env = load_environment(directory, "prod")
    instances = len(env.services) + len(env.training.services) + sum(len(t.services) for t in env.tenants)
    assert 1000 < instances and instances * 2 < MAX_SERVICE_INSTANCES
