"""The benchmark's profiles: cProfile of a pipeline command, top functions and own time by area."""

from __future__ import annotations

import pstats
import sys
from pathlib import Path
from typing import Any

from bench.measure import progress, run_child
from bench.workspace import Workspace

# --- profiles ---------------------------------------------------------------------------------------


def profile(ws: Workspace, command: list[str], label: str, top: int = 15) -> dict[str, Any]:
    """cProfile of `pipeline <command>` in the workspace: top functions by own time, and own time by area."""
    output = ws.root / f"profile-{label.replace(' ', '-')}.prof"
    progress(f"profiling pipeline {' '.join(command)} ...")
    child = run_child([sys.executable, "-m", "cProfile", "-o", str(output), "-m", "pipeline.cli", *command], label,
                      cwd=ws.repo, env=ws.env)  # fmt: skip
    if child.returncode not in (0, 1):
        return {"error": child.stderr[-2000:]}
    stats = pstats.Stats(str(output))
    total = stats.total_tt
    rows = sorted(stats.stats.items(), key=lambda item: item[1][2], reverse=True)
    functions = [
        {"function": _where(func, ws.repo), "own_s": tt, "cumulative_s": ct, "calls": nc}
        for func, (cc, nc, tt, ct, _) in rows[:top]
    ]
    areas: dict[str, float] = {}
    for func, (_, _, tt, _, _) in stats.stats.items():
        area = _area(func[0], ws.repo)
        areas[area] = areas.get(area, 0.0) + tt
    by_area = sorted(({"area": a, "own_s": s} for a, s in areas.items()), key=lambda x: -x["own_s"])[:top]
    return {"command": command, "total_s": total, "functions": functions, "areas": by_area}


def _where(func: tuple[str, int, str], repo: Path) -> str:
    filename, line, name = func
    if filename == "~":
        return name
    return f"{_short(filename, repo)}:{line}({name})"


def _short(filename: str, repo: Path) -> str:
    path = filename.replace(str(repo) + "/", "")
    if "site-packages/" in path:
        path = path.split("site-packages/", 1)[1]
    elif "/lib/python3" in path:
        path = "stdlib/" + path.split("/lib/python3", 1)[1].split("/", 1)[1]
    return path


def _area(filename: str, repo: Path) -> str:
    """A module for the project's own code, a package for third-party code, `builtins` for C functions."""
    if filename == "~":
        return "builtins (C)"
    path = _short(filename, repo)
    if path.startswith("stdlib/"):
        return "stdlib"
    if filename.startswith(str(repo)):
        return path
    return path.split("/", 1)[0]
