"""The reference documents contradict themselves; rendered with their literal values, prod fails.

REFERENCE.md: a daily 02:00 backup against a 1 h RPO; liveness every 20 s with 3 failures (and
readiness every 10 s) against a < 10 s health-check interval and < 30 s failure detection; a
startup allowance of 10 s + 30 x 10 s against a 5 min recovery target; one monitoring-service
replica against "no single point of failure". The repository's prod resolves each one; this
test puts the documents' values back and shows the pack catches every one of them, each
pointing at the stage-file key to change.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from pipeline.cli import main


def literal_documents(environments: Path) -> None:
    defaults = environments / "defaults.yaml"
    text = defaults.read_text()
    text = re.sub(
        r"liveness: \{[^}]*\}",
        "liveness: {path: /health, initial_delay_seconds: 15, period_seconds: 20, "
        "timeout_seconds: 5, failure_threshold: 3}",
        text,
    )
    text = re.sub(
        r"readiness: \{[^}]*\}",
        "readiness: {path: /ready, initial_delay_seconds: 5, period_seconds: 10, "
        "timeout_seconds: 3, failure_threshold: 3}",
        text,
    )
    text = re.sub(
        r"startup: \{[^}]*\}",
        "startup: {path: /health, initial_delay_seconds: 10, period_seconds: 10, "
        "timeout_seconds: 5, failure_threshold: 30}",
        text,
    )
    defaults.write_text(text)
    prod = environments / "prod.yaml"
    text = prod.read_text().replace('schedule: "*/30 * * * *"', 'schedule: "0 2 * * *"')
    text = text.replace(
        "  monitoring-service:\n    autoscaling: {min_replicas: 2, max_replicas: 4}\n    pdb: {min_available: 1}\n",
        "  monitoring-service:\n    replicas: 1\n    autoscaling: {enabled: false}\n    pdb: {enabled: false}\n",
    )
    prod.write_text(text)


@pytest.fixture
def findings(environments_copy, capsys) -> list[dict]:
    literal_documents(environments_copy)
    code = main(["check", "--environments", str(environments_copy), "--stage", "prod", "--format", "json"])
    report = json.loads(capsys.readouterr().out)
    assert code == 1 and report["passed"] is False
    return report["stages"][0]["findings"]


def by_rule(findings: list[dict], rule: str) -> list[dict]:
    return [f for f in findings if f["rule"] == rule]


def test_a_daily_backup_cannot_meet_the_one_hour_rpo(findings):
    found = by_rule(findings, "backup-rpo")
    assert len(found) == 9  # every database's backup, platform and training
    assert found[0]["observed"] == "'0 2 * * *', up to 24 h between runs"
    assert found[0]["expected"] == "at most 1 h between runs (the RPO)"
    assert found[0]["location"]["key_path"] == "backup.schedule"
    assert found[0]["location"]["file"].endswith("prod.yaml")


def test_the_guides_probe_periods_miss_the_detection_and_interval_targets(findings):
    readiness = by_rule(findings, "readiness-interval")
    assert readiness and all("readinessProbe.periodSeconds" in f["path"] for f in readiness)
    assert {f["location"]["key_path"] for f in readiness} == {"pod.probes.readiness"}
    detection = by_rule(findings, "failure-detection")
    liveness = [f for f in detection if f["path"].endswith("livenessProbe")]
    assert liveness and all(f["observed"] == "periodSeconds 20 x failureThreshold 3 = 60 s" for f in liveness)
    assert liveness[0]["expected"] == "at most 30 s (the failure-detection target)"
    assert {f["location"]["file"].rsplit("/", 1)[-1] for f in detection} == {"defaults.yaml"}


def test_the_guides_startup_allowance_misses_the_recovery_target(findings):
    startup = by_rule(findings, "startup-budget")
    assert startup and all(
        f["observed"] == "initialDelaySeconds 10 + periodSeconds 10 x failureThreshold 30 = 310 s" for f in startup
    )
    assert {f["location"]["key_path"] for f in startup} == {"pod.probes.startup"}


def test_one_monitoring_replica_is_a_single_point_of_failure(findings):
    (finding,) = [f for f in by_rule(findings, "min-replicas") if "monitoring-service" in f["resource"]]
    assert finding["resource"] == "Deployment agent-platform-prod/monitoring-service"
    assert finding["observed"] == "1"
    assert finding["location"]["key_path"] == "services.monitoring-service.replicas"


def test_the_repository_prod_resolves_every_contradiction(capsys):
    from tests.conftest import ENVIRONMENTS

    assert main(["check", "--environments", str(ENVIRONMENTS), "--stage", "prod"]) == 0
