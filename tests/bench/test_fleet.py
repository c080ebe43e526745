"""The benchmark's fleet generator (bench/fleet.py) writes stage files the pipeline accepts.

At N = 100: the directory loads, prod renders with exactly N tenant Deployments (in namespaces
labelled as a tenant's), passes the schema check and every mandatory policy through the
command line, and the benchmark's change (one image bumped, one tenant added) does too.
"""

from __future__ import annotations

import subprocess
import sys
from collections import Counter

import pytest

from bench import fleet
from model.loader import load_environments
from pipeline.cli import main
from pipeline.render import render_stage
from tests.conftest import REPOSITORY

N = 100
TENANT_LABEL = "agentflow.example.com/tenant"


@pytest.fixture(scope="module")
def fleet_dir(tmp_path_factory):
    return fleet.generate(N, tmp_path_factory.mktemp("fleet") / "environments")


@pytest.fixture(scope="module")
def prod(fleet_dir):
    envs = {env.stage: env for env in load_environments(fleet_dir)}
    assert list(envs) == ["dev", "staging", "prod"]
    return envs["prod"], render_stage(envs["prod"])


def tenant_deployments(manifests) -> list[dict]:
    tenant_namespaces = {
        m["metadata"]["name"]
        for m in manifests
        if m["kind"] == "Namespace" and TENANT_LABEL in m["metadata"].get("labels", {})
    }
    return [m for m in manifests if m["kind"] == "Deployment" and m["metadata"].get("namespace") in tenant_namespaces]


def test_prod_runs_exactly_n_tenant_services(prod):
    env, rendered = prod
    deployments = tenant_deployments(rendered.manifests)
    assert len(deployments) == N
    assert len(env.tenants) == 34  # 33 tenants of three services, the last trimmed to one
    per_namespace = Counter(d["metadata"]["namespace"] for d in deployments)
    assert sorted(Counter(per_namespace.values()).items()) == [(1, 1), (3, 33)]
    assert Counter(t.plan for t in env.tenants) == {"small": 12, "standard": 11, "enterprise": 11}


def test_the_rest_of_prod_is_the_repository_s(fleet_dir):
    ours, theirs = fleet._load(REPOSITORY / "environments" / "prod.yaml"), fleet._load(fleet_dir / "prod.yaml")
    assert {k: v for k, v in ours.items() if k != "tenants"} == {k: v for k, v in theirs.items() if k != "tenants"}
    for name in fleet.COPIED:
        assert (fleet_dir / name).read_text() == (REPOSITORY / "environments" / name).read_text()


def test_fleet_passes_the_schema_and_mandatory_policies(fleet_dir, capsys):
    code = main(["check", "--environments", str(fleet_dir), "--stage", "prod"])
    out = capsys.readouterr()
    assert code == 0, out.out + out.err


def test_the_change_bumps_one_image_and_adds_one_tenant(fleet_dir, tmp_path, capsys):
    changed = tmp_path / "environments"
    fleet.generate(N, changed)
    applied = fleet.change(changed)
    assert applied["image"] == "user-service" and applied["from"] != applied["to"]
    (before,) = load_environments(fleet_dir, ["prod"])
    (after,) = load_environments(changed, ["prod"])
    assert len(after.tenants) == len(before.tenants) + 1
    assert len(tenant_deployments(render_stage(after).manifests)) == N + 3
    assert main(["check", "--environments", str(changed), "--stage", "prod"]) == 0, capsys.readouterr().out


def test_generator_runs_as_a_script_and_is_deterministic(tmp_path):
    for name in ("a", "b"):
        result = subprocess.run(
            [sys.executable, str(REPOSITORY / "bench" / "fleet.py"), "--services", "7", "--out", str(tmp_path / name)],
            capture_output=True,
            text=True,
            check=False,
        )
        assert result.returncode == 0, result.stderr
        assert "prod runs 7 tenant services in 3 tenants" in result.stdout
    assert (tmp_path / "a" / "prod.yaml").read_text() == (tmp_path / "b" / "prod.yaml").read_text()
