"""Build the CrossGuard policy pack as a folder that works on its own: `make policy-pack`.

policies/ runs only inside this repository (PulumiPolicy.yaml uses ../.venv, __main__.py puts the
repository on sys.path), but `pulumi policy publish` archives the pack's folder alone. This writes
a folder (`python -m tools.policy_pack --out dist/policy-pack`) holding policies/ without its
in-repository entry points; every first-party module it imports, transitively (read from the import
statements, those inside functions too: kube/quantity.py imports kubernetes on first use), with the
package data pyproject.toml declares for them; requirements.txt: the third-party distributions those
modules import and their dependencies (installed metadata, markers evaluated for this interpreter as
pip-compile did for the lock), pinned as requirements.lock pins them; PulumiPolicy.yaml with
`virtualenv: venv`, where the Pulumi CLI creates an installed pack's virtualenv from requirements.txt;
and __main__.py, which the CLI runs with `python -m pulumi.policy <engine> .` in the pack's folder
(runpy.run_path puts the folder first on sys.path). The folder is built beside the target, then
renamed into place: a failed build leaves no half folder.
"""

from __future__ import annotations

import argparse
import ast
import importlib.metadata as metadata
import os
import re
import shutil
import sys
import tempfile
import tomllib
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import yaml
from packaging.markers import default_environment
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

REPOSITORY = Path(__file__).resolve().parent.parent
PACK = "policies"
# The in-repository entry points of the pack; the built folder has its own, at its root.
ENTRY_POINTS = frozenset({"PulumiPolicy.yaml", "requirements.txt", "__main__.py"})
HEADER = "# Built by `make policy-pack` (tools/policy_pack.py) from this repository's policies/: do not edit.\n"
MAIN = f'''{HEADER}"""Entry point of the published policy pack: the Pulumi CLI runs this file from the pack's folder."""

from policies.pack import serve

serve()
'''
_PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;\\]+)")


class PackError(Exception):
    """The pack cannot be built (an import nothing provides, a lock out of step, a foreign target)."""


@dataclass(frozen=True)
class PackPlan:
    """What the built folder holds: copied repository files and the generated files' contents."""

    copies: tuple[str, ...]  # paths relative to the repository, copied to the same place in the pack
    imports: tuple[str, ...]  # third-party top-level modules the pack's code imports
    requirements: tuple[str, ...]  # `name==version`, from requirements.lock
    unpinned: tuple[str, ...]  # needed, but left out of requirements.lock (pip-compile's "unsafe" set)
    description: str
    version: str

    def generated(self) -> dict[str, str]:
        """The files written at the pack's root, by name."""
        runtime = {"name": "python", "options": {"virtualenv": "venv"}}
        project = {"description": self.description, "version": self.version, "runtime": runtime}
        notes = [
            f"# {name} is needed too, unpinned: requirements.lock leaves it out (pip-compile's unsafe list)."
            for name in self.unpinned
        ]
        requirements = [
            f"{HEADER}# The third-party modules the pack imports ({', '.join(self.imports)}) and their dependencies,",
            "# pinned as requirements.lock pins them.",
            *notes,
            *self.requirements,
        ]
        return {
            "PulumiPolicy.yaml": HEADER + yaml.safe_dump(project, sort_keys=False, width=1000),
            "__main__.py": MAIN,
            "requirements.txt": "\n".join(requirements) + "\n",
        }


