"""Hostile and broken stage files: exit 2 with a located message, never a hang, a blow-up or exit 3.

Each case breaks a copy of environments/ (beside a copy of rendered/) and runs the command line:
in this process through pipeline.cli.main, or as a subprocess with a timeout (and a memory cap)
where the failure being guarded against is a hang or an expansion. Every case asserts the exit
code, the message's file:line:column and that no traceback or internal error was printed; every
refused run (exit 2) is checked to have changed nothing in environments/ or rendered/ (Workspace.run).
Expected positions come from the edited text.
"""

from __future__ import annotations

import os
import re
import resource
import shutil
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from model.limits import MAX_DEPTH, MAX_FILE_BYTES, MAX_KEY, MAX_SERVICE_INSTANCES, MAX_STRING, size_text
from pipeline.cli import main
from tests.conftest import ENVIRONMENTS, REPOSITORY

DIGEST = "sha256:" + "ab" * 32
AGENT_IMAGE = f"registry.agentflow.example.com/agentflow/agent-service:9.9.9@{DIGEST}"


@pytest.fixture(scope="session")
def pristine_rendered(tmp_path_factory) -> Path:
    """One private copy of rendered/ per session, hard-linked into each workspace (never written)."""
    copy = tmp_path_factory.mktemp("pristine") / "rendered"
    shutil.copytree(REPOSITORY / "rendered", copy)
    return copy


@dataclass
class Workspace:
    root: Path

    @property
    def environments(self) -> Path:
        return self.root / "environments"

    @property
    def rendered(self) -> Path:
        return self.root / "rendered"

    def state(self) -> dict[str, object]:
        """What a write would change, cheaply: the stage files' bytes, each rendered file's inode, size and mtime."""
        out: dict[str, object] = {}
        for path in sorted(self.environments.rglob("*")):
            out[str(path)] = path.read_bytes() if path.is_file() and not path.is_symlink() else path.lstat().st_mode
        for path in sorted(self.rendered.rglob("*")):
            info = path.lstat()
            out[str(path)] = (info.st_ino, info.st_size, info.st_mtime_ns, info.st_mode)
        return out

    def run(self, capsys, *argv: str | Path) -> Result:
        """The CLI in this process; a refusal (exit 2) must have written nothing."""
        before = self.state()
        result = run(capsys, *argv)
        if result.code == 2:
            assert self.state() == before, f"refused, yet something changed: {argv}"
        return result

    def run_subprocess(self, *argv: str | Path, **limits) -> tuple[Result, float]:
        """The CLI as a subprocess (see run_subprocess); a refusal (exit 2) must have written nothing."""
        before = self.state()
        result, seconds = run_subprocess(*argv, **limits)
        if result.code == 2:
            assert self.state() == before, f"refused, yet something changed: {argv}"
        return result, seconds

    def snapshot(self) -> dict[str, bytes | str]:
        """Every entry of environments/ and rendered/: file bytes, else what it is."""
        out: dict[str, bytes | str] = {}
        for top in (self.environments, self.rendered):
            for path in sorted(top.rglob("*")):
                key = str(path.relative_to(self.root))
                if path.is_symlink():
                    out[key] = f"-> {os.readlink(path)}"
                elif path.is_file():
                    out[key] = path.read_bytes()
                else:
                    out[key] = "dir" if path.is_dir() else "special"
        return out


@pytest.fixture
def ws(tmp_path, pristine_rendered) -> Workspace:
    shutil.copytree(ENVIRONMENTS, tmp_path / "environments", symlinks=False)
    shutil.copytree(pristine_rendered, tmp_path / "rendered", copy_function=os.link)  # writes replace, never edit
    return Workspace(tmp_path)


@dataclass(frozen=True)
class Edit:
    path: Path
    text: str

    def at(self, needle: str, after: str = "") -> str:
        """'path:line:column' of needle (the first after `after`), as the CLI prints a location."""
        start = self.text.index(after) if after else 0
        return self.at_offset(self.text.index(needle, start))

    def at_offset(self, offset: int) -> str:
        line = self.text.count("\n", 0, offset) + 1
        column = offset - (self.text.rfind("\n", 0, offset) + 1) + 1
        return f"{self.path}:{line}:{column}"

    def line_of(self, needle: str) -> int:
        return self.text.count("\n", 0, self.text.index(needle)) + 1


