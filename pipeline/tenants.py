"""Dedicated tenants as stage-file edits: `pipeline tenant add` and `pipeline tenant remove`.

A tenant is one entry of a stage file's `tenants` mapping, `NAME: {plan: P}`; the model gives it
its own namespace (<prefix>-<NAME>-<stage>) and everything in it. Both changes are planned like
the other lifecycle changes (pipeline.lifecycle.plan_change): validated as the loader reads the
edited file, rendered before and after, diffed, checked, and written only if nothing new fails.
The stage file keeps its comments and key order; an entry's own end-of-line comment goes with it.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

from ruamel.yaml.comments import CommentedMap
from ruamel.yaml.error import CommentMark
from ruamel.yaml.tokens import CommentToken

from kube.names import is_dns1123_label
from model.environment import Environment, tenant_namespace
from model.errors import InputError, Location, Problem, UnknownStage
from model.loader import DEFAULTS_FILE, display_path, load_environment, load_stage_order
from model.source import Document, load_document
from model.writer import to_round_trip
from pipeline.diff.model import RolloutClass
from pipeline.lifecycle import StageChange, along, plan_change

MAX_NAMESPACE = 63  # a namespace name is a DNS-1123 label


def add_tenant(directory: Path, stage: str, name: str, plan: str) -> StageChange:
    """Add `name: {plan: plan}` to the stage file's tenants (creating the mapping where missing)."""
    env, own, file = _stage(directory, stage, name)
    here = f"tenants.{name}"
    at = own.source.locate(("tenants", name)) or Location(file, 1, 1)  # the tenants key, else the file
    if name in {t.name for t in env.tenants}:
        where = env.source.locate(("tenants", name)) or at
        hint = f"pipeline tenant remove {name} --stage {stage} first, or edit its entry in {where.file}"
        raise InputError([Problem(where, here, f"tenant {name!r} already exists in {stage}", hint)])
    if not is_dns1123_label(name):
        raise InputError(
            [
                Problem(
                    at,
                    here,
                    f"{name!r} is not a valid tenant name",
                    "a DNS-1123 label: lower-case letters, digits and '-', starting and ending with a letter or "
                    "digit, e.g. acme-corp",
                )
            ]
        )
    namespace = tenant_namespace(env.tenancy.namespace_prefix, name, stage)
    if len(namespace) > MAX_NAMESPACE:
        longest = MAX_NAMESPACE - (len(namespace) - len(name))
        raise InputError(
            [
                Problem(
                    at,
                    here,
                    f"the tenant's namespace {namespace} would be {len(namespace)} characters, over {MAX_NAMESPACE}",
                    f"a tenant name in {stage} has at most {longest} characters",
                )
            ]
        )
    if plan not in env.plans:
        defined = env.source.locate(("plans",))
        hint = f"known plans: {', '.join(sorted(env.plans))}" + (f" (defined in {defined.file})" if defined else "")
        raise InputError([Problem(at, f"{here}.plan", f"unknown plan {plan!r}", hint)])

    def change(document: CommentedMap) -> None:
        tenants = document.get("tenants")
        if not isinstance(tenants, dict):
            block = CommentedMap()
            block[name] = to_round_trip({"plan": plan})
            _insert_block(document, "tenants", block, _defaults_order(directory))
        elif tenants:
            along(document, ("tenants",), lambda: tenants.__setitem__(name, to_round_trip({"plan": plan})))
        else:  # `tenants: {}` becomes a block listing the entry; what followed `{}` follows the block
            following = _split_following((document, "tenants"))
            tenants.fa.set_block_style()
            tenants[name] = to_round_trip({"plan": plan})
            if following:
                _append_following(_tail(document, "tenants"), following)

    return plan_change(directory, stage, f"tenant add {name}", change)


def remove_tenant(directory: Path, stage: str, name: str) -> StageChange:
    """Delete the tenant's entry from the stage file: its namespace and everything in it go."""
    env, own, file = _stage(directory, stage, name)
    mine = own.data.get("tenants") if isinstance(own.data, dict) else None
    if not isinstance(mine, dict) or name not in mine:
        elsewhere = env.source.locate(("tenants", name)) if name in {t.name for t in env.tenants} else None
        if elsewhere is not None:
            hint = f"it is a tenant of every stage; remove it from {DEFAULTS_FILE}"
            message = f"tenant {name!r} of {stage} is defined in {elsewhere.file}, not in {file}"
            raise InputError([Problem(elsewhere, f"tenants.{name}", message, hint)])
        known = ", ".join(sorted(t.name for t in env.tenants)) or "none"
        at = own.source.locate(("tenants",)) or Location(file, 1, 1)
        raise InputError(
            [
                Problem(
                    at, f"tenants.{name}", f"stage {stage} has no tenant {name!r}", f"the tenants of {stage}: {known}"
                )
            ]
        )

    def change(document: CommentedMap) -> None:
        tenants = document["tenants"]
        if len(tenants) > 1:
            along(document, ("tenants",), lambda: _delete_entry(tenants, name))
            return
        # The last tenant: `tenants: {}`, the comment lines of the block kept after it.
        entry = tenants.ca.items.get(name) or [None, None]
        lines = _text(tenants.ca.comment[1] if tenants.ca.comment and len(tenants.ca.comment) > 1 else None)
        lines += _text(entry[1]) + _split_following(_tail(tenants, name))
        del tenants[name]
        tenants.ca.comment = None
        document.ca.items.pop("tenants", None)  # it may hold the block's first comments too
        tenants.fa.set_flow_style()
        if lines:
            _append_following((document, "tenants"), lines)

    planned = plan_change(directory, stage, f"tenant remove {name}", change)
    deleted = len(planned.diff.of(RolloutClass.DELETE))
    namespace = tenant_namespace(env.tenancy.namespace_prefix, name, stage)
    return replace(
        planned,
        confirm=f"removing tenant {name} deletes its namespace {namespace} and everything in it "
        f"({deleted} resources, and the data they hold)",
    )