def imported_names(module: str, is_package: bool, source: str) -> set[str]:
    """Absolute dotted names a module's import statements mention, anywhere in it (`from a import b`: a, a.b)."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(source, filename=module)):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                package = module.split(".") if is_package else module.split(".")[:-1]
                anchor = package[: len(package) - node.level + 1]
                base = ".".join([*anchor, *([base] if base else [])])
            names.add(base)
            names.update(f"{base}.{alias.name}" for alias in node.names if alias.name != "*")
    return names


def import_closure(
    roots: Iterable[str], sources: Mapping[str, str], packages: frozenset[str]
) -> tuple[set[str], set[str]]:
    """First-party modules reached from roots (sources: module -> text) and the third-party top-level names."""
    first_party = {name.split(".")[0] for name in sources}
    reached: set[str] = set()
    external: set[str] = set()
    pending = list(roots)
    while pending:
        module = pending.pop()
        if module in reached:
            continue
        reached.add(module)
        for name in imported_names(module, module in packages, sources[module]):
            parts = name.split(".")
            if parts[0] in first_party:  # the module and the packages it sits in
                pending.extend(p for p in (".".join(parts[:i]) for i in range(1, len(parts) + 1)) if p in sources)
            elif parts[0] not in sys.stdlib_module_names:
                external.add(parts[0])
    return reached, external


def distribution_closure(
    imports: Iterable[str],
    owners: Mapping[str, Sequence[str]],
    requires: Callable[[str], Sequence[str]],
    environment: Mapping[str, str],
) -> set[str]:
    """Canonical names of the distributions providing imports, with their dependencies (extras followed)."""
    extras: dict[str, set[str]] = {}
    pending: list[tuple[str, frozenset[str]]] = []
    for name in sorted(imports):
        if name not in owners:
            raise PackError(f"the pack imports {name!r}, which no installed distribution provides")
        pending.extend((owner, frozenset()) for owner in owners[name])
    while pending:
        owner, wanted = pending.pop()
        key = canonicalize_name(owner)
        if key in extras and wanted <= extras[key]:
            continue
        extras[key] = extras.get(key, set()) | wanted
        for text in requires(owner):
            requirement = Requirement(text)
            marker = requirement.marker
            if marker is None or any(marker.evaluate({**environment, "extra": extra}) for extra in {"", *extras[key]}):
                pending.append((requirement.name, frozenset(requirement.extras)))
    return set(extras)


def parse_lock(text: str) -> tuple[dict[str, tuple[str, str]], set[str]]:
    """requirements.lock as {canonical name: (name, version)} and the names it leaves out as unsafe."""
    pins: dict[str, tuple[str, str]] = {}
    unsafe: set[str] = set()
    in_unsafe = False
    for line in text.splitlines():
        if line.startswith("# The following packages are considered to be unsafe"):
            in_unsafe = True
        elif in_unsafe and line.startswith("# ") and line[2:].strip():
            unsafe.add(canonicalize_name(line[2:].strip()))
        elif match := _PIN.match(line):
            pins[canonicalize_name(match[1])] = (match[1], match[2])
    return pins, unsafe


def pin(
    distributions: Iterable[str], lock: str, installed: Callable[[str], str]
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """`name==version` from the lock for each distribution, and those the lock leaves to pip (sorted)."""
    pins, unsafe = parse_lock(lock)
    pinned: list[str] = []
    unpinned: list[str] = []
    for key in sorted(distributions):
        if key in pins:
            name, version = pins[key]
            if Version(installed(key)) != Version(version):
                raise PackError(f"{name} {installed(key)} is installed, requirements.lock pins {version}: run make")
            pinned.append(f"{name}=={version}")
        elif key in unsafe:
            unpinned.append(key)
        else:
            raise PackError(f"the pack needs {key}, which requirements.lock does not pin: run make lock")
    return tuple(pinned), tuple(unpinned)


def _first_party_sources(repository: Path) -> tuple[dict[str, str], dict[str, Path]]:
    """Every module of the repository's top-level packages: its text and its file, by module name."""
    sources: dict[str, str] = {}
    files: dict[str, Path] = {}
    tops = [top for top in sorted(repository.iterdir()) if (top / "__init__.py").is_file()]
    for path in (path for top in tops for path in sorted(top.rglob("*.py")) if "__pycache__" not in path.parts):
        parts = path.relative_to(repository).with_suffix("").parts
        module = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        sources[module], files[module] = path.read_text(encoding="utf-8"), path
    return sources, files


def _package_data(repository: Path, packages: Iterable[str]) -> set[Path]:
    """Files pyproject.toml declares as package data of the given packages."""
    project = tomllib.loads((repository / "pyproject.toml").read_text(encoding="utf-8"))
    declared = project.get("tool", {}).get("setuptools", {}).get("package-data", {})
    found = (repository.joinpath(*n.split(".")).glob(pattern) for n in packages for pattern in declared.get(n, ()))
    return {path for paths in found for path in paths if path.is_file()}


