"""pipeline check through its entry point: stages, --manifests, formats, enforcement, bad input."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import jsonschema
import pytest
import yaml

from pipeline.cli import main
from policies.rules import RULES
from tests.conftest import ENVIRONMENTS, STAGES


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    assert "Traceback" not in err
    return code, out, err


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1))


def write_manifests(directory: Path, name: str, manifests: list[dict]) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / name
    path.write_text(yaml.safe_dump_all(manifests))
    return path


def test_the_repository_stages_pass(capsys):
    code, out, _ = run(capsys, "check", "--environments", str(ENVIRONMENTS))
    assert code == 0
    for stage in STAGES:
        assert f"PASS {stage}: " in out
    assert f", {len(RULES)} rules: 0 mandatory failures" in out


def test_a_daily_backup_fails_prod_and_points_at_the_stage_file(environments_copy, capsys):
    edit(environments_copy / "prod.yaml", 'schedule: "*/30 * * * *"', 'schedule: "0 2 * * *"')
    code, out, _ = run(capsys, "check", "--environments", str(environments_copy), "--stage", "prod")
    assert code == 1
    assert "FAIL prod:" in out
    assert (
        "[backup-rpo] CronJob agent-platform-prod/postgres-backup-agents spec.schedule: is '0 2 * * *', up to 24 h "
        "between runs, must be at most 1 h between runs (the RPO)."
    ) in out
    line = next(
        i for i, text in enumerate((environments_copy / "prod.yaml").read_text().splitlines(), 1) if "schedule:" in text
    )
    assert f"at {environments_copy / 'prod.yaml'}:{line}:3 (backup.schedule)" in out.replace(os.getcwd() + "/", "")


def test_advisory_findings_report_without_failing(environments_copy, capsys):
    edit(environments_copy / "prod.yaml", 'schedule: "*/30 * * * *"', 'schedule: "0 2 * * *"')
    edit(environments_copy / "prod.yaml", "\npolicy:\n", "\npolicy:\n  enforcement: {backup-rpo: advisory}\n")
    code, out, _ = run(capsys, "check", "--environments", str(environments_copy), "--stage", "prod")
    assert code == 0
    assert "PASS prod:" in out and "advisory   [backup-rpo]" in out


def test_disabled_rules_are_skipped(environments_copy, capsys):
    edit(environments_copy / "prod.yaml", 'schedule: "*/30 * * * *"', 'schedule: "0 2 * * *"')
    edit(environments_copy / "prod.yaml", "\npolicy:\n", "\npolicy:\n  enforcement: {backup-rpo: disabled}\n")
    code, out, _ = run(capsys, "check", "--environments", str(environments_copy), "--stage", "prod")
    assert code == 0 and "backup-rpo" not in out
    assert f", {len(RULES) - 1} rules:" in out


def test_an_unknown_rule_in_the_stage_file_is_bad_input(environments_copy, capsys):
    edit(environments_copy / "prod.yaml", "\npolicy:\n", "\npolicy:\n  enforcement: {backup-rp0: advisory}\n")
    code, _, err = run(capsys, "check", "--environments", str(environments_copy), "--stage", "prod")
    assert code == 2
    assert "policy.enforcement.backup-rp0: unknown policy rule 'backup-rp0'" in err
    assert "did you mean 'backup-rpo'?" in err
    assert "prod.yaml:" in err


@pytest.mark.parametrize("fmt", ["json", "markdown", "sarif", "text"])
def test_every_format_reports_the_same_verdict(environments_copy, capsys, fmt, tmp_path):
    edit(environments_copy / "prod.yaml", 'schedule: "*/30 * * * *"', 'schedule: "0 2 * * *"')
    output = tmp_path / f"report.{fmt}"
    code, out, err = run(
        capsys,
        "check",
        "--environments",
        str(environments_copy),
        "--stage",
        "prod",
        "--format",
        fmt,
        "--output",
        str(output),
    )
    assert code == 1 and out == ""
    text = output.read_text()
    if fmt == "json":
        report = json.loads(text)
        assert report["passed"] is False
        finding = report["stages"][0]["findings"][0]
        assert finding["rule"] == "backup-rpo" and finding["enforcement"] == "mandatory"
        assert finding["location"]["key_path"] == "backup.schedule"
        assert finding["remediation"] == RULES["backup-rpo"].REMEDIATION
    elif fmt == "markdown":
        assert "| prod | :x: fail |" in text and "`backup-rpo`" in text
    elif fmt == "sarif":
        assert json.loads(text)["runs"][0]["results"][0]["ruleId"] == "backup-rpo"
        assert "FAIL prod" in err  # the summary still reaches the terminal
    else:
        assert "FAIL prod:" in text


def sarif_schema() -> dict:
    path = os.environ.get("SARIF_SCHEMA") or str(Path(__file__).resolve().parents[2] / ".venv/share/sarif-2.1.0.json")
    if not Path(path).is_file():
        pytest.skip("the SARIF 2.1.0 schema is fetched by `make test` (npm); run the tests through make")
    return json.loads(Path(path).read_text())


def test_sarif_output_validates_against_the_sarif_schema(environments_copy, capsys):
    edit(environments_copy / "prod.yaml", 'schedule: "*/30 * * * *"', 'schedule: "0 2 * * *"')
    code, out, _ = run(capsys, "check", "--environments", str(environments_copy), "--format", "sarif")
    assert code == 1
    log = json.loads(out)
    jsonschema.Draft4Validator(sarif_schema()).validate(log)
    assert [run["automationDetails"]["id"] for run in log["runs"]] == [f"pipeline-check/{s}/" for s in STAGES]
    result = log["runs"][2]["results"][0]
    location = result["locations"][0]["physicalLocation"]
    assert location["artifactLocation"]["uri"].endswith("prod.yaml")
    assert location["region"]["startLine"] > 1
    assert {r["id"] for r in log["runs"][0]["tool"]["driver"]["rules"]} == set(RULES) | {"kubernetes-schema", "input"}


def test_manifests_are_checked_with_the_stage_config(rendered, tmp_path, capsys):
    prod = list(rendered["prod"].manifests)
    write_manifests(tmp_path / "in", "a.yaml", prod[:50])
    write_manifests(tmp_path / "in" / "nested", "b.yml", prod[50:])
    code, out, _ = run(
        capsys, "check", "--environments", str(ENVIRONMENTS), "--manifests", str(tmp_path / "in"), "--stage", "prod"
    )
    assert code == 0, out
    assert f"PASS prod: {len(prod)} resources" in out


def test_stack_rules_see_all_given_manifests_together(rendered, tmp_path, capsys):
    deployment = next(
        m for m in rendered["prod"].manifests if m["kind"] == "Deployment" and m["metadata"]["name"] == "user-service"
    )
    hpa = next(
        m
        for m in rendered["prod"].manifests
        if m["kind"] == "HorizontalPodAutoscaler" and m["metadata"]["name"] == "user-service"
    )
    pdb = next(
        m
        for m in rendered["prod"].manifests
        if m["kind"] == "PodDisruptionBudget" and m["metadata"]["name"] == "user-service"
    )
    blocking = {**pdb, "spec": {**pdb["spec"], "minAvailable": 2}}
    first = write_manifests(tmp_path, "deployment.yaml", [deployment, hpa])
    second = write_manifests(tmp_path, "pdb.yaml", [blocking])
    code, out, _ = run(
        capsys,
        "check",
        "--environments",
        str(ENVIRONMENTS),
        "--manifests",
        str(first),
        str(second),
        "--stage",
        "prod",
        "--format",
        "json",
    )
    findings = [f for f in json.loads(out)["stages"][0]["findings"] if f["rule"] == "pdb-coverage"]
    assert code == 1
    assert [f["resource"] for f in findings] == ["PodDisruptionBudget agent-platform-prod/user-service"]
    assert findings[0]["location"]["file"] == str(second)


def test_schema_problems_fail_the_check(tmp_path, capsys):
    path = write_manifests(
        tmp_path,
        "bad.yaml",
        [{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c", "namespace": "n"}, "data": {"a": 1}}],
    )
    code, out, _ = run(capsys, "check", "--environments", str(ENVIRONMENTS), "--manifests", str(path), "--stage", "dev")
    assert code == 1
    assert "SCHEMA     ConfigMap n/c data.a: 1 is not of type 'string'" in out


def test_a_kind_without_a_schema_is_reported_and_fails_only_when_strict(tmp_path, capsys):
    path = write_manifests(
        tmp_path, "cr.yaml", [{"apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"name": "w"}}]
    )
    argv = ["check", "--environments", str(ENVIRONMENTS), "--manifests", str(path), "--stage", "dev"]
    code, out, _ = run(capsys, *argv)
    assert code == 0 and "1 not validated" in out
    assert "no schema for example.com/v1 Widget: not validated" in out
    code, out, _ = run(capsys, *argv, "--strict-schemas")
    assert code == 1 and "SCHEMA     Widget w: no schema for example.com/v1 Widget" in out


@pytest.mark.parametrize(
    "content, message",
    [
        ("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: [a\n", ":4:1: YAML syntax error"),
        (
            "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n---\nkind: ConfigMap\nmetadata: {name: b}\n",
            ":5:1: apiVersion: missing apiVersion",
        ),
        (
            "apiVersion: v1\nkind: ConfigMap\nmetadata: {generateName: a-}\n",
            ":1:1: metadata.name: missing metadata.name",
        ),
        ("- just\n- a list\n", ":1:1: expected a Kubernetes object (a mapping), got list"),
    ],
    ids=["syntax", "no-api-version", "no-name", "not-a-mapping"],
)
def test_bad_manifest_files_are_bad_input(tmp_path, capsys, content, message):
    path = tmp_path / "in.yaml"
    path.write_text(content)
    code, _, err = run(capsys, "check", "--environments", str(ENVIRONMENTS), "--manifests", str(path), "--stage", "dev")
    assert code == 2
    assert f"{path}{message}" in err


def test_the_platform_profile_needs_exactly_one_stage(tmp_path, capsys):
    path = write_manifests(tmp_path, "in.yaml", [{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}}])
    code, _, err = run(
        capsys, "check", "--environments", str(ENVIRONMENTS), "--manifests", str(path), "--profile", "platform"
    )
    assert code == 2 and "the platform profile judges --manifests by exactly one stage's policy config" in err


def test_a_missing_manifest_path_is_bad_input(tmp_path, capsys):
    code, _, err = run(
        capsys, "check", "--environments", str(ENVIRONMENTS), "--manifests", str(tmp_path / "nope"), "--stage", "dev"
    )
    assert code == 2 and "nope: no such file or folder" in err


def test_list_documents_are_expanded(rendered, tmp_path, capsys):
    items = [m for m in rendered["dev"].manifests if m["kind"] == "ConfigMap"]
    path = write_manifests(tmp_path, "list.yaml", [{"apiVersion": "v1", "kind": "List", "items": items}])
    code, out, _ = run(capsys, "check", "--environments", str(ENVIRONMENTS), "--manifests", str(path), "--stage", "dev")
    assert f": {len(items)} resources" in out


def test_a_rendered_stage_folder_is_checked_as_is(capsys, rendered):
    from tests.conftest import REPOSITORY

    code, out, _ = run(
        capsys,
        "check",
        "--environments",
        str(ENVIRONMENTS),
        "--manifests",
        str(REPOSITORY / "rendered" / "prod"),
        "--stage",
        "prod",
    )
    assert code == 0, out  # its kustomization.yaml is build configuration, not an object
    assert f"PASS prod: {len(rendered['prod'].manifests)} resources" in out


@pytest.mark.parametrize("fmt", ["text", "markdown", "sarif"])
def test_the_json_report_rebuilds_every_other_report(environments_copy, capsys, fmt):
    """check --format json is mergeable: StageCheck.from_dict gives back what every report is made of."""
    from pipeline.reports import FORMATS, sarif
    from pipeline.verdict import StageCheck

    edit(environments_copy / "prod.yaml", 'schedule: "*/30 * * * *"', 'schedule: "0 2 * * *"')
    base = ("check", "--environments", str(environments_copy))
    parts = [json.loads(run(capsys, *base, "--stage", stage, "--format", "json")[1]) for stage in STAGES]
    checks = [StageCheck.from_dict(stage) for part in parts for stage in part["stages"]]
    code, out, _ = run(capsys, *base, "--format", fmt)
    assert code == 1
    if fmt == "sarif":  # the catalog's address comes from where the command runs
        assert sarif.render(checks, sarif.catalog_url(os.environ, Path.cwd())) == out
    else:
        assert FORMATS[fmt](checks) == out
    assert FORMATS["json"](checks) == run(capsys, *base, "--format", "json")[1]


def test_an_output_that_is_not_a_file_is_refused_and_minus_is_stdout(tmp_path, capsys):
    """--output over a FIFO (or /dev/null as root) must not replace it with a regular file."""
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    code, out, err = run(capsys, "check", "--environments", str(ENVIRONMENTS), "--stage", "dev", "--output", str(fifo))
    assert code == 2
    assert f"{fifo} is a named pipe (FIFO), not a file: nothing was written" in err
    assert stat.S_ISFIFO(fifo.stat().st_mode) and sorted(tmp_path.iterdir()) == [fifo]
    code, out, _ = run(capsys, "check", "--environments", str(ENVIRONMENTS), "--stage", "dev", "--output", "-")
    assert code == 0 and "PASS dev:" in out and not (Path.cwd() / "-").exists()
