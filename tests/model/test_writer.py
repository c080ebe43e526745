"""The round-trip writer: stage files read, edited and written with comments and layout kept, atomically.

Every command that edits a stage file goes through model.writer, so these are the guarantees the
commands build on: an unedited file comes back byte for byte; replacing a mapping changes only the
values that differ (comments, key order and the quoting of equal values stay); a write is all or
nothing and leaves no temporary file; an edit of a file that changed since it was read is refused.
"""

from __future__ import annotations

import copy
import difflib
import os
import re
import stat
from pathlib import Path

import pytest

from model.errors import InputError
from model.source import parse_document
from model.writer import (
    FileEdit,
    apply_edit,
    check_file_target,
    dump_round_trip,
    edit_text,
    load_round_trip,
    replace_mapping,
    to_round_trip,
    write_atomically,
)
from tests.conftest import ENVIRONMENTS

STAGE_FILES = sorted(ENVIRONMENTS.glob("*.yaml"))

# A small stage-like file: comments above, beside and below keys, quoted and plain scalars, flow maps.
SAMPLE = """\
# head comment
release:
  # the release id
  version: "2026.11.5"   # quoted on purpose
  images:
    b-service: reg.example.com/b:1.0@sha256:bbbb   # b first
    a-service: reg.example.com/a:1.0@sha256:aaaa
  config:
    common:
      log_format: 'json'
      tracing: {sample_ratio: 0.1}
    a-service:
      llm: {model: gpt-4o, temperature: 0.7}

# after the release block
policy:
  min_replicas: 2      # stage-owned
"""

# The same with the release's last mapping in block style: ruamel then keeps the comment that
# follows the block on the block's last key.
BLOCK_END = SAMPLE.replace(
    "      llm: {model: gpt-4o, temperature: 0.7}\n", "      llm:\n        model: gpt-4o\n        temperature: 0.7\n"
)


def plain(text: str) -> dict:
    return parse_document(text, "test.yaml").data


def comments(text: str) -> list[str]:
    """Every comment of a YAML text, in order (the files hold no '#' inside values)."""
    return [line[line.index("#") :].strip() for line in text.splitlines() if "#" in line]


def changed_lines(before: str, after: str) -> list[tuple[str, str]]:
    """(removed, added) line pairs of a diff that only rewrites lines in place."""
    out = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, before.splitlines(), after.splitlines()).get_opcodes():
        if tag != "equal":
            assert tag == "replace" and i2 - i1 == j2 - j1, (
                f"{tag} {before.splitlines()[i1:i2]} {after.splitlines()[j1:j2]}"
            )
            out += list(zip(before.splitlines()[i1:i2], after.splitlines()[j1:j2], strict=True))
    return out


def leftovers(folder: Path, name: str) -> list[str]:
    """Temporary files write_atomically may have left beside name."""
    return sorted(p.name for p in folder.iterdir() if p.name.startswith(f".{name}."))


# round trip ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", STAGE_FILES, ids=[p.name for p in STAGE_FILES])
def test_every_stage_file_round_trips_byte_identically(path):
    text = path.read_text(encoding="utf-8")
    assert dump_round_trip(load_round_trip(text)) == text


def test_the_stage_files_are_all_covered():
    assert {p.name for p in STAGE_FILES} >= {"stages.yaml", "defaults.yaml", "dev.yaml", "staging.yaml", "prod.yaml"}


def test_sample_round_trips_and_an_empty_text_is_an_empty_mapping():
    assert dump_round_trip(load_round_trip(SAMPLE)) == SAMPLE
    assert dump_round_trip(load_round_trip(BLOCK_END)) == BLOCK_END != SAMPLE
    assert load_round_trip("") == {}
    assert load_round_trip("# only a comment\n") == {}


# replace_mapping ----------------------------------------------------------------------------------


def test_replace_mapping_with_equal_values_changes_nothing():
    document = load_round_trip(SAMPLE)
    source = copy.deepcopy(plain(SAMPLE)["release"])
    # the same values in another key order and without any quoting
    source = {"config": source["config"], "images": dict(reversed(source["images"].items())), "version": "2026.11.5"}
    replace_mapping(document["release"], source)
    assert dump_round_trip(document) == SAMPLE


