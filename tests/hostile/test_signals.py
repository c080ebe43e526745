"""SIGTERM and SIGINT at any moment: temporary worktrees and children removed, exit 143 or 130, no traceback.

CI cancellation and `timeout` send SIGTERM; Ctrl-C sends SIGINT. A preview is the command with
the most to clean up: a registered git worktree, a scratch folder and a child render.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import tomllib
from pathlib import Path

import pytest

from tests.conftest import REPOSITORY
from tests.pipeline.gitrepo import BASE_PREFIX, GitRepo, build_repo

# What pip's wrapper of `pipeline = "pipeline.signals:console_script"` runs.
CONSOLE_SCRIPT = "import sys; from pipeline.signals import console_script; sys.exit(console_script())"


@pytest.fixture(scope="module")
def repo(tmp_path_factory) -> GitRepo:
    return build_repo(tmp_path_factory.mktemp("signals") / "repo")


def processes_mentioning(text: str) -> list[str]:
    """Command lines of live processes that name text (a child left running in the scratch folder)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and int(entry.name) != os.getpid():
            try:
                cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
                cwd = os.readlink(entry / "cwd")
            except OSError:
                continue
            if text in cmdline or cwd.startswith(text):
                found.append(cmdline)
    return found


def start(repo: GitRepo, *argv: str) -> subprocess.Popen:
    """The `pipeline` console script (pyproject's entry point, as pip writes its wrapper) in the repository."""
    env = {**os.environ, "PYTHONPATH": str(repo.path), "TMPDIR": str(repo.tmp), "PYTHONDONTWRITEBYTECODE": "1"}
    env.pop("PIPELINE_DEBUG", None)
    return subprocess.Popen(
        [sys.executable, "-c", CONSOLE_SCRIPT, *argv],
        cwd=repo.path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def wait_for(condition, what: str, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"never saw {what}"
        time.sleep(0.02)


def test_sigterm_during_a_preview_removes_its_worktree_scratch_and_children(repo):
    terminated = 0
    for after_worktree in (0.0, 0.6, 1.5):  # at once; while the base renders; later, while it diffs or checks
        running = start(repo, "preview", "--base", "HEAD", "--stage", "prod")
        wait_for(lambda running=running: len(repo.worktrees()) > 1 or running.poll() is not None, "the worktree")
        assert running.poll() is None, running.communicate()
        time.sleep(after_worktree)
        running.send_signal(signal.SIGTERM)
        out, err = running.communicate(timeout=60)
        assert running.returncode in (143, 0), err  # 0: the preview finished before the signal
        terminated += running.returncode == 143
        if running.returncode == 143:
            assert err.strip().endswith("terminated") and "Traceback" not in err, err
        assert repo.worktrees() == [str(repo.path)], after_worktree
        assert repo.scratch_folders() == set(), after_worktree
        wait_for(lambda: not processes_mentioning(str(repo.tmp / BASE_PREFIX)), "the child render end", timeout=10)
    assert terminated, "every preview finished before its signal: nothing was tested"


def test_sigint_at_start_up_exits_130_without_a_traceback(repo):
    """While the command line imports and loads: before the handler would be, the interpreter's own applies."""
    codes = []
    for delay in (0.15, 0.3, 0.5, 0.8):
        running = start(repo, "render", "--check")
        time.sleep(delay)
        running.send_signal(signal.SIGINT)
        out, err = running.communicate(timeout=60)
        assert running.returncode in (130, 0), err  # 0: it finished first
        assert "Traceback" not in err, err
        if running.returncode == 130:
            assert err.strip() == "interrupted"
        codes.append(running.returncode)
    assert 130 in codes, "every run finished before its signal: nothing was tested"


def test_the_installed_command_is_the_signal_safe_entry():
    """pip writes the `pipeline` wrapper from pyproject: it must be what the tests above run."""
    project = tomllib.loads((REPOSITORY / "pyproject.toml").read_text(encoding="utf-8"))
    entry = project["project"]["scripts"]["pipeline"]
    module, function = entry.split(":")
    assert CONSOLE_SCRIPT == f"import sys; from {module} import {function}; sys.exit({function}())"


UNRAISABLE_INTERRUPT = """
import sys, time, weakref
from pipeline.signals import exit_quietly, redeliver_unraisable
if sys.argv[1] == "hooked":
    sys.unraisablehook = redeliver_unraisable
class Held: pass
def callback(ref):
    raise {exception}  # as a signal landing in importlib's weakref callback raises it: Python cannot
def run():
    held = Held()
    ref = weakref.ref(held, callback)
    del held
    for _ in range(200):
        time.sleep(0.01)
    return 0
sys.exit(exit_quietly(run))
"""


@pytest.mark.parametrize(
    ("exception", "code", "message"),
    [
        ("KeyboardInterrupt", 130, "interrupted"),
        ("__import__('pipeline.signals').signals.Terminated(15)", 143, "terminated"),
    ],
)
def test_an_interrupt_python_could_not_raise_is_raised_again_not_lost_or_printed(exception, code, message):
    script = UNRAISABLE_INTERRUPT.format(exception=exception)
    for mode, want_code in (("hooked", code), ("plain", 0)):
        done = subprocess.run(
            [sys.executable, "-c", script, mode], cwd=REPOSITORY, capture_output=True, text=True, timeout=60
        )
        assert done.returncode == want_code, (mode, done.stderr)
        if mode == "hooked":
            assert done.stderr.strip() == message, done.stderr
        else:  # what console_script's hook prevents: the interrupt lost, a traceback printed
            assert "Exception ignored" in done.stderr and "Traceback" in done.stderr, done.stderr
