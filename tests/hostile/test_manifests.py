"""Hostile and broken manifests given to `pipeline check --manifests` (and parts to `preview --merge`).

Each case runs the CLI's entry point and asserts the exit code (2: refused as bad input, with
file:line:column, key path and a hint; 1: judged, a schema problem naming resource and field),
where the message points, that no traceback is shown and, where a Secret is involved, that its
value is never printed. Bombs and oversized input must be refused within seconds.
"""

from __future__ import annotations

import base64
import io
import json
import subprocess
import sys
import time
from pathlib import Path

import pytest

from pipeline.cli import main
from tests.conftest import ENVIRONMENTS, REPOSITORY

HEAD = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c, namespace: shop}\n"
SECRET_VALUE = "tango-" + "4821-" + "quebec"  # built from pieces: nothing here looks like a credential


def deployment(replicas: str = "2", port: str = "8080", extra: str = "") -> str:
    return (
        "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web, namespace: shop}\n"
        f"spec:\n  replicas: {replicas}\n  selector: {{matchLabels: {{app: web}}}}\n"
        "  template:\n    metadata: {labels: {app: web}}\n    spec:\n      containers:\n"
        f"      - name: web\n        image: nginx:1.27\n        ports: [{{containerPort: {port}}}]\n{extra}"
    )


def check(capsys, tmp_path: Path, content: str | bytes, name: str = "in.yaml") -> tuple[int, str, str, str]:
    path = tmp_path / name
    path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    code = main(["check", "--environments", str(ENVIRONMENTS), "--manifests", str(path), "--stage", "prod"])
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err and "internal error" not in err
    return code, out, err, str(path)


def schema_lines(out: str) -> list[str]:
    return [line.strip() for line in out.splitlines() if line.lstrip().startswith("SCHEMA")]


# --- 1. duplicate keys -------------------------------------------------------------------------


def test_a_duplicate_key_hiding_a_privileged_security_context_is_refused(capsys, tmp_path):
    extra = (
        "        securityContext: {privileged: true}\n"
        "        resources: {limits: {cpu: 100m}}\n"
        "        securityContext: {privileged: false, runAsNonRoot: true}\n"
    )
    code, out, err, path = check(capsys, tmp_path, deployment(extra=extra))
    assert (code, out) == (2, "")
    assert (
        f"{path}:16:9: spec.template.spec.containers[0].securityContext: duplicate key 'securityContext': "
        "already defined at line 14, column 9"
    ) in err
    assert "hint: remove one of the two" in err


def test_a_duplicate_key_in_a_list_document_names_the_item(capsys, tmp_path):
    text = f"apiVersion: v1\nkind: List\nitems:\n- {HEAD[:-1].replace(chr(10), chr(10) + '  ')}\n  data:\n    a: x\n    a: y\n"
    code, _, err, path = check(capsys, tmp_path, text)
    assert code == 2
    assert f"{path}:9:5: items[0].data.a: duplicate key 'a': already defined at line 8, column 5" in err


# --- 2. aliases ---------------------------------------------------------------------------------