def test_replace_mapping_changes_only_the_values_that_differ():
    document = load_round_trip(SAMPLE)
    source = copy.deepcopy(plain(SAMPLE)["release"])
    source["version"] = "2026.12.1"
    source["images"]["a-service"] = "reg.example.com/a:2.0@sha256:cccc"
    source["config"]["a-service"]["llm"]["temperature"] = 0.2
    replace_mapping(document["release"], source)
    after = dump_round_trip(document)

    assert plain(after)["release"] == source
    assert {k: v for k, v in plain(after).items() if k != "release"} == {
        k: v for k, v in plain(SAMPLE).items() if k != "release"
    }
    assert changed_lines(SAMPLE, after) == [
        ('  version: "2026.11.5"   # quoted on purpose', '  version: "2026.12.1"   # quoted on purpose'),
        (
            "    a-service: reg.example.com/a:1.0@sha256:aaaa",
            "    a-service: reg.example.com/a:2.0@sha256:cccc",
        ),
        ("      llm: {model: gpt-4o, temperature: 0.7}", "      llm: {model: gpt-4o, temperature: 0.2}"),
    ]
    assert comments(after) == comments(SAMPLE)
    # key order as the target wrote it (b before a), quoting of the unchanged value kept
    assert after.index("b-service") < after.index("a-service:")
    assert "log_format: 'json'" in after


def test_replace_mapping_adds_and_removes_keys():
    document = load_round_trip(SAMPLE)
    source = copy.deepcopy(plain(SAMPLE)["release"])
    del source["images"]["b-service"]
    source["images"]["c-service"] = "reg.example.com/c:1.0@sha256:dddd"
    source["config"]["common"]["retries"] = 3
    replace_mapping(document["release"], source)
    after = dump_round_trip(document)
    assert plain(after)["release"] == source
    assert "b-service" not in after
    assert list(plain(after)["release"]["images"]) == ["a-service", "c-service"]
    assert list(plain(after)["release"]["config"]["common"]) == ["log_format", "tracing", "retries"]
    assert comments(after) == [c for c in comments(SAMPLE) if c != "# b first"]


def test_replace_mapping_tells_booleans_from_integers():
    document = load_round_trip("flags:\n  a: 1\n  b: true\n")
    replace_mapping(document["flags"], {"a": True, "b": 1})
    after = dump_round_trip(document)
    assert after == "flags:\n  a: true\n  b: 1\n"
    assert plain(after)["flags"] == {"a": True, "b": 1}
    assert type(plain(after)["flags"]["a"]) is bool and type(plain(after)["flags"]["b"]) is int


def test_replace_mapping_tells_floats_from_integers():
    document = load_round_trip("llm:\n  temperature: 1\n")
    replace_mapping(document["llm"], {"temperature": 1.0})
    assert type(plain(dump_round_trip(document))["llm"]["temperature"]) is float


def test_replace_mapping_on_the_real_files_keeps_every_comment_and_all_but_the_release():
    """prod.yaml's release replaced by staging's, as `promote staging prod` does."""
    prod = (ENVIRONMENTS / "prod.yaml").read_text(encoding="utf-8")
    staging_release = plain((ENVIRONMENTS / "staging.yaml").read_text(encoding="utf-8"))["release"]
    document = load_round_trip(prod)
    replace_mapping(document["release"], staging_release)
    after = dump_round_trip(document)
    assert plain(after)["release"] == staging_release
    assert {k: v for k, v in plain(after).items() if k != "release"} == {
        k: v for k, v in plain(prod).items() if k != "release"
    }
    assert comments(after) == comments(prod)
    # only the version and image lines change: the config is the same in both stages
    changed = changed_lines(prod, after)
    assert changed and all(
        re.match(r"  version: |    [a-z-]+: registry\.agentflow\.example\.com/", old) for old, _ in changed
    )
    assert len(after.splitlines()) == len(prod.splitlines())


