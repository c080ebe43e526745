"""`make policy-pack` (tools/policy_pack.py): the policy pack as a folder that works on its own.

The fast tests check what the builder computes: policies/ and the kube/ modules it imports, no
other code, requirements pinned from requirements.lock, an atomic write. The slow tests build the
pack outside the repository, install its requirements.txt into a fresh virtualenv in the pack's
folder (where the Pulumi CLI puts it), start it the way the CLI's pulumi-analyzer-policy-python
shim does (`venv/bin/python -u -m pulumi.policy <engine> .` in the pack's folder, PYTHONPATH
scrubbed) and compare its gRPC answers with the in-repository pack, started as
tests/policies/test_pack_grpc.py starts it: the same analyzer info, the same diagnostics for
rendered prod and for every pass and fail fixture of tests/policies/fixtures.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path

import pytest
import yaml
from google.protobuf import empty_pb2
from google.protobuf.json_format import MessageToDict
from pulumi.runtime.proto import analyzer_pb2, analyzer_pb2_grpc

from kube.identity import pulumi_name, type_token
from pipeline.policy_run import urn_of
from policies.rules import RULES
from tests.conftest import REPOSITORY
from tests.policies.test_pack_grpc import serving, struct
from tools import policy_pack

FIXTURES = REPOSITORY / "tests" / "policies" / "fixtures"
LEVELS = {"advisory": "ADVISORY", "mandatory": "MANDATORY", "disabled": "DISABLED"}


@pytest.fixture(scope="module")
def plan() -> policy_pack.PackPlan:
    return policy_pack.plan()


def test_the_pack_is_policies_and_the_kube_modules_it_imports(plan):
    copies = set(plan.copies)
    rules = {p.relative_to(REPOSITORY).as_posix() for p in (REPOSITORY / "policies" / "rules").glob("*.py")}
    assert rules <= copies and len(rules) > 40
    assert {"policies/__init__.py", "policies/pack.py", "policies/framework.py", "policies/config/prod.json"} <= copies
    assert {"kube/__init__.py", "kube/workloads.py", "kube/quantity.py", "kube/network.py"} <= copies
    assert {path.split("/")[0] for path in copies} == {"policies", "kube"}
    # The in-repository entry points are replaced by the pack's own; no bytecode, no tests.
    assert not copies & {"policies/__main__.py", "policies/PulumiPolicy.yaml", "policies/requirements.txt"}
    assert not [path for path in copies if "__pycache__" in path or path.endswith(".pyc")]


def test_every_module_the_pack_loads_is_copied(plan):
    """The import statements read cover what importing the pack really loads (and more: lazy imports)."""
    script = (
        "import json, sys; import policies.pack; "
        "print(json.dumps(sorted(m.__file__ for n, m in sys.modules.items() "
        "if n.split('.')[0] in ('policies', 'kube') and getattr(m, '__file__', None))))"
    )
    result = subprocess.run([sys.executable, "-c", script], cwd=REPOSITORY, capture_output=True, text=True, check=True)
    loaded = {Path(path).resolve().relative_to(REPOSITORY).as_posix() for path in json.loads(result.stdout)}
    assert "kube/resources.py" in loaded and loaded <= set(plan.copies)


def test_requirements_are_the_lock_pins_of_what_the_pack_imports(plan):
    lock = {
        line.split("==")[0]: line
        for line in (REPOSITORY / "requirements.lock").read_text().splitlines()
        if "==" in line
    }
    assert plan.imports == ("kubernetes", "pulumi_policy", "yaml")
    assert plan.requirements and all(
        re.fullmatch(r"[a-z0-9][a-z0-9._-]*==[0-9][0-9A-Za-z.+!-]*", r) for r in plan.requirements
    )
    assert all(lock[r.split("==")[0]] == r for r in plan.requirements)
    names = {r.split("==")[0] for r in plan.requirements}
    assert {"pulumi-policy", "pulumi", "grpcio", "protobuf", "kubernetes", "pyyaml", "urllib3"} <= names
    # Only what the pack runs on: no test tools, nothing only the pipeline or the Pulumi program uses.
    assert not names & {"pytest", "hypothesis", "ruff", "pulumi-kubernetes", "deepdiff", "ruamel-yaml", "jsonschema"}
    assert plan.unpinned == ("setuptools",)  # pulumi-policy needs it; the lock leaves it to pip


def test_the_generated_files_refer_to_nothing_outside_the_pack(plan):
    generated = plan.generated()
    project = yaml.safe_load(generated["PulumiPolicy.yaml"])
    source = yaml.safe_load((REPOSITORY / "policies" / "PulumiPolicy.yaml").read_text())
    assert project == {
        "description": source["description"],
        "version": source["version"],
        "runtime": {"name": "python", "options": {"virtualenv": "venv"}},
    }
    assert generated["__main__.py"].endswith("from policies.pack import serve\n\nserve()\n")
    for name, text in generated.items():
        assert ".." not in text and str(REPOSITORY) not in text and "sys.path" not in text, name


def test_the_closure_reads_imports_inside_functions_and_relative_ones():
    sources = {
        "app": "",
        "app.main": "from . import rules\ndef late():\n    import extlib.sub\n",
        "app.rules": "from .helpers import x\nimport json\n",
        "app.helpers": "x = 1\n",
        "app.unused": "import other\n",
    }
    reached, external = policy_pack.import_closure(["app.main"], sources, frozenset({"app"}))
    assert reached == {"app", "app.main", "app.rules", "app.helpers"}
    assert external == {"extlib"}


def test_the_distribution_closure_follows_markers_and_extras():
    requires = {
        "top": ["dep[fast]", "skipped; python_version < '3'", "optional; extra == 'other'"],
        "dep": ["plain", "speedup; extra == 'fast'"],
    }
    found = policy_pack.distribution_closure(
        ["top_module"], {"top_module": ["Top"]}, lambda name: requires.get(name.lower(), []), {"python_version": "3.11"}
    )
    assert found == {"top", "dep", "plain", "speedup"}
    with pytest.raises(policy_pack.PackError, match="'missing', which no installed distribution provides"):
        policy_pack.distribution_closure(["missing"], {}, lambda name: [], {})


def test_a_failed_write_leaves_the_previous_pack_and_no_half_folder(tmp_path, monkeypatch):
    out = tmp_path / "policy-pack"
    previous = {"PulumiPolicy.yaml": policy_pack.HEADER.encode(), "old.txt": b"old"}
    policy_pack.write_folder(out, previous)
    written = []

    def failing_write(self: Path, data: bytes) -> int:
        if written:
            raise OSError("disk full")
        written.append(self)
        with self.open("wb") as file:
            return file.write(data)

    monkeypatch.setattr(Path, "write_bytes", failing_write)
    with pytest.raises(OSError, match="disk full"):
        policy_pack.write_folder(out, {"PulumiPolicy.yaml": policy_pack.HEADER.encode(), "new.txt": b"new"})
    monkeypatch.undo()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["policy-pack"]
    assert {p.name: p.read_bytes() for p in out.iterdir()} == previous
    policy_pack.write_folder(out, {"PulumiPolicy.yaml": policy_pack.HEADER.encode(), "new.txt": b"new"})
    assert sorted(p.name for p in out.iterdir()) == ["PulumiPolicy.yaml", "new.txt"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["policy-pack"]


def test_a_folder_the_builder_did_not_write_is_never_replaced(tmp_path):
    (tmp_path / "notes.txt").write_text("mine")
    with pytest.raises(policy_pack.PackError, match="is not a built policy pack"):
        policy_pack.write_folder(tmp_path, {"PulumiPolicy.yaml": b""})
    assert [p.name for p in tmp_path.iterdir()] == ["notes.txt"]


# The slow part: the built pack in a virtualenv of its own, against the in-repository pack.


def run(command: list[str], **options) -> subprocess.CompletedProcess:
    result = subprocess.run(command, capture_output=True, text=True, check=False, **options)
    assert result.returncode == 0, f"{' '.join(command)} failed:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
    return result


def without_repository(venv: Path) -> dict[str, str]:
    """The environment the CLI's shim gives the pack: its virtualenv first on PATH, nothing of ours."""
    scrubbed = {"PYTHONPATH", "PYTHONHOME", "PYTHONSTARTUP", "PYTHONUSERBASE", "VIRTUAL_ENV"}
    env = {key: value for key, value in os.environ.items() if key not in scrubbed}
    return {**env, "PATH": f"{venv / 'bin'}{os.pathsep}{env.get('PATH', '')}", "VIRTUAL_ENV": str(venv)}


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    """The pack built by the real command line outside the repository, its requirements installed in venv/."""
    pack = tmp_path_factory.mktemp("published") / "policy-pack"
    assert not pack.is_relative_to(REPOSITORY)
    run([sys.executable, "-m", "tools.policy_pack", "--out", str(pack)], cwd=REPOSITORY)
    run([sys.executable, "-m", "venv", str(pack / "venv")])
    pip = [str(pack / "venv" / "bin" / "python"), "-m", "pip", "install", "--disable-pip-version-check", "--quiet"]
    pip.append("--no-compile")  # bytecode of thousands of client modules: CPU that proves nothing here
    run([*pip, "-r", "requirements.txt"], cwd=pack, env=without_repository(pack / "venv"), timeout=600)
    return pack


