"""Drift of one stage: does the live cluster still match the Pulumi program?

usage: scripts/drift STAGE [--report FILE]      (python3 -m tools.drift from the repository root)

Runs `pulumi preview --stack STAGE --refresh --expect-no-changes --json --non-interactive` in the
repository (Pulumi.yaml): `--refresh` reads every resource from the cluster first, without writing
the state, so the preview compares the live objects with what the program declares. No policy
pack: this looks for drift only (`scripts/deploy` runs the policies).

Exit codes:
  0  no drift: prints "no drift in STAGE"
  1  drift: writes a markdown summary (operation, kind, resource, changed fields) to --report
     (default drift-STAGE.md) and prints it
  2  the comparison could not be made (backend or cluster unreachable, authentication, not logged
     in, a program error, output that is not Pulumi's JSON): prints "drift: could not compare
     STAGE with the cluster: ..." to stderr and writes no report (a stale one is removed)

`pulumi preview --json` prints one JSON document (Pulumi's PreviewDigest): `steps` (op, urn,
diffReasons, replaceReasons, detailedDiff, oldState, newState; unchanged resources are left out
but the root stack), `diagnostics` (urn, message, severity: info, info#err, warning, error),
`changeSummary` (op -> count) and `duration`. With --expect-no-changes Pulumi exits non-zero when
changes are proposed (1 and "no changes were expected but changes were proposed" on stderr;
7 in the CLIs that have the exit-code taxonomy). The parsing functions below are pure; only
`run_preview` starts a process. Stdlib only; no environment value is ever printed.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

REPOSITORY = Path(__file__).resolve().parent.parent

# engine.HasChanges: every op counts as a change but these (a read is not a change either).
UNCHANGED_OPS = frozenset({"same", "read", "discard", "read-replacement"})
# Pulumi's exit code for "changes were proposed" under --expect-no-changes (ExitNoChanges).
EXIT_NO_CHANGES = 7
NO_CHANGES_EXPECTED = re.compile(r"no changes were expected", re.IGNORECASE)
# pulumi-kubernetes reports a cluster it cannot reach as a *warning* in previews and goes on with
# unknown values: such a preview says nothing about the cluster, so it is an error here.
UNREACHABLE = re.compile(r"cluster is unreachable|unable to load schema information", re.IGNORECASE)
# Values that must never reach the output, should a tool echo one back.
SECRET_VARIABLES = ("PULUMI_ACCESS_TOKEN", "PULUMI_CONFIG_PASSPHRASE", "KUBECONFIG_DATA")
# A streamed event log would replace the one JSON document this parses.
DROPPED_VARIABLES = ("PULUMI_ENABLE_STREAMING_JSON_PREVIEW",)

Verdict = Literal["no-drift", "drift", "error"]


@dataclass(frozen=True)
class Change:
    """One resource the preview would change to bring the cluster back to the program."""

    op: str
    kind: str
    name: str
    urn: str
    fields: tuple[str, ...] = ()

    def line(self) -> str:
        """`update Deployment agent-platform-prod/agent-service`, with the changed fields after."""
        text = f"{self.op} {self.kind} {self.name}"
        return f"{text}: {', '.join(self.fields)}" if self.fields else text


@dataclass(frozen=True)
class Outcome:
    """What the preview says: no drift, drift (with its changes) or an error (with its messages)."""

    verdict: Verdict
    changes: tuple[Change, ...] = ()
    summary: Mapping[str, int] = field(default_factory=dict)
    errors: tuple[str, ...] = ()


def parse_urn(urn: str) -> tuple[str, str]:
    """(kind, name) of a URN: urn:pulumi:STACK::PROJECT::PARENT$...$TYPE::NAME -> (TYPE's last part, NAME)."""
    parts = urn.split("::")
    if len(parts) < 4:
        return "resource", urn
    resource_type = parts[2].split("$")[-1]
    return resource_type.split(":")[-1] or resource_type, "::".join(parts[3:])


def step_fields(step: Mapping[str, Any]) -> tuple[str, ...]:
    """The changed properties of a step: detailedDiff paths with their kind, else diffReasons/replaceReasons."""
    detailed = step.get("detailedDiff")
    if isinstance(detailed, Mapping) and detailed:
        return tuple(
            f"{path} ({diff.get('kind', 'update')})" if isinstance(diff, Mapping) else str(path)
            for path, diff in sorted(detailed.items())
        )
    reasons = [*(step.get("diffReasons") or []), *(step.get("replaceReasons") or [])]
    return tuple(dict.fromkeys(str(reason) for reason in reasons))


def step_change(step: Mapping[str, Any]) -> Change | None:
    """The change a step proposes, or None for an unchanged resource (and a refresh that found nothing)."""
    op = str(step.get("op") or "")
    if not op or op in UNCHANGED_OPS:
        return None
    fields = step_fields(step)
    if op == "refresh" and not fields:
        return None  # every resource gets a refresh step under --refresh; only one with a diff drifted
    urn = str(step.get("urn") or "")
    kind, name = parse_urn(urn)
    return Change(op=op, kind=kind, name=name, urn=urn, fields=fields)


def parse_digest(stdout: str) -> dict[str, Any] | None:
    """The JSON document `pulumi preview --json` printed, or None when stdout holds none."""
    text = stdout.strip()
    if not text:
        return None
    candidates = [text]
    start = text.find("\n{")
    if not text.startswith("{") and start != -1:
        candidates.append(text[start + 1 :])  # a stray line before the document
    for candidate in candidates:
        try:
            document = json.loads(candidate)
        except json.JSONDecodeError:
            continue
        return document if isinstance(document, dict) else None
    return None


def diagnostic_errors(digest: Mapping[str, Any]) -> list[str]:
    """Messages of the error diagnostics, and of any warning saying the cluster cannot be reached."""
    found = []
    for diagnostic in digest.get("diagnostics") or []:
        if not isinstance(diagnostic, Mapping):
            continue
        message = str(diagnostic.get("message") or "").strip()
        if diagnostic.get("severity") == "error" or UNREACHABLE.search(message):
            kind, name = parse_urn(str(diagnostic["urn"])) if diagnostic.get("urn") else ("", "")
            found.append(f"{kind} {name}: {message}" if name else message)
    return list(dict.fromkeys(message for message in found if message))


def stderr_errors(stderr: str) -> list[str]:
    """The lines of stderr worth showing: Pulumi's `error:` lines, else the last few lines."""
    lines = [line.strip() for line in stderr.splitlines() if line.strip()]
    errors = [line for line in lines if line.lower().startswith("error")]
    return errors or lines[-5:]


def summary_changes(digest: Mapping[str, Any]) -> dict[str, int]:
    """changeSummary without the unchanged ops: what engine.HasChanges counts."""
    summary = digest.get("changeSummary")
    if not isinstance(summary, Mapping):
        return {}
    return {
        str(op): count
        for op, count in summary.items()
        if op not in UNCHANGED_OPS and isinstance(count, int) and count > 0
    }


def classify(returncode: int, stdout: str, stderr: str) -> Outcome:
    """Tell no drift, drift and an error apart from what `pulumi preview --json --expect-no-changes` gave.

    An error wins over everything (a partial preview proves nothing); then any proposed change is
    drift; a non-zero exit with no change listed is drift only when Pulumi says changes were
    proposed, an error otherwise.
    """
    digest = parse_digest(stdout)
    if digest is None:
        reason = stderr_errors(stderr) or [f"pulumi exited {returncode} without printing its JSON preview"]
        if stdout.strip():
            reason.append("its output is not JSON")
        return Outcome("error", errors=tuple(reason))
    errors = diagnostic_errors(digest)
    if errors:
        return Outcome("error", errors=tuple(errors))
    summary = digest.get("changeSummary") if isinstance(digest.get("changeSummary"), Mapping) else {}
    changes = tuple(change for step in digest.get("steps") or [] if (change := step_change(step)) is not None)
    if changes or summary_changes(digest):
        return Outcome("drift", changes=changes, summary=dict(summary))
    if returncode == 0:
        return Outcome("no-drift", summary=dict(summary))
    if returncode == EXIT_NO_CHANGES or NO_CHANGES_EXPECTED.search(stderr):
        return Outcome("drift", summary=dict(summary))
    return Outcome("error", errors=tuple(stderr_errors(stderr) or [f"pulumi exited {returncode}"]))


def report(stage: str, outcome: Outcome) -> str:
    """The markdown summary of a drift: one line per resource, what `pulumi up` would do to it."""
    lines = [
        f"# Drift in {stage}",
        "",
        f"`pulumi preview --stack {stage} --refresh` proposes changes: the live cluster no longer matches",
        "the program. What `pulumi up` would do to bring it back (operation, kind, resource: changed fields):",
        "",
    ]
    if outcome.changes:
        lines += [f"- {change.line()}" for change in outcome.changes]
    else:
        lines.append(
            "Pulumi reported changes but listed none; "
            f"run `pulumi preview --stack {stage} --refresh --diff` to see them."
        )
    counts = ", ".join(f"{count} {op}" for op, count in sorted(outcome.summary.items()) if isinstance(count, int))
    if counts:
        lines += ["", f"Resources: {counts}."]
    lines += [
        "",
        f"To put the cluster back as the program says: `scripts/deploy {stage}`; to keep a live change,",
        "change the stage file and deploy it.",
    ]
    return "\n".join(lines) + "\n"


def redact(text: str, environ: Mapping[str, str]) -> str:
    """text with the value of every secret variable replaced by ***."""
    for name in SECRET_VARIABLES:
        value = environ.get(name, "")
        if len(value) >= 4:
            text = text.replace(value, "***")
    return text


def preview_command(stage: str) -> list[str]:
    """The Pulumi command line: refresh from the cluster, preview, fail on any change, JSON out."""
    return ["pulumi", "preview", "--stack", stage, "--refresh", "--expect-no-changes", "--json", "--non-interactive"]


def run_preview(stage: str, environ: Mapping[str, str]) -> subprocess.CompletedProcess[str]:
    """Run the preview in the repository (where Pulumi.yaml is), stdin closed so nothing prompts."""
    env = {name: value for name, value in environ.items() if name not in DROPPED_VARIABLES}
    return subprocess.run(
        preview_command(stage),
        cwd=REPOSITORY,
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        check=False,
    )


def main(argv: Sequence[str] | None = None, environ: Mapping[str, str] | None = None) -> int:
    """scripts/drift STAGE [--report FILE]: 0 no drift, 1 drift (report written), 2 could not compare."""
    parser = argparse.ArgumentParser(prog="drift", description=__doc__.splitlines()[0])
    parser.add_argument("stage", help="the stage, which is the stack's name (dev, staging, prod)")
    parser.add_argument("--report", type=Path, help="where the drift summary goes (default: drift-STAGE.md)")
    args = parser.parse_args(argv)
    environ = os.environ if environ is None else environ
    stage: str = args.stage
    report_path: Path = args.report or Path(f"drift-{stage}.md")

    def fail(errors: Sequence[str]) -> int:
        try:
            report_path.unlink(missing_ok=True)  # a report left from an earlier run would read as drift
        except OSError:
            pass  # there is none to remove where the path cannot be
        message = redact("\n  ".join(errors), environ)
        print(f"drift: could not compare {stage} with the cluster: {message}", file=sys.stderr)
        return 2

    try:
        result = run_preview(stage, environ)
    except FileNotFoundError:
        return fail(["the Pulumi CLI is not installed (https://www.pulumi.com/docs/install/)"])
    outcome = classify(result.returncode, result.stdout, result.stderr)
    if outcome.verdict == "error":
        return fail(outcome.errors)
    if outcome.verdict == "no-drift":
        report_path.unlink(missing_ok=True)
        print(f"no drift in {stage}")
        return 0
    text = redact(report(stage, outcome), environ)
    try:
        report_path.parent.mkdir(parents=True, exist_ok=True)
        report_path.write_text(text)
    except OSError as error:
        return fail([f"cannot write the report {report_path}: {error.strerror or error}"])
    print(text, end="")
    return 1


def entry() -> int:
    """main(), where an unexpected failure exits 2 (Python's own 1 would read as drift)."""
    try:
        return main()
    except Exception as error:  # whatever went wrong, it is not drift
        print(f"drift: could not compare: {type(error).__name__}: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(entry())