def test_deleting_the_last_key_of_a_block_keeps_the_comment_after_it():
    document = load_round_trip(BLOCK_END)
    source = copy.deepcopy(plain(BLOCK_END)["release"])
    del source["config"]["a-service"]["llm"]["temperature"]
    replace_mapping(document["release"], source)
    assert comments(dump_round_trip(document)) == comments(BLOCK_END)


def test_a_key_added_at_the_end_of_a_block_goes_before_the_comment_after_it():
    document = load_round_trip(BLOCK_END)
    source = copy.deepcopy(plain(BLOCK_END)["release"])
    source["config"]["a-service"]["llm"]["retries"] = 3
    replace_mapping(document["release"], source)
    after = dump_round_trip(document)
    assert after.index("retries: 3") < after.index("# after the release block")


# to_round_trip ------------------------------------------------------------------------------------


def test_to_round_trip_writes_small_mappings_of_scalars_in_flow_style():
    value = {
        "pdb": {"min_available": 1},
        "autoscaling": {"enabled": True, "min_replicas": 2, "max_replicas": 6, "cpu_utilization": 70},
        "five": {"a": 1, "b": 2, "c": 3, "d": 4, "e": 5},
        "nested": {"inner": {"x": 1}},
        "ports": [{"port": 443, "protocol": "TCP"}],
        "scalar": 3,
    }
    document = load_round_trip("")
    for key, item in value.items():
        document[key] = to_round_trip(item)
    text = dump_round_trip(document)
    assert text == (
        "pdb: {min_available: 1}\n"
        "autoscaling: {enabled: true, min_replicas: 2, max_replicas: 6, cpu_utilization: 70}\n"
        "five:\n  a: 1\n  b: 2\n  c: 3\n  d: 4\n  e: 5\n"
        "nested:\n  inner: {x: 1}\n"
        "ports:\n  - {port: 443, protocol: TCP}\n"
        "scalar: 3\n"
    )
    assert plain(text) == value


def test_to_round_trip_leaves_scalars_alone():
    assert to_round_trip("x") == "x"
    assert to_round_trip(3) == 3
    assert to_round_trip(None) is None


# write_atomically ---------------------------------------------------------------------------------


@pytest.fixture
def stage_file(tmp_path) -> Path:
    path = tmp_path / "prod.yaml"
    path.write_text(SAMPLE, encoding="utf-8")
    path.chmod(0o640)
    return path


def test_write_atomically_writes_keeps_the_mode_and_leaves_no_temporary_file(stage_file):
    write_atomically(stage_file, "new: text\n")
    assert stage_file.read_text(encoding="utf-8") == "new: text\n"
    assert stat.S_IMODE(stage_file.stat().st_mode) == 0o640
    assert leftovers(stage_file.parent, stage_file.name) == []


def test_write_atomically_creates_a_missing_file_and_its_folder(tmp_path):
    path = tmp_path / "new" / "dev.yaml"
    write_atomically(path, "a: 1\n")
    assert path.read_text(encoding="utf-8") == "a: 1\n"
    assert leftovers(path.parent, path.name) == []


