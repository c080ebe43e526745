"""Loading the repository's own stages: order, defaults laid under stage files, release, tenants.

Values the stage files may legitimately change (sizes, versions, digests) are read from the files
themselves with PyYAML, so these tests check *where* a value comes from; the values the design
pins (the services, prod's task-service and agent-service sizing, initech's features) are literal.
"""

from __future__ import annotations

import dataclasses
import re
from functools import cache

import pytest
import yaml

from model.environment import CpuMemory, Probe, Probes, Resources, Tenant
from model.loader import load_environment, load_environments, load_stage_order
from tests.conftest import ENVIRONMENTS, STAGES
from tests.model.helpers import Line, edit

PLATFORM_SERVICES = (
    "agent-service",
    "task-service",
    "tool-service",
    "user-service",
    "tenant-service",
    "cost-service",
    "monitoring-service",
)
TRAINING_SERVICES = (
    "fine-tuning-service",
    "compression-service",
    "hpo-service",
    "evaluation-service",
    "data-service",
    "model-serving",
)


@cache
def raw(file: str) -> dict:
    """A stage file as PyYAML reads it (an independent reader: the expectation, not the code under test)."""
    return yaml.safe_load((ENVIRONMENTS / file).read_text(encoding="utf-8"))


def service(env, name):
    matches = [s for s in env.services + env.training.services if s.name == name]
    assert len(matches) == 1, f"{env.stage} has {len(matches)} services named {name}"
    return matches[0]


def tenant(env, name) -> Tenant:
    return {t.name: t for t in env.tenants}[name]


def resources(block: dict) -> Resources:
    return Resources(requests=CpuMemory(**block["requests"]), limits=CpuMemory(**block["limits"]))


# --- stages and their order -------------------------------------------------------------------


def test_stage_order_is_dev_staging_prod():
    assert load_stage_order(ENVIRONMENTS) == ("dev", "staging", "prod")


def test_every_stage_loads_in_stage_order(environments):
    assert list(environments) == ["dev", "staging", "prod"]
    assert [env.stage for env in environments.values()] == list(STAGES)


def test_selected_stages_come_back_in_stage_order_not_request_order():
    assert [env.stage for env in load_environments(ENVIRONMENTS, ["prod", "dev"])] == ["dev", "prod"]


def test_one_stage_loads_on_its_own():
    env = load_environment(ENVIRONMENTS, "staging")
    assert env.stage == "staging"
    assert env.namespace_name == "agent-platform-staging"
    assert env.training_namespace_name == "model-training-staging"


def test_an_environment_is_frozen(environments):
    with pytest.raises(dataclasses.FrozenInstanceError):
        environments["prod"].stage = "dev"


# --- services ---------------------------------------------------------------------------------


@pytest.mark.parametrize("stage", STAGES)
def test_every_stage_has_the_reference_platform_services_in_file_order(environments, stage):
    assert tuple(s.name for s in environments[stage].services) == PLATFORM_SERVICES


@pytest.mark.parametrize("stage", STAGES)
def test_every_stage_has_the_six_training_services(environments, stage):
    assert tuple(s.name for s in environments[stage].training.services) == TRAINING_SERVICES


def test_service_catalogue_comes_from_defaults(environments):
    written = raw("defaults.yaml")["services"]["agent-service"]
    agent = service(environments["prod"], "agent-service")
    assert agent.component == written["component"] == "agent-runtime"
    assert agent.database == written["database"]
    assert agent.egress == tuple(written["egress"])
    assert agent.calls == tuple(written["calls"])
    assert {name: (ref.secret, ref.key) for name, ref in agent.secret_env.items()} == {
        name: (ref["secret"], ref["key"]) for name, ref in written["secret_env"].items()
    }
    assert agent.ingress_path == written["ingress_path"]


# --- defaults under stage files ---------------------------------------------------------------


def test_dev_probes_come_from_defaults(environments):
    assert "pod" not in raw("dev.yaml")
    written = raw("defaults.yaml")["pod"]["probes"]
    assert environments["dev"].pod.probes == Probes(**{kind: Probe(**probe) for kind, probe in written.items()})
    assert environments["dev"].pod.probes.liveness.path == "/health"
    assert environments["dev"].pod.probes.readiness.path == "/ready"


def test_a_change_in_defaults_reaches_every_stage_that_does_not_override_it(environments_copy):
    text = (environments_copy / "defaults.yaml").read_text(encoding="utf-8")
    liveness = Line("    liveness: ").resolve(text, "defaults.yaml")
    edit(environments_copy, "defaults.yaml", liveness, re.sub(r"period_seconds: \d+", "period_seconds: 7", liveness))
    for env in load_environments(environments_copy):
        assert env.pod.probes.liveness.period_seconds == 7, env.stage


