"""`pipeline diff` operands: any YAML file or folder, stage trees `pipeline render` wrote, and bad input.

Folder names mean stages only when both sides are stage trees (rendered/ or rendered/<stage>,
whose kustomization.yaml carries render's mark); anything else is one unnamed set per side.
Unreadable input is exit 2 naming file and line, never a diff of what could be read.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from pipeline.cli import main
from pipeline.manifest_sets import stage_folders
from pipeline.render import RENDER_MARK
from pipeline.sources import from_directory
from tests.pipeline.diff.cli import V1, V2, classes, diff, only_stage, report
from tests.pipeline.diff.test_foreign import EXPECTED

HPA = "agent-platform-prod/horizontalpodautoscaler-agent-service.yaml"  # in a rendered stage folder


# files, folders and stage trees --------------------------------------------------------------------


def test_a_file_against_a_file(capsys):
    result = diff(capsys, V1 / "rbac.yaml", V2 / "rbac.yaml")
    assert result.code == 0, result
    assert result.out.splitlines()[:4] == [
        f"{V1 / 'rbac.yaml'} -> {V2 / 'rbac.yaml'}",
        "",
        "== 1 update, 2 unchanged",
        "  update   ClusterRole ingress-nginx",
    ]
    assert result.err == ""


def test_folders_named_like_stages_are_not_stages(capsys, tmp_path):
    shutil.copytree(V1, tmp_path / "a" / "prod")
    shutil.copytree(V2, tmp_path / "b" / "prod")
    for sides in ((tmp_path / "a" / "prod", tmp_path / "b" / "prod"), (tmp_path / "a", tmp_path / "b")):
        stage = only_stage(report(capsys, *sides))
        assert (stage["stage"], classes(stage)) == ("", EXPECTED)


@pytest.fixture(scope="module")
def rendered_trees(tmp_path_factory, rendered) -> tuple[Path, Path]:
    """Two rendered/ trees as `pipeline render` writes them; the second with prod's HPA maximum raised."""
    root = tmp_path_factory.mktemp("trees")
    for name in ("old", "new"):
        assert main(["render", "--out", str(root / name)]) == 0
    hpa = root / "new" / "prod" / HPA
    text = hpa.read_text()
    assert "maxReplicas: " in text
    hpa.write_text(text.replace("maxReplicas: ", "maxReplicas: 9", 1))
    return root / "old", root / "new"


def test_two_rendered_trees_are_diffed_per_stage(capsys, rendered_trees, rendered):
    old, new = rendered_trees
    capsys.readouterr()  # what rendering the trees printed
    data = report(capsys, old, new)
    assert [s["stage"] for s in data["stages"]] == ["dev", "staging", "prod"]
    assert [[c["resource"] for c in s["changes"]] for s in data["stages"]] == [
        [],
        [],
        ["HorizontalPodAutoscaler agent-platform-prod/agent-service"],
    ]
    prod = only_stage(report(capsys, old / "prod", new / "prod"))
    assert prod["stage"] == "prod"  # a stage folder on both sides: its name is the stage's
    assert prod["unchanged"] == len(rendered["prod"].manifests) - 1


def test_a_stage_tree_against_plain_yaml_is_one_set(capsys, rendered_trees, tmp_path):
    old, _ = rendered_trees
    plain = tmp_path / "plain"
    shutil.copytree(old / "prod", plain)
    (plain / "kustomization.yaml").unlink()  # no render mark: plain YAML now
    hpa = plain / HPA
    hpa.write_text(hpa.read_text().replace("maxReplicas: ", "maxReplicas: 9", 1))
    stage = only_stage(report(capsys, old / "prod", plain))
    assert stage["stage"] == ""
    assert classes(stage) == [("update", "HorizontalPodAutoscaler agent-platform-prod/agent-service")]


# bad input ----------------------------------------------------------------------------------------


def test_an_unreadable_file_is_exit_2_with_its_line(capsys, tmp_path):
    broken = tmp_path / "v2"
    shutil.copytree(V2, broken)
    text = (broken / "rbac.yaml").read_text()
    line = text[: text.index("  apiGroup: rbac")].count("\n") + 1
    (broken / "rbac.yaml").write_text(text.replace("  apiGroup: rbac", "\tapiGroup: rbac", 1))  # a tab indents
    result = diff(capsys, V1, broken)
    assert result.code == 2, result
    assert result.out == ""  # no diff of half-read input
    assert f"{broken / 'rbac.yaml'}:{line}:1: YAML syntax error: found character that cannot start any token" in (
        result.err
    )


def test_an_object_defined_twice_is_exit_2_naming_both_places(capsys, tmp_path):
    twice = tmp_path / "v2"
    shutil.copytree(V2, twice)
    # The same ClusterRole again, with a namespace: for the API server it is the same object.
    role = (
        (V2 / "rbac.yaml")
        .read_text()
        .split("---\n")[1]
        .replace("  name: ingress-nginx\n", "  name: ingress-nginx\n  namespace: other\n", 1)
    )
    (twice / "zz-copy.yaml").write_text(role)
    result = diff(capsys, V1, twice)
    assert result.code == 2, result
    assert (
        f"{twice / 'zz-copy.yaml'}:2:1: ClusterRole ingress-nginx is defined twice: here and at {twice / 'rbac.yaml'}:3:1"
        in result.err
    )


def test_a_folder_of_no_objects_is_exit_2(capsys, tmp_path):
    (tmp_path / "chart").mkdir()
    shutil.copy(V1 / "values.yaml", tmp_path / "chart" / "values.yaml")
    result = diff(capsys, tmp_path / "chart", V2)
    assert result.code == 2, result
    assert (
        f"no Kubernetes manifests in {tmp_path / 'chart'}, skipped: {tmp_path / 'chart' / 'values.yaml'} (no apiVersion"
        in result.err
    )


def test_a_missing_path_and_stage_of_plain_yaml_are_exit_2(capsys, tmp_path):
    missing = diff(capsys, V1, f"{tmp_path}/app-v3/")
    assert missing.code == 2 and f"{tmp_path}/app-v3/: no such file or folder" in missing.err, missing
    staged = diff(capsys, V1, V2, "--stage", "prod")
    assert staged.code == 2 and f"--stage prod: {V1} and {V2} are plain YAML, with no stages" in staged.err, staged


def test_a_base_revisions_render_is_read_per_stage_without_the_mark(rendered_trees, tmp_path):
    # Code from before render wrote its mark renders kustomizations without it: preview --base of such
    # a revision still reads its render stage by stage (only operands a user names need the mark).
    old, _ = rendered_trees
    unmarked = tmp_path / "out"
    shutil.copytree(old, unmarked)
    for kustomization in unmarked.glob("*/kustomization.yaml"):
        kustomization.write_text(kustomization.read_text().replace(RENDER_MARK, ""))
    assert stage_folders(unmarked) is None
    assert sorted(from_directory(unmarked, None, marked=False).stages) == ["dev", "prod", "staging"]
    assert sorted(from_directory(old, None).stages) == ["dev", "prod", "staging"]
