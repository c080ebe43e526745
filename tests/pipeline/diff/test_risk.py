"""What a change weakens: flagged when it lowers a floor or relaxes a guard, and only then."""

from __future__ import annotations

import copy

import pytest

from pipeline.diff.model import Risk
from tests.pipeline.diff import container, diff, flags, only_change, pick, pod_spec

CONTAINER_SC = "spec.template.spec.containers[agent].securityContext"
POD_SC = "spec.template.spec.securityContext"


@pytest.fixture
def deployment(rendered):
    return pick(rendered, "prod", "Deployment", "agent-service")


def edited(manifest, edit):
    new = copy.deepcopy(manifest)
    edit(new)
    assert new != manifest
    return new


def flags_of(old, new):
    return flags(only_change(old, new))


# replicas, HPA, PDB ------------------------------------------------------------------------------


def test_lowered_replicas_are_flagged_and_raised_are_not(rendered):
    old = pick(rendered, "prod", "Deployment", "data-service", "model-training-prod")
    assert old["spec"]["replicas"] == 2
    lower = edited(old, lambda d: d["spec"].update(replicas=1))
    assert flags_of(old, lower) == [{"risk": "replicas lowered", "path": "spec.replicas", "detail": "2 -> 1"}]
    higher = edited(old, lambda d: d["spec"].update(replicas=3))
    assert flags_of(old, higher) == []


def test_a_lowered_hpa_minimum_is_flagged_and_a_raised_one_is_not(rendered):
    old = pick(rendered, "prod", "HorizontalPodAutoscaler", "agent-service")
    lower = edited(old, lambda h: h["spec"].update(minReplicas=2))
    assert flags_of(old, lower) == [{"risk": "HPA minimum lowered", "path": "spec.minReplicas", "detail": "3 -> 2"}]
    assert flags_of(old, edited(old, lambda h: h["spec"].update(minReplicas=4))) == []
    assert flags_of(old, edited(old, lambda h: h["spec"].update(maxReplicas=10))) == []


def test_a_lowered_pdb_minimum_is_flagged(rendered):
    old = pick(rendered, "prod", "PodDisruptionBudget", "agent-service")
    assert flags_of(old, edited(old, lambda p: p["spec"].update(minAvailable=1))) == [
        {"risk": "disruption budget lowered", "path": "spec.minAvailable", "detail": "minAvailable 2 -> 1"}
    ]
    assert flags_of(old, edited(old, lambda p: p["spec"].update(minAvailable=3))) == []


def test_a_raised_pdb_max_unavailable_is_flagged(rendered):
    old = pick(rendered, "prod", "PodDisruptionBudget", "agent-service")
    del old["spec"]["minAvailable"]
    old["spec"]["maxUnavailable"] = 1
    assert flags_of(old, edited(old, lambda p: p["spec"].update(maxUnavailable=2))) == [
        {"risk": "disruption budget lowered", "path": "spec.maxUnavailable", "detail": "maxUnavailable 1 -> 2"}
    ]
    assert flags_of(old, edited(old, lambda p: p["spec"].update(maxUnavailable=0))) == []
    percent = edited(old, lambda p: p["spec"].update(maxUnavailable="25%"))
    assert flags_of(percent, edited(percent, lambda p: p["spec"].update(maxUnavailable="50%"))) == [
        {"risk": "disruption budget lowered", "path": "spec.maxUnavailable", "detail": "maxUnavailable 25% -> 50%"}
    ]


def test_a_deleted_pdb_is_flagged(rendered):
    old = pick(rendered, "prod", "PodDisruptionBudget", "agent-service")
    assert flags_of(old, None) == [
        {"risk": "disruption budget lowered", "path": "", "detail": "the PodDisruptionBudget is deleted"}
    ]
    assert flags_of(None, old) == []