def test_a_billion_laughs_is_refused_within_seconds_and_bounded_memory(tmp_path):
    lines = ['  a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    lines += [f"  {c}: &{c} [" + ",".join([f"*{p}"] * 9) + "]" for p, c in zip("abcdefgh", "bcdefghi", strict=True)]
    path = tmp_path / "lol.yaml"
    path.write_text(HEAD + "data:\n" + "\n".join(lines) + "\n")
    started = time.monotonic()
    result = subprocess.run(
        [sys.executable, "-m", "pipeline.cli", "check", "--environments", str(ENVIRONMENTS)]
        + ["--manifests", str(path), "--stage", "prod"],
        capture_output=True,
        text=True,
        cwd=REPOSITORY,
        preexec_fn=_limit_memory,
        timeout=60,
        check=False,
    )
    assert time.monotonic() - started < 20
    assert result.returncode == 2, result.stderr
    assert f"{path}:9:" in result.stderr and "data.f[" in result.stderr
    assert "refused as an alias bomb ('billion laughs')" in result.stderr
    assert "Traceback" not in result.stderr


def _limit_memory() -> None:
    import resource

    resource.setrlimit(resource.RLIMIT_AS, (2 * 2**30, 2 * 2**30))  # the bomb would need tens of GB


def test_a_long_string_aliased_thousands_of_times_is_refused(capsys, tmp_path):
    text = HEAD + f"data:\n  a: &s {'x' * 100_000}\n  b: [" + ", ".join(["*s"] * 2000) + "]\n"
    code, _, err, path = check(capsys, tmp_path, text)
    assert code == 2
    assert f"{path}:6:6: data.b: YAML aliases (*name) expand the input by more than 1000000" in err
    assert "refused as an alias bomb" in err and "x" * 100 not in err


def test_a_recursive_alias_is_refused(capsys, tmp_path):
    code, _, err, path = check(capsys, tmp_path, HEAD + "data: &d {a: *d}\n")
    assert code == 2
    assert f"{path}:4:7: data.a: a recursive YAML alias" in err  # the position of the anchored mapping


def test_modest_anchors_aliases_and_merge_keys_as_helm_writes_them_are_read(capsys, tmp_path):
    text = (
        "apiVersion: apps/v1\nkind: Deployment\n"
        "metadata: {name: web, namespace: shop, labels: &labels {app: web, tier: front}}\n"
        "spec:\n  replicas: 2\n  selector: {matchLabels: *labels}\n"
        "  template:\n    metadata: {labels: *labels}\n    spec:\n      containers:\n"
        "      - &web {name: web, image: 'nginx:1.27', env: &env [{name: A, value: '1'}]}\n"
        "      - <<: *web\n        name: sidecar\n        env: *env\n"
    )
    code, out, err, _ = check(capsys, tmp_path, text)
    assert code == 1 and err == ""  # judged (policy findings), not refused
    assert "FAIL prod: 1 resources, schema ok" in out


# --- 3. tags ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value, column, message",
    [
        (
            '!!python/object/apply:os.system ["id"]',
            7,
            "unsupported YAML tag '!!python/object/apply:os.system' on a list",
        ),
        ("!Ref {a: b}", 7, "unsupported YAML tag '!Ref' on a mapping"),
        ("!!set {a, b}", 7, "unsupported YAML tag '!!set' on a mapping"),
        ("!!omap [a: 1]", 7, "unsupported YAML tag '!!omap' on a list"),
        ("{a: !foo bar}", 11, "unsupported YAML tag '!foo'"),
        ("{a: !!binary aGVsbG8=}", 11, "unsupported YAML tag '!!binary'"),
    ],
    ids=["python-apply", "ref", "set", "omap", "local-scalar", "binary"],
)
def test_tags_beyond_plain_data_are_refused_where_they_are(capsys, tmp_path, value, column, message):
    code, _, err, path = check(capsys, tmp_path, HEAD + f"data: {value}\n")
    assert code == 2
    key = "data.a" if column == 11 else "data"
    assert f"{path}:4:{column}: {key}: {message}" in err
    assert "hint: " in err


# --- 4. nesting ---------------------------------------------------------------------------------


@pytest.mark.parametrize("depth", [101, 900, 5000])
def test_deep_yaml_is_refused_with_its_position(capsys, tmp_path, depth):
    code, out, err, path = check(capsys, tmp_path, HEAD + "data: " + "[" * depth + "]" * depth + "\n")
    assert (code, out) == (2, "")
    assert f"{path}:4:" in err and "nested deeper than 100 levels of mappings and lists" in err


def test_deep_json_is_refused_with_its_position(capsys, tmp_path):
    body = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}, "data": {"a": "X"}}
    text = json.dumps(body).replace('"X"', "[" * 900 + "]" * 900)
    code, _, err, path = check(capsys, tmp_path, text, "in.json")
    assert code == 2
    assert f"{path}:1:" in err and ": data.a[0][0]" in err and "nested deeper than 100 levels" in err


def test_a_custom_resource_definition_nested_to_the_limit_is_judged(capsys, tmp_path):
    schema: dict = {"type": "string"}
    for _ in range(44):  # two levels each: properties, then the property
        schema = {"type": "object", "properties": {"x": schema}}
    crd = {
        "apiVersion": "apiextensions.k8s.io/v1",
        "kind": "CustomResourceDefinition",
        "metadata": {"name": "widgets.example.com"},
        "spec": {
            "group": "example.com",
            "scope": "Namespaced",
            "names": {"plural": "widgets", "kind": "Widget"},
            "versions": [{"name": "v1", "served": True, "storage": True, "schema": {"openAPIV3Schema": schema}}],
        },
    }
    code, out, _, _ = check(capsys, tmp_path, json.dumps(crd), "crd.json")
    assert code == 0, out
    assert "PASS prod: 1 resources, schema ok" in out


# --- 5. sizes -----------------------------------------------------------------------------------


