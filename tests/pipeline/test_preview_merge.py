"""pipeline preview --merge: per-stage previews run apart, joined, equal the preview of one run.

A CI matrix previews each stage in its own job (`preview --base REF --stage S --json part.json`)
and a last job merges the parts into the one pull-request comment. The merged Markdown, JSON
and SARIF must be byte for byte what a single `preview --base REF` writes, with its exit code;
parts that overlap or are no preview are bad input (exit 2) naming the file and the reason.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from tests.conftest import STAGES
from tests.pipeline.gitrepo import GitRepo, Result, build_repo

DEV_IMAGE = "agent-service:1.5.0@sha256:817bd2cd508817e15c431ae9e118ef623613a5966ce0cc1cd6c4724545990dfe"


@pytest.fixture(scope="module")
def repo(tmp_path_factory) -> GitRepo:
    return build_repo(tmp_path_factory.mktemp("merge") / "repo")


@pytest.fixture(scope="module")
def out(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("merge-out")


@pytest.fixture(scope="module")
def head(repo):
    """A pull request touching every stage: a new dev image, staging's retention, prod's backups daily
    (a mandatory failure: the preview blocks)."""
    repo.edit("environments/dev.yaml", DEV_IMAGE, "agent-service:1.5.1@sha256:" + "5e" * 32)
    repo.edit("environments/staging.yaml", "retention: 8", "retention: 9")
    repo.edit("environments/prod.yaml", 'schedule: "*/30 * * * *"', 'schedule: "0 2 * * *"')
    yield
    repo.restore()


def files(out: Path, name: str) -> list[str]:
    return [
        "--output",
        str(out / f"{name}.md"),
        "--json",
        str(out / f"{name}.json"),
        "--sarif",
        str(out / f"{name}.sarif"),
    ]


@pytest.fixture(scope="module")
def single(repo, out, head) -> Result:
    return repo.run("preview", "--base", "main", *files(out, "single"))


@pytest.fixture(scope="module")
def parts(repo, out, head) -> dict[str, Result]:
    return {
        stage: repo.run("preview", "--base", "main", "--stage", stage, "--json", str(out / f"part-{stage}.json"))
        for stage in STAGES
    }


@pytest.fixture(scope="module")
def merged(repo, out, parts) -> Result:
    # Parts in another order than the stages: the merge follows the stage order.
    return repo.run(
        "preview", "--merge", *[str(out / f"part-{s}.json") for s in reversed(STAGES)], *files(out, "merged")
    )


def test_the_merged_preview_equals_the_single_process_preview_byte_for_byte(single, merged, out):
    assert single.code == 1, single.err  # prod's daily backup breaks the RPO rule
    assert (merged.code, merged.out, merged.err) == (single.code, single.out, single.err)
    for suffix in ("md", "json", "sarif"):
        assert (out / f"merged.{suffix}").read_bytes() == (out / f"single.{suffix}").read_bytes(), suffix
    report = json.loads((out / "merged.json").read_text())
    assert [s["stage"] for s in report["stages"]] == list(STAGES)
    assert all(report["stages"][i]["changes"] for i in range(3)), "every stage changed"
    assert any(f["new"] for f in report["stages"][2]["policy"]["findings"])


def test_each_part_is_that_stage_of_the_single_preview(parts, out, single):
    whole = json.loads((out / "single.json").read_text())
    for index, stage in enumerate(STAGES):
        assert parts[stage].code == (1 if stage == "prod" else 0), parts[stage].err
        part = json.loads((out / f"part-{stage}.json").read_text())
        assert part["stages"] == [whole["stages"][index]]
        assert (part["base"], part["head"], part["order"], part["protected"]) == (
            whole["base"],
            whole["head"],
            list(STAGES),
            "prod",
        )


def test_the_merged_text_report_is_the_text_of_the_merged_preview(repo, out, parts, merged):
    text = repo.run("preview", "--merge", *[str(out / f"part-{s}.json") for s in STAGES], "--format", "text")
    assert text.code == 1
    assert text.out.splitlines()[0].startswith("main (") and "== prod (" not in text.out.splitlines()[0]
    assert [line.split(":")[0] for line in text.out.splitlines() if line.startswith("== ")] == [
        f"== {s}" for s in STAGES
    ]
    assert text.out.rstrip().splitlines()[-1].startswith("BLOCKED: prod: ")


def test_a_stage_in_two_parts_is_bad_input(repo, out, parts):
    copy = out / "dev-again.json"
    shutil.copy(out / "part-dev.json", copy)
    result = repo.run("preview", "--merge", str(out / "part-dev.json"), str(copy), str(out / "part-prod.json"))
    assert (result.code, result.out) == (2, "")
    assert f"{copy}: stage dev is already in {out / 'part-dev.json'}" in result.err


@pytest.mark.parametrize(
    "content, reason",
    [
        ("{not json", "not JSON (Expecting property name enclosed in double quotes at line 1, column 2)"),
        ('{"base": "main"}', "not a preview written by `pipeline preview --json` (missing key 'head')"),
        ("[1, 2]", "not a preview written by `pipeline preview --json` ("),
    ],
    ids=["not-json", "missing-key", "not-an-object"],
)
def test_a_file_that_is_no_preview_is_bad_input(repo, out, parts, content, reason):
    bad = out / "bad.json"
    bad.write_text(content)
    result = repo.run("preview", "--merge", str(out / "part-dev.json"), str(bad))
    assert (result.code, result.out) == (2, "")
    assert f"{bad}: {reason}" in result.err
    assert "Traceback" not in result.err


def test_a_missing_part_is_bad_input(repo, out):
    result = repo.run("preview", "--merge", str(out / "nope.json"))
    assert result.code == 2
    assert f"{out / 'nope.json'}: cannot be read (No such file or directory)" in result.err


def test_parts_from_another_base_do_not_merge(repo, out, parts):
    other = json.loads((out / "part-prod.json").read_text())
    other["base"] = "origin/main (0123456789ab)"
    (out / "other-base.json").write_text(json.dumps(other))
    result = repo.run("preview", "--merge", str(out / "part-dev.json"), str(out / "other-base.json"))
    assert result.code == 2
    assert f"{out / 'other-base.json'}: its base 'origin/main (0123456789ab)' differs from" in result.err


def test_merge_takes_no_base_stage_or_tenant(repo, out, parts):
    part = str(out / "part-dev.json")
    result = repo.run("preview", "--merge", part, "--stage", "dev")
    assert result.code == 2 and "--merge takes no --stage" in result.err
    with pytest.raises(SystemExit) as exited:
        repo.run("preview", "--merge", part, "--base", "main")
    assert exited.value.code == 2