# securityContext ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("edit", "expected"),
    [
        pytest.param(
            lambda d: container(d)["securityContext"].update(runAsNonRoot=False),
            [(f"{CONTAINER_SC}.runAsNonRoot", "true -> false")],
            id="runAsNonRoot-false",
        ),
        pytest.param(
            lambda d: pod_spec(d)["securityContext"].update(runAsNonRoot=False),
            [(f"{POD_SC}.runAsNonRoot", "true -> false")],
            id="pod-runAsNonRoot-false",
        ),
        pytest.param(
            lambda d: container(d)["securityContext"].update(allowPrivilegeEscalation=True),
            [(f"{CONTAINER_SC}.allowPrivilegeEscalation", "false -> true")],
            id="allowPrivilegeEscalation-true",
        ),
        pytest.param(
            lambda d: container(d)["securityContext"].pop("readOnlyRootFilesystem"),
            [(f"{CONTAINER_SC}.readOnlyRootFilesystem", "true -> not set")],
            id="readOnlyRootFilesystem-removed",
        ),
        pytest.param(
            lambda d: container(d)["securityContext"].update(privileged=True),
            [(f"{CONTAINER_SC}.privileged", "false -> true")],
            id="privileged-true",
        ),
        pytest.param(
            lambda d: container(d)["securityContext"]["capabilities"].update(drop=[]),
            [(f"{CONTAINER_SC}.capabilities.drop", "capabilities no longer drop ALL")],
            id="drop-ALL-removed",
        ),
        pytest.param(
            lambda d: container(d)["securityContext"]["capabilities"].update(add=["NET_ADMIN", "SYS_TIME"]),
            [(f"{CONTAINER_SC}.capabilities.add", "adds capabilities NET_ADMIN, SYS_TIME")],
            id="capabilities-added",
        ),
        pytest.param(
            lambda d: pod_spec(d)["securityContext"]["seccompProfile"].update(type="Unconfined"),
            [(f"{POD_SC}.seccompProfile.type", "seccomp RuntimeDefault -> Unconfined")],
            id="seccomp-unconfined",
        ),
        pytest.param(
            lambda d: pod_spec(d)["securityContext"].update(runAsUser=0),
            [(f"{POD_SC}.runAsUser", "1000 -> 0")],
            id="runAsUser-root",
        ),
        pytest.param(
            lambda d: pod_spec(d).update(hostNetwork=True),
            [("spec.template.spec.hostNetwork", "not set -> true")],
            id="hostNetwork",
        ),
        pytest.param(
            lambda d: pod_spec(d).update(automountServiceAccountToken=True),
            [("spec.template.spec.automountServiceAccountToken", "false -> true")],
            id="automountServiceAccountToken",
        ),
        pytest.param(
            lambda d: pod_spec(d)["volumes"].append({"name": "docker", "hostPath": {"path": "/var/run/docker.sock"}}),
            [("spec.template.spec.volumes[docker]", "mounts a hostPath volume")],
            id="hostPath-volume-added",
        ),
        pytest.param(
            lambda d: container(d).pop("securityContext"),
            [
                (f"{CONTAINER_SC}.allowPrivilegeEscalation", "false -> not set"),
                (f"{CONTAINER_SC}.capabilities.drop", "capabilities no longer drop ALL"),
                (f"{CONTAINER_SC}.readOnlyRootFilesystem", "true -> not set"),
                (f"{CONTAINER_SC}.runAsNonRoot", "true -> not set"),
                (f"{CONTAINER_SC}.seccompProfile.type", "seccomp RuntimeDefault -> not set"),
            ],
            id="container-securityContext-removed",
        ),
        pytest.param(
            lambda d: pod_spec(d).pop("securityContext"),
            [
                (f"{POD_SC}.runAsNonRoot", "true -> not set"),
                (f"{POD_SC}.seccompProfile.type", "seccomp RuntimeDefault -> not set"),
            ],
            id="pod-securityContext-removed",
        ),
    ],
)
def test_a_relaxed_security_context_is_flagged(deployment, edit, expected):
    change = only_change(deployment, edited(deployment, edit))
    assert [(f.risk, f.path, f.detail) for f in change.flags] == [
        (Risk.SECURITY_RELAXED, path, detail) for path, detail in expected
    ]


def test_privileged_added_where_it_was_not_set_is_flagged(deployment):
    del container(deployment)["securityContext"]["privileged"]
    new = edited(deployment, lambda d: container(d)["securityContext"].update(privileged=True))
    assert flags_of(deployment, new) == [
        {"risk": "securityContext relaxed", "path": f"{CONTAINER_SC}.privileged", "detail": "not set -> true"}
    ]