def test_a_50_mb_file_is_refused_within_seconds(capsys, tmp_path):
    path = tmp_path / "big.yaml"
    with open(path, "wb") as file:
        file.truncate(50_000_000)
    started = time.monotonic()
    code = main(["check", "--environments", str(ENVIRONMENTS), "--manifests", str(path), "--stage", "prod"])
    _, err = capsys.readouterr()
    assert time.monotonic() - started < 5
    assert code == 2
    assert f"{path}: 50000000 bytes, more than the 16777216 bytes read here" in err
    assert "at most 16 MiB are read in all" in err


def test_a_50_mb_stream_on_stdin_is_refused_after_reading_the_limit(capsys, monkeypatch):
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(b"# x\n" * 12_500_000)))
    started = time.monotonic()
    code = main(["check", "--environments", str(ENVIRONMENTS), "--manifests", "-", "--stage", "prod"])
    _, err = capsys.readouterr()
    assert time.monotonic() - started < 5
    assert code == 2 and "<stdin>: more than the 16777216 bytes read here" in err


def test_an_object_over_the_api_servers_request_limit_is_refused(capsys, tmp_path):
    entries = "".join(f"  k{i}: {'v' * 1000}\n" for i in range(3300))
    code, _, err, path = check(capsys, tmp_path, HEAD + "data:\n" + entries)
    assert code == 2
    assert f"{path}:1:1: an object of " in err and "at most 3 MiB (3145728 bytes)" in err


def test_a_string_over_the_limit_is_refused_without_showing_it(capsys, tmp_path):
    text = (
        "apiVersion: v1\nkind: Secret\nmetadata: {name: s, namespace: shop}\n"
        f"stringData:\n  token: {SECRET_VALUE * 200_000}\n"
    )
    code, out, err, path = check(capsys, tmp_path, text)
    assert code == 2
    assert f"{path}:5:10: stringData.token: a string of {len(SECRET_VALUE) * 200_000} characters" in err
    assert SECRET_VALUE not in out + err


# --- numbers no JSON holds ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "value, message",
    [
        (".nan", "'.nan' is not a finite number"),
        ("-.inf", "'-.inf' is not a finite number"),
        ("1e400", "'1e400' is not a finite number"),
        ("9" * 5000, "integers of more than 4300 digits are not read"),
        (str(10**400), "a number beyond float64's range"),
    ],
    ids=["nan", "inf", "float-overflow", "digits", "beyond-float64"],
)
def test_numbers_no_json_holds_are_refused(capsys, tmp_path, value, message):
    code, _, err, path = check(capsys, tmp_path, deployment(replicas=value))
    assert code == 2
    assert f"{path}:5:13: spec.replicas: {message}" in err


# --- 6. Kubernetes' own limits in the schema check ------------------------------------------------


@pytest.mark.parametrize(
    "replicas, port, problems",
    [
        ("2.0", "8080", ["spec.replicas: 2.0 is a float, and this field holds an integer: write 2"]),
        ("2", "8080.0", ["containerPort: 8080.0 is a float, and this field holds an integer: write 8080"]),
        ("2", "1e30", ["containerPort: 1e+30 is a float, and this field holds an integer"]),
        ("1.0e+308", "8080", ["spec.replicas: 1e+308 is a float, and this field holds an integer"]),
        ("2147483648", "8080", ["spec.replicas: 2147483648 is out of range for an int32 field"]),
        ("-2147483649", "8080", ["spec.replicas: -2147483649 is out of range for an int32 field"]),
        ("2", str(2**70), [f"containerPort: {2**70} is out of range for an int32 field"]),
    ],
    ids=["replicas-float", "port-float", "port-1e30", "replicas-1e308", "int32-over", "int32-under", "huge-int"],
)
def test_integer_fields_hold_integers_in_range(capsys, tmp_path, replicas, port, problems):
    code, out, _, _ = check(capsys, tmp_path, deployment(replicas, port))
    assert code == 1
    lines = schema_lines(out)
    for problem in problems:
        assert any(line.startswith("SCHEMA     Deployment shop/web ") and problem in line for line in lines), lines


def test_an_int64_field_holds_int64(capsys, tmp_path):
    extra = f"      activeDeadlineSeconds: {2**63}\n"
    text = deployment().replace("    spec:\n      containers:", "    spec:\n" + extra + "      containers:")
    code, out, _, _ = check(capsys, tmp_path, text)
    assert code == 1
    assert any(
        f"spec.template.spec.activeDeadlineSeconds: {2**63} is out of range for an int64 field" in line
        for line in schema_lines(out)
    )


