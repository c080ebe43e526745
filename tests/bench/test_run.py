"""The fleet benchmark's harness (bench/run.py and its modules): `make bench` runs it, and it measures what it says.

- the Makefile's bench target needs what `make test` needs for it: the virtualenv, kubectl, Checkov;
- a child's peak memory is its own, not the largest of every child so far;
- peers are sampled evenly across the kinds;
- a smoke run (--quick) writes every measurement, ratio and target.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

from bench import peers
from tests.conftest import REPOSITORY


def test_make_bench_needs_the_virtualenv_kubectl_and_checkov():
    makefile = (REPOSITORY / "Makefile").read_text()
    (prerequisites,) = re.findall(r"^bench:(.*)$", makefile, re.MULTILINE)
    assert prerequisites.split() == ["$(STAMP)", "kubectl", "$(CHECKOV)"]
    assert re.search(r"^\.PHONY:.*\bbench\b", makefile, re.MULTILINE)
    assert "$(BIN)/python -m bench.run" in makefile


PEAKS = """
import json, sys
from bench import measure
grow = "b = bytearray(200 * 1024 * 1024); b[::4096] = b'x' * len(b[::4096])"
big = measure.run_child([sys.executable, "-c", grow], "big")
small = measure.run_child([sys.executable, "-c", "pass"], "small")
print(json.dumps([big.returncode, small.returncode, big.peak_mib, small.peak_mib, big.cpu_seconds]))
"""


def test_peak_memory_is_each_child_s_own():
    # From a small harness of its own: a child's peak starts from its spawner's (see measure.run_child),
    # and this test process has read fleets.
    result = subprocess.run(
        [sys.executable, "-c", PEAKS], cwd=REPOSITORY, capture_output=True, text=True, timeout=120, check=True
    )
    big_code, small_code, big_peak, small_peak, big_cpu = json.loads(result.stdout)
    assert big_code == small_code == 0
    assert big_peak > 200
    assert small_peak < 100  # not the 200 MiB child before it
    assert big_cpu > 0


def test_samples_spread_over_the_files():
    files = [Path(f"{i:03d}.yaml") for i in range(100)]
    sample = peers.spread(files, 10)
    assert sample == files[::10]
    assert peers.spread(files, 500) == files


def test_a_quick_run_writes_every_measurement(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "bench.run", "--quick", "--sizes", "6", "--budget", "2", "--results", str(tmp_path)],
        cwd=REPOSITORY,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    (written,) = tmp_path.glob("*-quick.json")
    report = json.loads(written.read_text())
    (size,) = report["sizes"]
    assert size["services"] == 6 and size["tenants"] == 2
    measured = size["measurements"]
    for name in ("render", "floor", "check", "check files", "judge", "diff change", "diff unchanged", "preview"):
        assert measured[name]["seconds"] > 0 and measured[name]["resources"] > 0, name
    assert measured["preview"]["returncode"] == 0
    assert size["diff_engine"]["change"]["changes"] > 0 and size["diff_engine"]["unchanged"]["changes"] == 0
    assert "PASS prod" in size["check_summary"]
    assert {t["target"].split(" ")[0] for t in report["targets"]} >= {"render", "check", "preview"}
    assert "[bench " in result.stderr  # progress