def test_a_service_account_that_starts_mounting_its_token_is_flagged(rendered):
    old = pick(rendered, "prod", "ServiceAccount", "agent-service")
    new = edited(old, lambda s: s.update(automountServiceAccountToken=True))
    assert flags_of(old, new) == [
        {"risk": "securityContext relaxed", "path": "automountServiceAccountToken", "detail": "false -> true"}
    ]


@pytest.mark.parametrize(
    "edit",
    [
        pytest.param(lambda d: pod_spec(d)["securityContext"].update(runAsGroup=2000), id="another-group"),
        pytest.param(lambda d: container(d)["securityContext"].update(runAsUser=1001), id="container-non-root-user"),
        pytest.param(
            lambda d: container(d)["securityContext"]["capabilities"].update(drop=["ALL", "NET_RAW"]), id="drop-more"
        ),
        pytest.param(lambda d: pod_spec(d)["securityContext"].update(runAsUser=2000), id="another-non-root-user"),
        pytest.param(
            lambda d: pod_spec(d)["securityContext"]["seccompProfile"].update(type="Localhost"), id="seccomp-localhost"
        ),
        pytest.param(lambda d: pod_spec(d)["volumes"].append({"name": "cache", "emptyDir": {}}), id="emptyDir-added"),
        pytest.param(lambda d: pod_spec(d).update(hostNetwork=False), id="hostNetwork-false"),
    ],
)
def test_a_security_context_that_stays_as_strict_is_not_flagged(deployment, edit):
    assert flags_of(deployment, edited(deployment, edit)) == []


def test_removing_the_whole_capabilities_block_is_flagged(deployment):
    new = edited(deployment, lambda d: container(d)["securityContext"].pop("capabilities"))
    assert [f.risk for f in only_change(deployment, new).flags] == [Risk.SECURITY_RELAXED]


def test_an_existing_volume_switched_to_host_path_is_flagged(deployment):
    new = edited(deployment, lambda d: pod_spec(d)["volumes"][1].update(hostPath={"path": "/tmp"}, emptyDir=None))
    pod_spec(new)["volumes"][1].pop("emptyDir")
    assert [(f.risk, f.detail) for f in only_change(deployment, new).flags] == [
        (Risk.SECURITY_RELAXED, "mounts a hostPath volume")
    ]


def test_reordering_added_capabilities_is_not_flagged(deployment):
    container(deployment)["securityContext"]["capabilities"]["add"] = ["CHOWN", "SETUID"]
    new = edited(deployment, lambda d: container(d)["securityContext"]["capabilities"].update(add=["SETUID", "CHOWN"]))
    assert flags_of(deployment, new) == []


# NetworkPolicy -----------------------------------------------------------------------------------


@pytest.fixture
def policy(rendered):
    return pick(rendered, "prod", "NetworkPolicy", "agent-service", "agent-platform-prod")