def _stage(directory: Path, stage: str, name: str) -> tuple[Environment, Document, str]:
    """The stage as the loader reads it, its own file as written, and that file's name as shown."""
    path = directory / f"{stage}.yaml"
    try:
        env = load_environment(directory, stage, load_stage_order(directory))
    except UnknownStage as error:
        raise UnknownStage(
            [
                Problem(p.location, f"tenants.{name}", f"{p.message}: no stage file {display_path(path)}", p.hint)
                for p in error.problems
            ]
        ) from None
    return env, load_document(path, display_path(path)), display_path(path)


def _defaults_order(directory: Path) -> list[str]:
    data = load_document(directory / DEFAULTS_FILE).data
    return list(data) if isinstance(data, dict) else []


# Comments ------------------------------------------------------------------------------------------------
# ruamel keeps the lines that follow a block (blank lines, comments about the next key) on the
# deepest last key of that block, after its end-of-line comment. Inserting a block after it or
# deleting it would move those lines to the wrong key; these helpers move them along.


def _tail(mapping: CommentedMap, key: Any) -> tuple[CommentedMap, Any]:
    """The (mapping, key) whose comment slot holds what follows the entry key of mapping."""
    node, last = mapping, key
    while isinstance(node[last], CommentedMap) and len(node[last]) and not node[last].fa.flow_style():
        node, last = node[last], list(node[last])[-1]
    return node, last


def _split_following(slot: tuple[CommentedMap, Any]) -> str:
    """Cut the lines that follow a slot's own line off its comment; returns them ('' if none)."""
    entry = slot[0].ca.items.get(slot[1])
    token = entry[2] if entry and len(entry) > 2 else None
    if not isinstance(token, CommentToken) or "\n" not in token.value:
        return ""
    own, following = token.value.split("\n", 1)
    token.value = own + "\n"
    return following


def _append_following(slot: tuple[CommentedMap, Any], following: str) -> None:
    """Put lines after a slot's own line (after whatever already follows it)."""
    entry = slot[0].ca.items.setdefault(slot[1], [None, None, None, None])
    if isinstance(entry[2], CommentToken):
        entry[2].value = entry[2].value.rstrip("\n") + "\n" + following
    else:
        entry[2] = CommentToken("\n" + following, CommentMark(0), None)


def _insert_block(document: CommentedMap, key: str, value: CommentedMap, order: list[str]) -> None:
    """Insert a top-level block where defaults.yaml has it among the document's keys, after a blank line.

    What followed the block before it (a blank line, comments about the next key) follows the new one.
    """
    rank = {name: index for index, name in enumerate(order)}
    keys = list(document)
    later = [i for i, k in enumerate(keys) if k in rank and key in rank and rank[k] > rank[key]]
    position = later[0] if later else len(keys)
    if position == 0:
        document.insert(0, key, value)
        return
    previous = _tail(document, keys[position - 1])
    following = _split_following(previous)
    _append_following(previous, "\n")
    document.insert(position, key, value)
    if following:
        _append_following(_tail(document, key), following)


def _delete_entry(mapping: CommentedMap, key: str) -> None:
    """Delete an entry and its end-of-line comments; the comment lines around it stay where they were."""
    keys = list(mapping)
    index = keys.index(key)
    entry = mapping.ca.items.get(key) or [None, None]
    kept = _text(entry[1])  # the lines before it
    if index < len(keys) - 1:  # after the last entry, the caller's along() keeps them
        kept += _split_following(_tail(mapping, key))
    del mapping[key]
    if kept and index > 0:
        _append_following(_tail(mapping, keys[index - 1]), kept)
    elif kept:
        _append_block_comment(mapping, kept)


def _text(tokens: list[CommentToken] | None) -> str:
    """Full-line comment tokens as the lines they stand for."""
    return "".join(" " * token.column + token.value for token in tokens or [])


def _append_block_comment(mapping: CommentedMap, lines: str) -> None:
    """Comment lines (or blank ones) before a block mapping's first entry, after those it has."""
    tokens = [
        CommentToken(line.strip() + "\n", CommentMark(len(line) - len(line.lstrip(" ")) if line.strip() else 0), None)
        for line in lines.splitlines()
    ]
    comment = mapping.ca.comment
    if comment and len(comment) > 1 and isinstance(comment[1], list):
        comment[1].extend(tokens)  # in place: the parent's entry for the key may hold the same list
    else:
        mapping.ca.comment = [comment[0] if comment else None, tokens]