def test_a_configmap_over_one_mebibyte_fails(capsys, tmp_path):
    code, out, _, path = check(capsys, tmp_path, HEAD + f"data:\n  a: {'x' * 600_000}\n  b: {'y' * 448_577}\n")
    assert code == 1
    assert schema_lines(out) == [
        "SCHEMA     ConfigMap shop/c data: 1048577 bytes of data in all: a ConfigMap holds at most 1048576 bytes "
        "(1 MiB), the API server refuses more"
    ]
    assert f"at {path}:4:1" in out  # the data: line


def test_a_secret_over_one_mebibyte_fails_without_showing_its_value(capsys, tmp_path):
    value = base64.b64encode((SECRET_VALUE * 55_000).encode()).decode()
    text = f"apiVersion: v1\nkind: Secret\nmetadata: {{name: s, namespace: shop}}\ndata:\n  a: {value}\n"
    text += f"stringData:\n  b: {SECRET_VALUE * 10_000}\n  c: 12345\n"  # 935000 + 170000 bytes
    code, out, err, _ = check(capsys, tmp_path, text)
    assert code == 1
    lines = schema_lines(out)
    assert lines[-1] == (
        "SCHEMA     Secret shop/s data: 1105000 bytes of data in all: a Secret holds at most 1048576 bytes (1 MiB), "
        "the API server refuses more"
    )
    assert "SCHEMA     Secret shop/s stringData.c: the value is not of type 'string', 'null'" in lines
    assert SECRET_VALUE not in out + err and value[:40] not in out + err and "12345" not in out + err


@pytest.mark.parametrize(
    "text, problem",
    [
        (
            deployment().replace("name: web, namespace: shop", "name: Web_1, namespace: shop"),
            "Deployment shop/Web_1 metadata.name: 'Web_1' is not a valid Deployment name: a DNS-1123 subdomain",
        ),
        (
            "apiVersion: v1\nkind: Service\nmetadata: {name: 1web, namespace: shop}\nspec: {ports: [{port: 80}]}\n",
            "Service shop/1web metadata.name: '1web' is not a valid Service name: a DNS-1035 label",
        ),
        (
            HEAD.replace("namespace: shop", "namespace: Shop.Front"),
            "ConfigMap Shop.Front/c metadata.namespace: 'Shop.Front' is not a valid namespace: a DNS-1123 label",
        ),
        (
            HEAD.replace("namespace: shop", "namespace: shop, labels: {'-bad': ok}"),
            "ConfigMap shop/c metadata.labels.-bad: '-bad' is not a valid label key",
        ),
        (
            HEAD.replace("namespace: shop", "namespace: shop, labels: {app: " + "v" * 64 + "}"),
            "ConfigMap shop/c metadata.labels.app: '" + "v" * 64 + "' is not a valid label value",
        ),
        (
            "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata: {name: 'a/b'}\n",
            "ClusterRole a/b metadata.name: 'a/b' is not a valid ClusterRole name: a path segment",
        ),
    ],
    ids=["deployment-name", "service-name", "namespace", "label-key", "label-value", "rbac-name"],
)
def test_names_and_labels_follow_kubernetes_rules(capsys, tmp_path, text, problem):
    code, out, _, _ = check(capsys, tmp_path, text)
    assert code == 1
    assert any(line.startswith(f"SCHEMA     {problem}") for line in schema_lines(out)), schema_lines(out)


def test_a_system_cluster_role_name_is_valid(capsys, tmp_path):
    text = "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata: {name: 'system:aggregate-to-view'}\n"
    code, out, _, _ = check(capsys, tmp_path, text)
    assert schema_lines(out) == [] and code in (0, 1)


def test_two_objects_with_one_identity_name_both_places(capsys, tmp_path):
    later = HEAD.replace("apiVersion: v1", "apiVersion: v1") + "data: {a: '2'}\n"
    code, out, _, path = check(capsys, tmp_path, HEAD + "data: {a: '1'}\n---\n" + later)
    assert code == 1
    assert schema_lines(out) == [
        f"SCHEMA     ConfigMap shop/c metadata.name: defined twice: the same object as the v1 ConfigMap at {path}:1:1; "
        "one object per API group, kind, namespace and name (applied, this later copy replaces the earlier, and it "
        "is the one judged)"
    ]
    assert f"at {path}:8:" in out  # the later copy's metadata.name