def _requires(name: str) -> Sequence[str]:
    try:
        return metadata.distribution(name).requires or []
    except metadata.PackageNotFoundError:
        raise PackError(f"the pack needs {name}, which is not installed: run make to reinstall") from None


def plan(repository: Path = REPOSITORY) -> PackPlan:
    """The files of the self-contained pack, from the repository and this interpreter's installed metadata."""
    sources, files = _first_party_sources(repository)
    packages = frozenset(module for module, path in files.items() if path.name == "__init__.py")
    roots = [m for m in sources if (m == PACK or m.startswith(PACK + ".")) and m != f"{PACK}.__main__"]
    reached, imports = import_closure(roots, sources, packages)
    pack = repository / PACK
    pack_files = {path for path in pack.rglob("*") if path.is_file() and "__pycache__" not in path.parts}
    pack_files -= {pack / name for name in ENTRY_POINTS}
    copied = pack_files | {files[m] for m in reached} | _package_data(repository, reached & packages)
    environment = {key: str(value) for key, value in default_environment().items()}
    distributions = distribution_closure(imports, metadata.packages_distributions(), _requires, environment)
    lock = (repository / "requirements.lock").read_text(encoding="utf-8")
    requirements, unpinned = pin(distributions, lock, metadata.version)
    project = yaml.safe_load((pack / "PulumiPolicy.yaml").read_text(encoding="utf-8"))
    if missing := [key for key in ("description", "version") if not project.get(key)]:
        raise PackError(f"{PACK}/PulumiPolicy.yaml has no {' and no '.join(missing)}")
    return PackPlan(
        copies=tuple(sorted(path.relative_to(repository).as_posix() for path in copied)),
        imports=tuple(sorted(imports)),
        requirements=requirements,
        unpinned=unpinned,
        description=str(project["description"]),
        version=str(project["version"]),
    )


def _is_built_pack(folder: Path) -> bool:
    return (folder / "PulumiPolicy.yaml").is_file() and (folder / "PulumiPolicy.yaml").read_text().startswith(HEADER)


def write_folder(out: Path, contents: Mapping[str, bytes]) -> None:
    """Write contents (relative path -> bytes) as the folder out: built beside it, then renamed into place.

    An existing out is replaced only if this module built it; on any failure out is left as it was.
    """
    if out.exists() and not _is_built_pack(out):
        raise PackError(f"{out} exists and is not a built policy pack: remove it or choose another --out")
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
    previous = staging.with_name(f"{staging.name}.previous")
    try:
        for relative, data in contents.items():
            (staging / relative).parent.mkdir(parents=True, exist_ok=True)
            (staging / relative).write_bytes(data)
        staging.chmod(0o755)  # mkdtemp makes it private
        if out.exists():
            os.rename(out, previous)
        os.rename(staging, out)
    except BaseException:
        if previous.exists() and not out.exists():
            os.rename(previous, out)
        raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)
        shutil.rmtree(previous, ignore_errors=True)


def build(out: Path, repository: Path = REPOSITORY) -> PackPlan:
    """Plan the pack and write it to out."""
    pack = plan(repository)
    contents = {relative: (repository / relative).read_bytes() for relative in pack.copies}
    contents.update({name: text.encode() for name, text in pack.generated().items()})
    write_folder(out, contents)
    return pack


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.policy_pack", description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=REPOSITORY / "dist" / "policy-pack", help="the folder to write")
    args = parser.parse_args(argv)
    out = args.out.resolve()
    try:
        pack = build(out)
    except (PackError, OSError, SyntaxError) as error:
        print(f"policy_pack: {error}", file=sys.stderr)
        return 2
    print(f"wrote {out}: {len(pack.copies)} files of the repository, {len(pack.requirements)} pinned requirements")
    return 0


if __name__ == "__main__":
    sys.exit(main())