def edit(ws: Workspace, name: str, old: str, new: str) -> Edit:
    """Replace the one occurrence of old in environments/name by new."""
    path = ws.environments / name
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, f"{old!r} occurs {text.count(old)} times in {name}"
    text = text.replace(old, new)
    path.write_text(text, encoding="utf-8")
    return Edit(path, text)


def append(ws: Workspace, name: str, block: str) -> Edit:
    """Add block (top-level keys) at the end of environments/name."""
    path = ws.environments / name
    text = path.read_text(encoding="utf-8") + block
    path.write_text(text, encoding="utf-8")
    return Edit(path, text)


@dataclass(frozen=True)
class Result:
    code: int
    out: str
    err: str


def run(capsys, *argv: str | Path) -> Result:
    capsys.readouterr()
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return Result(code, out, err)


def run_subprocess(*argv: str | Path, timeout: float = 60, memory: int = 2 << 30) -> tuple[Result, float]:
    """`python -m pipeline.cli ARGV` with a timeout and an address-space cap; (result, seconds)."""

    def cap() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (memory, memory))

    start = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-m", "pipeline.cli", *map(str, argv)],
        cwd=REPOSITORY,
        capture_output=True,
        text=True,
        timeout=timeout,
        preexec_fn=cap,
        check=False,
    )
    return Result(done.returncode, done.stdout, done.stderr), time.monotonic() - start


def commands(ws: Workspace, stage: str = "prod") -> list[list[str | Path]]:
    """The reading commands a broken stage file must stop: render (into rendered/), check, status."""
    env = ["--environments", ws.environments]
    return [
        ["render", *env, "--stage", stage, "--out", ws.rendered],
        ["check", *env, "--stage", stage],
        ["status", *env],
    ]


def assert_refused(result: Result, *located: str) -> None:
    """Exit 2, each location printed (file:line:column, then ': '), no traceback, no internal error."""
    assert result.code == 2, result.err
    assert "Traceback" not in result.err + result.out and "internal error" not in result.err, result.err
    for where in located:
        assert f"{where}: " in result.err, f"{where} not in:\n{result.err}"


# --- anchors and aliases ------------------------------------------------------------------------

SHARED = "    autoscaling: {min_replicas: 2, max_replicas: 10}\n    pdb: {min_available: 1}\n  tenant-service:\n"


def shared_anchor(ws: Workspace) -> Edit:
    """user-service's autoscaling anchored and reused by tenant-service: an edit of one changes both."""
    return edit(
        ws,
        "prod.yaml",
        SHARED + "    autoscaling: {min_replicas: 2, max_replicas: 10}\n",
        SHARED.replace("autoscaling: {", "autoscaling: &scaling {") + "    autoscaling: *scaling\n",
    )


def test_every_reading_command_refuses_an_alias_naming_its_line_and_its_anchors_line(ws, capsys):
    edited = shared_anchor(ws)
    before = ws.snapshot()
    for argv in commands(ws):
        result = ws.run(capsys, *argv)
        assert_refused(result, edited.at("*scaling"))
        line = edited.line_of("&scaling")
        assert f"a YAML alias (*scaling) of the value anchored at line {line} (&scaling)" in result.err
        assert "defaults.yaml" in result.err and "service_defaults" in result.err  # the hint
    assert ws.snapshot() == before


@pytest.mark.parametrize(
    "argv",
    [
        ["scale", "user-service", "--stage", "prod", "--min", "2", "--max", "12"],
        ["stop", "cost-service", "--stage", "prod"],
        ["start", "cost-service", "--stage", "prod"],
        ["set-image", "agent-service", AGENT_IMAGE, "--stage", "prod", "--force"],
        ["promote", "staging", "prod", "--write"],
        ["tenant", "add", "umbrella", "--plan", "small", "--stage", "prod"],
    ],
    ids=lambda argv: argv[0] if argv[0] != "tenant" else "tenant-add",
)
def test_editing_commands_refuse_a_stage_file_with_an_anchor_and_write_nothing(ws, capsys, argv):
    edited = shared_anchor(ws)
    before = ws.snapshot()
    result = ws.run(capsys, *argv, "--environments", ws.environments, "--rendered", ws.rendered)
    assert_refused(result, edited.at("*scaling"))
    assert f"anchored at line {edited.line_of('&scaling')}" in result.err
    assert ws.snapshot() == before


