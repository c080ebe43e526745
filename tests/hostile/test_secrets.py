"""Secrets pasted into a stage file: never printed by any command, never written to rendered/.

Each secret is built at run time from harmless pieces (a PEM block whose body is no key, a
two-line password), so nothing here looks like a credential to a scanner of the repository.
"""

from __future__ import annotations

import json

import pytest

from tests.hostile.test_writes import run, snapshot, workspace  # noqa: F401 - the fixture

BODY = ["MIIBody" + str(i) * 56 for i in range(4)]  # a PEM body's lines: base64 that no pattern knows
PASSWORD_LINES = ["tango" + "-4821-first", "tango" + "-4821-second"]


def pem_block(indent: str) -> str:
    kind = "RSA " + "PRIVATE KEY"
    lines = [f"-----BEGIN {kind}-----", *BODY, f"-----END {kind}-----"]
    return "".join(f"{indent}{line}\n" for line in lines)


def paste_secrets(stage_file) -> None:
    """A PEM key (block scalar) and a two-line password into agent-service's release config."""
    text = stage_file.read_text()
    anchor = "        max_retries: 3\n"
    assert anchor in text
    pasted = (
        "        tls_private: |\n"
        + pem_block(" " * 10)
        + f"        db_password: {json.dumps(chr(10).join(PASSWORD_LINES))}\n"
    )
    stage_file.write_text(text.replace(anchor, anchor + pasted, 1))


def assert_no_secret(*outputs: str) -> None:
    for output in outputs:
        for value in (*BODY, *PASSWORD_LINES):
            assert value not in output


def test_render_refuses_a_stage_whose_manifests_would_carry_a_literal_secret(workspace, capsys):  # noqa: F811
    stage_file = workspace / "environments" / "dev.yaml"
    paste_secrets(stage_file)
    line = stage_file.read_text().splitlines().index("        tls_private: |") + 1
    before = snapshot(workspace / "rendered")
    code, out, err = run(capsys, "render", "--environments", workspace / "environments")
    assert code == 2
    assert f"environments/dev.yaml:{line}:9: release.config.agent-service.llm.tls_private: a literal secret" in err
    assert "release.config.agent-service.llm.db_password: a literal secret" in err
    assert "nothing" not in out and out == ""
    assert snapshot(workspace / "rendered") == before  # no stage written, the clean ones neither
    assert_no_secret(out, err)


@pytest.mark.parametrize("fmt", ["text", "json", "markdown", "sarif"])
def test_check_names_the_secret_without_showing_it(workspace, capsys, fmt):  # noqa: F811
    paste_secrets(workspace / "environments" / "dev.yaml")
    code, out, err = run(
        capsys, "check", "--environments", workspace / "environments", "--stage", "dev", "--format", fmt
    )
    assert code == 1
    assert "no-secret-literals" in out
    assert_no_secret(out, err)


def test_promote_and_scale_print_no_line_of_the_secret(workspace, capsys):  # noqa: F811
    paste_secrets(workspace / "environments" / "dev.yaml")
    outputs = []
    for argv in (
        ["promote", "dev", "staging"],
        ["scale", "agent-service", "--stage", "dev", "--replicas", "1", "--dry-run"],
    ):
        code, out, err = run(capsys, *argv, "--environments", workspace / "environments")
        assert code in (0, 1, 2), (argv, err)
        outputs += [out, err]
    assert_no_secret(*outputs)


def test_a_validation_error_does_not_echo_a_pasted_key(workspace, capsys):  # noqa: F811
    """A key pasted where a mapping belongs: the message says what is wrong, not the key."""
    stage_file = workspace / "environments" / "dev.yaml"
    key = "sk-" + "proj" + "".join(f"{i}x" for i in range(12))
    text = stage_file.read_text().replace(
        "  autoscaling: {min_replicas: 1, max_replicas: 2}", f"  autoscaling: {key}", 1
    )
    stage_file.write_text(text)
    code, out, err = run(capsys, "check", "--environments", workspace / "environments", "--stage", "dev")
    assert code == 2
    assert "environments/dev.yaml:" in err and "service_defaults.autoscaling" in err
    assert key not in out + err