@pytest.fixture(scope="module")
def analyzers(built) -> Iterator[dict[str, analyzer_pb2_grpc.AnalyzerStub]]:
    venv = built / "venv"
    # What pulumi-analyzer-policy-python runs, in the pack's folder, for `virtualenv: venv`.
    published = [str(venv / "bin" / "python"), "-u", "-m", "pulumi.policy", "127.0.0.1:0", "."]
    with ExitStack() as stack:
        yield {
            "published": stack.enter_context(serving(published, built, without_repository(venv))),
            "repository": stack.enter_context(
                serving([sys.executable, str(REPOSITORY / "policies" / "__main__.py")], REPOSITORY)
            ),
        }


def configure_request(path: Path) -> analyzer_pb2.ConfigureAnalyzerRequest:
    config = json.loads(path.read_text())
    return analyzer_pb2.ConfigureAnalyzerRequest(
        policyConfig={
            rule_id: analyzer_pb2.PolicyConfig(
                enforcementLevel=analyzer_pb2.EnforcementLevel.Value(LEVELS[entry["enforcementLevel"]]),
                properties=struct({k: v for k, v in entry.items() if k != "enforcementLevel"}),
            )
            for rule_id, entry in config.items()
        }
    )


def resource(manifest: dict) -> dict:
    return {
        "type": type_token(manifest["apiVersion"], manifest["kind"]),
        "properties": struct(json.loads(json.dumps(manifest, default=str))),
        "urn": urn_of(manifest, "prod"),
        "name": pulumi_name(manifest),
    }


