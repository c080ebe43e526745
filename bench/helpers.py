"""The benchmark's helper processes (`python -m bench.run --helper KIND ...`): the floor, the judging and
the diff engine measured in-process, with the copied code first on the import path."""

from __future__ import annotations

import json
import math
import time
from pathlib import Path
from typing import Any

# --- helper processes (run with the copied code first on the import path) ---------------------


def helper_floor(environments: Path, stages: list[str] | None, out: Path) -> dict[str, Any]:
    """PyYAML's C dumper writing a render's objects to the render's file layout; only the writing is timed."""
    import yaml

    from model.loader import load_environments
    from pipeline.render import manifest_file, render_stage

    staged = [
        (out / env.stage / manifest_file(manifest), manifest)
        for env in load_environments(environments, stages)
        for manifest in render_stage(env).manifests
    ]
    started, cpu = time.perf_counter(), time.process_time()
    for path, manifest in staged:
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "w", encoding="utf-8") as handle:
            yaml.dump(manifest, handle, Dumper=yaml.CSafeDumper, default_flow_style=False, allow_unicode=True)
    return {
        "seconds": time.perf_counter() - started,
        "cpu_seconds": time.process_time() - cpu,
        "resources": len(staged),
    }


def helper_diff_engine(base: Path, head: Path, repeat: int = 5) -> dict[str, Any]:
    """diff_stage alone on already-read manifests: base against a fresh read of itself, and base against head."""
    from pipeline.diff.engine import diff_stage
    from pipeline.manifest_input import read_manifests

    started = time.perf_counter()
    old = [s.manifest for s in read_manifests([base])]
    read_seconds = time.perf_counter() - started
    same = [s.manifest for s in read_manifests([base])]
    new = [s.manifest for s in read_manifests([head])]
    out: dict[str, Any] = {"read_seconds": read_seconds, "resources": len(old)}
    for label, other in (("unchanged", same), ("change", new)):
        best, result = math.inf, None
        for _ in range(repeat):
            started = time.perf_counter()
            result = diff_stage("prod", old, other)
            best = min(best, time.perf_counter() - started)
        out[label] = {"seconds": best, "changes": len(result.changes), "unchanged": result.unchanged}
    return out


def helper_judge(environments: Path, folder: Path, repeat: int = 3) -> dict[str, Any]:
    """pipeline check --manifests without start-up and reading: the schema check and every rule, in-process."""
    from model.loader import load_environments
    from pipeline.manifest_check import ManifestCheckSettings, check_manifests
    from pipeline.manifest_input import ManifestInput, read_input
    from policies.rules import PLATFORM

    (env,) = load_environments(environments, ["prod"])
    read = read_input([folder])
    platform = ManifestCheckSettings(PLATFORM)
    check_manifests(ManifestInput(read.manifests[:50], (), ()), env, platform)  # schemas compiled, rules imported
    best = math.inf
    for _ in range(repeat):
        started = time.perf_counter()
        verdict = check_manifests(read, env, platform)
        best = min(best, time.perf_counter() - started)
    return {"seconds": best, "resources": len(read.manifests), "passed": verdict.passed}


def helper(argv: list[str]) -> int:
    kind = argv[0]
    if kind == "floor":
        environments, out, stages = Path(argv[1]), Path(argv[2]), argv[3:] or None
        result = helper_floor(environments, stages, out)
    elif kind == "warm":
        import pipeline.cli  # noqa: F401 - every command's imports, compiled to __pycache__

        result = {}
    elif kind == "judge":
        result = helper_judge(Path(argv[1]), Path(argv[2]))
    elif kind == "diff-engine":
        result = helper_diff_engine(Path(argv[1]), Path(argv[2]))
    else:
        raise SystemExit(f"unknown helper {kind}")
    print(json.dumps(result))
    return 0
