"""Kill a pipeline command at a chosen file-system step of its write, then run the next command.

Run as a script (a process of its own, since it SIGKILLs its children):

    python kill_harness.py REPO STAGE POINTS_JSON -- ARGV...

It imports the pipeline once, then for each point forks a child that runs `pipeline ARGV` in
REPO and SIGKILLs itself just before the point-th file-system call made inside
pipeline.transaction.commit (point 0: kill nothing, list the calls made, by name, in the
file named by $KILL_HARNESS_COUNT). After each child, another
child runs `pipeline render --check --stage STAGE` in REPO, as the user's next command would; a
point [p, q] kills that one too at its q-th call inside recovery, and a third child checks. Then
REPO's environments/ and rendered/ go back to HEAD. One JSON line per point on stdout.
"""

from __future__ import annotations

import builtins
import contextlib
import hashlib
import io
import json
import os
import signal
import subprocess
import sys
from pathlib import Path

MUTATORS = ("replace", "rename", "link", "unlink", "rmdir", "mkdir", "open", "sync", "fsync")


ARMED: dict = {"at": -1, "where": "", "calls": [], "inside": False}


def install() -> None:
    """Count file-system calls made inside transaction.commit / _recover_locked (before anything imports them)."""
    from pipeline import transaction

    def counted(function):
        def call(*args, **kwargs):
            if ARMED["inside"]:
                ARMED["calls"].append(function.__name__)
                if len(ARMED["calls"]) == ARMED["at"]:
                    os.kill(os.getpid(), signal.SIGKILL)
            return function(*args, **kwargs)

        return call

    for name in MUTATORS:
        setattr(os, name, counted(getattr(os, name)))
    builtins.open = counted(builtins.open)
    for where in ("commit", "_recover_locked"):
        original = getattr(transaction, where)

        def armed(*args, _original=original, _where=where, **kwargs):
            outer = ARMED["inside"]
            ARMED["inside"] = outer or ARMED["where"] == _where
            try:
                return _original(*args, **kwargs)
            finally:
                ARMED["inside"] = outer

        setattr(transaction, where, armed)


def armed_child(argv: list[str], kill_at: int, where: str) -> int:
    """Fork: run `pipeline argv`, killed at its kill_at-th call inside transaction.<where>; its wait status."""
    pid = os.fork()
    if pid:
        return os.waitpid(pid, 0)[1]
    from pipeline.cli import main

    ARMED.update(at=kill_at, where=where, calls=[])
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        code = main(argv)
    if kill_at == 0:
        Path(os.environ["KILL_HARNESS_COUNT"]).write_text(json.dumps(ARMED["calls"]))
    os._exit(code)


def status(raw: int) -> str:
    return f"killed:{os.WTERMSIG(raw)}" if os.WIFSIGNALED(raw) else f"exit:{os.WEXITSTATUS(raw)}"


def leftovers(repo: Path, stage: str) -> list[str]:
    folders = [repo / "environments", repo / "rendered", repo / "rendered" / stage]
    return sorted(
        str(p.relative_to(repo)) for f in folders if f.is_dir() for p in f.iterdir() if p.name.startswith(".")
    )


def run_harness(repo: Path, tmp: Path, count_file: Path, stage: str, argv, points: list) -> list[dict]:
    """This script on repo (its own code, its own temp dir tmp): one record per point (for the tests)."""
    env = {**os.environ, "PYTHONPATH": str(repo), "KILL_HARNESS_COUNT": str(count_file), "TMPDIR": str(tmp)}
    env.pop("PIPELINE_DEBUG", None)
    result = subprocess.run(
        [sys.executable, __file__, str(repo), stage, json.dumps(points), "--", *argv],
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return [json.loads(line) for line in result.stdout.splitlines()]


def tree_digest(root: Path) -> str:
    """One hash of every file below root, names and bytes: equal trees, equal digests."""
    digest = hashlib.sha256()
    for path in sorted(p for p in root.rglob("*") if p.is_file()) if root.is_dir() else ():
        digest.update(str(path.relative_to(root)).encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def main() -> int:
    repo, stage, points = Path(sys.argv[1]), sys.argv[2], json.loads(sys.argv[3])
    argv = sys.argv[sys.argv.index("--") + 1 :]
    os.chdir(repo)
    install()
    import pipeline.cli  # noqa: F401 - imported once here, not in every child

    check = ["render", "--check", "--stage", stage]
    for point in points:
        first, nested = (point, None) if isinstance(point, int) else point
        record: dict[str, object] = {"point": point, "command": status(armed_child(argv, first, "commit"))}
        if first == 0:
            record["calls"] = json.loads(Path(os.environ["KILL_HARNESS_COUNT"]).read_text())
        if nested is not None:
            record["recovery"] = status(armed_child(check, nested, "_recover_locked"))
        record["check"] = status(armed_child(check, -1, "commit"))
        record["stage_file"] = (repo / "environments" / f"{stage}.yaml").read_text(encoding="utf-8")
        record["rendered"] = tree_digest(repo / "rendered" / stage)
        record["leftovers"] = leftovers(repo, stage)
        subprocess.run(["git", "checkout", "-q", "--", "environments", "rendered"], check=True)
        subprocess.run(["git", "clean", "-q", "-fdx", "--", "environments", "rendered"], check=True)
        print(json.dumps(record), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