def answers(analyzer: analyzer_pb2_grpc.AnalyzerStub, manifests: list[dict]) -> dict[str, list[dict]]:
    """The diagnostics of Analyze on each manifest and of AnalyzeStack on all of them, as dicts."""
    diagnostics = [
        d for m in manifests for d in analyzer.Analyze(analyzer_pb2.AnalyzeRequest(**resource(m))).diagnostics
    ]
    stack = analyzer.AnalyzeStack(
        analyzer_pb2.AnalyzeStackRequest(resources=[analyzer_pb2.AnalyzerResource(**resource(m)) for m in manifests])
    ).diagnostics
    return {"Analyze": [MessageToDict(d) for d in diagnostics], "AnalyzeStack": [MessageToDict(d) for d in stack]}


def fixture_cases() -> dict[str, list[dict]]:
    return {
        path.relative_to(FIXTURES).as_posix(): [doc for doc in yaml.safe_load_all(path.read_text()) if doc]
        for path in sorted(FIXTURES.glob("*/*/*.yaml"))
    }


@pytest.mark.slow
def test_the_built_folder_refers_to_nothing_outside_itself(built):
    files = [p for p in built.rglob("*") if p.is_file() and "venv" not in p.relative_to(built).parts]
    assert {"PulumiPolicy.yaml", "__main__.py", "requirements.txt"} <= {p.name for p in files}
    for name in ("PulumiPolicy.yaml", "requirements.txt"):
        assert ".." not in (built / name).read_text(), name
    for path in files:
        text = path.read_text()
        assert str(REPOSITORY) not in text and "sys.path" not in text, path
    assert all(
        not line or line.startswith("#") or "==" in line
        for line in (built / "requirements.txt").read_text().splitlines()
    )


@pytest.mark.slow
def test_the_built_pack_describes_the_same_policies(analyzers):
    published, repository = (analyzers[k].GetAnalyzerInfo(empty_pb2.Empty()) for k in ("published", "repository"))
    assert MessageToDict(published) == MessageToDict(repository)
    assert sorted(p.name for p in published.policies) == sorted(RULES)
    assert [p.enforcementLevel for p in published.policies] == [p.enforcementLevel for p in repository.policies]


@pytest.mark.slow
def test_the_built_pack_reports_the_same_diagnostics(analyzers, built, rendered):
    config = configure_request(built / "policies" / "config" / "prod.json")
    for analyzer in analyzers.values():
        analyzer.Configure(config)
    cases = {"rendered prod": list(rendered["prod"].manifests), **fixture_cases()}
    got = {name: answers(analyzers["published"], manifests) for name, manifests in cases.items()}
    want = {name: answers(analyzers["repository"], manifests) for name, manifests in cases.items()}
    assert got == want
    assert got["rendered prod"] == {"Analyze": [], "AnalyzeStack": []}
    silent = [name for name in cases if "/fail/" in name and not got[name]["Analyze"] + got[name]["AnalyzeStack"]]
    assert silent == [], "every fail fixture breaks a rule under the prod config"
