"""The schemas of custom resources a run knows: the CRDs among the input manifests, and those of
`--schema-dir` folders (SchemaSet.from_manifests); pipeline.kube_schema validates against them.

A CRD (apiextensions.k8s.io/v1) gives one validator per served version, for
`<spec.group>/<version> <spec.names.kind>`, built once per run from that version's
openAPIV3Schema (pipeline.crd_structural says how it is read) and compiled to a predicate on
first use (pipeline.kube_schema_compiler). A CRD whose schema the API server would refuse is a
problem on that CRD, and its custom resources are reported as not validated.

A --schema-dir folder holds, anywhere below it:
- schemas in the community catalogs' layout (datreeio/CRDs-catalog, read by kubeconform as
  `{{.Group}}/{{.ResourceKind}}_{{.ResourceAPIVersion}}.json`): `<group>/<kind in lower case>_
  <version>.json`, one version's openAPIV3Schema converted to JSON Schema. Only the files of
  kinds among the manifests are read, so a whole catalog can be pointed at;
- YAML or JSON files holding CustomResourceDefinition objects (a Helm chart's crds/ folder);
  files that mention no CustomResourceDefinition are skipped (listed in `skipped`).
A file that cannot be read, or a schema or CRD the API server would refuse, is an InputError
(exit 2) naming the file and, where it can, the line. The input's CRDs take precedence over the
folders', the folders' CRDs over catalog files, an earlier folder over a later one.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jsonschema

from kube.identity import ResourceId, resource_id, split_api_version
from kube.workloads import title
from model.errors import InputError, Problem
from pipeline import schema_files
from pipeline.crd_rules import Issue, dotted
from pipeline.crd_structural import structural_schema
from pipeline.kube_definitions import is_builtin_group, registry
from pipeline.kube_integers import StrictValidator
from pipeline.kube_schema_compiler import Check, compile_validator
from pipeline.re2_match import pattern_keyword
from pipeline.schema_problem import SchemaProblem

CrdValidator = jsonschema.validators.extend(StrictValidator, validators={"pattern": pattern_keyword})
CRD_API_VERSION = "apiextensions.k8s.io/v1"
MAX_ISSUES = 20  # per CRD version: a hostile schema does not flood the report
_CATALOG_HINT = "a catalog file holds one version's openAPIV3Schema as JSON Schema: <group>/<kind>_<version>.json"


@dataclass
class KnownSchema:
    """What a SchemaSet knows of one apiVersion and kind: a validator, or why there is none."""

    source: str
    validator: jsonschema.Validator | None = None
    message: str = ""  # without a validator: the problem to report
    not_validated: bool = False  # the message says "not validated" rather than "wrong"
    _fast: Check | None = field(default=None, repr=False)
    _compiled: bool = field(default=False, repr=False)

    def fast(self) -> Check | None:
        """The validator compiled to a predicate (once), or None when it does not compile."""
        if not self._compiled:
            self._fast = compile_validator(self.validator) if self.validator is not None else None
            self._compiled = True
        return self._fast


class SchemaSet:
    """Custom resource schemas by (apiVersion, kind), and the problems of the CRDs they came from."""

    def __init__(self) -> None:
        self.known: dict[tuple[str, str], KnownSchema] = {}
        self.versions: dict[tuple[str, str], list[str]] = {}  # (group, kind) -> versions a CRD defines
        self.crd_problems: dict[ResourceId, list[SchemaProblem]] = {}
        self.catalog: dict[tuple[str, str, str], Path] = {}  # (group, kind lower, version) -> file
        self.skipped: list[str] = []  # --schema-dir files that hold no CRD

    @classmethod
    def from_manifests(cls, manifests: Iterable[Mapping[str, Any]], schema_dirs: Iterable[Path] = ()) -> SchemaSet:
        """The schemas of the manifests' CRDs and of the folders' CRDs and catalog files; InputError for a bad file."""
        manifests = list(manifests)
        schemas = cls()
        for manifest in manifests:
            if _is_removed_crd(manifest):
                schemas.add_removed_crd(manifest)
            elif _is_crd(manifest):
                rid = _rid(manifest)
                issues = schemas.add_crd(manifest, f"CustomResourceDefinition {_name(manifest)}")
                if rid is not None and issues:
                    found = [SchemaProblem(title(manifest), rid, dotted(i.path), i.message) for i in issues]
                    schemas.crd_problems.setdefault(rid, found)
        problems: list[Problem] = []
        for folder in schema_dirs:
            problems += schema_files.scan(schemas, Path(folder))
        for manifest in manifests:
            api_version, kind = manifest.get("apiVersion"), manifest.get("kind")
            if isinstance(api_version, str) and isinstance(kind, str) and not is_builtin_group(api_version):
                problems += schemas.load_catalog(api_version, kind)
        if problems:
            raise InputError(problems)
        return schemas

    def add_crd(self, crd: Mapping[str, Any], source: str) -> list[Issue]:
        """Each served version of a CRD as a schema (a kind's first wins); what is wrong in its schemas."""
        spec = crd.get("spec")
        names = spec.get("names") if isinstance(spec, Mapping) else None
        versions = spec.get("versions") if isinstance(spec, Mapping) else None
        group = spec.get("group") if isinstance(spec, Mapping) else None
        kind = names.get("kind") if isinstance(names, Mapping) else None
        if not isinstance(group, str) or not isinstance(kind, str) or not isinstance(versions, list):
            return []  # the CustomResourceDefinition's own schema check says what is missing
        out: list[Issue] = []
        for index, version in enumerate(versions):
            name = version.get("name") if isinstance(version, Mapping) else None
            if not isinstance(name, str):
                continue
            key = (f"{group}/{name}", kind)
            self.versions.setdefault((group, kind), []).append(name)
            if version.get("served") is not True:
                self.known.setdefault(
                    key, KnownSchema(source, message=f"{source} does not serve {name} (served: false)")
                )
                continue
            schema = version.get("schema")
            schema = schema.get("openAPIV3Schema") if isinstance(schema, Mapping) else None
            where = ("spec", "versions", index, "schema", "openAPIV3Schema")
            if schema is None:
                issues = [Issue((), "missing: apiextensions.k8s.io/v1 needs a schema for every version")]
                translated = None
            else:
                translated, issues = structural_schema(schema)
            out += [Issue(where + i.path, i.message) for i in _capped(issues)]
            self.known.setdefault(key, self._known(translated, source, f"{name} of {source}"))
        return out

    def add_removed_crd(self, crd: Mapping[str, Any]) -> None:
        """The kinds of an apiextensions.k8s.io/v1beta1 CRD: not validated, as Kubernetes no longer serves it."""
        spec = crd.get("spec") if isinstance(crd.get("spec"), Mapping) else {}
        names = spec.get("names") if isinstance(spec.get("names"), Mapping) else {}
        listed = spec.get("versions") if isinstance(spec.get("versions"), list) else []
        versions = [v.get("name") for v in listed if isinstance(v, Mapping)] + [spec.get("version")]
        group, kind = spec.get("group"), names.get("kind")
        message = (
            f"not validated: its CustomResourceDefinition {_name(crd)} is {crd.get('apiVersion')}, "
            "which Kubernetes 1.22 stopped serving (reported on it)"
        )
        for version in versions:
            if isinstance(group, str) and isinstance(kind, str) and isinstance(version, str):
                self.known.setdefault(
                    (f"{group}/{version}", kind), KnownSchema(_name(crd), message=message, not_validated=True)
                )

    @staticmethod
    def _known(translated: dict[str, Any] | None, source: str, what: str) -> KnownSchema:
        if translated is None:
            message = f"not validated: the schema of {what} is invalid (the problems are reported on it)"
            return KnownSchema(source, message=message, not_validated=True)
        return KnownSchema(source, CrdValidator(translated, registry=registry()))

    def load_catalog(self, api_version: str, kind: str) -> list[Problem]:
        """Read the catalog file of a kind, if there is one; the problems of the file."""
        group, version = split_api_version(api_version)
        path = self.catalog.get((group, kind.lower(), version))
        if path is None or (api_version, kind) in self.known:
            return []
        try:
            data = schema_files.read_catalog(path)
        except InputError as error:
            self.known[(api_version, kind)] = KnownSchema(str(path), message=f"{path} cannot be read")
            return list(error.problems)
        translated, issues = structural_schema(data, catalog=True)
        self.known[(api_version, kind)] = self._known(translated, str(path), str(path))
        return [schema_files.problem(path, i.path, i.message, _CATALOG_HINT) for i in _capped(issues)]

    def lookup(self, api_version: str, kind: str) -> KnownSchema | None:
        """The schema of a kind, or None; a CRD that defines the kind but not this version says so."""
        known = self.known.get((api_version, kind))
        if known is None and self.catalog and not is_builtin_group(api_version):
            problems = self.load_catalog(api_version, kind)  # a kind the SchemaSet was not built for
            known = self.known.get((api_version, kind))
            if problems and known is not None:
                known.message = f"{known.message}: {problems[0].message}"
        if known is not None:
            return known
        group, version = split_api_version(api_version)
        defined = self.versions.get((group, kind))
        if defined:
            return KnownSchema(
                "", message=f"no version {version} of {group} {kind}: its CRD defines {', '.join(defined)}"
            )
        return None

    def problems_of(self, manifest: Mapping[str, Any]) -> list[SchemaProblem]:
        """The problems of a CRD's schemas, when manifest is one of the input's CRDs."""
        if not _is_crd(manifest):
            return []
        rid = _rid(manifest)
        return list(self.crd_problems.get(rid, ())) if rid is not None else []


def _capped(issues: list[Issue]) -> list[Issue]:
    if len(issues) <= MAX_ISSUES:
        return issues
    return [*issues[:MAX_ISSUES], Issue((), f"and {len(issues) - MAX_ISSUES} more problems in this schema")]


def _is_removed_crd(manifest: Mapping[str, Any]) -> bool:
    return (
        manifest.get("apiVersion") == "apiextensions.k8s.io/v1beta1"
        and manifest.get("kind") == "CustomResourceDefinition"
    )


def _is_crd(manifest: Mapping[str, Any]) -> bool:
    return manifest.get("apiVersion") == CRD_API_VERSION and manifest.get("kind") == "CustomResourceDefinition"


def _rid(manifest: Mapping[str, Any]) -> ResourceId | None:
    try:
        rid = resource_id(manifest)
        hash(rid)  # a name that is a list or a mapping: no identity to key by
        return rid
    except (KeyError, TypeError, AttributeError):
        return None


def _name(manifest: Mapping[str, Any]) -> str:
    metadata = manifest.get("metadata")
    return str(metadata.get("name", "?")) if isinstance(metadata, Mapping) else "?"
