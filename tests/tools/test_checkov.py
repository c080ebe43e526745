"""Rendered prod passes Checkov's Kubernetes checks; every skip carries its reason and is documented.

Checkov runs from its own virtualenv (`make checkov`, pinned in tools/checkov-requirements.txt)
on a fresh render of prod, offline (--skip-download).
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from components.checkov import SKIPS
from pipeline.render import write_stage
from tests.conftest import REPOSITORY

CHECKOV = Path(os.environ.get("CHECKOV") or REPOSITORY / ".venv-tools" / "checkov" / "bin" / "checkov")
if not CHECKOV.is_absolute():
    CHECKOV = REPOSITORY / CHECKOV

pytestmark = pytest.mark.skipif(not CHECKOV.exists(), reason="Checkov's own virtualenv is created by `make test`")


def run_checkov(folder: Path) -> dict:
    result = subprocess.run(
        [str(CHECKOV), "-d", str(folder), "--framework", "kubernetes", "--skip-download", "-o", "json"],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
        env={**os.environ, "BC_SKIP_MAPPING": "TRUE", "CHECKOV_RUN_SCA_PACKAGE_SCAN_V2": "false"},
    )
    assert result.stdout.strip(), result.stderr[-2000:]
    report = json.loads(result.stdout)
    return report[0] if isinstance(report, list) else report


@pytest.fixture(scope="module")
def report(rendered, tmp_path_factory) -> dict:
    out = tmp_path_factory.mktemp("rendered")
    write_stage(out, rendered["prod"])
    return run_checkov(out / "prod")


def test_rendered_prod_has_no_checkov_failure(report):
    failed = [f"{c['check_id']} {c['resource']}: {c['check_name']}" for c in report["results"]["failed_checks"]]
    assert failed == []
    assert report["summary"]["passed"] > 1000 and report["summary"]["parsing_errors"] == 0


def test_every_skip_gives_its_reason_and_is_documented(report):
    skipped = report["results"]["skipped_checks"]
    assert skipped, "the skips are annotations Checkov reads: none read means the annotations broke"
    reasons = {skip.check: skip.reason for skip in SKIPS}
    documented = (REPOSITORY / "docs" / "checkov-skips.md").read_text()
    for check in skipped:
        assert check["check_id"] in reasons, f"{check['check_id']} is skipped but not declared in components/checkov.py"
        assert check["check_result"]["suppress_comment"] == reasons[check["check_id"]]
        assert f"## {check['check_id']}: " in documented


def test_checkov_does_report_a_real_problem(rendered, tmp_path):
    """The run is live: a privileged container in the render is a Checkov failure."""
    stage = rendered["prod"]
    broken = dict(stage.files)
    path = "agent-platform-prod/deployment-agent-service.yaml"
    broken[path] = broken[path].replace("privileged: false", "privileged: true")
    from pipeline.render import RenderedStage

    write_stage(tmp_path, RenderedStage(stage.stage, stage.manifests, broken))
    failed = {c["check_id"] for c in run_checkov(tmp_path / "prod")["results"]["failed_checks"]}
    assert "CKV_K8S_16" in failed  # "Container should not be privileged"