class _FailingStream:
    """A file object that writes half of what it is given, then fails like a full disk."""

    def __init__(self, stream):
        self.stream = stream

    def write(self, text):
        self.stream.write(text[: len(text) // 2])
        self.stream.flush()
        raise OSError(28, "No space left on device")

    def __getattr__(self, name):
        return getattr(self.stream, name)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stream.close()
        return False


def _failing_fdopen(monkeypatch):
    real = os.fdopen
    monkeypatch.setattr("model.writer.os.fdopen", lambda *args, **kwargs: _FailingStream(real(*args, **kwargs)))


def _raise(error):
    def fail(*args, **kwargs):
        raise error

    return fail


@pytest.mark.parametrize(
    "interrupt",
    [
        pytest.param(lambda mp: mp.setattr("model.writer.os.replace", _raise(OSError(5, "I/O error"))), id="replace"),
        pytest.param(lambda mp: mp.setattr("model.writer.os.fsync", _raise(OSError(5, "I/O error"))), id="fsync"),
        pytest.param(_failing_fdopen, id="write"),
        pytest.param(lambda mp: mp.setattr("model.writer.os.replace", _raise(KeyboardInterrupt())), id="ctrl-c"),
    ],
)
def test_an_interrupted_write_leaves_the_file_as_it_was_and_no_temporary_file(stage_file, monkeypatch, interrupt):
    before = stage_file.read_bytes()
    interrupt(monkeypatch)
    with pytest.raises((OSError, KeyboardInterrupt)):
        write_atomically(stage_file, SAMPLE.replace("2026.11.5", "2026.12.1"))
    monkeypatch.undo()
    assert stage_file.read_bytes() == before
    assert stat.S_IMODE(stage_file.stat().st_mode) == 0o640
    assert leftovers(stage_file.parent, stage_file.name) == []


def test_an_interrupted_write_of_a_new_file_creates_nothing(tmp_path, monkeypatch):
    monkeypatch.setattr("model.writer.os.replace", _raise(OSError(5, "I/O error")))
    with pytest.raises(OSError):
        write_atomically(tmp_path / "dev.yaml", "a: 1\n")
    assert list(tmp_path.iterdir()) == []


# edit_text and apply_edit -------------------------------------------------------------------------


def _bump(document):
    document["release"]["version"] = "2026.12.1"


def test_edit_text_writes_nothing_and_apply_edit_writes_the_edit(stage_file):
    edit = edit_text(stage_file, _bump)
    assert edit.changed and edit.before == SAMPLE
    assert stage_file.read_text(encoding="utf-8") == SAMPLE
    assert edit.after == SAMPLE.replace('"2026.11.5"', '"2026.12.1"')
    apply_edit(edit)
    assert stage_file.read_text(encoding="utf-8") == edit.after
    assert leftovers(stage_file.parent, stage_file.name) == []


def test_apply_edit_refuses_a_file_that_changed_since_it_was_read(stage_file):
    edit = edit_text(stage_file, _bump)
    concurrent = SAMPLE.replace("min_replicas: 2", "min_replicas: 3")
    stage_file.write_text(concurrent, encoding="utf-8")
    with pytest.raises(InputError) as caught:
        apply_edit(edit)
    assert "changed while it was being edited; nothing was written" in str(caught.value)
    assert caught.value.exit_code == 2
    assert stage_file.read_text(encoding="utf-8") == concurrent


def test_apply_edit_of_an_unchanged_edit_does_not_write(stage_file, monkeypatch):
    edit = edit_text(stage_file, lambda document: None)
    assert edit == FileEdit(stage_file, SAMPLE, SAMPLE) and not edit.changed
    monkeypatch.setattr("model.writer.write_atomically", _raise(AssertionError("written")))
    apply_edit(edit)
    assert stage_file.read_text(encoding="utf-8") == SAMPLE


# write_atomically's targets ---------------------------------------------------------------------------------


def test_a_fifo_a_socket_or_a_directory_is_refused_and_left_as_it_was(tmp_path):
    import socket

    fifo, folder, sock = tmp_path / "fifo", tmp_path / "folder", tmp_path / "sock"
    os.mkfifo(fifo)
    folder.mkdir()
    server = socket.socket(socket.AF_UNIX)
    server.bind(str(sock))
    try:
        for target, what in ((fifo, "a named pipe (FIFO)"), (folder, "a directory"), (sock, "a socket")):
            with pytest.raises(InputError, match=f"is {re.escape(what)}, not a file: nothing was written"):
                write_atomically(target, "text")
        assert stat.S_ISFIFO(fifo.stat().st_mode) and folder.is_dir() and stat.S_ISSOCK(sock.stat().st_mode)
        assert sorted(p.name for p in tmp_path.iterdir()) == ["fifo", "folder", "sock"]  # no temp file left
    finally:
        server.close()


def test_a_device_is_refused_before_anything_is_written():
    with pytest.raises(InputError, match="/dev/null is a character device, not a file"):
        check_file_target(Path("/dev/null"))


def test_a_regular_file_and_an_absent_path_are_targets(tmp_path):
    (tmp_path / "old.txt").write_text("old")
    write_atomically(tmp_path / "old.txt", "new")
    write_atomically(tmp_path / "sub" / "new.txt", "made")
    assert (tmp_path / "old.txt").read_text() == "new" and (tmp_path / "sub" / "new.txt").read_text() == "made"
