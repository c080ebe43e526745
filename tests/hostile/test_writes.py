"""Hostile targets of the pipeline's writes: nothing it did not write is ever replaced or deleted.

Each case runs the CLI's entry point on a copy of the repository's stage files and rendered/,
and asserts the exit code, the message, and that nothing outside the intended files changed.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
import yaml

from pipeline.cli import main
from pipeline.render import RENDER_MARK
from tests.conftest import ENVIRONMENTS, REPOSITORY

SCALE = ["scale", "cost-service", "--stage", "prod", "--replicas", "4"]


@pytest.fixture
def workspace(tmp_path) -> Path:
    """environments/ and rendered/ side by side, as in the repository."""
    shutil.copytree(ENVIRONMENTS, tmp_path / "environments", symlinks=False)
    shutil.copytree(REPOSITORY / "rendered", tmp_path / "rendered")
    return tmp_path


def snapshot(root: Path) -> dict[str, bytes | str]:
    """Every entry below root: file bytes, a link's target, a FIFO's kind."""
    out: dict[str, bytes | str] = {}
    for path in sorted(root.rglob("*")):
        key = str(path.relative_to(root))
        if path.is_symlink():
            out[key] = f"-> {os.readlink(path)}"
        elif path.is_fifo():
            out[key] = "fifo"
        elif path.is_file():
            out[key] = path.read_bytes()
    return out


def run(capsys, *argv: str | Path) -> tuple[int, str, str]:
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_render_out_never_replaces_a_kustomize_folder_it_did_not_write(workspace, tmp_path, capsys):
    """A kustomization.yaml alone is no proof: a hand-made overlay has one too."""
    overlay = tmp_path / "out" / "dev"
    overlay.mkdir(parents=True)
    (overlay / "kustomization.yaml").write_text("resources: [deployment.yaml]\n")
    (overlay / "deployment.yaml").write_text("kind: Deployment\n")
    before = snapshot(tmp_path / "out")
    code, _, err = run(
        capsys, "render", "--environments", workspace / "environments", "--stage", "dev", "--out", tmp_path / "out"
    )
    assert code == 2
    assert f"{overlay} exists and was not written by pipeline render" in err and "nothing was written" in err
    assert snapshot(tmp_path / "out") == before


def test_render_out_refuses_a_marker_that_is_a_fifo_without_blocking(workspace, tmp_path, capsys):
    stage = tmp_path / "out" / "dev"
    stage.mkdir(parents=True)
    os.mkfifo(stage / "kustomization.yaml")
    code, _, err = run(
        capsys, "render", "--environments", workspace / "environments", "--stage", "dev", "--out", tmp_path / "out"
    )
    assert code == 2 and "was not written by pipeline render" in err
    assert (stage / "kustomization.yaml").is_fifo()


def test_render_out_replaces_its_own_earlier_render_and_marks_it(workspace, tmp_path, capsys):
    out = tmp_path / "out"
    for _ in range(2):
        code, _, err = run(
            capsys, "render", "--environments", workspace / "environments", "--stage", "dev", "--out", out
        )
        assert code == 0, err
    kustomization = (out / "dev" / "kustomization.yaml").read_text()
    assert kustomization.startswith(RENDER_MARK)
    assert yaml.safe_load(kustomization)["kind"] == "Kustomization"  # the mark is a comment: kustomize reads on


def test_render_check_reports_what_no_render_writes_in_the_tree(workspace, capsys):
    rendered = workspace / "rendered"
    shutil.copytree(rendered / "dev", rendered / ".dev-copy")
    (rendered / "notes.txt").write_text("x\n")
    (rendered / "dev" / ".hidden.yaml").write_text("kind: ConfigMap\n")
    code, out, err = run(capsys, "render", "--environments", workspace / "environments", "--check")
    assert code == 1
    assert "rendered/.dev-copy/ (not a stage folder" in out
    assert "rendered/notes.txt (not a stage folder" in out
    assert "rendered/dev/.hidden.yaml (extra)" in out
    assert "remove it (render never deletes it)" in err
    assert (rendered / ".dev-copy").is_dir() and (rendered / "notes.txt").is_file()  # reported, not deleted


def test_leftovers_of_killed_runs_are_removed_and_said(workspace, capsys):
    rendered = workspace / "rendered"
    (rendered / ".pipeline-tmp-new-0123456789ab").mkdir()
    (rendered / ".pipeline-tmp-new-0123456789ab" / "a.yaml").write_text("x\n")
    code, out, err = run(capsys, "render", "--environments", workspace / "environments", "--check")
    assert code == 0, out + err
    assert "removed 1 leftover(s) of killed pipeline commands in" in err
    assert not [p for p in rendered.iterdir() if p.name.startswith(".")]


def test_an_edit_keeps_crlf_line_endings_and_the_mode(workspace, capsys):
    stage_file = workspace / "environments" / "prod.yaml"
    stage_file.write_bytes(stage_file.read_bytes().replace(b"\n", b"\r\n"))
    stage_file.chmod(0o640)
    code, _, err = run(capsys, *SCALE, "--environments", workspace / "environments")
    assert code == 0, err
    data = stage_file.read_bytes()
    assert data.count(b"\r\n") == data.count(b"\n") > 100  # every line CRLF, none LF alone
    assert b"replicas: 4" in data
    assert stage_file.stat().st_mode & 0o777 == 0o640


def test_an_edit_through_a_symlinked_stage_file_writes_the_file_it_names(workspace, tmp_path, capsys):
    shared = tmp_path / "shared"
    shared.mkdir()
    stage_file = workspace / "environments" / "prod.yaml"
    shutil.move(stage_file, shared / "prod.yaml")
    stage_file.symlink_to(shared / "prod.yaml")
    code, _, err = run(capsys, *SCALE, "--environments", workspace / "environments")
    assert code == 0, err
    assert stage_file.is_symlink() and os.readlink(stage_file) == str(shared / "prod.yaml")
    assert "replicas: 4" in (shared / "prod.yaml").read_text()


def test_a_report_is_never_written_through_a_symlink(workspace, tmp_path, capsys):
    victim = tmp_path / "victim.txt"
    victim.write_text("precious\n")
    link = tmp_path / "report.json"
    link.symlink_to(victim)
    code, _, err = run(
        capsys,
        "check",
        "--environments",
        workspace / "environments",
        "--stage",
        "dev",
        "--format",
        "sarif",
        "--output",
        link,
    )
    assert code == 2
    assert f"{link} is a symbolic link (to {victim}): nothing was written" in err
    assert victim.read_text() == "precious\n" and link.is_symlink()


@pytest.mark.parametrize("spelling", ["../rendered", "link-to-rendered", "../rendered/./"])
def test_a_tenant_slice_never_lands_in_the_committed_tree_however_it_is_named(workspace, capsys, monkeypatch, spelling):
    """The guard compares resolved paths: a relative path from elsewhere or a symlink is the same tree."""
    scripts = workspace / "scripts"
    scripts.mkdir()
    (scripts / "link-to-rendered").symlink_to(workspace / "rendered")
    monkeypatch.chdir(scripts)
    before = snapshot(workspace / "rendered")
    argv = ["render", "--environments", "../environments", "--stage", "prod", "--tenant", "acme", "--out", spelling]
    code, _, err = run(capsys, *argv)
    assert code == 2
    assert "render --tenant writes a slice of a stage, and rendered/ holds whole stages" in err
    assert snapshot(workspace / "rendered") == before
