"""pipeline render: files per resource, byte-identical runs, kustomize-compatible, --check, atomic."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from kube.identity import resource_id
from kube.tenancy import tenant_namespaces
from pipeline import render as render_module
from pipeline import transaction
from pipeline.cli import main
from tests.conftest import ENVIRONMENTS, REPOSITORY, STAGES


def tree(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def rendered_dir(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("rendered")
    assert main(["render", "--environments", str(ENVIRONMENTS), "--out", str(out)]) == 0
    return out


def test_one_file_per_resource_and_a_kustomization_per_stage(rendered_dir, rendered):
    for stage in STAGES:
        files = tree(rendered_dir / stage)
        assert "kustomization.yaml" in files
        documents = [yaml.safe_load(content) for name, content in files.items() if name != "kustomization.yaml"]
        assert len(documents) == len(rendered[stage].manifests)
        assert sorted(map(resource_id, documents)) == sorted(map(resource_id, rendered[stage].manifests))
        listed = yaml.safe_load(files["kustomization.yaml"])["resources"]
        assert sorted(listed) == sorted(name for name in files if name != "kustomization.yaml")


def test_files_are_named_by_namespace_kind_and_name(rendered_dir):
    assert (rendered_dir / "prod" / "agent-platform-prod" / "deployment-agent-service.yaml").is_file()
    assert (rendered_dir / "prod" / "_cluster" / "namespace-agent-platform-prod.yaml").is_file()
    assert (rendered_dir / "prod" / "model-training-prod" / "resourcequota-quota.yaml").is_file()


def test_output_is_byte_identical_between_runs(rendered_dir, tmp_path):
    assert main(["render", "--environments", str(ENVIRONMENTS), "--out", str(tmp_path)]) == 0
    for stage in STAGES:
        assert tree(tmp_path / stage) == tree(rendered_dir / stage)


def test_output_is_sorted_yaml_without_aliases(rendered_dir):
    text = (rendered_dir / "prod" / "agent-platform-prod" / "cronjob-postgres-backup-agents.yaml").read_text()
    assert "&id" not in text and "*id" not in text
    document = yaml.safe_load(text)
    assert list(document) == sorted(document)
    assert "set -euo pipefail\n" in text  # the script is a literal block, one line per command


@pytest.mark.skipif(shutil.which("kubectl") is None, reason="kubectl is not installed (make test installs it)")
@pytest.mark.parametrize("stage", STAGES)
def test_kubectl_kustomize_yields_the_rendered_objects(rendered_dir, rendered, stage):
    result = subprocess.run(
        ["kubectl", "kustomize", str(rendered_dir / stage)], capture_output=True, text=True, check=False, timeout=120
    )
    assert result.returncode == 0, result.stderr
    built = {resource_id(doc): doc for doc in yaml.safe_load_all(result.stdout) if doc}
    expected = {resource_id(m): m for m in rendered[stage].manifests}
    assert sorted(built) == sorted(expected)
    for rid, manifest in expected.items():
        assert built[rid] == manifest, f"kustomize changed {rid}"


def test_committed_rendered_output_is_current(capsys):
    code = main(["render", "--environments", str(ENVIRONMENTS), "--out", str(REPOSITORY / "rendered"), "--check"])
    assert code == 0, capsys.readouterr().out


def test_check_lists_changed_missing_and_extra_files(rendered_dir, tmp_path, capsys):
    out = tmp_path / "out"
    shutil.copytree(rendered_dir, out)
    (out / "prod" / "agent-platform-prod" / "service-agent-service.yaml").write_text("edited: true\n")
    (out / "dev" / "agent-platform-dev" / "deployment-task-service.yaml").unlink()
    (out / "staging" / "agent-platform-staging" / "configmap-leftover.yaml").write_text("{}\n")
    before = tree(out)
    code = main(["render", "--environments", str(ENVIRONMENTS), "--out", str(out), "--check"])
    printed = capsys.readouterr()
    assert code == 1
    assert f"stale: {out}/prod/agent-platform-prod/service-agent-service.yaml (changed)" in printed.out
    assert f"stale: {out}/dev/agent-platform-dev/deployment-task-service.yaml (missing)" in printed.out
    assert f"stale: {out}/staging/agent-platform-staging/configmap-leftover.yaml (extra)" in printed.out
    assert "run `pipeline render`" in printed.err
    assert tree(out) == before, "--check must not write"


def test_stage_option_renders_only_that_stage(tmp_path):
    assert main(["render", "--environments", str(ENVIRONMENTS), "--out", str(tmp_path), "--stage", "prod"]) == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["prod"]


def test_json_summary_reports_replicas_and_bounds(tmp_path, capsys, rendered):
    assert (
        main(
            [
                "render",
                "--environments",
                str(ENVIRONMENTS),
                "--out",
                str(tmp_path),
                "--stage",
                "prod",
                "--format",
                "json",
            ]
        )
        == 0
    )
    [summary] = json.loads(capsys.readouterr().out)
    assert summary["stage"] == "prod" and summary["release"] == "2026.11.4"
    tenants = tenant_namespaces(rendered["prod"].manifests)
    assert summary["namespaces"] == sorted(["agent-platform-prod", "model-training-prod", *tenants])
    assert summary["tenants"] == sorted(set(tenants.values()))
    agent = next(w for w in summary["workloads"] if w["name"] == "agent-service")
    assert (agent["hpa_min"], agent["hpa_max"], agent["replicas"], agent["pdb"]) == (3, 20, None, "minAvailable 2")
    serving = next(w for w in summary["workloads"] if w["name"] == "model-serving")
    assert (serving["replicas"], serving["hpa_min"]) == (2, None)
    assert summary["kinds"]["Deployment"] == sum(m["kind"] == "Deployment" for m in rendered["prod"].manifests)
    assert len([w for w in summary["workloads"] if w["namespace"] not in tenants]) == 13


def test_text_summary_names_kinds_namespaces_and_scaling(tmp_path, capsys):
    assert main(["render", "--environments", str(ENVIRONMENTS), "--out", str(tmp_path), "--stage", "dev"]) == 0
    out = capsys.readouterr().out
    assert "dev (release 2026.11.5):" in out
    assert "namespaces: agent-platform-dev, model-training-dev" in out
    assert "agent-platform-dev/agent-service" in out and "HPA 1..2" in out


def test_a_failed_write_leaves_the_previous_output_untouched(rendered_dir, tmp_path, monkeypatch, capsys):
    out = tmp_path / "out"
    shutil.copytree(rendered_dir, out)
    before = tree(out)
    calls = {"n": 0}

    def failing_open(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] > 20:
            raise OSError("disk full")
        return open(*args, **kwargs)

    monkeypatch.setattr(transaction, "open", failing_open, raising=False)
    code = main(["render", "--environments", str(ENVIRONMENTS), "--out", str(out), "--stage", "prod"])
    monkeypatch.undo()
    assert code == 2
    assert "disk full" in capsys.readouterr().err
    assert tree(out) == before
    assert calls["n"] > 20, "the write must have been cut off part way"
    assert sorted(p.name for p in out.iterdir()) == sorted(STAGES), "no temporary directory may be left behind"


def test_invalid_stage_file_writes_nothing(environments_copy, tmp_path, capsys):
    prod = environments_copy / "prod.yaml"
    prod.write_text(prod.read_text().replace("anti_affinity: required", "anti_affinity: mandatory"))
    out = tmp_path / "out"
    code = main(["render", "--environments", str(environments_copy), "--out", str(out)])
    assert code == 2
    assert not out.exists(), "a bad stage must not leave other stages half-written"
    assert "prod.yaml" in capsys.readouterr().err


def test_duplicate_objects_are_refused(environments, monkeypatch):
    env = environments["dev"]
    duplicate = render_module.stage_manifests(env)
    monkeypatch.setattr(render_module, "stage_manifests", lambda e: duplicate + duplicate[:1])
    with pytest.raises(render_module.InputError, match="generated twice"):
        render_module.render_stage(env)


def test_json_summaries_of_stages_rendered_apart_join_into_the_whole(tmp_path, capsys):
    from pipeline.summary import StageSummary

    def summaries(*argv: str) -> list[dict]:
        assert (
            main(["render", "--environments", str(ENVIRONMENTS), "--out", str(tmp_path), "--format", "json", *argv])
            == 0
        )
        return json.loads(capsys.readouterr().out)

    apart = [summary for stage in STAGES for summary in summaries("--stage", stage)]
    assert apart == summaries()
    assert [json.loads(json.dumps(StageSummary.from_dict(s).as_dict())) for s in apart] == apart
