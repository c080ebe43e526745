"""The registry of rules: every rule module by its id (an explicit list, no discovery).

Each module has ID, DESCRIPTION, REMEDIATION, ENFORCEMENT (advisory | mandatory | disabled),
SCOPE (resource | stack), OPTIONS (option -> JSON Schema with a default) and validate(args,
report_violation); its docstring documents the rule with PASS and FAIL examples.
"""

from __future__ import annotations

from types import ModuleType

from policies.rules import backup_rpo, image_digest, pdb_coverage, pss_privilege_escalation

_MODULES: tuple[ModuleType, ...] = (
    pss_privilege_escalation,
    image_digest,
    pdb_coverage,
    backup_rpo,
)

RULES: dict[str, ModuleType] = {module.ID: module for module in _MODULES}
if len(RULES) != len(_MODULES):
    raise ImportError("two rule modules share an ID")


class UnknownRule(KeyError):
    """A rule id that no module has."""


def rule(rule_id: str) -> ModuleType:
    """The rule module with this id."""
    try:
        return RULES[rule_id]
    except KeyError:
        raise UnknownRule(f"unknown policy rule {rule_id!r}; known: {', '.join(sorted(RULES))}") from None
