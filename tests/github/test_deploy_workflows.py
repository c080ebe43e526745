"""Deploy on merge: stages in order, prod behind an environment, check before pulumi up, one deploy
per stage at a time; drift looked for nightly."""

from __future__ import annotations

import re

from tests.conftest import REPOSITORY, STAGES
from tests.github.test_workflows import workflow


def test_deploy_runs_on_pushes_to_main_with_read_only_permissions():
    deploy = workflow("deploy.yml")
    assert deploy["on"]["push"]["branches"] == ["main"]
    assert deploy["permissions"] == {"contents": "read"}


def test_each_stage_is_one_job_that_needs_the_one_before():
    jobs = workflow("deploy.yml")["jobs"]
    assert [name for name in jobs if name != "plan"] == list(STAGES)
    previous = None
    for stage in STAGES:
        job = jobs[stage]
        needs = job["needs"] if isinstance(job["needs"], list) else [job["needs"]]
        assert "plan" in needs
        if previous:
            assert previous in needs, f"{stage} must wait for {previous}"
            # after the previous stage only if it succeeded or had nothing to deploy, never after a failure
            assert f"needs.{previous}.result == 'success'" in job["if"]
            assert f"needs.{previous}.result == 'skipped'" in job["if"]
            assert "!cancelled()" in job["if"]
        assert f"needs.plan.outputs.{stage} == 'true'" in job["if"]
        assert job["uses"] == "./.github/workflows/deploy-stage.yml"
        assert job["with"] == {"stage": stage}
        previous = stage


def test_the_plan_deploys_the_stages_whose_inputs_changed():
    steps = workflow("deploy.yml")["jobs"]["plan"]["steps"]
    checkout = next(s for s in steps if s.get("uses", "").startswith("actions/checkout"))
    assert checkout["with"]["fetch-depth"] == 0
    assert any("pipeline changed-stages" in s.get("run", "") and "GITHUB_OUTPUT" in s["run"] for s in steps)


def test_a_stage_deploys_in_its_own_environment_one_at_a_time():
    job = workflow("deploy-stage.yml")["jobs"]["deploy"]
    assert job["environment"] == "${{ inputs.stage }}"  # prod gets required reviewers in the repository settings
    assert job["concurrency"] == {"group": "deploy-${{ inputs.stage }}", "cancel-in-progress": False}
    assert workflow("deploy-stage.yml")["permissions"] == {"contents": "read"}


def test_missing_credentials_fail_the_deploy_first():
    steps = workflow("deploy-stage.yml")["jobs"]["deploy"]["steps"]
    first = steps[0]["run"]
    for secret in ("PULUMI_ACCESS_TOKEN", "PULUMI_CONFIG_PASSPHRASE", "KUBECONFIG"):
        assert secret in first
    assert "::error::" in first and "exit 1" in first
    assert steps[-1]["run"] == 'scripts/deploy "${STAGE}"'


def test_the_deploy_script_checks_before_pulumi_up_and_verifies_after():
    lines = (REPOSITORY / "scripts" / "deploy").read_text().splitlines()
    script = "\n".join(line for line in lines if not line.lstrip().startswith("#"))  # the commands, not the header
    check = script.index(".venv/bin/pipeline check --stage")
    up = script.index("pulumi up --yes --stack")
    verify = script.index("scripts/verify-rollout")
    assert check < up < verify
    assert "--policy-pack policies" in script[up:verify] and "--diff" in script[up:verify]


def test_drift_is_looked_for_nightly_per_stage():
    drift = workflow("drift.yml")
    assert drift["on"]["schedule"][0]["cron"]
    job = drift["jobs"]["drift"]
    assert job["strategy"]["matrix"]["stage"] == list(STAGES)
    assert job["concurrency"]["group"] != "deploy-${{ matrix.stage }}", (
        "queueing a drift check must not cancel a deploy"
    )
    runs = " ".join(s.get("run", "") for s in job["steps"])
    assert "pipeline render --stage" in runs and "--check" in runs
    script = next(s for s in job["steps"] if s.get("uses", "").startswith("actions/github-script"))["with"]["script"]
    assert "issues.update" in script and "issues.create" in script


def test_drift_compares_with_the_live_cluster_in_the_stages_environment_with_the_passphrase():
    job = workflow("drift.yml")["jobs"]["drift"]
    assert job["environment"] == "${{ matrix.stage }}-preview"  # where the read-only credentials are
    live = next(s for s in job["steps"] if s.get("id") == "pulumi")
    assert 'scripts/drift "${STAGE}" --report drift.md' in live["run"]
    assert live["env"]["PULUMI_CONFIG_PASSPHRASE"] == "${{ secrets.PULUMI_CONFIG_PASSPHRASE }}"
    # scripts/drift refreshes from the cluster before it compares
    assert "--refresh" in (REPOSITORY / "tools" / "drift.py").read_text()


def test_only_drift_opens_an_issue_and_an_error_fails_the_job_instead():
    steps = workflow("drift.yml")["jobs"]["drift"]["steps"]
    issue = next(s for s in steps if s.get("uses", "").startswith("actions/github-script"))
    assert issue["if"] == "steps.render.outputs.exit != '0' || steps.pulumi.outputs.exit == '1'"
    error = steps[-1]
    assert "steps.pulumi.outputs.exit != '1'" in error["if"] and "steps.pulumi.outputs.exit != '0'" in error["if"]
    assert "::error::" in error["run"] and "exit 1" in error["run"]


def test_secrets_reach_workflows_only_as_references():
    for path in (REPOSITORY / ".github" / "workflows").glob("*.yml"):
        for line in path.read_text().splitlines():
            if re.search(r"(TOKEN|PASSPHRASE|KUBECONFIG[A-Z_]*|PASSWORD)\s*:", line) and "${{" not in line:
                assert re.search(r":\s*$|required:|description:", line) or line.strip().startswith("#"), line
