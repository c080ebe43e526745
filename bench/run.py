"""The fleet benchmark (`make bench`): the pipeline against its floor and its peers, at fleet scale.

usage: .venv/bin/python -m bench.run [--sizes 100,1000] [--quick] [--budget SECONDS] [--no-profile]

For each size N, bench/fleet.py writes a fleet whose prod runs N tenant services, in a temporary
git repository holding a copy of this repository's code (committed as `base`); the change (one
image bumped, one tenant added) is then the working tree. On the same manifests, in the same run:

  render      `pipeline render --stage prod` into a fresh folder
  floor       PyYAML's C dumper writing the same objects to the same files (in a helper process)
  check       `pipeline check --stage prod` (render, schema, every rule), and
              `pipeline check --manifests` on the rendered prod files (what the peers read); the
              judging alone (schema and rules on manifests already read), in a helper process
  diff        `pipeline diff` of the rendered base and head, and of the base against itself; the
              diff engine alone (diff_stage) on both, in a helper process
  preview     `pipeline preview --base base` of the three stages (base rendered in a worktree)
  peers       `kubectl kustomize`, kubernetes-validate (--strict) and Checkov on the rendered
              prod files, on an evenly spread sample grown by doubling while a run stays under
              --budget seconds; reported per resource

Every command is a child process: wall time, and peak memory per child from wait4's rusage
(the largest process of its tree) and from sampling the tree's summed RSS. Writes
bench/results/<date>.json and the generated part of docs/performance.md; progress on stderr.
Each pipeline command and floor runs --repeat times (3), a command and its floor taking turns;
the fastest run counts. At the largest size render and check are profiled (cProfile), and any
other command whose target is missed; the top functions go into both. Targets are the
benchmark's, never assertions of the test suite.
"""

from __future__ import annotations

import argparse
import datetime
import json
import math
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as `python bench/run.py`
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.helpers import helper  # noqa: E402
from bench.measure import Measure, _brief, measure, merged, progress, run_child  # noqa: E402
from bench.peers import run_peer  # noqa: E402
from bench.profiling import profile  # noqa: E402
from bench.report import machine, markdown, print_summary, ratios, targets, write_doc  # noqa: E402
from bench.workspace import PIPELINE, REPOSITORY, Workspace, build_workspace, git, resource_files  # noqa: E402

RESULTS = REPOSITORY / "bench" / "results"


# --- one size ---------------------------------------------------------------------------------


