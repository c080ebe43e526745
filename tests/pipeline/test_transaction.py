"""pipeline.transaction on its own: what it refuses, what it undoes, how it queues."""

from __future__ import annotations

import fcntl
import json
import os

import pytest

from model.errors import InputError
from model.writer import FileEdit
from pipeline import locks, transaction
from pipeline.transaction import JOURNAL, Transaction, TreeWrite, commit, recover


@pytest.fixture
def layout(tmp_path):
    """A stage file and a rendered tree, as a repository holds them."""
    environments, rendered = tmp_path / "environments", tmp_path / "rendered"
    environments.mkdir()
    (environments / "prod.yaml").write_text("replicas: 2\n")
    (rendered / "prod" / "ns").mkdir(parents=True)
    (rendered / "prod" / "kustomization.yaml").write_text("resources: [ns/a.yaml]\n")
    (rendered / "prod" / "ns" / "a.yaml").write_text("replicas: 2\n")
    return environments, rendered


def change(layout, after: str = "replicas: 3\n") -> Transaction:
    environments, rendered = layout
    edit = FileEdit(environments / "prod.yaml", "replicas: 2\n", after)
    tree = TreeWrite(
        rendered / "prod", {"kustomization.yaml": "resources: [ns/b.yaml]\n", "ns/b.yaml": after}, "kustomization.yaml"
    )
    return Transaction(environments, (edit,), (tree,))


def snapshot(root) -> dict[str, str]:
    return {str(p.relative_to(root)): p.read_text() for p in sorted(root.rglob("*")) if p.is_file()}


def test_a_commit_replaces_the_stage_file_and_the_folder_whole(layout, tmp_path):
    commit(change(layout))
    assert snapshot(tmp_path) == {
        "environments/prod.yaml": "replicas: 3\n",
        "rendered/prod/kustomization.yaml": "resources: [ns/b.yaml]\n",
        "rendered/prod/ns/b.yaml": "replicas: 3\n",
    }


def test_the_stage_file_keeps_its_mode(layout):
    environments, _ = layout
    (environments / "prod.yaml").chmod(0o640)
    commit(change(layout))
    assert (environments / "prod.yaml").stat().st_mode & 0o777 == 0o640


def test_a_stage_file_changed_since_it_was_read_is_refused(layout, tmp_path):
    environments, _ = layout
    (environments / "prod.yaml").write_text("replicas: 5\n")
    before = snapshot(tmp_path)
    with pytest.raises(InputError, match="changed while it was being edited; nothing was written"):
        commit(change(layout))
    assert snapshot(tmp_path) == before


def test_a_read_only_stage_file_is_refused(layout, tmp_path):
    environments, _ = layout
    (environments / "prod.yaml").chmod(0o444)
    before = snapshot(tmp_path)
    with pytest.raises(InputError, match="is read-only; nothing was written"):
        commit(change(layout))
    assert snapshot(tmp_path) == before


def test_a_folder_pipeline_did_not_write_is_never_replaced(layout, tmp_path):
    _, rendered = layout
    (rendered / "prod" / "kustomization.yaml").unlink()
    before = snapshot(tmp_path)
    with pytest.raises(InputError, match="was not written by pipeline render"):
        commit(change(layout))
    assert snapshot(tmp_path) == before


def test_a_failure_while_staging_leaves_everything_and_no_temporaries(layout, tmp_path, monkeypatch):
    before = snapshot(tmp_path)
    monkeypatch.setattr(
        transaction, "open", lambda *a, **k: (_ for _ in ()).throw(OSError(28, "No space")), raising=False
    )
    with pytest.raises(OSError, match="No space"):
        commit(change(layout))
    assert snapshot(tmp_path) == before
    assert not [p for p in tmp_path.rglob("*") if p.name.startswith((".pipeline", JOURNAL))]


def test_recover_undoes_a_journal_left_by_a_kill(layout, tmp_path, monkeypatch):
    """Journal written and every swap made, then killed before the commit point: recover undoes it all."""
    environments, _ = layout
    before = snapshot(tmp_path)
    original = transaction.Path.unlink
    journal_seen = {}

    def killed_at_commit_point(path, *args, **kwargs):  # the journal's unlink is the commit point
        if path.name == JOURNAL:
            journal_seen.update(json.loads(path.read_text()))
            raise SystemExit("killed")
        return original(path, *args, **kwargs)

    monkeypatch.setattr(transaction.Path, "unlink", killed_at_commit_point)
    monkeypatch.setattr(transaction, "_undo", lambda *a, **k: None)  # a kill runs no undo
    with pytest.raises(SystemExit):
        commit(change(layout))
    monkeypatch.undo()
    assert [swap["kind"] for swap in journal_seen["swaps"]] == ["file", "tree"]
    assert (environments / JOURNAL).exists() and (environments / "prod.yaml").read_text() == "replicas: 3\n"
    recover(environments, tmp_path / "rendered")
    assert snapshot(tmp_path) == before
    assert not [p for p in tmp_path.rglob("*") if p.name.startswith(".pipeline")]


def test_a_journal_cut_short_is_dropped(layout, tmp_path):
    environments, _ = layout
    (environments / JOURNAL).write_text('{"swaps": [')
    (environments / ".pipeline-tmp-new-abc").write_text("half written")
    before = {k: v for k, v in snapshot(tmp_path).items() if ".pipeline" not in k}
    recover(environments)
    assert snapshot(tmp_path) == before


def test_a_locked_folder_makes_the_command_wait_then_give_up(layout, monkeypatch):
    environments, _ = layout
    monkeypatch.setattr(locks, "LOCK_WAIT_SECONDS", 0.2)
    descriptor = os.open(environments, os.O_RDONLY)
    fcntl.flock(descriptor, fcntl.LOCK_EX)
    try:
        with pytest.raises(InputError, match="is locked by another pipeline command"):
            commit(change(layout))
    finally:
        os.close(descriptor)
    assert (environments / "prod.yaml").read_text() == "replicas: 2\n"
