"""The required pull-request check (.github/workflows/pull-request.yml): its job graph, and its steps run.

The graph: one last job, `pull-request`, needs every other and runs whatever they did; the tests,
the render check, the gate and the preview are among them; the Pulumi preview runs in the
stage's read-only environment with the passphrase; a hotfix waits for its environment's
reviewers. The steps whose scripts can run here are run, as GitHub runs them (bash -eo pipefail,
the job's env, $GITHUB_OUTPUT), in a throw-away repository holding a pull request.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from pipeline.reports.preview_markdown import MARKER
from tests.conftest import REPOSITORY, STAGES
from tests.github.test_workflows import workflow
from tests.pipeline.gitrepo import GitRepo, build_repo
from tests.pipeline.test_promotion import edit_release, image

PR = workflow("pull-request.yml")
JOBS = PR["jobs"]


def step(job: str, name: str) -> dict:
    return next(s for s in JOBS[job]["steps"] if s.get("name") == name)


def uses(job: str, action: str) -> list[dict]:
    return [s for s in JOBS[job]["steps"] if s.get("uses", "").startswith(action)]


# the job graph ---------------------------------------------------------------------------------------------


def test_it_runs_on_every_pull_request_event_that_changes_what_it_judges():
    assert set(PR["on"]["pull_request"]["types"]) == {"opened", "synchronize", "reopened", "labeled", "unlabeled"}
    assert PR["permissions"] == {"contents": "read"}
    assert PR["concurrency"]["group"] == "pull-request-${{ github.event.pull_request.number }}"
    assert PR["env"]["HEAD_SHA"] == "${{ github.event.pull_request.head.sha }}"


def test_the_required_check_is_one_last_job_that_needs_every_other_and_always_runs():
    last = JOBS["pull-request"]
    assert last["name"] == "pull-request"  # the status check to require in branch protection
    assert set(last["needs"]) == set(JOBS) - {"pull-request"}
    assert last["if"] == "always()"
    assert last["permissions"] == {"contents": "read", "pull-requests": "write", "security-events": "write"}
    # none of its reporting steps is skipped because a job before it failed
    for name in ("Merge the stages into one preview", "Write the comment", "Post or update the comment"):
        assert "if" not in step("pull-request", name), name
    fail = JOBS["pull-request"]["steps"][-1]
    assert fail["if"] == "steps.report.outputs.exit != '0'" and "exit 1" in fail["run"]


def test_it_runs_the_tests_the_render_check_the_gate_and_the_preview():
    assert step("tests", "The project's tests")["run"] == ".ci/run"
    assert ".venv/bin/pipeline render --check" in step("render-check", "rendered/ against the stage files")["run"]
    assert ".venv/bin/pipeline gate" in step("gate", "Release changes against the merge base")["run"]
    preview = JOBS["preview"]
    assert preview["strategy"]["matrix"]["stage"] == "${{ fromJSON(needs.plan.outputs.stages) }}"
    assert preview["strategy"]["fail-fast"] is False
    assert ".venv/bin/pipeline preview" in step("preview", "Preview the stage against the merge base")["run"]


def test_every_job_judges_the_head_commit_and_history_is_there_where_it_is_read():
    for name, job in JOBS.items():
        for checkout in (s for s in job.get("steps", []) if s.get("uses", "").startswith("actions/checkout")):
            assert checkout["with"]["ref"] == "${{ env.HEAD_SHA }}", name
    for name in ("plan", "gate", "preview"):
        assert uses(name, "actions/checkout")[0]["with"]["fetch-depth"] == 0, name


def test_the_pulumi_preview_runs_in_the_stages_preview_environment_with_the_passphrase():
    job = JOBS["pulumi-preview"]
    assert job["environment"] == "${{ matrix.stage }}-preview"
    pulumi = uses("pulumi-preview", "pulumi/actions")[0]
    assert pulumi["with"]["command"] == "preview" and pulumi["with"]["stack-name"] == "${{ matrix.stage }}"
    assert pulumi["env"]["PULUMI_CONFIG_PASSPHRASE"] == "${{ secrets.PULUMI_CONFIG_PASSPHRASE }}"
    assert pulumi["with"]["policyPacks"] == "policies"
    assert "PULUMI_CONFIG_PASSPHRASE" in step("pulumi-preview", "Check for Pulumi credentials")["run"]


def test_a_hotfix_waits_for_its_environments_reviewers_and_the_gate_waits_for_it():
    approval = JOBS["hotfix-approval"]
    assert approval["environment"] == "${{ matrix.stage }}-hotfix"
    assert approval["if"] == "needs.plan.outputs.approval_stages != '[]'"
    assert approval["strategy"]["matrix"]["stage"] == "${{ fromJSON(needs.plan.outputs.approval_stages) }}"
    assert not uses("hotfix-approval", "actions/checkout"), "the approval job runs none of the pull request's code"
    gate = JOBS["gate"]
    assert set(gate["needs"]) == {"plan", "hotfix-approval"}
    assert "needs.hotfix-approval.result != 'failure'" in gate["if"] and "!cancelled()" in gate["if"]
    approved = step("gate", "Release changes against the merge base")["env"]["APPROVED"]
    assert approved == "${{ needs.hotfix-approval.result == 'success' && needs.plan.outputs.approval_stages || '[]' }}"


def test_the_images_the_change_brings_in_are_scanned_and_a_critical_one_in_prod_fails():
    job = JOBS["image-scan"]
    assert job["strategy"]["matrix"]["image"] == "${{ fromJSON(needs.plan.outputs.images) }}"
    sarif, gate = uses("image-scan", "aquasecurity/trivy-action")
    assert sarif["with"]["format"] == "sarif" and sarif["with"]["exit-code"] == "0"
    assert gate["with"]["severity"] == "CRITICAL"
    assert gate["with"]["exit-code"] == "${{ matrix.image.last_stage && '1' || '0' }}"
    upload = uses("image-scan", "github/codeql-action/upload-sarif")[0]
    assert upload["uses"].endswith("@v4") and upload["with"]["category"] == "image/${{ matrix.image.key }}"


def test_code_scanning_uploads_on_pushes_to_main_with_the_current_upload_action():
    scanning = workflow("code-scanning.yml")
    assert scanning["on"]["push"]["branches"] == ["main"]
    uploads = [
        s
        for name in ("code-scanning.yml", "pull-request.yml")
        for job in workflow(name)["jobs"].values()
        for s in job.get("steps", [])
        if "upload-sarif" in s.get("uses", "")
    ]
    assert len(uploads) == 4 and all(s["uses"] == "github/codeql-action/upload-sarif@v4" for s in uploads)
    assert "pipeline check --format sarif --output check.sarif" in scanning["jobs"]["policies"]["steps"][3]["run"]


# the steps, run ----------------------------------------------------------------------------------------------


def run_step(job: str, name: str, repo: Path, env: dict[str, str], tmp: Path) -> subprocess.CompletedProcess:
    """A step's script as GitHub runs it: bash -eo pipefail, the workflow's and step's env, $GITHUB_OUTPUT."""
    script = tmp / "step.sh"
    script.write_text(step(job, name)["run"])
    output = tmp / f"output-{job}"
    output.write_text("")
    full = {
        "PATH": os.environ["PATH"],
        "HOME": str(tmp),
        "TMPDIR": str(tmp),
        "GITHUB_OUTPUT": str(output),
        "GITHUB_STEP_SUMMARY": str(tmp / "summary.md"),
        **env,
    }
    result = subprocess.run(
        ["bash", "--noprofile", "--norc", "-eo", "pipefail", str(script)],
        cwd=repo,
        env=full,
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    result.outputs = dict(line.split("=", 1) for line in output.read_text().splitlines() if "=" in line)
    return result


@pytest.fixture(scope="module")
def pull_request(tmp_path_factory) -> dict:
    """A pull request that edits rendered/prod by hand and hotfixes prod's agent-service image."""
    if not (REPOSITORY / ".venv" / "bin" / "pipeline").exists():
        pytest.skip("the steps call .venv/bin/pipeline: run the tests through make")
    root = tmp_path_factory.mktemp("pull-request")
    repo = build_repo(root / "repo")
    (repo.path / ".venv").symlink_to(REPOSITORY / ".venv")
    repo.write(".gitignore", "__pycache__/\n*.pyc\n.venv\n", commit="ignore the virtualenv")
    base = repo.head()
    repo.git("update-ref", "refs/remotes/origin/main", base)
    repo.git("checkout", "-q", "-b", "pr/hotfix")
    hotfix = image("agent-service", "1.4.3-hotfix")
    edit_release(repo, "prod", lambda r: r["images"].__setitem__("agent-service", hotfix))
    assert repo.run("render").code == 0
    edited = sorted((repo.path / "rendered" / "prod").rglob("*.yaml"))[1]
    edited.write_text(edited.read_text() + "# by hand\n")
    head = repo.commit("prod: agent-service hotfix, and a hand edit of rendered/")
    return {"repo": repo, "base": base, "head": head, "edited": edited, "hotfix": hotfix, "tmp": root}


def plan(pull_request, labels: list[str]) -> dict[str, str]:
    result = run_step(
        "plan",
        "Plan the check",
        pull_request["repo"].path,
        {"BASE_REF": "main", "LABELS": json.dumps(labels), "HEAD_SHA": pull_request["head"]},
        pull_request["tmp"],
    )
    assert result.returncode == 0, result.stderr
    return result.outputs


def test_the_plan_reads_the_merge_base_the_stages_the_labels_the_hotfixes_and_the_images(pull_request):
    unlabelled = plan(pull_request, [])
    assert unlabelled["base"] == pull_request["base"]
    assert json.loads(unlabelled["stages"]) == list(STAGES)
    assert unlabelled["allow_disruptive"] == "false"
    assert json.loads(unlabelled["hotfix_stages"]) == ["prod"]
    assert json.loads(unlabelled["approval_stages"]) == []  # no label: nobody is asked, the gate refuses
    images = json.loads(unlabelled["images"])
    assert [(i["image"], i["stages"], i["last_stage"]) for i in images] == [(pull_request["hotfix"], ["prod"], True)]
    labelled = plan(pull_request, ["hotfix", "allow-disruptive"])
    assert json.loads(labelled["approval_stages"]) == ["prod"] and labelled["allow_disruptive"] == "true"


def gate(pull_request, approved: list[str]) -> subprocess.CompletedProcess:
    env = {"BASE_SHA": pull_request["base"], "ALLOW_DISRUPTIVE": "false", "APPROVED": json.dumps(approved)}
    return run_step(
        "gate", "Release changes against the merge base", pull_request["repo"].path, env, pull_request["tmp"]
    )


def test_the_gate_step_refuses_the_hotfix_until_it_is_approved(pull_request):
    refused = gate(pull_request, [])
    assert refused.returncode == 1
    details = (pull_request["repo"].path / "report" / "details" / "gate.md").read_text()
    assert "FAIL prod: hotfix" in details and "refused without an approval" in details
    approved = gate(pull_request, ["prod"])
    assert approved.returncode == 0, approved.stdout
    details = (pull_request["repo"].path / "report" / "details" / "gate.md").read_text()
    assert "--approve-hotfix prod" in details and "PASS prod: hotfix" in details and "approved hotfix" in details


def test_the_render_check_step_fails_on_the_hand_edit_and_names_the_file(pull_request):
    result = run_step(
        "render-check", "rendered/ against the stage files", pull_request["repo"].path, {}, pull_request["tmp"]
    )
    assert result.returncode == 1
    details = (pull_request["repo"].path / "report" / "details" / "render-check.md").read_text()
    assert os.path.relpath(pull_request["edited"], pull_request["repo"].path) in details


def preview(pull_request, stage: str, repo: GitRepo | None = None) -> subprocess.CompletedProcess:
    env = {
        "BASE_SHA": pull_request["base"],
        "STAGE": stage,
        "ALLOW_DISRUPTIVE": "false",
        "HEAD_SHA": pull_request["head"],
    }
    where = (repo or pull_request["repo"]).path
    return run_step("preview", "Preview the stage against the merge base", where, env, pull_request["tmp"])


def test_a_stage_that_cannot_be_previewed_fails_its_job_and_says_why(pull_request, tmp_path):
    broken = GitRepo(tmp_path / "broken")
    subprocess.run(["git", "clone", "-q", str(pull_request["repo"].path), str(broken.path)], check=True)
    (broken.path / ".venv").symlink_to(REPOSITORY / ".venv")
    (broken.path / "environments" / "dev.yaml").write_text("release: [unclosed\n")
    result = preview(pull_request, "dev", broken)
    assert result.returncode == 2
    details = (broken.path / "report" / "details" / "preview--dev.md").read_text()
    assert "The preview of dev could not be made (exit 2)" in details and "dev.yaml" in details
    assert not (broken.path / "report" / "parts" / "part-dev.json").exists()


def test_the_last_job_writes_a_red_comment_titled_with_the_head_that_says_why(pull_request):
    repo = pull_request["repo"].path
    assert gate(pull_request, []).returncode == 1
    assert run_step("render-check", "rendered/ against the stage files", repo, {}, pull_request["tmp"]).returncode == 1
    for stage in STAGES:
        assert preview(pull_request, stage).returncode == 0
    collected = repo / "collected"
    shutil.copytree(repo / "report", collected, dirs_exist_ok=True)  # what download-artifact merges
    merged = run_step(
        "pull-request", "Merge the stages into one preview", repo, {"ALLOW_DISRUPTIVE": "false"}, pull_request["tmp"]
    )
    assert merged.returncode == 0, merged.stderr
    needs = {
        job: {"result": "failure" if job in ("gate", "render-check") else "success", "outputs": {}}
        for job in set(JOBS) - {"pull-request"}
    }
    env = {
        "NEEDS": json.dumps(needs),
        "PREVIEW_EXIT": merged.outputs["exit"],
        "HEAD_SHA": pull_request["head"],
        "RUN_URL": "https://github.com/acme/platform/actions/runs/42",
    }
    report = run_step("pull-request", "Write the comment", repo, env, pull_request["tmp"])
    assert report.returncode == 0, report.stderr  # the step records the verdict; the last step fails the job
    assert report.outputs["exit"] == "1"
    comment = (repo / "comment.md").read_text()
    assert comment.startswith(MARKER + "\n")
    assert f"## Pull-request check of `{pull_request['head'][:12]}`: :x: failed" in comment
    assert "[the run](https://github.com/acme/platform/actions/runs/42)" in comment
    assert "| release gate (`pipeline gate`) | :x: failure |" in comment
    assert "refused without an approval" in comment  # the gate's own words, opened
    assert os.path.relpath(pull_request["edited"], repo) in comment
    assert f"## Infrastructure preview: `{pull_request['base']}" in comment  # the preview, named by commits
    assert f"→ `{pull_request['head']}`" in comment
    assert comment.count(MARKER) == 1
