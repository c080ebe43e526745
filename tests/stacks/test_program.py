"""Both back ends agree: the Pulumi program registers exactly the rendered manifests.

The program (stacks/__main__.py) runs under Pulumi's own mock runtime for each stage; the mock
monitor records every registration with its URN (which carries the parent's type) and inputs.
"""

from __future__ import annotations

import runpy
from typing import Any

import pulumi
import pytest
from pulumi.runtime.mocks import MockMonitor

from kube.identity import pulumi_name, type_token
from stacks.platform import components
from stacks.program import COMPONENT_TYPES
from tests.conftest import REPOSITORY, STAGES


class EchoMocks(pulumi.runtime.Mocks):
    """Every resource gets an id and echoes its inputs as its state."""

    def new_resource(self, args: pulumi.runtime.MockResourceArgs):
        return [f"{args.name}-id", args.inputs]

    def call(self, args: pulumi.runtime.MockCallArgs):
        return {}


def run_program(stage: str) -> dict[str, Any]:
    """Run the real Pulumi program for a stack; return {urn: inputs} of every registration."""
    mocks = EchoMocks()
    monitor = MockMonitor(mocks)
    pulumi.runtime.set_mocks(mocks, project="agent-platform", stack=stage, preview=False, monitor=monitor)

    @pulumi.runtime.test
    def program():
        runpy.run_path(str(REPOSITORY / "stacks" / "__main__.py"), run_name="__main__")

    program()
    return {urn: registration.state for urn, registration in monitor.resources.items()}


def normalise(value: Any) -> Any:
    """Undo Pulumi's wire encoding: every number travels as a double (3 -> 3.0)."""
    if isinstance(value, dict):
        return {key: normalise(item) for key, item in value.items()}
    if isinstance(value, list):
        return [normalise(item) for item in value]
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def split_urn(urn: str) -> tuple[str, str, str]:
    """(parent type, own type, name) of urn:pulumi:stack::project::[parent$]type::name."""
    qualified, name = urn.split("::", 3)[2:]
    *parents, own = qualified.split("$")
    return (parents[-1] if parents else ""), own, name


@pytest.fixture(scope="module", params=STAGES)
def program_run(request) -> tuple[str, dict[str, Any]]:
    return request.param, run_program(request.param)


def kubernetes_registrations(registrations: dict[str, Any]) -> dict[tuple[str, str], tuple[str, Any]]:
    out = {}
    for urn, state in registrations.items():
        parent, own, name = split_urn(urn)
        if own.startswith("kubernetes:"):
            assert (own, name) not in out, f"{own} {name} registered twice"
            out[(own, name)] = (parent, state)
    return out


def test_program_registers_exactly_the_rendered_manifests(program_run, rendered):
    stage, registrations = program_run
    registered = kubernetes_registrations(registrations)
    expected = {(type_token(m["apiVersion"], m["kind"]), pulumi_name(m)): m for m in rendered[stage].manifests}
    assert sorted(registered) == sorted(expected), "type tokens or names differ between the back ends"
    for key, manifest in expected.items():
        _parent, inputs = registered[key]
        assert normalise(inputs) == manifest, f"{key}: the registered fields differ from the rendered manifest"


def test_every_manifest_is_parented_by_its_component(program_run, environments):
    stage, registrations = program_run
    registered = kubernetes_registrations(registrations)
    for spec in components(environments[stage]):
        component_type = COMPONENT_TYPES[type(spec)].TYPE
        for manifest in spec.manifests():
            parent, _ = registered[(type_token(manifest["apiVersion"], manifest["kind"]), pulumi_name(manifest))]
            assert parent == component_type, f"{pulumi_name(manifest)} is parented by {parent!r}, not {component_type}"


def test_components_are_registered_once_each_under_the_stack(program_run, environments):
    stage, registrations = program_run
    found = sorted(
        (own, name)
        for urn in registrations
        for parent, own, name in [split_urn(urn)]
        if own.startswith("agent-platform:")
    )
    expected = sorted((COMPONENT_TYPES[type(spec)].TYPE, spec.name) for spec in components(environments[stage]))
    assert found == expected
    assert all(
        split_urn(urn)[0] == "pulumi:pulumi:Stack"
        for urn in registrations
        if split_urn(urn)[1].startswith("agent-platform:")
    )


def test_custom_resources_keep_their_group_in_the_type_token(program_run):
    _stage, registrations = program_run
    tokens = {split_urn(urn)[1] for urn in registrations}
    assert "kubernetes:monitoring.coreos.com/v1:PrometheusRule" in tokens
    assert "kubernetes:external-secrets.io/v1:ExternalSecret" in tokens
    assert "kubernetes:core/v1:Service" in tokens
