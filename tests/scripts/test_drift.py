"""scripts/drift: the live cluster against the program, told apart as no drift (0), drift (1, a
report naming what drifted) and could-not-compare (2, the reason, no report).

The real script runs against a fake `pulumi` first on PATH that records its argv and answers as
`pulumi preview --json --expect-no-changes` does (the PreviewDigest document on stdout: `steps`,
`diagnostics`, `changeSummary`; a non-zero exit and "no changes were expected but changes were
proposed" on stderr when it proposes changes), in the scenario FAKE_PULUMI_SCENARIO names.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPOSITORY
from tools import drift

SCRIPT = REPOSITORY / "scripts" / "drift"
PROJECT = "agent-platform"


def urn(stage: str, qualified_type: str, name: str) -> str:
    return f"urn:pulumi:{stage}::{PROJECT}::{qualified_type}::{name}"


def stack_urn(stage: str) -> str:
    return urn(stage, "pulumi:pulumi:Stack", f"{PROJECT}-{stage}")


def deployment_urn(stage: str) -> str:
    return urn(
        stage,
        "agent-platform:agent_service:AgentService$kubernetes:apps/v1:Deployment",
        f"agent-platform-{stage}/agent-service",
    )


def policy_urn(stage: str) -> str:
    return urn(
        stage,
        "agent-platform:agent_service:AgentService$kubernetes:networking.k8s.io/v1:NetworkPolicy",
        f"agent-platform-{stage}/agent-service-ingress",
    )


def no_changes(stage: str) -> dict:
    """A preview with nothing to do: only the root stack's step (sames are left out), all same."""
    return {
        "config": {"kubernetes:context": "agentflow-" + stage},
        "steps": [{"op": "same", "urn": stack_urn(stage), "provider": "", "detailedDiff": None}],
        "changeSummary": {"same": 57},
        "duration": 4200000000,
    }


def changes(stage: str) -> dict:
    """Someone scaled the Deployment by hand and deleted a NetworkPolicy: the refresh reads both."""
    return {
        "steps": [
            {"op": "same", "urn": stack_urn(stage), "detailedDiff": None},
            # --refresh gives each resource a refresh step; one that found nothing is no drift
            {"op": "refresh", "urn": stack_urn(stage), "detailedDiff": None},
            {
                "op": "update",
                "urn": deployment_urn(stage),
                "provider": "urn:pulumi:...::pulumi:providers:kubernetes::default_4_18_0::id",
                "oldState": {"urn": deployment_urn(stage), "type": "kubernetes:apps/v1:Deployment"},
                "newState": {"urn": deployment_urn(stage), "type": "kubernetes:apps/v1:Deployment"},
                "diffReasons": ["spec"],
                "detailedDiff": {"spec.replicas": {"kind": "update", "inputDiff": False}},
            },
            {"op": "create", "urn": policy_urn(stage), "detailedDiff": None},
        ],
        "changeSummary": {"create": 1, "same": 55, "update": 1},
        "duration": 5100000000,
    }


FAKE_PULUMI = """#!{python}
import json, os, sys
with open(os.environ["FAKE_PULUMI_LOG"], "a") as log:
    log.write(json.dumps(sys.argv[1:]) + "\\n")
scenario = os.environ["FAKE_PULUMI_SCENARIO"]
answers = json.loads(open(os.environ["FAKE_PULUMI_ANSWERS"]).read())
answer = answers[scenario]
sys.stdout.write(answer["stdout"])
sys.stderr.write(answer["stderr"].replace("$TOKEN", os.environ.get("PULUMI_ACCESS_TOKEN", "")))
sys.exit(answer["exit"])
"""


