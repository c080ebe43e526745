"""pipeline docs: the committed policy catalog and per-stage policy config are current."""

from __future__ import annotations

import json

from pipeline.cli import main
from policies.rules import RULES
from tests.conftest import ENVIRONMENTS, REPOSITORY, STAGES


def test_committed_catalog_and_config_are_current(capsys):
    code = main(["docs", "--environments", str(ENVIRONMENTS), "--root", str(REPOSITORY), "--check"])
    assert code == 0, capsys.readouterr().out + "\nrun `pipeline docs` and commit docs/ and policies/config/"


def test_docs_writes_the_catalog_and_one_config_per_stage(tmp_path, capsys):
    assert main(["docs", "--environments", str(ENVIRONMENTS), "--root", str(tmp_path)]) == 0
    catalog = (tmp_path / "docs" / "policies.md").read_text()
    for rule in RULES.values():
        assert f"## {rule.ID}\n\n{rule.DESCRIPTION}" in catalog
        assert f"- fix: {rule.REMEDIATION}" in catalog
    assert "**FAIL (rpo_minutes: 60)**" in catalog
    for stage in STAGES:
        config = json.loads((tmp_path / "policies" / "config" / f"{stage}.json").read_text())
        assert set(config) == set(RULES)
        assert all(entry["enforcementLevel"] in ("advisory", "mandatory", "disabled") for entry in config.values())
    prod = json.loads((tmp_path / "policies" / "config" / "prod.json").read_text())
    assert prod["backup-rpo"]["rpo_minutes"] == 60 and prod["image-digest"]["require_digest"] is True
    dev = json.loads((tmp_path / "policies" / "config" / "dev.json").read_text())
    assert dev["backup-rpo"]["rpo_minutes"] == 1440 and dev["image-digest"]["require_digest"] is False


def test_check_lists_a_stale_file(tmp_path, capsys):
    assert main(["docs", "--environments", str(ENVIRONMENTS), "--root", str(tmp_path)]) == 0
    (tmp_path / "policies" / "config" / "prod.json").write_text("{}\n")
    capsys.readouterr()
    assert main(["docs", "--environments", str(ENVIRONMENTS), "--root", str(tmp_path), "--check"]) == 1
    assert "stale: policies/config/prod.json" in capsys.readouterr().out