def test_one_identity_across_api_versions_of_a_group(capsys, tmp_path):
    hpa = "kind: HorizontalPodAutoscaler\nmetadata: {name: h, namespace: shop}\nspec: {scaleTargetRef: {kind: Deployment, name: web}, maxReplicas: 2}\n"
    code, out, _, _ = check(
        capsys, tmp_path, f"apiVersion: autoscaling/v2\n{hpa}---\napiVersion: autoscaling/v1\n{hpa}"
    )
    assert code == 1
    assert any("the same object as the autoscaling/v2 HorizontalPodAutoscaler" in line for line in schema_lines(out))


# --- 7. what reaches the terminal is escaped ----------------------------------------------------


def test_a_name_with_an_escape_sequence_and_a_newline_cannot_forge_a_pass_line(capsys, tmp_path):
    text = HEAD.replace("name: c,", 'name: "c\\e[2K\\rPASS prod: 0 resources\\nx",')
    code, out, _, _ = check(capsys, tmp_path, text)
    assert code == 1
    assert "\x1b" not in out and "\r" not in out
    assert [line for line in out.splitlines() if line.startswith("PASS")] == []
    assert "ConfigMap shop/c\\x1b[2K\\rPASS prod: 0 resources\\nx metadata.name:" in out
    assert "holds a control character ('\\x1b'): no name may" in out


def test_a_bidi_override_in_a_label_is_shown_escaped(capsys, tmp_path):
    code, out, _, _ = check(
        capsys, tmp_path, HEAD.replace("namespace: shop", 'namespace: shop, labels: {app: "a\u202eb"}')
    )
    assert code == 1
    assert "\u202e" not in out and "a\\u202eb" in out


# --- 8. every other broken input: exit 2, located ------------------------------------------------


@pytest.mark.parametrize(
    "content, message",
    [
        (b"apiVersion: v1\nkind: ConfigMap\nmetadata: {name: \xe9}\n", ":3:18: not UTF-8 text: byte 0xe9"),
        (HEAD.encode("utf-32"), ":1:1: UTF-32 text is not read"),
        (HEAD.encode() + b"data: {a: \x00}\n", ":4:11: a character YAML does not allow: '\\x00' (control characters"),
        (
            HEAD.encode() + b"data: {? [a, b]\n: c}\n",
            ":4:10: data: a mapping key must be a string, not a mapping or list",
        ),
        (HEAD.encode() + b"data: {~: c}\n", ":4:8: data: a mapping key must be a string, not null"),
        (
            b"apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c, namespace: [a]}\n",
            ":3:21: metadata.namespace: must be",  # at the field
        ),
        (
            b"apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c, labels: 7}\n",
            ":3:21: metadata.labels: must be a mapping",
        ),
        (b"apiVersion: 1\nkind: ConfigMap\nmetadata: {name: c}\n", ":1:1: apiVersion: must be a string, not a number"),
        (
            HEAD.encode() + b"data: {<<: [1]}\n",
            ":4:12: data.<<: a merge key (<<) takes a mapping or a list of mappings",
        ),
        (HEAD.encode() + b"data: *nowhere\n", ":4:7: YAML syntax error: found undefined alias"),
    ],
    ids=[
        "latin-1",
        "utf-32",
        "nul",
        "complex-key",
        "null-key",
        "namespace-list",
        "labels-int",
        "api-int",
        "merge",
        "alias",
    ],
)
def test_broken_input_is_bad_input_with_its_position(capsys, tmp_path, content, message):
    code, out, err, path = check(capsys, tmp_path, content)
    assert (code, out) == (2, "")
    assert f"{path}{message}" in err


def test_utf16_with_a_byte_order_mark_is_read_as_kubectl_reads_it(capsys, tmp_path):
    code, out, _, _ = check(capsys, tmp_path, (HEAD + "data: {a: 'ü'}\n").encode("utf-16"))
    assert code == 0 and "PASS prod: 1 resources, schema ok" in out


def test_dates_base_60_and_exponents_read_as_kubectl_reads_them(capsys, tmp_path):
    code, out, _, _ = check(capsys, tmp_path, HEAD + "data: {day: 2026-11-24, time: 10:30}\n")
    assert code == 0, out  # strings, as go-yaml reads them (PyYAML: a date, and the number 630)
    code, out, _, _ = check(capsys, tmp_path, HEAD + "data: {n: 1e3}\n")
    assert code == 1 and "data.n: 1000.0 is not of type 'string', 'null'" in out


