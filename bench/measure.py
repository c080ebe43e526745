"""The benchmark's child processes: each command run to its end, its wall and CPU time and peak memory."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

MIB = 1024 * 1024


def progress(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


# --- child processes ---------------------------------------------------------------------------


@dataclass
class Measure:
    """One command run: wall seconds, the resources it handled, peak memory."""

    name: str
    seconds: float
    resources: int
    peak_mib: float | None = None  # the largest process of the command's tree (wait4 rusage)
    tree_peak_mib: float | None = None  # the tree's summed RSS, sampled every 0.2 s
    returncode: int | None = None
    note: str = ""
    samples: list[tuple[int, float]] = field(default_factory=list)  # peers: (resources, seconds) per run
    marginal_ms: float | None = None  # peers: per resource between the last two runs, start-up excluded
    cpu_seconds: float | None = None  # user + system time of the command's process tree
    runs: list[float] = field(default_factory=list)  # every run's wall seconds (the measurement is the fastest)

    @property
    def ms_per_resource(self) -> float | None:
        return 1000 * self.seconds / self.resources if self.resources else None

    @property
    def per_second(self) -> float | None:
        return self.resources / self.seconds if self.seconds else None

    def as_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["ms_per_resource"] = self.ms_per_resource
        return out


@dataclass
class Child:
    seconds: float
    returncode: int
    peak_mib: float
    tree_peak_mib: float
    stdout: str
    stderr: str
    cpu_seconds: float = 0.0


def _children(pid: int) -> list[int]:
    out = []
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{task}/children") as handle:
                out += [int(p) for p in handle.read().split()]
    except OSError:
        pass
    return out


def tree_rss(pid: int) -> int:
    """Summed resident memory of a process and its descendants, in bytes (0 where /proc is missing)."""
    total, todo, page = 0, [pid], os.sysconf("SC_PAGE_SIZE")
    while todo:
        current = todo.pop()
        try:
            with open(f"/proc/{current}/statm") as handle:
                total += int(handle.read().split()[1]) * page
        except (OSError, IndexError, ValueError):
            continue
        todo += _children(current)
    return total


def run_child(
    command: list[str],
    label: str,
    cwd: Path | None = None,
    env: dict[str, str] | None = None,
    keep_output: bool = True,
    timeout: float = 7200,
) -> Child:
    """Run a command to its end: its wall time, exit code, and peak memory from its own rusage.

    A child's ru_maxrss starts from the harness's own peak (Linux records the spawning address
    space's high-water mark at exec), so the harness keeps small: outputs it does not need go to
    /dev/null, and its own peak is reported with the results (the floor of every peak figure).
    """
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.monotonic()
        process = subprocess.Popen(
            command, cwd=cwd, env=env, stdout=out if keep_output else subprocess.DEVNULL, stderr=err
        )
        tree_peak, sampled, note_at = 0, 0.0, started + 30
        while True:
            pid, status, usage = os.wait4(process.pid, os.WNOHANG)
            now = time.monotonic()
            if pid:
                break
            if now - sampled >= 0.2:
                tree_peak, sampled = max(tree_peak, tree_rss(process.pid)), now
            if now >= note_at:
                progress(f"  {label}: running for {now - started:.0f} s")
                note_at += 30
            if now - started > timeout:
                process.kill()
            time.sleep(0.01)
        process.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        return Child(
            now - started,
            process.returncode,
            usage.ru_maxrss / 1024,  # KiB on Linux
            tree_peak / MIB,
            out.read().decode(errors="replace"),
            err.read().decode(errors="replace"),
            usage.ru_utime + usage.ru_stime,
        )


def measure(
    name: str,
    command: list[str] | Callable[[int], list[str]],
    resources: int | Callable[[], int],
    ok=(0,),
    label: str = "",
    repeat: int = 1,
    **kwargs: Any,
) -> tuple[Measure, Child]:
    """Run a command `repeat` times as one measurement: the fastest run's wall and CPU time, the highest peak.

    command(i) gives the i-th run's command line (a render writes each run to a fresh folder);
    resources may be counted after the runs (what the first one wrote). On a shared machine the
    fastest of a few runs is the one least disturbed by others.
    """
    progress(f"{label or name} ...")
    children = []
    for index in range(repeat):
        line = command(index) if callable(command) else command
        child = run_child(line, label or name, **kwargs)
        if child.returncode not in ok:
            raise SystemExit(
                f"bench: {name} failed (exit {child.returncode}): {' '.join(map(str, line))}\n"
                f"{(child.stderr or child.stdout)[-3000:]}"
            )
        children.append(child)
    count = resources() if callable(resources) else resources
    result = Measure(
        name,
        min(c.seconds for c in children),
        count,
        max(c.peak_mib for c in children),
        max(c.tree_peak_mib for c in children),
        children[0].returncode,
        cpu_seconds=min(c.cpu_seconds for c in children),
        runs=[round(c.seconds, 3) for c in children],
    )
    progress(f"{label or name}: {_brief(result)}")
    return result, children[0]


def merged(parts: list[Measure]) -> Measure:
    """Runs of one measurement as one: the fastest wall and CPU time, the highest peaks, every run's time."""
    best = min(parts, key=lambda m: m.seconds)
    cpu = [m.cpu_seconds for m in parts if m.cpu_seconds is not None]
    peaks = [m.peak_mib for m in parts if m.peak_mib is not None]
    trees = [m.tree_peak_mib for m in parts if m.tree_peak_mib is not None]
    return replace(
        best,
        cpu_seconds=min(cpu) if cpu else None,
        peak_mib=max(peaks) if peaks else None,
        tree_peak_mib=max(trees) if trees else None,
        runs=[run for m in parts for run in (m.runs or [round(m.seconds, 3)])],
    )


def _brief(m: Measure) -> str:
    per = f", {m.ms_per_resource:.2f} ms/resource" if m.ms_per_resource is not None else ""
    peak = f", peak {m.peak_mib:.0f} MiB" if m.peak_mib else ""
    runs = f" (runs {', '.join(f'{r:.2f}' for r in m.runs)})" if len(m.runs) > 1 else ""
    return f"{m.seconds:.2f} s{runs}, {m.resources} resources{per}{peak}"