def answers(stage: str) -> dict:
    """What the fake answers, per scenario: stdout, stderr and exit status."""
    no_changes_expected = "error: no changes were expected but changes were proposed\n"
    return {
        "no-changes": {"stdout": json.dumps(no_changes(stage), indent=4) + "\n", "stderr": "", "exit": 0},
        "changes": {"stdout": json.dumps(changes(stage), indent=4) + "\n", "stderr": no_changes_expected, "exit": 1},
        # the CLIs with the exit-code taxonomy exit 7 (ExitNoChanges)
        "changes-exit-7": {"stdout": json.dumps(changes(stage)) + "\n", "stderr": no_changes_expected, "exit": 7},
        "not-logged-in": {
            "stdout": "",
            "stderr": "error: PULUMI_ACCESS_TOKEN must be set for login during non-interactive CLI sessions\n",
            "exit": 1,
        },
        "bad-token": {
            "stdout": "",
            "stderr": "error: getting user info for token $TOKEN: [401] Unauthorized: No credentials provided or are invalid.\n",
            "exit": 3,
        },
        "program-error": {
            "stdout": json.dumps(
                {
                    "diagnostics": [
                        {"message": "Starting the program\n", "severity": "info"},
                        {
                            "urn": stack_urn(stage),
                            "message": "error: Program failed with an unhandled exception:\n  RunError: stack dev expects namespace prefix\n",
                            "severity": "error",
                        },
                    ],
                    "changeSummary": {},
                }
            ),
            "stderr": "",
            "exit": 1,
        },
        # pulumi-kubernetes goes on with unknowns and only warns: that preview proves nothing
        "cluster-unreachable": {
            "stdout": json.dumps(
                {
                    **no_changes(stage),
                    "diagnostics": [
                        {
                            "urn": deployment_urn(stage),
                            "message": "warning: configured Kubernetes cluster is unreachable: unable to load schema information from the API server: dial tcp 10.0.0.1:6443: i/o timeout\n",
                            "severity": "warning",
                        }
                    ],
                }
            ),
            "stderr": "",
            "exit": 0,
        },
        "not-json": {"stdout": "Previewing update (dev)\n", "stderr": "", "exit": 0},
        "no-stack": {"stdout": "", "stderr": f"error: no stack named '{stage}' found\n", "exit": 6},
    }