def test_an_anchor_without_an_alias_is_refused_at_the_anchor(ws, capsys):
    edited = edit(ws, "defaults.yaml", "  anti_affinity: ", "  anti_affinity: &spread ")
    result = ws.run(capsys, "check", "--environments", ws.environments)
    assert_refused(result, edited.at("&spread"))
    assert "a YAML anchor (&spread): stage files do not use anchors and aliases" in result.err
    assert result.err.count("&spread") == 1  # defaults.yaml's problem once, not once per stage


def test_a_billion_laughs_is_refused_at_once_without_expanding(ws):
    lol = "laughs:\n  l0: &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n" + "".join(
        f"  l{i}: &l{i} [{', '.join([f'*l{i - 1}'] * 9)}]\n" for i in range(1, 10)
    )
    edited = append(ws, "prod.yaml", lol)
    before = ws.snapshot()
    result, seconds = ws.run_subprocess("check", "--environments", ws.environments, "--stage", "prod", memory=1 << 30)
    assert_refused(result, edited.at("*l0"))
    assert f"anchored at line {edited.line_of('&l0')}" in result.err
    assert "more YAML aliases from here on (not listed)" in result.err  # 81 aliases: twenty listed, a count
    assert seconds < 30
    assert ws.snapshot() == before


# --- tags on mappings and lists -----------------------------------------------------------------


@pytest.mark.parametrize(
    "value, shown",
    [
        ("!!python/object/apply:os.system [echo owned]", "!!python/object/apply:os.system on a list"),
        ("!Ref {name: tracing}", "!Ref on a mapping"),
        ("!!set {a: null, b: null}", "!!set on a mapping"),
        ("!!omap [{a: 1}, {b: 2}]", "!!omap on a list"),
        ("!!seq {a: 1}", "!!seq on a mapping"),
    ],
    ids=["python-apply", "ref", "set", "omap", "seq-on-mapping"],
)
def test_a_tag_on_a_mapping_or_list_is_refused_where_it_is(ws, capsys, value, shown):
    edited = edit(ws, "prod.yaml", "      tracing: {sample_ratio: 0.1}", f"      tracing: {value}")
    before = ws.snapshot()
    for argv in commands(ws):
        result = ws.run(capsys, *argv)
        assert_refused(result, edited.at(value))
        assert f"release.config.common.tracing: YAML tag {shown}: stage files take plain mappings" in result.err
    assert ws.snapshot() == before


def test_plain_core_tags_on_collections_are_still_fine(ws, capsys):
    edit(ws, "prod.yaml", "      tracing: {sample_ratio: 0.1}", "      tracing: !!map {sample_ratio: 0.1}")
    assert ws.run(capsys, "render", "--environments", ws.environments, "--stage", "prod", "--check").code == 0


# --- nesting, sizes -----------------------------------------------------------------------------


def nested(depth: int) -> str:
    return "[" * depth + "]" * depth


def test_deep_nesting_is_refused_with_its_path_not_a_recursion_error(ws, capsys):
    edited = edit(ws, "prod.yaml", "      log_format: json\n", f"      log_format: json\n      deep: {nested(500)}\n")
    for argv in commands(ws):
        result = ws.run(capsys, *argv)
        # The list that opens level MAX_DEPTH + 1 (the file, release, config and common are four).
        assert_refused(result, edited.at_offset(edited.text.index("deep: ") + len("deep: ") + MAX_DEPTH - 4))
        assert f"nested more than {MAX_DEPTH} levels deep" in result.err