def run_size(services: int, args: argparse.Namespace, scratch: Path) -> dict[str, Any]:
    root = scratch / f"n{services}"
    ws, applied = build_workspace(root, services, args.seed)
    label = f"N={services}"
    progress(f"{label}: fleet in {ws.repo} (change: {applied['image']} bumped, tenant {applied['tenant']} added)")
    results: dict[str, Measure] = {}
    run = {"cwd": ws.repo, "env": ws.env}

    # The change lives in the working tree; base's stage files render the base (prod) first.
    base_env = root / "base-environments"
    git(ws.repo, "worktree", "add", "-q", "--detach", str(root / "base-tree"), "base")
    shutil.copytree(root / "base-tree" / "environments", base_env)
    git(ws.repo, "worktree", "remove", "--force", str(root / "base-tree"))
    # Compile the copied code once (its __pycache__ is git-ignored), as any checkout that ran before.
    run_child([*ws.helper("warm")], "warm-up", **run)

    # A command and its floor take turns, so that a busy spell of the machine weighs on both.
    renders, floors = [], []
    for index in range(args.repeat):
        out = ws.out / f"base{index or ''}"
        renders.append(
            measure(
                "render",
                ws.pipeline("render", "--environments", str(base_env), "--stage", "prod", "--out", str(out)),
                lambda out=out: len(resource_files(out / "prod")),
                label=f"{label} pipeline render --stage prod",
                **run,
            )[0]
        )
        if index:
            shutil.rmtree(out, ignore_errors=True)
        floors.append(_helper_measure(ws, "floor", ["floor", str(base_env), str(ws.out / "floor"), "prod"], label))
    results["render"], results["floor"] = merged(renders), merged(floors)
    prod_files = resource_files(ws.out / "base" / "prod")
    resources = len(prod_files)

    results["check"], check_child = measure(
        "check",
        ws.pipeline("check", "--environments", str(base_env), "--stage", "prod"),
        resources,
        label=f"{label} pipeline check --stage prod",
        repeat=args.repeat,
        **run,
    )
    check_summary = next((line for line in check_child.stdout.splitlines() if line.startswith(("PASS", "FAIL"))), "")
    # The same files the peers read, judged the same way: the like-for-like comparison with them.
    results["check files"], _ = measure(
        "check files",
        ws.pipeline("check", "--manifests", str(ws.out / "base" / "prod"), "--environments", str(base_env))
        + ["--stage", "prod"],
        resources,
        label=f"{label} pipeline check --manifests <rendered prod> --stage prod",
        repeat=args.repeat,
        **run,
    )

    judge_child = run_child(ws.helper("judge", str(base_env), str(ws.out / "base" / "prod")), "judge", **run)
    if judge_child.returncode != 0:
        raise SystemExit(f"bench: the judge helper failed:\n{judge_child.stderr[-3000:]}")
    judged = json.loads(judge_child.stdout)
    results["judge"] = Measure(
        "judge", judged["seconds"], judged["resources"], note="in-process, manifests already read; fastest of 3"
    )
    progress(f"{label} judging only (schema + rules, in-process): {_brief(results['judge'])}")

    # The head (the change) rendered, for the folder diffs; not a target.
    results["render head"], _ = measure(
        "render head",
        lambda i: ws.pipeline(
            "render", "--environments", "environments", "--stage", "prod", "--out", str(ws.out / f"head{i or ''}")
        ),
        lambda: len(resource_files(ws.out / "head" / "prod")),
        label=f"{label} pipeline render --stage prod (head)",
        repeat=args.repeat,
        **run,
    )
    for extra in range(1, args.repeat):
        shutil.rmtree(ws.out / f"head{extra}", ignore_errors=True)
    shutil.copytree(ws.out / "base", ws.out / "base-copy")
    for name, other in (("diff unchanged", "base-copy"), ("diff change", "head")):
        results[name], _ = measure(
            name,
            ws.pipeline(
                "diff",
                str(ws.out / "base" / "prod"),
                str(ws.out / other / "prod"),
                "--environments",
                "environments",
                "--format",
                "json",
                "--output",
                str(root / f"{name.replace(' ', '-')}.json"),
            ),
            resources,
            label=f"{label} pipeline {name}",
            repeat=args.repeat,
            **run,
        )
    engine_child = run_child(
        ws.helper("diff-engine", str(ws.out / "base" / "prod"), str(ws.out / "head" / "prod")),
        "diff engine",
        **run,
    )
    if engine_child.returncode != 0:
        raise SystemExit(f"bench: the diff engine helper failed:\n{engine_child.stderr[-3000:]}")
    engine = json.loads(engine_child.stdout)
    progress(
        f"{label} diff engine: unchanged {engine['unchanged']['seconds']:.3f} s, change "
        f"{engine['change']['seconds']:.3f} s ({engine['change']['changes']} changed resources)"
    )

    previews, preview_floors = [], []
    for _ in range(args.repeat):
        preview_floors.append(
            _helper_measure(ws, "preview floor", ["floor", "environments", str(ws.out / "floor-head")], label)
        )
        preview, preview_child = measure(
            "preview",
            ws.pipeline(
                "preview",
                "--base",
                "base",
                "--environments",
                "environments",
                "--output",
                str(root / "preview.md"),
                "--json",
                str(root / "preview.json"),
            ),
            preview_floors[-1].resources,
            ok=(0, 1),
            label=f"{label} pipeline preview --base base (3 stages)",
            **run,
        )
        previews.append(preview)
    results["preview"], results["preview floor"] = merged(previews), merged(preview_floors)
    preview_floor = results["preview floor"]
    if preview_child.returncode != 0:
        results["preview"].note = f"exit 1: {preview_child.stderr.strip()[:200]}"

    for name in ("kubectl kustomize", "kubernetes-validate", "Checkov"):
        progress(f"{label} {name} on prod's files (budget {args.budget:.0f} s per run)")
        peer = run_peer(name, prod_files, ws.out / "base" / "prod", root / "peer", args.budget, args.start_sample)
        if peer is not None:
            results[name] = peer
    return {
        "services": services,
        "tenants": services and math.ceil(services / 3),
        "resources": resources,
        "head_resources_3_stages": preview_floor.resources,
        "change": applied,
        "check_summary": check_summary,
        "measurements": {name: m.as_dict() for name, m in results.items()},
        "diff_engine": engine,
        "workspace": ws,
    }


