"""pipeline check --manifests on YAML this repository did not write (tests/corpus/foreign).

The generic profile reads every object, names what it skipped and what it could not read,
judges with the rules that hold for any workload (no convention of this platform), points each
finding at its field's line, validates custom resources against the CRDs beside them, and keeps
every skip with its reason in every format.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import jsonschema
import pytest

from pipeline.cli import main
from policies.rules import GENERIC_RULES

CORPUS = Path(__file__).parents[1] / "corpus" / "foreign"
SKIPS = CORPUS.parent / "foreign-skips.yaml"

# (rule, resource, file:line of the field) of every finding the generic profile gives the corpus
EXPECTED = [
    ("pss-privileged", "Deployment shop/web", "shop.yaml:26"),
    ("pss-privilege-escalation", "CronJob shop/report", "legacy/cronjob.yaml:14"),
    ("pss-privilege-escalation", "Deployment shop/web", "shop.yaml:25"),
    ("pss-run-as-non-root", "CronJob shop/report", "legacy/cronjob.yaml:11"),
    ("pss-run-as-non-root", "Deployment shop/web", "shop.yaml:21"),
    ("pss-seccomp", "CronJob shop/report", "legacy/cronjob.yaml:11"),
    ("pss-seccomp", "Deployment shop/web", "shop.yaml:21"),
    ("pss-capabilities", "CronJob shop/report", "legacy/cronjob.yaml:14"),
    ("pss-capabilities", "Deployment shop/web", "shop.yaml:25"),
    ("pss-namespace-policy", "Namespace ingress-nginx", "ingress-nginx/deploy.yaml:7"),
    ("read-only-root-filesystem", "CronJob shop/report", "legacy/cronjob.yaml:14"),
    ("read-only-root-filesystem", "Deployment shop/web", "shop.yaml:25"),
    ("service-account-token", "CronJob shop/report", "legacy/cronjob.yaml:11"),
    ("service-account-token", "Deployment shop/web", "shop.yaml:21"),
    ("rbac-wildcards", "ClusterRole vendor-operator", "rbac/vendor-operator.yaml:7"),
    ("rbac-wildcards", "ClusterRole vendor-operator", "rbac/vendor-operator.yaml:8"),
    ("rbac-wildcards", "ClusterRole vendor-operator", "rbac/vendor-operator.yaml:9"),
    ("rbac-escalation-verbs", "ClusterRole vendor-operator", "rbac/vendor-operator.yaml:9"),
    ("rbac-cluster-admin", "ClusterRoleBinding vendor-operator-admin", "rbac/vendor-operator.yaml:18"),
    ("rbac-read-all-secrets", "ClusterRole ingress-nginx", "ingress-nginx/deploy.yaml:23"),
    ("rbac-privileged-token", "Deployment ingress-nginx/ingress-nginx-controller", "ingress-nginx/deploy.yaml:74"),
    ("image-tag", "Deployment shop/web", "shop.yaml:24"),
    *[("container-resources", "Deployment ingress-nginx/ingress-nginx-controller", "ingress-nginx/deploy.yaml:96")] * 2,
    *[("container-resources", "CronJob shop/report", "legacy/cronjob.yaml:14")] * 4,
    *[("container-resources", "Deployment shop/web", "shop.yaml:23")] * 4,
    ("default-deny", "Namespace ingress-nginx", "ingress-nginx/deploy.yaml:1"),
    ("default-deny", "Namespace shop", None),  # no Namespace object in the input to point at
    ("workload-network-policy", "Deployment ingress-nginx/ingress-nginx-controller", "ingress-nginx/deploy.yaml:72"),
    ("workload-network-policy", "Deployment shop/web", "shop.yaml:20"),
    ("liveness-probe", "Deployment shop/web", "shop.yaml:23"),
]
SUPPRESSED = [  # (rule, resource, reason, skipped by)
    (
        "read-only-root-filesystem",
        "Deployment ingress-nginx/ingress-nginx-controller",
        "nginx writes its configuration at run time",
        "annotation",
    ),
    ("workload-network-policy", "CronJob shop/report", "the legacy report job is retired next release", "skip file"),
    (
        "pdb-coverage",
        "Deployment ingress-nginx/ingress-nginx-controller",
        "the controller runs behind a cloud load balancer that drains it",
        "skip file",
    ),
]


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    assert "Traceback" not in err
    return code, out, err


def relative(location: dict | None) -> str | None:
    return None if location is None else f"{Path(location['file']).relative_to(CORPUS)}:{location['line']}"


@pytest.fixture(scope="module")
def report() -> dict:
    """The JSON report on the whole corpus with its skip file (exit code checked in its own test)."""
    import contextlib
    import io

    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(io.StringIO()):
        main(["check", "--manifests", str(CORPUS), "--skips", str(SKIPS), "--format", "json"])
    (stage,) = json.loads(out.getvalue())["stages"]
    return stage


def test_every_object_is_read_and_every_other_document_named(report):
    assert report["profile"] == "generic" and report["stage"] == "manifests"
    assert report["resources"] == 21  # broken.yaml's documents before and after the break included
    skipped = {(relative(s), s["reason"].split(":")[0]) for s in report["skipped"]}
    assert skipped == {
        ("config/app.yaml:1", "no apiVersion and no kind"),
        ("kustomization.yaml:1", "a kustomization (kustomize's build file), not a Kubernetes object"),
        ("values.yaml:2", "no apiVersion and no kind"),
    }
    problems = sorted((relative(p), p["message"]) for p in report["input_problems"])
    assert problems[0][0] == "broken.yaml:11" and "YAML syntax error" in problems[0][1]
    assert problems[1] == ("ingress-nginx/deploy.yaml:64", "skips 'image-tagg', which is no rule of the pack")


def test_the_findings_are_the_generic_ones_each_at_its_field(report):
    got = Counter((f["rule"], f["resource"], relative(f["location"])) for f in report["findings"])
    assert got == Counter(EXPECTED), (got - Counter(EXPECTED), Counter(EXPECTED) - got)
    assert {f["rule"] for f in report["findings"]} <= set(GENERIC_RULES)  # no convention of this platform
    assert all("stage file" not in f["remediation"] for f in report["findings"])


def test_skips_are_kept_with_their_reasons(report):
    got = [(s["rule"], s["resource"], s["reason"], s["skipped_by"]) for s in report["suppressed"]]
    assert sorted(got) == sorted(SUPPRESSED)


def test_custom_resources_are_validated_by_the_crds_beside_them(report):
    problems = {(p["resource"], p["path"]): p for p in report["schema_problems"]}
    assert problems[("Certificate shop/api-tls", "spec.duration")]["message"] == "2160 is not of type 'string'"
    assert relative(problems[("Certificate shop/api-tls", "spec.duration")]["location"]) == (
        "cert-manager/certificates.yaml:20"
    )
    assert "'name' is a required property" in problems[("Certificate shop/api-tls", "spec.issuerRef")]["message"]
    assert not [p for p in report["schema_problems"] if "shop-tls" in p["resource"] or "Selector" in p["resource"]]
    unvalidated = [p for p in report["schema_problems"] if p["not_validated"]]
    assert [p["resource"] for p in unvalidated] == ["VirtualService shop/reviews"]


def test_a_removed_api_and_a_duplicate_are_explained(report):
    problems = {(p["resource"], p["path"]): p for p in report["schema_problems"]}
    removed = problems[("CronJob shop/report", "apiVersion")]
    assert removed["message"] == "batch/v1beta1 CronJob was removed in Kubernetes 1.25: use batch/v1"
    twice = problems[("ConfigMap shop/shop-config", "metadata.name")]
    assert "defined twice" in twice["message"] and "shop-again.yaml:2" in twice["message"]
    assert relative(twice["location"]) == "shop.yaml:4"
    assert not [p for p in report["schema_problems"] if p["resource"].startswith("ClusterRole")]


def test_input_problems_make_the_exit_code_2_yet_the_report_is_whole(capsys):
    code, out, err = run(capsys, "check", "--manifests", str(CORPUS), "--format", "sarif")
    assert code == 2 and "2 input problems" in err
    sarif = json.loads(out)
    results = sarif["runs"][0]["results"]
    assert sum(r["ruleId"] == "input" and r["level"] == "error" for r in results) == 2
    assert sum(r["ruleId"] == "input" and r["level"] == "note" for r in results) == 3  # the skipped files
    suppressed = [r for r in results if r.get("suppressions")]
    assert [(r["ruleId"], r["suppressions"][0]["kind"]) for r in suppressed] == [
        ("read-only-root-filesystem", "inSource")
    ]
    privileged = next(r for r in results if r["ruleId"] == "pss-privileged")
    assert privileged["locations"][0]["physicalLocation"]["region"]["startLine"] == 26


def test_an_unvalidated_custom_resource_fails_only_when_strict(capsys):
    path = str(CORPUS / "istio")
    code, out, _ = run(capsys, "check", "--manifests", path)
    assert code == 0 and "1 not validated" in out and "unchecked  VirtualService shop/reviews" in out
    code, out, _ = run(capsys, "check", "--manifests", path, "--strict-schemas")
    assert code == 1 and "SCHEMA     VirtualService shop/reviews" in out


def test_the_sarif_log_is_valid(capsys):
    schema_path = Path(__import__("os").environ.get("SARIF_SCHEMA", ".venv/share/sarif-2.1.0.json"))
    if not schema_path.is_file():
        pytest.skip(f"no SARIF schema at {schema_path} (make .venv/share/sarif-2.1.0.json fetches it)")
    _, out, _ = run(capsys, "check", "--manifests", str(CORPUS), "--skips", str(SKIPS), "--format", "sarif")
    jsonschema.validate(json.loads(out), json.loads(schema_path.read_text()))


@pytest.mark.parametrize(
    "argv, message",
    [
        (["--profile", "platform"], "the platform profile judges --manifests by exactly one stage's policy config"),
        (["--stage", "prod", "--profile", "generic"], "the generic profile judges without a stage"),
    ],
)
def test_profile_and_stage_must_agree(capsys, argv, message):
    code, _, err = run(capsys, "check", "--manifests", str(CORPUS / "istio"), *argv)
    assert code == 2 and message in err


def test_manifest_options_without_manifests_are_refused(capsys):
    code, _, err = run(capsys, "check", "--strict-schemas")
    assert code == 2 and "--strict-schemas judges manifests a user brings: they need --manifests" in err


def test_a_schema_dir_validates_what_no_crd_beside_it_does(capsys, tmp_path):
    catalog = Path(__file__).parent / "crd_fixtures" / "catalog"
    code, out, _ = run(capsys, "check", "--manifests", str(CORPUS / "istio"), "--schema-dir", str(catalog))
    assert code == 0 and "not validated" not in out
    broken = tmp_path / "vs.yaml"
    broken.write_text((CORPUS / "istio" / "virtualservice.yaml").read_text().replace("hosts: [reviews]", "hosts: 3"))
    code, out, _ = run(capsys, "check", "--manifests", str(broken), "--schema-dir", str(catalog))
    assert code == 1 and "SCHEMA     VirtualService shop/reviews spec.hosts: 3 is not of type 'array'" in out


def test_the_pod_security_version_decides_a_control_that_changed(capsys, tmp_path):
    pod = tmp_path / "pod.yaml"
    pod.write_text(
        "apiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: x}\nspec:\n  securityContext:\n"
        "    sysctls: [{name: net.ipv4.tcp_keepalive_time, value: '1'}]\n  containers: [{name: a, image: 'a:1'}]\n"
    )
    _, before, _ = run(capsys, "check", "--manifests", str(pod), "--pod-security-version", "v1.28")
    _, after, _ = run(capsys, "check", "--manifests", str(pod), "--pod-security-version", "v1.29")
    assert "[pss-sysctls] Pod x/p spec.securityContext.sysctls" in before  # safe only from v1.29 on
    assert "pss-sysctls" not in after
    code, _, err = run(capsys, "check", "--manifests", str(pod), "--pod-security-version", "1.29")
    assert code == 2 and "'1.29' is no Pod Security version" in err


def test_the_text_and_markdown_reports_show_what_was_not_judged(capsys):
    _, text, _ = run(capsys, "check", "--manifests", str(CORPUS), "--skips", str(SKIPS))
    assert "; 2 unreadable, 3 not Kubernetes objects (skipped), 1 not validated, 3 findings skipped" in text
    assert "  skipped    [pdb-coverage] Deployment ingress-nginx/ingress-nginx-controller" in text
    assert "reason: the controller runs behind a cloud load balancer that drains it (skip file at " in text
    assert f"  not read   {CORPUS / 'values.yaml'}:2: no apiVersion and no kind" in text
    _, markdown, _ = run(capsys, "check", "--manifests", str(CORPUS), "--skips", str(SKIPS), "--format", "markdown")
    assert "| **input** | `input` |" in markdown and "| skipped | `pdb-coverage` |" in markdown
    assert "| not read |" in markdown and "| not validated | kubernetes-schema |" in markdown


def test_the_json_report_reads_back_unchanged(report):
    from pipeline.verdict import StageCheck

    assert StageCheck.from_dict(report).as_dict() == report