def test_many_problems_in_one_file_are_cut_short(capsys, tmp_path):
    text = "".join(f"---\n{HEAD}data: {{a: x, a: y}}\n" for _ in range(200))
    code, _, err, path = check(capsys, tmp_path, text)
    assert code == 2
    assert err.count("duplicate key 'a'") == 50
    assert f"{path}:250:14: 50 problems: stopped reading the file here" in err


# --- preview --merge reads its parts within limits -------------------------------------------------


def merge(capsys, *paths: Path) -> tuple[int, str]:
    code = main(["preview", "--environments", str(ENVIRONMENTS), "--merge", *map(str, paths)])
    out, err = capsys.readouterr()
    assert out == "" and "Traceback" not in err and "internal error" not in err
    return code, err


@pytest.mark.parametrize("depth", [101, 900, 100_000])
def test_a_deep_part_is_refused_with_its_position(capsys, tmp_path, depth):
    part = tmp_path / "part.json"
    part.write_text('{"base": "main",\n "stages": ' + "[" * depth + "]" * depth + "}")
    code, err = merge(capsys, part)
    assert code == 2
    assert f"{part}: nested deeper than 100 levels at line 2, column 111" in err


@pytest.mark.parametrize(
    "text, reason",
    [
        ('{"base": NaN}', "not JSON (NaN is not a JSON number)"),
        ('{"base": ' + "7" * 5000 + "}", "not JSON (a number of more than 4300 digits)"),
        ('{"base": 1', "not JSON (Expecting ',' delimiter at line 1, column 11)"),
    ],
    ids=["nan", "digits", "cut"],
)
def test_a_part_no_json_reader_takes_is_refused(capsys, tmp_path, text, reason):
    part = tmp_path / "part.json"
    part.write_text(text)
    code, err = merge(capsys, part)
    assert code == 2 and f"{part}: {reason}" in err


def test_an_oversized_part_is_refused_within_seconds(capsys, tmp_path):
    part = tmp_path / "part.json"
    with open(part, "wb") as file:
        file.truncate(100_000_000)
    started = time.monotonic()
    code, err = merge(capsys, part)
    assert time.monotonic() - started < 5
    assert code == 2 and f"{part}: 100000000 bytes, more than the 67108864 bytes read here" in err


def test_a_part_of_the_wrong_shape_is_refused_naming_the_key(capsys, tmp_path):
    part = tmp_path / "part.json"
    change = {"group": "apps", "kind": "Deployment", "namespace": "n", "name": "d", "rollout": "update"}
    change |= {"risks": [], "reasons": [], "changes": [{"path": "spec.replicas", "old": 1, "new": "2"}]}
    stage = {"stage": ["dev"], "unchanged": 1, "changes": [change]}
    part.write_text(json.dumps({"base": "main", "head": "pr", "stages": [stage]}))
    code, err = merge(capsys, part)
    assert code == 2
    assert f"{part}: not a preview written by `pipeline preview --json` (stages[0].stage: ['dev'] is not of type" in err
    assert "(stages[0].changes[0].changes[0].old: 1 is not of type 'string', 'null')" in err


def test_a_well_formed_part_merges(capsys, tmp_path):
    part = tmp_path / "part.json"
    part.write_text(
        json.dumps({"base": "main", "head": "pr", "stages": [{"stage": "dev", "unchanged": 3, "changes": []}]})
    )
    code = main(["preview", "--environments", str(ENVIRONMENTS), "--merge", str(part), "--format", "text"])
    out, err = capsys.readouterr()
    assert (code, err) == (0, "")
    assert "== dev: no changes, 3 unchanged" in out


def test_a_blocked_parts_names_reach_the_terminal_escaped(capsys, tmp_path):
    part = tmp_path / "part.json"
    change = {"group": "apps", "kind": "Deployment", "namespace": "n", "name": "d\x1b[2K\rOK", "rollout": "delete"}
    change |= {"risks": [], "reasons": [], "changes": []}
    stage = {"stage": "prod", "unchanged": 0, "changes": [change]}
    part.write_text(json.dumps({"base": "main", "head": "pr", "protected": "prod", "stages": [stage]}))
    code = main(["preview", "--environments", str(ENVIRONMENTS), "--merge", str(part), "--format", "text"])
    out, err = capsys.readouterr()
    assert code == 1
    assert "\x1b" not in out + err and "\r" not in out + err
    assert "blocked: prod: 1 replacement or deletion (Deployment n/d\\x1b[2K\\rOK)" in err