def _helper_measure(ws: Workspace, name: str, argv: list[str], label: str, repeat: int = 1) -> Measure:
    """The floor helper `repeat` times (argv[2] is its output folder, one per run): the fastest run."""
    progress(f"{label} {name} (PyYAML C dumper) ...")
    runs = []
    for index in range(repeat):
        out = Path(f"{argv[2]}{index or ''}")
        child = run_child(ws.helper(argv[0], argv[1], str(out), *argv[3:]), name, cwd=ws.repo, env=ws.env)
        if child.returncode != 0:
            raise SystemExit(f"bench: the {name} helper failed:\n{child.stderr[-3000:]}")
        runs.append(json.loads(child.stdout))
        shutil.rmtree(out, ignore_errors=True)
    result = Measure(
        name,
        min(r["seconds"] for r in runs),
        runs[0]["resources"],
        cpu_seconds=min((r["cpu_seconds"] for r in runs if "cpu_seconds" in r), default=None),
        note="the dump and write only; objects prebuilt",
        runs=[round(r["seconds"], 3) for r in runs],
    )
    progress(f"{label} {name}: {_brief(result)}")
    return result


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["--helper"]:
        return helper(argv[1:])
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100,1000", help="tenant service counts, comma-separated (100,1000)")
    parser.add_argument("--quick", action="store_true", help="a smoke run: N=12, small peer samples, no profiles")
    parser.add_argument("--budget", type=float, help="seconds a peer's last sample run may take (60; quick: 5)")
    parser.add_argument("--start-sample", type=int, help="the first peer sample (files; 125, quick: 20)")
    parser.add_argument("--seed", type=int, default=0, help="the fleet's seed (tenant names)")
    parser.add_argument("--repeat", type=int, help="runs of each pipeline command and floor, the fastest counts (3)")
    parser.add_argument("--no-profile", action="store_true", help="do not profile render, check and missed targets")
    parser.add_argument("--results", type=Path, default=RESULTS, help="where <date>.json goes (bench/results)")
    parser.add_argument("--no-doc", action="store_true", help="leave docs/performance.md as it is")
    parser.add_argument("--keep", action="store_true", help="keep the scratch folder (printed)")
    parser.add_argument(
        "--report",
        type=Path,
        metavar="JSON",
        help="no run: recompute ratios and targets of a results file, rewrite both",
    )
    args = parser.parse_args(argv)
    if args.report:
        report = json.loads(args.report.read_text(encoding="utf-8"))
        for size in report["sizes"]:
            size["ratios"] = ratios(size)
        report["targets"] = targets(report["sizes"])
        args.report.write_text(json.dumps(report, indent=2, default=str) + "\n", encoding="utf-8")
        if not args.no_doc and report["mode"] == "full":
            write_doc(markdown(report))
        print_summary(report)
        return 0
    if args.quick and args.sizes == "100,1000":
        args.sizes = "12"
    args.budget = args.budget or (5.0 if args.quick else 60.0)
    args.start_sample = args.start_sample or (20 if args.quick else 125)
    args.repeat = max(1, args.repeat or (1 if args.quick else 3))
    sizes = sorted({int(s) for s in args.sizes.split(",") if s.strip()})
    if not sizes or min(sizes) < 1:
        parser.error("--sizes takes positive tenant service counts")
    if not PIPELINE.exists():
        parser.error(f"{PIPELINE} is missing: run it with the virtualenv's python (make bench)")

    scratch = Path(tempfile.mkdtemp(prefix="bench-fleet-"))
    started = time.monotonic()
    report: dict[str, Any] = {
        "date": datetime.date.today().isoformat(),
        "mode": "quick" if args.quick else "full",
        "repeat": args.repeat,
        "machine": machine(),
        "sizes": [],
    }
    progress(f"sizes {sizes}, scratch {scratch}")
    try:
        workspaces = {}
        for services in sizes:
            size = run_size(services, args, scratch)
            workspaces[services] = size.pop("workspace")
            size["ratios"] = ratios(size)
            report["sizes"].append(size)
        report["machine"]["harness_peak_mib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        report["targets"] = targets(report["sizes"])
        report["profiles"] = {}
        if not args.no_profile and not args.quick:
            largest, ws = report["sizes"][-1], workspaces[sizes[-1]]
            base_env = ws.root / "base-environments"
            missed = {t["target"].split(":")[0].split(" ")[0] for t in report["targets"] if t["met"] is False}
            files = str(ws.out / "base" / "prod")
            commands = {
                "render": ("render", ["--environments", str(base_env), "--stage", "prod", "--out", str(ws.root / "p")]),
                "check --stage": ("check", ["--environments", str(base_env), "--stage", "prod"]),
                "check --manifests": (
                    "check",
                    ["--manifests", files, "--environments", str(base_env), "--stage", "prod"],
                ),
                "preview": ("preview", ["--base", "base", "--environments", "environments", "--output", "/dev/null"]),
            }
            for label, (name, rest) in commands.items():
                if name in missed or name in ("render", "check"):  # render and check always: the hot paths
                    key = f"{label}, N={largest['services']}"
                    report["profiles"][key] = profile(ws, [name, *rest], label)
        report["seconds"] = time.monotonic() - started
    finally:
        if args.keep:
            progress(f"scratch kept: {scratch}")
        else:
            shutil.rmtree(scratch, ignore_errors=True)
    args.results.mkdir(parents=True, exist_ok=True)
    target = args.results / f"{report['date']}{'-quick' if args.quick else ''}.json"
    target.write_text(json.dumps(report, indent=2, default=str) + "\n", encoding="utf-8")
    if not (args.no_doc or args.quick):
        write_doc(markdown(report))
    print_summary(report)
    doc = "" if args.no_doc or args.quick else " and docs/performance.md"
    progress(f"wrote {target}{doc} in {report['seconds']:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
