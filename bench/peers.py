"""The benchmark's peers: kubectl kustomize, kubernetes-validate and Checkov on evenly spread samples."""

from __future__ import annotations

import math
import os
import shutil
import sys
from pathlib import Path

from bench.measure import Measure, _brief, progress, run_child
from bench.workspace import REPOSITORY

CHECKOV = Path(os.environ.get("CHECKOV") or ".venv-tools/checkov/bin/checkov")


# --- peers ----------------------------------------------------------------------------------


def spread(files: list[Path], count: int) -> list[Path]:
    """count files evenly spread over the sorted list, so the sample's kinds mix like the whole."""
    if count >= len(files):
        return list(files)
    step = len(files) / count
    return [files[int(i * step)] for i in range(count)]


def make_sample(files: list[Path], source: Path, target: Path) -> Path:
    """A stage folder of the sampled files (same relative paths) with its own kustomization.yaml."""
    shutil.rmtree(target, ignore_errors=True)
    relative = []
    for path in files:
        rel = path.relative_to(source)
        (target / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, target / rel)
        relative.append(str(rel))
    listing = "".join(f"- {r}\n" for r in sorted(relative))
    (target / "kustomization.yaml").write_text(
        f"apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n{listing}", encoding="utf-8"
    )
    return target


def peer_commands(sample: Path, files: list[Path]) -> dict[str, list[str] | None]:
    kubectl = shutil.which("kubectl")
    validate = Path(sys.executable).parent / "kubernetes-validate"
    checkov = CHECKOV if CHECKOV.is_absolute() else REPOSITORY / CHECKOV
    return {
        "kubectl kustomize": [kubectl, "kustomize", str(sample)] if kubectl else None,
        "kubernetes-validate": [str(validate), "--strict", "--quiet", *map(str, files)] if validate.exists() else None,
        "Checkov": [str(checkov), "-d", str(sample), "--framework", "kubernetes", "--skip-download", "-o", "json"]
        if checkov.exists()
        else None,
    }


CHECKOV_ENV = {"BC_SKIP_MAPPING": "TRUE", "CHECKOV_RUN_SCA_PACKAGE_SCAN_V2": "false"}


def run_peer(name: str, files: list[Path], source: Path, scratch: Path, budget: float, start: int) -> Measure | None:
    """The peer on samples doubling in size while the next run is predicted to fit the budget.

    The prediction follows the growth of the last two runs where it is superlinear (kustomize,
    Checkov's memory), never below linear (a start-up flattens it: Checkov's marginal time per
    resource grows with the sample). The last run is the measurement; every run's (resources,
    seconds) is kept, and the marginal time per resource between the last two runs (start-up
    excluded).
    """
    count, runs, last = min(start, len(files)), [], None
    while True:
        sample_files = spread(files, count)
        sample = make_sample(sample_files, source, scratch / "sample")
        command = peer_commands(sample, [sample / f.relative_to(source) for f in sample_files])[name]
        if command is None:
            progress(f"{name}: not installed, skipped")
            return None
        env = {**os.environ, **CHECKOV_ENV} if name == "Checkov" else None
        # Their reports are not read (Checkov's JSON runs to hundreds of MB): a big harness would
        # also lift every later child's peak, which starts from the harness's at spawn (see run_child).
        child = run_child(command, f"{name} on {count} files", env=env, keep_output=False)
        if name == "kubectl kustomize" and child.returncode != 0:
            raise SystemExit(f"bench: kubectl kustomize failed: {child.stderr[-2000:]}")
        runs.append((count, child.seconds))
        last = Measure(
            name,
            child.seconds,
            count,
            child.peak_mib,
            child.tree_peak_mib,
            child.returncode,
            note="" if count == len(files) else f"sample of {count} of {len(files)}",
            samples=list(runs),
        )
        if len(runs) >= 2:
            (n1, t1), (n2, t2) = runs[-2], runs[-1]
            last.marginal_ms = max(0.0, 1000 * (t2 - t1) / (n2 - n1))
        progress(f"{name} on {count} files: {_brief(last)}")
        if count >= len(files):
            return last
        growth = 1.0
        if len(runs) >= 2:
            (n1, t1), (n2, t2) = runs[-2], runs[-1]
            growth = max(1.0, math.log(max(t2, 1e-3) / max(t1, 1e-3)) / math.log(n2 / n1))
        following = min(len(files), count * 2)
        if child.seconds * (following / count) ** growth > budget:
            return last
        count = following