def test_nesting_just_within_the_limit_renders(ws, capsys):
    edit(ws, "prod.yaml", "      log_format: json\n", f"      log_format: json\n      deep: {nested(MAX_DEPTH - 4)}\n")
    result = ws.run(capsys, "render", "--environments", ws.environments, "--stage", "prod", "--out", ws.root / "out")
    assert result.code == 0, result.err


def test_a_string_over_the_limit_is_refused_with_the_limit_and_its_key_path(ws, capsys):
    text = "a." * (MAX_STRING // 2) + "x"
    edited = edit(ws, "prod.yaml", "      log_format: json\n", f"      log_format: json\n      banner: {text}\n")
    before = ws.snapshot()
    for argv in commands(ws):
        result = ws.run(capsys, *argv)
        assert_refused(result, edited.at(text))
        assert f"release.config.common.banner: a string of {MAX_STRING + 1:,} characters" in result.err
        assert f"at most {MAX_STRING:,} characters" in result.err
        assert text not in result.err
    assert ws.snapshot() == before


def test_a_string_just_under_the_limit_renders_and_checks_in_seconds(ws):
    # The pattern that once made the credential scan quadratic: ten minutes for 200 KB.
    text = ("a." * MAX_STRING)[: MAX_STRING - 1]
    edit(ws, "prod.yaml", "      log_format: json\n", f"      log_format: json\n      banner: {text}\n")
    for argv in (["render", "--out", ws.root / "out"], ["check"]):
        result, seconds = ws.run_subprocess(*argv, "--environments", ws.environments, "--stage", "prod", timeout=120)
        assert result.code == 0, result.err
        assert seconds < 30, f"{argv[0]} took {seconds:.0f} s"


def test_a_key_over_the_limit_is_refused(ws, capsys):
    key = "k" * (MAX_KEY + 1)
    edited = edit(ws, "prod.yaml", "      log_format: json\n", f"      log_format: json\n      {key}: 1\n")
    result = ws.run(capsys, "check", "--environments", ws.environments)
    assert_refused(result, edited.at(key))
    assert f"a key of {MAX_KEY + 1} characters" in result.err and key not in result.err


def test_a_stage_file_over_the_size_limit_is_refused_before_it_is_parsed(ws, capsys):
    path = ws.environments / "prod.yaml"
    path.write_text(path.read_text() + "# " + "x" * MAX_FILE_BYTES + "\n")
    before = ws.snapshot()
    for argv in commands(ws):
        result = ws.run(capsys, *argv)
        assert_refused(result, f"{path}:1:1")
        assert (
            f"the file is {path.stat().st_size:,} bytes; a stage file is at most {size_text(MAX_FILE_BYTES)}"
            in result.err
        )
    assert ws.snapshot() == before


def test_a_fleet_beyond_the_instance_limit_is_refused_before_it_is_rendered(ws, capsys):
    tenants = "".join(f"  t{n}: {{plan: enterprise}}\n" for n in range(MAX_SERVICE_INSTANCES // 3))
    edited = edit(ws, "prod.yaml", "tenants:\n", "tenants:\n" + tenants)
    start = time.monotonic()
    result = ws.run(capsys, "check", "--environments", ws.environments, "--stage", "prod")
    assert_refused(result, edited.at("tenants:"))
    runs = re.search(r"the stage runs ([\d,]+) service instances \(([\d,]+) of them in ([\d,]+) tenants\)", result.err)
    assert runs and int(runs[1].replace(",", "")) > MAX_SERVICE_INSTANCES, result.err
    assert runs[3] == f"{MAX_SERVICE_INSTANCES // 3 + 3:,}"  # the three of prod.yaml and the thousand added
    assert f"a stage runs at most {MAX_SERVICE_INSTANCES:,}" in result.err
    assert time.monotonic() - start < 20


# --- files that are not files -------------------------------------------------------------------


def make_fifo(path: Path) -> None:
    path.unlink()
    os.mkfifo(path)


def make_directory(path: Path) -> None:
    path.unlink()
    path.mkdir()


def make_socket(path: Path) -> None:
    path.unlink()
    with socket.socket(socket.AF_UNIX) as listener:
        listener.bind(str(path))


def make_device(path: Path) -> None:
    path.unlink()
    path.symlink_to("/dev/zero")  # endless: reading it would never stop


KINDS = {
    "fifo": (make_fifo, "a named pipe (FIFO)"),
    "directory": (make_directory, "a directory"),
    "socket": (make_socket, "a socket"),
    "device": (make_device, "a character device"),
}


@pytest.mark.parametrize("name", ["dev.yaml", "stages.yaml", "defaults.yaml"])
@pytest.mark.parametrize("kind", list(KINDS))
def test_a_stage_file_that_is_not_a_regular_file_is_refused_without_blocking(ws, name, kind):
    make, what = KINDS[kind]
    make(ws.environments / name)
    result, _ = ws.run_subprocess("check", "--environments", ws.environments, "--stage", "dev", timeout=60)
    assert_refused(result)
    assert f"{ws.environments / name} is {what}, not a file: nothing was read" in result.err


def test_editing_commands_and_the_gate_refuse_a_fifo_in_a_git_checkout_without_blocking(ws):
    """promote, gate and rollback read stage files beside git: the file on disk is looked at before it is read."""
    git = ["git", "-c", "user.email=t@example.com", "-c", "user.name=t"]
    subprocess.run([*git, "init", "-q", str(ws.root)], check=True)
    subprocess.run([*git, "-C", str(ws.root), "add", "environments"], check=True)
    subprocess.run([*git, "-C", str(ws.root), "commit", "-qm", "base"], check=True)
    make_fifo(ws.environments / "staging.yaml")
    for argv in (
        ["promote", "dev", "staging", "--write"],
        ["scale", "task-service", "--stage", "staging", "--replicas", "3"],
        ["rollback", "--stage", "staging", "--dry-run"],
        ["gate", "--base", "HEAD"],
    ):
        rendered = [] if argv[0] == "gate" else ["--rendered", ws.rendered]
        result, _ = ws.run_subprocess(*argv, "--environments", ws.environments, *rendered)
        assert_refused(result)
        assert "staging.yaml is a named pipe (FIFO), not a file: nothing was read" in result.err
    assert (ws.environments / "staging.yaml").is_fifo()


# --- numbers ------------------------------------------------------------------------------------

FLOATS = [
    ("prod.yaml", "training:\n", "training:\n  concurrent_jobs: 2.0\n", "training.concurrent_jobs", "2.0", "write 2"),
    ("prod.yaml", "  retention: 96 ", "  retention: 3.0 ", "backup.retention", "3.0", "write 3"),
    (
        "prod.yaml",
        "  autoscaling: {min_replicas: 3,",
        "  autoscaling: {min_replicas: 1.0,",
        "service_defaults.autoscaling.min_replicas",
        "1.0",
        "write 1",
    ),
    ("defaults.yaml", "  http_port: 8080 ", "  http_port: 8080.0 ", "pod.http_port", "8080.0", "write 8080"),
    ("prod.yaml", "  min_replicas: 2   ", "  min_replicas: 2.0   ", "policy.min_replicas", "2.0", "write 2"),
]


@pytest.mark.parametrize("name, old, new, key_path, written, hint", FLOATS, ids=[f[3] for f in FLOATS])
def test_a_float_where_an_integer_is_expected_is_refused(ws, capsys, name, old, new, key_path, written, hint):
    edited = edit(ws, name, old, new)
    result = ws.run(capsys, "check", "--environments", ws.environments, "--stage", "prod")
    assert_refused(result, edited.at(key_path.rsplit(".", 1)[1], after=new))  # a value is located at its key
    assert f"{key_path}: expected an integer, got number {written}\n    hint: {hint}\n" in result.err


# One field of each kind: ports, replicas, HPA bounds, probes, targets, thresholds (a rate, a
# latency, a count), backup retention, training capacity, the policy's floor, ids, a PDB, a quantity,
# an environment value and release configuration (free-form).
NUMERIC_FIELDS = [
    ("defaults.yaml", "  http_port: 8080"),
    ("defaults.yaml", "  run_as_user: 1000"),
    ("defaults.yaml", "  termination_grace_period_seconds: 60"),
    ("defaults.yaml", "    liveness: {path: /health, initial_delay_seconds: 15, period_seconds: 5"),
    ("defaults.yaml", "    error_rate: 0.01"),
    ("defaults.yaml", "    p99_latency_seconds: 10"),
    ("defaults.yaml", "    restarts_per_hour: 3"),
    ("defaults.yaml", "  api_p95_ms: 200"),
    ("defaults.yaml", "  port: 5432"),
    ("prod.yaml", "  retention: 96"),
    ("prod.yaml", "  rpo_minutes: 60"),
    ("prod.yaml", "  availability_percent: 99.95"),
    ("prod.yaml", "  min_replicas: 2 "),
    ("prod.yaml", "    autoscaling: {min_replicas: 5"),
    ("prod.yaml", "  pdb: {min_available: 2"),
    ("staging.yaml", "  concurrent_jobs: 4"),
    ("prod.yaml", "        max_iterations: 15"),
]
HUGE = ["1e30", "1e308", "-1", ".inf", ".nan", "1" + "0" * 30, "2.0", "-.inf", "1e400"]


def number_at(line_prefix: str) -> str:
    return line_prefix.rsplit(" ", 1)[1].strip("{")


@pytest.mark.parametrize("value", HUGE)
@pytest.mark.parametrize("name, prefix", NUMERIC_FIELDS, ids=[p.strip(" {:") for _, p in NUMERIC_FIELDS])
def test_a_hostile_number_is_never_an_internal_error(ws, capsys, name, prefix, value):
    old = number_at(prefix)
    new = prefix[: len(prefix) - len(old)] + value
    edited = edit(ws, name, prefix, new)
    key = re.split(r"[{,]\s*", new.rsplit(":", 1)[0])[-1].strip()  # the last key, in a flow mapping too
    where = edited.at(key, after=new)  # a value is located at its key
    stage = "staging" if name == "staging.yaml" else "prod"
    for argv in commands(ws, stage):
        result = ws.run(capsys, *argv)
        assert "Traceback" not in result.err and "internal error" not in result.err, result.err
        assert result.code in (0, 1, 2), result.err
        if result.code == 2:
            assert f"{where}: " in result.err, result.err  # refused where the number is written


def test_a_huge_quantity_is_refused_as_kubernetes_would(ws, capsys):
    edited = edit(ws, "prod.yaml", "requests: {cpu: 500m, memory: 1Gi}", 'requests: {cpu: "1e400", memory: 1Gi}')
    result = ws.run(capsys, "check", "--environments", ws.environments, "--stage", "prod")
    assert_refused(result, edited.at("cpu", after='requests: {cpu: "1e400"'))  # located at the key
    assert "'1e400' is larger than any Kubernetes quantity (at most 2^63-1)" in result.err


@pytest.mark.parametrize("value", ['"1e-400"', "1n", '"-1"'])
def test_a_tiny_or_negative_quantity_is_refused(ws, capsys, value):
    edited = edit(ws, "prod.yaml", "requests: {cpu: 500m, memory: 1Gi}", f"requests: {{cpu: {value}, memory: 1Gi}}")
    result = ws.run(capsys, "check", "--environments", ws.environments, "--stage", "prod")
    assert_refused(result, edited.at("cpu", after=f"requests: {{cpu: {value}"))  # located at the key
    assert ("is negative" if value.startswith('"-') else "is below 1m, the smallest Kubernetes quantity") in result.err


# --- secrets in messages ------------------------------------------------------------------------

PASSWORD = "hunter2-correct-horse"
API_KEY = "sk-proj-" + "Ab3" * 12


@pytest.mark.parametrize(
    "name, old, new, value, key_path",
    [
        (
            "defaults.yaml",
            "      password: {key: agentflow/redis, property: password}",
            f"      password: {PASSWORD}",
            PASSWORD,
            "secrets.items.redis-credentials.password",
        ),
        (
            "defaults.yaml",
            "      OPENAI_API_KEY: {secret: llm-api-keys, key: openai-api-key}",
            f"      OPENAI_API_KEY: {API_KEY}",
            API_KEY,
            "services.agent-service.secret_env.OPENAI_API_KEY",
        ),
        (
            "defaults.yaml",
            "      client-secret: {key: agentflow/oauth2, property: client_secret}",
            f"      client-secret: [{PASSWORD}]",
            PASSWORD,
            "secrets.items.oauth2-client.client-secret",
        ),
    ],
    ids=["password", "api-key", "client-secret-list"],
)
def test_a_value_under_a_key_that_names_a_secret_is_never_echoed(ws, capsys, name, old, new, value, key_path):
    edited = edit(ws, name, old, new)
    result = ws.run(capsys, "check", "--environments", ws.environments, "--stage", "prod")
    assert_refused(result, edited.at(key_path.rsplit(".", 1)[1], after=new))
    assert f"{key_path}: expected object, got " in result.err
    assert "(not shown: the key names a secret)" in result.err
    assert value not in result.err + result.out and value[:10] not in result.err


# --- odd YAML: keys, bytes, empty files ---------------------------------------------------------


@pytest.mark.parametrize(
    "block, key, shown",
    [
        ("1: x\n", "1", "1: unknown key '1'"),
        ("true: x\n", "true", "true: unknown key 'true'"),
        ("? [a, b]\n: x\n", "[a, b]", "a mapping key must be a name"),
        ('"\\e[2J": x\n', '"', "unknown key '\\x1b[2J'"),  # a YAML escape: the key holds ESC
    ],
    ids=["number", "boolean", "list", "escape-sequence"],
)
def test_a_key_that_is_not_a_plain_name_is_refused_with_its_location(ws, capsys, block, key, shown):
    edited = append(ws, "prod.yaml", block)
    result = ws.run(capsys, "check", "--environments", ws.environments, "--stage", "prod")
    assert_refused(result, edited.at(key, after=block))
    assert shown in result.err and "\x1b" not in result.err


@pytest.mark.parametrize("character", ["\x00", "\x1b", "\ufffe"], ids=["nul", "escape", "non-character"])
def test_a_character_yaml_text_cannot_hold_is_refused_at_its_position(ws, capsys, character):
    edited = edit(ws, "prod.yaml", "log_format: json", f"log_format: js{character}on")
    result = ws.run(capsys, "check", "--environments", ws.environments, "--stage", "prod")
    assert_refused(result, edited.at(character))
    assert f"character U+{ord(character):04X} is not allowed in YAML text" in result.err
    assert character not in result.err


def test_a_byte_order_mark_changes_nothing(ws, capsys):
    path = ws.environments / "prod.yaml"
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    result = ws.run(capsys, "render", "--environments", ws.environments, "--stage", "prod", "--check")
    assert result.code == 0 and "up to date" in result.out, result.err


@pytest.mark.parametrize(
    "text", ["", "~\n", "- dev\n", "stages: []\n", "stages: [dev, [staging]]\n", "stages: {a: 1}\n"]
)
def test_a_stage_order_that_is_empty_null_or_not_a_list_of_names_is_refused(ws, capsys, text):
    (ws.environments / "stages.yaml").write_text(text)
    result = ws.run(capsys, "check", "--environments", ws.environments)
    assert_refused(result)
    assert f"{ws.environments / 'stages.yaml'}:1:" in result.err


@pytest.mark.parametrize("stage", ["defaults", "stages"])
def test_defaults_and_stages_are_not_stage_names(ws, capsys, stage):
    (ws.environments / "stages.yaml").write_text(f"stages: [{stage}, prod]\n")
    result = ws.run(capsys, "check", "--environments", ws.environments)
    assert_refused(result, f"{ws.environments / 'stages.yaml'}:1:10")
    assert f"'{stage}' cannot be a stage: {stage}.yaml holds" in result.err


@pytest.mark.parametrize("text", ["", "~\n", "- 1\n", "just text\n"])
def test_defaults_that_are_empty_null_or_not_a_mapping_are_exit_2(ws, capsys, text):
    (ws.environments / "defaults.yaml").write_text(text)
    for argv in commands(ws):
        result = ws.run(capsys, *argv)
        assert_refused(result)
        assert "defaults.yaml:1:1: " in result.err or "missing required key" in result.err