def test_prod_task_service_autoscaling_override_wins(environments):
    scaling = service(environments["prod"], "task-service").autoscaling
    assert (scaling.enabled, scaling.min_replicas, scaling.max_replicas) == (True, 5, 20)


def test_override_merges_key_by_key_keeping_the_rest_of_the_default(environments):
    shared = raw("defaults.yaml")["service_defaults"]["autoscaling"]
    own = raw("defaults.yaml")["services"]["task-service"]["autoscaling"]
    scaling = service(environments["prod"], "task-service").autoscaling
    # Not set in prod.yaml: defaults.yaml's service_defaults and its task-service entry still apply.
    assert (scaling.cpu_utilization, scaling.memory_utilization) == (
        shared["cpu_utilization"],
        shared["memory_utilization"],
    )
    scale_down = shared["behavior"]["scale_down"]
    assert scaling.behavior.scale_down.stabilization_seconds == scale_down["stabilization_seconds"]
    assert (scaling.queue.metric, scaling.queue.average_value) == (
        own["queue"]["metric"],
        own["queue"]["average_value"],
    )


def test_prod_agent_service_resources_override_wins(environments):
    agent = service(environments["prod"], "agent-service")
    assert agent.resources.requests == CpuMemory(cpu="500m", memory="1Gi")
    assert agent.resources == resources(raw("prod.yaml")["services"]["agent-service"]["resources"])


def test_a_service_without_own_settings_takes_its_stage_service_defaults(environments):
    assert "tool-service" not in raw("prod.yaml")["services"]
    stage_defaults = raw("prod.yaml")["service_defaults"]
    tool = service(environments["prod"], "tool-service")
    assert (tool.autoscaling.min_replicas, tool.autoscaling.max_replicas) == (
        stage_defaults["autoscaling"]["min_replicas"],
        stage_defaults["autoscaling"]["max_replicas"],
    )
    assert tool.resources == resources(stage_defaults["resources"])
    assert tool.pdb.min_available == stage_defaults["pdb"]["min_available"]
    assert tool.vpa.enabled is True


def test_dev_takes_the_shared_service_defaults_where_it_sets_nothing(environments):
    task = service(environments["dev"], "task-service")
    dev_scaling = raw("dev.yaml")["service_defaults"]["autoscaling"]
    assert (task.autoscaling.min_replicas, task.autoscaling.max_replicas) == (
        dev_scaling["min_replicas"],
        dev_scaling["max_replicas"],
    )
    assert "resources" not in raw("dev.yaml")["service_defaults"]
    assert task.resources == resources(raw("defaults.yaml")["service_defaults"]["resources"])


def test_training_services_take_training_service_defaults(environments):
    prod_training = raw("prod.yaml")["training"]["service_defaults"]
    shared_training = raw("defaults.yaml")["training"]["service_defaults"]
    for name in TRAINING_SERVICES:
        prod = service(environments["prod"], name)
        assert prod.replicas == prod_training["replicas"], name
        assert prod.pdb.min_available == prod_training["pdb"]["min_available"], name
        assert prod.autoscaled is False, name
        assert service(environments["dev"], name).replicas == shared_training["replicas"], name


def test_a_list_in_a_stage_file_replaces_the_default_list(environments):
    assert raw("defaults.yaml")["availability"]["zones"] == []
    assert environments["dev"].availability.zones == ()
    assert environments["prod"].availability.zones == tuple(raw("prod.yaml")["availability"]["zones"])
    assert len(environments["prod"].availability.zones) >= 2


@pytest.mark.parametrize("stage", STAGES)
def test_stage_owned_settings_come_from_the_stage_file(environments, stage):
    written = raw(f"{stage}.yaml")
    assert environments[stage].backup.schedule == written["backup"]["schedule"]
    assert environments[stage].targets.rpo_minutes == written["targets"]["rpo_minutes"]
    assert environments[stage].ingress.platform_host == written["ingress"]["platform_host"]


def test_a_setting_no_stage_file_names_comes_from_defaults(environments):
    assert "storage_class" not in raw("dev.yaml")["backup"]
    assert environments["dev"].backup.storage_class == raw("defaults.yaml")["backup"]["storage_class"]
    assert environments["prod"].backup.storage_class == raw("prod.yaml")["backup"]["storage_class"]


# --- the release ------------------------------------------------------------------------------