@pytest.fixture
def fake(tmp_path: Path):
    """A fake pulumi first on PATH; returns run(scenario, stage, *args) -> (result, argv lists)."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    pulumi = bin_dir / "pulumi"
    pulumi.write_text(FAKE_PULUMI.format(python=sys.executable))
    pulumi.chmod(0o755)
    log = tmp_path / "pulumi-argv.jsonl"

    def run(scenario: str, stage: str = "dev", *args: str, token: str | None = None):
        answers_file = tmp_path / "answers.json"
        answers_file.write_text(json.dumps(answers(stage)))
        env = {key: value for key, value in os.environ.items() if not key.startswith("PULUMI_") and key != "KUBECONFIG"}
        env.update(
            PATH=f"{bin_dir}:{os.environ['PATH']}",
            FAKE_PULUMI_LOG=str(log),
            FAKE_PULUMI_SCENARIO=scenario,
            FAKE_PULUMI_ANSWERS=str(answers_file),
        )
        if token is not None:
            env["PULUMI_ACCESS_TOKEN"] = token
        result = subprocess.run(
            [str(SCRIPT), stage, *args],
            cwd=tmp_path,
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        calls = [json.loads(line) for line in log.read_text().splitlines()] if log.exists() else []
        return result, calls

    return run


def test_no_drift_exits_0_and_writes_no_report(fake, tmp_path):
    result, calls = fake("no-changes", "staging")
    assert result.returncode == 0, result.stderr
    assert result.stdout == "no drift in staging\n"
    assert not (tmp_path / "drift-staging.md").exists()
    assert len(calls) == 1


def test_the_preview_refreshes_from_the_cluster_and_expects_no_changes(fake):
    _, calls = fake("no-changes", "prod")
    (argv,) = calls
    assert argv[0] == "preview"
    assert "--refresh" in argv and "--expect-no-changes" in argv and "--json" in argv
    assert argv[argv.index("--stack") + 1] == "prod"
    assert "--non-interactive" in argv  # never waits on a prompt in CI
    assert not any(arg.startswith("--policy-pack") for arg in argv), "drift only: no policies"


@pytest.mark.parametrize("scenario", ["changes", "changes-exit-7"])
def test_drift_exits_1_with_a_report_naming_what_drifted(fake, tmp_path, scenario):
    result, _ = fake(scenario, "prod")
    assert result.returncode == 1, result.stderr
    report = (tmp_path / "drift-prod.md").read_text()
    assert report.startswith("# Drift in prod\n")
    assert "update Deployment agent-platform-prod/agent-service: spec.replicas (update)" in report
    assert "create NetworkPolicy agent-platform-prod/agent-service-ingress" in report
    assert "Stack" not in report, "a refresh that found nothing is not drift"
    assert result.stdout == report  # printed as written


def test_the_report_goes_where_report_says(fake, tmp_path):
    result, _ = fake("changes", "dev", "--report", "out/dev-drift.md")
    assert result.returncode == 1
    assert not (tmp_path / "drift-dev.md").exists()
    # relative to the caller's folder, though pulumi runs in the repository
    assert "update Deployment agent-platform-dev/agent-service" in (tmp_path / "out" / "dev-drift.md").read_text()


@pytest.mark.parametrize(
    ("scenario", "reason"),
    [
        ("not-logged-in", "PULUMI_ACCESS_TOKEN must be set for login during non-interactive CLI sessions"),
        ("bad-token", "[401] Unauthorized"),
        ("program-error", "Program failed with an unhandled exception"),
        ("cluster-unreachable", "configured Kubernetes cluster is unreachable"),
        ("not-json", "not JSON"),
        ("no-stack", "no stack named 'dev' found"),
    ],
)
def test_an_error_exits_2_with_the_reason_and_no_report(fake, tmp_path, scenario, reason):
    stale = tmp_path / "drift-dev.md"
    stale.write_text("# Drift in dev\n(from an earlier night)\n")
    result, _ = fake(scenario, "dev")
    assert result.returncode == 2, result.stdout + result.stderr
    assert result.stderr.startswith("drift: could not compare dev with the cluster: ")
    assert reason in result.stderr
    assert result.stdout == ""
    assert not stale.exists(), "a report left behind would read as drift"


def test_a_secret_echoed_back_by_pulumi_is_not_printed(fake):
    token = "pul-0123456789abcdef0123456789abcdef"
    result, _ = fake("bad-token", "dev", token=token)
    assert result.returncode == 2
    assert token not in result.stdout + result.stderr
    assert "***" in result.stderr


def test_without_the_pulumi_cli_it_cannot_compare(tmp_path):
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}:/usr/bin:/bin"}
    if any((Path(folder) / "pulumi").exists() for folder in env["PATH"].split(":")):
        pytest.skip("a real pulumi is installed")
    result = subprocess.run(
        [str(SCRIPT), "dev"], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 2
    assert "could not compare dev with the cluster: the Pulumi CLI is not installed" in result.stderr


# The pure functions, on the cases the subprocess tests do not reach.


def test_a_refresh_step_with_a_diff_is_drift():
    digest = no_changes("dev")
    digest["steps"].append(
        {"op": "refresh", "urn": deployment_urn("dev"), "diffReasons": ["metadata"], "detailedDiff": None}
    )
    outcome = drift.classify(1, json.dumps(digest), "error: no changes were expected but changes were proposed\n")
    assert outcome.verdict == "drift"
    assert [c.line() for c in outcome.changes] == ["refresh Deployment agent-platform-dev/agent-service: metadata"]


def test_pulumi_saying_changes_were_proposed_is_drift_even_when_no_step_is_listed():
    outcome = drift.classify(
        1, json.dumps(no_changes("dev")), "error: no changes were expected but changes were proposed\n"
    )
    assert outcome.verdict == "drift" and outcome.changes == ()
    assert "listed none" in drift.report("dev", outcome)


def test_a_non_zero_exit_without_changes_or_that_message_is_an_error():
    outcome = drift.classify(255, json.dumps(no_changes("dev")), "panic: fatal: unexpected\n")
    assert outcome.verdict == "error"
    assert outcome.errors == ("panic: fatal: unexpected",)


def test_a_change_in_the_summary_alone_is_drift_and_reads_do_not_count():
    assert drift.classify(1, json.dumps({"changeSummary": {"same": 3, "delete": 1}}), "").verdict == "drift"
    assert drift.classify(0, json.dumps({"changeSummary": {"same": 3, "read": 2}}), "").verdict == "no-drift"


def test_replacements_name_their_reasons():
    step = {"op": "replace", "urn": policy_urn("dev"), "replaceReasons": ["spec.podSelector"], "detailedDiff": None}
    change = drift.step_change(step)
    assert change is not None
    assert change.line() == "replace NetworkPolicy agent-platform-dev/agent-service-ingress: spec.podSelector"


def test_a_urn_gives_the_kind_and_the_pulumi_name():
    assert drift.parse_urn(deployment_urn("prod")) == ("Deployment", "agent-platform-prod/agent-service")
    assert drift.parse_urn(stack_urn("prod")) == ("Stack", "agent-platform-prod")


def test_a_report_that_cannot_be_written_is_an_error_not_drift(fake, tmp_path):
    (tmp_path / "taken").write_text("a file, not a folder")
    result, _ = fake("changes", "dev", "--report", "taken/drift.md")
    assert result.returncode == 2
    assert "could not compare dev with the cluster: cannot write the report taken/drift.md" in result.stderr
