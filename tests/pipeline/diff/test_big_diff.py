"""A diff of two versions of a big kube-prometheus-like folder reads in a screenful, not in thousands of lines.

The folder is generated: CRDs whose schemas run to thousands of lines (a version bump rewords
descriptions throughout and adds properties), Grafana dashboards embedded as JSON (pretty and
minified on one line of tens of thousands of characters), beside the foreign corpus. A text diff
of the two versions runs to thousands of lines, some of them huge; `pipeline diff` must be a small
fraction of it with no line much over 200 characters, unless --full.
"""

from __future__ import annotations

import difflib
import json
import shutil
from pathlib import Path

import pytest
import yaml

from tests.pipeline.diff.cli import V1, V2, diff

CRDS = 6
DASHBOARDS = 8


def schema(version: int, width: int = 24, depth: int = 4, path: str = "spec") -> dict:
    """An openAPIV3Schema-like tree; version 2 rewords every third description and adds properties."""
    properties = {}
    for i in range(width if depth else 0):
        name = f"{path}Field{i}"
        description = f"{name} configures how the operator reconciles the {path} section of the resource."
        if version == 2 and i % 3 == 1:
            description += " Deprecated: use the new field instead; it will be removed in a future release."
        properties[name] = (
            {"description": description, "type": "object", "properties": schema(version, width // 2, depth - 1, name)}
            if depth > 1 and i % 3 == 0
            else {"description": description, "type": "string"}
        )
    if version == 2 and depth == 4:
        properties.update({f"added{i}": {"type": "integer", "format": "int32"} for i in range(5)})
    return properties


def crd(number: int, version: int) -> dict:
    return {
        "apiVersion": "apiextensions.k8s.io/v1",
        "kind": "CustomResourceDefinition",
        "metadata": {
            "name": f"widgets{number}.monitoring.example.com",
            "annotations": {"operator.example.com/version": f"0.{70 + version}.0"},
        },
        "spec": {
            "group": "monitoring.example.com",
            "names": {"kind": f"Widget{number}", "plural": f"widgets{number}", "singular": f"widget{number}"},
            "scope": "Namespaced",
            "versions": [
                {
                    "name": "v1",
                    "served": True,
                    "storage": True,
                    "schema": {
                        "openAPIV3Schema": {"type": "object", "properties": {"spec": {"properties": schema(version)}}}
                    },
                }
            ],
        },
    }


def dashboard(number: int, version: int) -> dict:
    uid = "prometheus" if version == 1 else "${datasource}"
    panels = [
        {
            "id": i,
            "title": f"Panel {i} of dashboard {number}",
            "type": "timeseries",
            "datasource": {"type": "prometheus", "uid": uid},
            "targets": [
                {"expr": f'sum(rate(metric_{i}_total{{job="node-exporter"}}[5m])) by (instance)', "refId": "A"}
            ],
            "gridPos": {"h": 8, "w": 12, "x": (i % 2) * 12, "y": i * 8},
        }
        for i in range(40)
    ]
    return {"title": f"Dashboard {number}", "uid": f"uid-{number}", "panels": panels, "version": version}


def write(root: Path, version: int) -> Path:
    shutil.copytree(V1 if version == 1 else V2, root)
    for number in range(CRDS):
        text = yaml.safe_dump(crd(number, version), sort_keys=False, width=2**16)
        (root / f"0widget{number}CustomResourceDefinition.yaml").write_text(text)
    # As kube-prometheus writes them: each dashboard a block scalar, one of them minified on one line.
    lines = ["apiVersion: v1", "kind: ConfigMap", "metadata:", "  name: dashboards", "  namespace: monitoring", "data:"]
    for number in range(DASHBOARDS):
        lines.append(f"  dashboard-{number}.json: |-")
        lines += [f"    {line}" for line in json.dumps(dashboard(number, version), indent=2).splitlines()]
    minified = json.dumps([dashboard(n, version) for n in range(4)], separators=(",", ":"))
    lines.append(f"  all-in-one.json: '{minified}'")
    (root / "grafana-dashboardDefinitions.yaml").write_text("\n".join(lines) + "\n")
    return root


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("kube-prometheus-like")
    return write(root / "v1", 1), write(root / "v2", 2)


def text_diff(old: Path, new: Path) -> list[str]:
    """`diff -ru old new`, near enough: a unified diff of every file."""
    out: list[str] = []
    for name in sorted({p.name for p in old.iterdir()} | {p.name for p in new.iterdir()}):
        before = (old / name).read_text().splitlines() if (old / name).exists() else []
        after = (new / name).read_text().splitlines() if (new / name).exists() else []
        out += difflib.unified_diff(before, after, str(old / name), str(new / name), lineterm="")
    return out


def test_a_big_diff_is_a_small_fraction_of_a_text_diff(capsys, corpus):
    old, new = corpus
    text = text_diff(old, new)
    assert len(text) > 2500 and max(map(len, text)) > 30_000  # what a reviewer faces without the tool
    result = diff(capsys, old, new)
    assert result.code == 0, result
    lines = result.out.splitlines()
    assert len(lines) * 20 < len(text), result
    assert max(map(len, lines)) <= 210, max(lines, key=len)
    schemas = [line for line in lines if line.endswith(")") and "openAPIV3Schema  changed, " in line]
    assert len(schemas) == CRDS + 1, result  # and the foreign corpus's certificates CRD
    assert "      ConfigMap monitoring/dashboards  data['all-in-one.json']  changed, 1 -> 1 lines (+1 -1)" in lines


def test_full_shows_what_the_summary_hides(capsys, corpus):
    old, new = corpus
    short, full = diff(capsys, old, new), diff(capsys, old, new, "--full")
    assert full.code == 0, full
    assert len(full.out.splitlines()) > 10 * len(short.out.splitlines())
    assert max(map(len, full.out.splitlines())) > 30_000  # the minified dashboard, whole, before and after
    assert "openAPIV3Schema  changed, " not in full.out
    assert "properties.added4  + " in full.out