def test_a_new_ingress_rule_widens_ingress(policy):
    rule = {"from": [{"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "batch"}}}]}
    new = edited(policy, lambda p: p["spec"]["ingress"].append(rule))
    assert flags_of(policy, new) == [
        {"risk": "NetworkPolicy ingress widened", "path": "spec.ingress", "detail": "1 new allowed peer/port pair"}
    ]


def test_an_ingress_rule_that_loses_its_peers_opens_its_ports_to_all(policy):
    new = edited(policy, lambda p: p["spec"]["ingress"][2].pop("from"))
    assert flags_of(policy, new) == [
        {"risk": "NetworkPolicy ingress widened", "path": "spec.ingress", "detail": "1 new allowed peer/port pair"}
    ]


def test_an_ingress_rule_that_loses_its_ports_opens_all_ports_to_its_peers(policy):
    new = edited(policy, lambda p: p["spec"]["ingress"][2].pop("ports"))
    assert flags_of(policy, new) == [
        {"risk": "NetworkPolicy ingress widened", "path": "spec.ingress", "detail": "2 new allowed peer/port pairs"}
    ]


def test_a_new_egress_port_widens_egress(policy):
    new = edited(policy, lambda p: p["spec"]["egress"].append({"ports": [{"protocol": "TCP", "port": 6380}]}))
    assert flags_of(policy, new) == [
        {"risk": "NetworkPolicy egress widened", "path": "spec.egress", "detail": "1 new allowed peer/port pair"}
    ]


def test_a_dropped_policy_type_no_longer_restricts_that_direction(policy):
    new = edited(policy, lambda p: p["spec"].update(policyTypes=["Ingress"]))
    assert flags_of(policy, new) == [
        {"risk": "NetworkPolicy egress widened", "path": "spec.policyTypes", "detail": "no longer restricts egress"}
    ]


def test_narrowing_a_network_policy_is_not_flagged(policy):
    fewer_rules = edited(policy, lambda p: p["spec"]["egress"].pop(3))  # no more postgres
    assert flags_of(policy, fewer_rules) == []
    fewer_peers = edited(policy, lambda p: p["spec"]["egress"][-1]["to"].pop())
    assert flags_of(policy, fewer_peers) == []
    no_ingress = edited(policy, lambda p: p["spec"].update(ingress=[]))
    assert flags_of(policy, no_ingress) == []


def test_a_policy_that_starts_restricting_egress_is_not_flagged(policy):
    old = copy.deepcopy(policy)
    old["spec"]["policyTypes"] = ["Ingress"]
    del old["spec"]["egress"]
    assert flags_of(old, policy) == []


# quota and images --------------------------------------------------------------------------------


def test_a_raised_quota_is_flagged_and_a_lowered_one_is_not(rendered):
    old = pick(rendered, "prod", "ResourceQuota", "quota", "agent-platform-prod")
    raised = edited(old, lambda q: q["spec"]["hard"].update({"requests.cpu": "96"}))
    change = only_change(old, raised)
    assert [(f.risk, f.path) for f in change.flags] == [(Risk.QUOTA_RAISED, "spec.hard['requests.cpu']")]
    lowered = edited(old, lambda q: q["spec"]["hard"].update({"requests.cpu": "32", "limits.memory": "200Gi"}))
    assert flags_of(old, lowered) == []
    unlimited = edited(old, lambda q: q["spec"]["hard"].pop("pods"))
    assert [(f.risk, f.path) for f in only_change(old, unlimited).flags] == [(Risk.QUOTA_RAISED, "spec.hard.pods")]


def test_a_raised_quota_shows_the_original_quantities(rendered):
    old = pick(rendered, "prod", "ResourceQuota", "quota", "agent-platform-prod")
    raised = edited(old, lambda q: q["spec"]["hard"].update({"pods": "150", "limits.memory": "256Gi"}))
    assert [f.detail for f in only_change(old, raised).flags] == ["120 -> 150", "224Gi -> 256Gi"]


def test_an_image_moved_off_its_digest_is_flagged_and_pinning_is_not(deployment):
    pinned = container(deployment)["image"]
    tagged = pinned.split("@")[0]
    new = edited(deployment, lambda d: container(d).update(image=tagged))
    assert flags_of(deployment, new) == [
        {
            "risk": "image moved off a digest",
            "path": "spec.template.spec.containers[agent].image",
            "detail": f"{pinned} -> {tagged}",
        }
    ]
    assert flags_of(new, deployment) == []
    other_digest = pinned[:-12] + "0" * 12
    assert flags_of(deployment, edited(deployment, lambda d: container(d).update(image=other_digest))) == []


def test_flags_are_listed_per_stage(rendered, deployment):
    hpa = pick(rendered, "prod", "HorizontalPodAutoscaler", "agent-service")
    new_deployment = edited(deployment, lambda d: container(d)["securityContext"].update(privileged=True))
    new_hpa = edited(hpa, lambda h: h["spec"].update(minReplicas=1))
    result = diff([deployment, hpa], [new_deployment, new_hpa])
    assert [(change.title, flag.risk) for change, flag in result.flags] == [
        ("Deployment agent-platform-prod/agent-service", Risk.SECURITY_RELAXED),
        ("HorizontalPodAutoscaler agent-platform-prod/agent-service", Risk.HPA_MINIMUM_LOWERED),
    ]
