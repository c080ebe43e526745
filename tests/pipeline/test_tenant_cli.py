"""--tenant on render, check and diff through the entry point.

The stage is always rendered and judged whole; the filter narrows what is reported or written
to the resources of the named tenants' namespaces (tenancy read from the tenant label on the
Namespace objects). An unknown tenant is bad input (exit 2) with the known ones as the hint.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from kube.identity import resource_id
from kube.tenancy import TENANT_LABEL, tenant_namespaces
from pipeline.cli import main
from pipeline.render import KUSTOMIZATION, manifest_file
from pipeline.tenant_filter import tenant_of_resource
from tests.conftest import ENVIRONMENTS
from tests.pipeline.test_check_cli import run, write_manifests


def tree(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def prod_tenants(rendered) -> dict[str, str]:
    """namespace -> tenant of rendered prod (from the stage files' tenants)."""
    owners = tenant_namespaces(rendered["prod"].manifests)
    if len(set(owners.values())) < 2:
        pytest.skip("prod declares fewer than two dedicated tenants")
    return owners


@pytest.fixture(scope="module")
def tenant(prod_tenants) -> str:
    return sorted(set(prod_tenants.values()))[0]


def tenant_files(rendered, owners: dict[str, str], tenant: str) -> set[str]:
    return {
        manifest_file(m) for m in rendered["prod"].manifests if tenant_of_resource(resource_id(m), owners) == tenant
    }


# render ------------------------------------------------------------------------------------------


def test_render_tenant_writes_a_slice_that_builds_on_its_own(rendered, prod_tenants, tenant, tmp_path, capsys):
    code, out, _ = run(
        capsys,
        "render",
        "--environments",
        str(ENVIRONMENTS),
        "--stage",
        "prod",
        "--tenant",
        tenant,
        "--out",
        str(tmp_path),
        "--format",
        "json",
    )
    assert code == 0
    files = tree(tmp_path / "prod")
    expected = tenant_files(rendered, prod_tenants, tenant)
    assert set(files) == expected | {KUSTOMIZATION}
    assert all(files[name] == rendered["prod"].files[name].encode() for name in expected), "byte for byte"
    assert sorted(yaml.safe_load(files[KUSTOMIZATION])["resources"]) == sorted(expected)
    [summary] = json.loads(out)
    assert summary["tenants"] == [tenant] and summary["resources"] == len(expected)
    assert summary["namespaces"] == sorted(ns for ns, owner in prod_tenants.items() if owner == tenant)
    if shutil.which("kubectl"):
        built = subprocess.run(
            ["kubectl", "kustomize", str(tmp_path / "prod")], capture_output=True, text=True, check=False, timeout=120
        )
        assert built.returncode == 0, built.stderr
        assert len([d for d in yaml.safe_load_all(built.stdout) if d]) == len(expected)


def test_render_tenant_refuses_the_committed_tree(tenant, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    code, out, err = run(capsys, "render", "--environments", str(ENVIRONMENTS), "--stage", "prod", "--tenant", tenant)
    assert code == 2 and out == ""
    assert "render --tenant writes a slice of a stage, and rendered/ holds whole stages" in err
    assert "pass --out DIR" in err
    assert not (tmp_path / "rendered").exists()
    code, _, err = run(
        capsys, "render", "--environments", str(ENVIRONMENTS), "--tenant", tenant, "--out", str(tmp_path / "rendered")
    )
    assert code == 2 and not (tmp_path / "rendered").exists()


def test_render_check_tenant_judges_only_that_tenants_files(rendered, prod_tenants, tenant, tmp_path, capsys):
    out = tmp_path / "out"
    assert main(["render", "--environments", str(ENVIRONMENTS), "--stage", "prod", "--out", str(out)]) == 0
    capsys.readouterr()
    argv = ["render", "--environments", str(ENVIRONMENTS), "--stage", "prod", "--out", str(out), "--check"]
    (out / "prod" / "agent-platform-prod" / "service-agent-service.yaml").write_text("edited: true\n")
    code, _, _ = run(capsys, *argv, "--tenant", tenant)
    assert code == 0, "a shared file is not the tenant's"
    assert run(capsys, *argv)[0] == 1
    namespace = sorted(ns for ns, owner in prod_tenants.items() if owner == tenant)[0]
    mine = sorted(f for f in tenant_files(rendered, prod_tenants, tenant) if f.startswith(namespace))[0]
    (out / "prod" / mine).write_text("edited: true\n")
    (out / "prod" / namespace / "configmap-leftover.yaml").write_text("{}\n")
    code, printed, _ = run(capsys, *argv, "--tenant", tenant)
    assert code == 1
    assert printed.splitlines() == [
        f"stale: {out}/prod/{mine} (changed)",
        f"stale: {out}/prod/{namespace}/configmap-leftover.yaml (extra)",
    ]


def test_render_with_an_unknown_tenant_is_bad_input(tenant, tmp_path, capsys):
    code, _, err = run(
        capsys, "render", "--environments", str(ENVIRONMENTS), "--tenant", tenant + "x", "--out", str(tmp_path)
    )
    assert code == 2
    assert f"--tenant: unknown tenant '{tenant}x' in stages dev, staging, prod" in err
    assert f"did you mean '{tenant}'? known tenants: " in err
    assert list(tmp_path.iterdir()) == []


# check -------------------------------------------------------------------------------------------


def namespace(name: str, tenant: str | None = None) -> dict:
    labels = {TENANT_LABEL: tenant} if tenant else {}
    return {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name, "labels": labels}}


def bad_config_map(ns: str) -> dict:
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c", "namespace": ns}, "data": {"a": 1}}


@pytest.fixture
def fleet_file(tmp_path) -> Path:
    """A shared namespace and two tenants' namespaces, each with an object that does not validate."""
    return write_manifests(
        tmp_path,
        "fleet.yaml",
        [
            namespace("shared"),
            bad_config_map("shared"),
            namespace("tenant-acme-prod", "acme"),
            bad_config_map("tenant-acme-prod"),
            namespace("tenant-beta-prod", "beta"),
            bad_config_map("tenant-beta-prod"),
        ],
    )


def test_check_tenant_keeps_the_findings_and_problems_on_that_tenants_resources(fleet_file, capsys):
    argv = ["check", "--environments", str(ENVIRONMENTS), "--manifests", str(fleet_file), "--stage", "prod"]
    code, out, _ = run(capsys, *argv, "--format", "json")
    whole = json.loads(out)["stages"][0]
    code, out, _ = run(capsys, *argv, "--format", "json", "--tenant", "acme")
    narrowed = json.loads(out)["stages"][0]
    assert code == 1
    assert narrowed["tenant_filter"] == ["acme"] and narrowed["resources"] == 2
    assert [p["resource"] for p in narrowed["schema_problems"]] == ["ConfigMap tenant-acme-prod/c"]

    def acme(item) -> bool:
        rid = item["resource_id"]
        return rid is not None and "tenant-acme-prod" in (rid["namespace"], rid["name"])

    assert narrowed["findings"] == [f for f in whole["findings"] if acme(f)]
    assert narrowed["schema_problems"][0]["location"]["file"] == str(fleet_file)
    code, out, _ = run(capsys, *argv, "--tenant", "acme")
    assert out.splitlines()[0].startswith("FAIL prod (tenant acme): 2 resources, 1 schema problems, ")
    assert "SCHEMA     ConfigMap tenant-acme-prod/c data.a: 1 is not of type 'string'" in out
    assert "ConfigMap shared/c" not in out and "tenant-beta-prod" not in out


def test_check_with_an_unknown_tenant_is_bad_input(fleet_file, capsys):
    code, out, err = run(
        capsys,
        "check",
        "--environments",
        str(ENVIRONMENTS),
        "--manifests",
        str(fleet_file),
        "--stage",
        "prod",
        "--tenant",
        "globex",
    )
    assert (code, out) == (2, "")
    assert "--tenant: unknown tenant 'globex' in stage prod\n    hint: known tenants: acme, beta" in err


def test_check_tenant_on_a_stage_reports_that_tenant(tenant, capsys):
    code, out, _ = run(capsys, "check", "--environments", str(ENVIRONMENTS), "--stage", "prod", "--tenant", tenant)
    assert code == 0, out
    assert out.startswith(f"PASS prod (tenant {tenant}): ")


# diff --------------------------------------------------------------------------------------------


def test_diff_tenant_shows_only_that_tenants_changes(rendered, prod_tenants, tenant, tmp_path, capsys):
    old = tmp_path / "old"
    assert main(["render", "--environments", str(ENVIRONMENTS), "--stage", "prod", "--out", str(old)]) == 0
    new = tmp_path / "new"
    shutil.copytree(old, new)
    mine = sorted(f for f in tenant_files(rendered, prod_tenants, tenant) if "/configmap-" in f)[0]
    for name in (mine, "agent-platform-prod/configmap-agent-service-config.yaml"):
        document = yaml.safe_load((new / "prod" / name).read_text())
        document["metadata"].setdefault("annotations", {})["edited"] = "yes"
        (new / "prod" / name).write_text(yaml.safe_dump(document))
    capsys.readouterr()
    code, out, _ = run(capsys, "diff", str(old), str(new), "--format", "json")
    assert code == 0
    assert [(c["namespace"], c["tenant"]) for c in json.loads(out)["stages"][0]["changes"]] == [
        ("agent-platform-prod", None),
        (mine.split("/")[0], tenant),
    ]
    code, out, _ = run(capsys, "diff", str(old), str(new), "--tenant", tenant, "--format", "json")
    report = json.loads(out)
    assert report["tenant_filter"] == [tenant]
    assert [c["tenant"] for c in report["stages"][0]["changes"]] == [tenant]
    assert report["stages"][0]["unchanged"] == len(tenant_files(rendered, prod_tenants, tenant)) - 1
    code, out, _ = run(capsys, "diff", str(old), str(new), "--tenant", tenant)
    assert out.splitlines()[0] == f"{old} -> {new} (tenant {tenant})"
    assert f"  -- tenant {tenant}: 1 update" in out.splitlines()