@pytest.mark.parametrize("stage", STAGES)
def test_release_is_the_stage_files_own(environments, stage):
    written = raw(f"{stage}.yaml")["release"]
    release = environments[stage].release
    assert release.version == written["version"]
    assert dict(release.images) == written["images"]
    assert release.config["agent-service"] == written["config"]["agent-service"]


def test_release_is_not_a_shared_default():
    assert "release" not in raw("defaults.yaml")


def test_stages_can_run_different_releases(environments_copy):
    edit(environments_copy, "dev.yaml", Line("  version: "), '  version: "2099.1.1"\n')
    dev, prod = load_environments(environments_copy, ["dev", "prod"])
    assert dev.release.version == "2099.1.1"
    assert prod.release.version == raw("prod.yaml")["release"]["version"]


@pytest.mark.parametrize("stage", STAGES)
def test_each_service_runs_its_stage_release_image(environments, stage):
    env = environments[stage]
    assert {s.name: s.image for s in env.services + env.training.services} == dict(env.release.images)


@pytest.mark.parametrize("section", ["limits: {mode: strict}", "default: {language: en}"])
def test_release_config_keys_are_not_mistaken_for_quantities(environments_copy, section):
    edit(environments_copy, "prod.yaml", "\n    common:\n", f"\n    common:\n      {section}\n")
    assert "common" in load_environment(environments_copy, "prod").release.config


# --- tenants and plans ------------------------------------------------------------------------


def test_a_tenant_takes_its_plan_values(environments):
    enterprise = raw("defaults.yaml")["plans"]["enterprise"]
    acme = tenant(environments["prod"], "acme")
    assert (acme.name, acme.plan, acme.max_concurrent_agents, acme.max_tasks_per_minute, acme.features) == (
        "acme",
        "enterprise",
        enterprise["max_concurrent_agents"],
        enterprise["max_tasks_per_minute"],
        tuple(enterprise["features"]),
    )
    assert dict(acme.quota) == {key: str(value) for key, value in enterprise["quota"].items()}
    assert {s.name: (s.min_replicas, s.max_replicas) for s in acme.services} == {
        name: (sizing["autoscaling"]["min_replicas"], sizing["autoscaling"]["max_replicas"])
        for name, sizing in enterprise["services"].items()
    }


def test_a_tenant_entry_overrides_its_plan(environments):
    small = raw("defaults.yaml")["plans"]["small"]
    assert small["features"] != ["sso"]
    initech = tenant(environments["prod"], "initech")
    assert (initech.plan, initech.max_concurrent_agents, initech.max_tasks_per_minute, initech.features) == (
        "small",
        small["max_concurrent_agents"],
        small["max_tasks_per_minute"],
        ("sso",),
    )


def test_a_tenant_may_override_a_limit_of_its_plan(environments_copy):
    edit(
        environments_copy,
        "prod.yaml",
        "  globex: {plan: standard}\n",
        "  globex: {plan: standard, max_tasks_per_minute: 1234}\n",
    )
    globex = tenant(load_environment(environments_copy, "prod"), "globex")
    standard = raw("defaults.yaml")["plans"]["standard"]
    assert (globex.max_tasks_per_minute, globex.max_concurrent_agents, globex.features) == (
        1234,
        standard["max_concurrent_agents"],
        tuple(standard["features"]),
    )


@pytest.mark.parametrize("stage", STAGES)
def test_tenants_are_per_stage(environments, stage):
    assert [t.name for t in environments[stage].tenants] == list(raw(f"{stage}.yaml")["tenants"])


def test_plans_are_shared(environments):
    assert environments["dev"].plans == environments["prod"].plans
    assert set(environments["prod"].plans) == set(raw("defaults.yaml")["plans"])


# --- what loads -------------------------------------------------------------------------------


@pytest.mark.parametrize("schedule", ["@hourly", "*/30 * * * *", "0 2 * * *", "@daily", "15 */6 * * 1-5"])
def test_a_valid_backup_schedule_loads(environments_copy, schedule):
    edit(environments_copy, "prod.yaml", Line("  schedule: "), f'  schedule: "{schedule}"\n')
    assert load_environment(environments_copy, "prod").backup.schedule == schedule


def test_a_bad_default_that_every_stage_overrides_does_not_matter(environments_copy):
    assert all("schedule" in raw(f"{stage}.yaml")["backup"] for stage in STAGES)
    edit(environments_copy, "defaults.yaml", Line("  schedule: "), '  schedule: "61 * * * *"\n')
    assert [env.backup.schedule for env in load_environments(environments_copy)] == [
        raw(f"{stage}.yaml")["backup"]["schedule"] for stage in STAGES
    ]
