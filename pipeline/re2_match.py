"""RE2 patterns matched in time linear in the text: CRD `pattern`s as the API server checks them.

pipeline.re2_syntax parses a pattern; here it becomes a Thompson NFA (one instruction list), run
as a lazily built DFA, as RE2 itself does: each DFA state is the set of NFA threads alive plus
what the previous character was (start, newline, word, other: enough to judge ^ $ \\b under
every flag), and each (state, character) step is worked out once, then looked up. No input can
make a step cost more than one pass over the program, so `(a+)+$` against a megabyte of "a"
finishes in a time proportional to that megabyte. The program is at most MAX_PROGRAM
instructions (RE2 too refuses programs past its memory budget) and the cache is dropped and
rebuilt when it passes MAX_STATES states.

`compile(pattern).search(text)` says whether the pattern matches anywhere in text, as Go's
regexp.MatchString and JSON Schema's `pattern` do. `pattern_keyword` is that as a jsonschema
keyword.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import lru_cache
from typing import Any

import jsonschema

from pipeline.re2_syntax import BOL, BOT, EOL, EOT, WORD_BOUNDARY, Node, Re2Error, parse

MAX_PROGRAM = 20_000
MAX_STATES = 5_000
_CHAR, _SPLIT, _JMP, _ASSERT, _MATCH = range(5)
_START, _NEWLINE, _WORD, _OTHER = range(4)  # what came before a position
_FOUND, _DEAD = -1, -2


def _context(ch: str) -> int:
    if ch == "\n":
        return _NEWLINE
    if ch == "_" or ("0" <= ch <= "9") or ("a" <= ch <= "z") or ("A" <= ch <= "Z"):
        return _WORD
    return _OTHER


class _Program:
    """Instructions: op, argument (a predicate or an assertion), next, alternative next."""

    def __init__(self) -> None:
        self.op: list[int] = []
        self.arg: list[Any] = []
        self.out: list[int] = []
        self.out1: list[int] = []

    def emit(self, op: int, arg: Any = None) -> int:
        if len(self.op) >= MAX_PROGRAM:
            raise Re2Error(f"pattern too large: more than {MAX_PROGRAM} instructions once repetitions are expanded")
        self.op.append(op)
        self.arg.append(arg)
        self.out.append(-1)
        self.out1.append(-1)
        return len(self.op) - 1

    def compile(self, node: Node) -> tuple[int, list[tuple[int, int]]]:
        """(first instruction, holes to patch with what follows: (instruction, 0 for out or 1 for out1))."""
        kind = node[0]
        if kind == "char":
            pc = self.emit(_CHAR, node[1])
            return pc, [(pc, 0)]
        if kind == "assert":
            pc = self.emit(_ASSERT, node[1])
            return pc, [(pc, 0)]
        if kind == "empty" or (kind == "cat" and not node[1]):
            pc = self.emit(_JMP)
            return pc, [(pc, 0)]
        if kind == "cat":
            start, holes = self.compile(node[1][0])
            for part in node[1][1:]:
                first, more = self.compile(part)
                self.patch(holes, first)
                holes = more
            return start, holes
        if kind == "alt":
            return self.either([lambda n=n: self.compile(n) for n in node[1]])
        return self.repeat(node[1], node[2], node[3])

    def either(self, branches: list[Any]) -> tuple[int, list[tuple[int, int]]]:
        first, holes = branches[0]()
        for branch in branches[1:]:
            split = self.emit(_SPLIT)
            other, more = branch()
            self.out[split], self.out1[split] = first, other
            first, holes = split, holes + more
        return first, holes

    def repeat(self, node: Node, low: int, high: int | None) -> tuple[int, list[tuple[int, int]]]:
        parts: list[tuple[int, list[tuple[int, int]]]] = [self.compile(node) for _ in range(low)]
        if high is None:
            split = self.emit(_SPLIT)
            body, holes = self.compile(node)
            self.out[split] = body
            self.patch(holes, split)
            parts.append((split, [(split, 1)]))
        else:
            for _ in range(high - low):
                split = self.emit(_SPLIT)
                body, holes = self.compile(node)
                self.out[split] = body
                parts.append((split, [(split, 1), *holes]))
        if not parts:
            pc = self.emit(_JMP)
            return pc, [(pc, 0)]
        start, holes = parts[0]
        for first, more in parts[1:]:
            self.patch(holes, first)
            holes = more
        return start, holes

    def patch(self, holes: list[tuple[int, int]], target: int) -> None:
        for pc, which in holes:
            (self.out1 if which else self.out)[pc] = target


def _holds(assertion: str, before: int, ch: str | None) -> bool:
    """Whether an assertion holds between a character of context `before` and ch (None: the end)."""
    if assertion == BOT:
        return before == _START
    if assertion == EOT:
        return ch is None
    if assertion == BOL:
        return before in (_START, _NEWLINE)
    if assertion == EOL:
        return ch is None or ch == "\n"
    boundary = (before == _WORD) != (ch is not None and _context(ch) == _WORD)
    return boundary if assertion == WORD_BOUNDARY else not boundary


class Pattern:
    """A compiled pattern and its DFA cache."""

    def __init__(self, pattern: str):
        tree = parse(pattern)
        self.pattern = pattern
        self.program = program = _Program()
        start, holes = program.compile(tree)
        program.patch(holes, program.emit(_MATCH))
        self.start = start
        first = tree[1][0] if tree[0] == "cat" and tree[1] else tree
        self.anchored = first == ("assert", BOT)
        self._reset()

    def _reset(self) -> None:
        self._ids: dict[tuple[frozenset[int], int], int] = {}
        self._states: list[tuple[frozenset[int], int]] = []
        self._moves: list[dict[str, int]] = []
        self._ends: list[bool | None] = []
        self.initial = self._state(frozenset([self.start]), _START)

    def _state(self, threads: frozenset[int], before: int) -> int:
        key = (threads, before)
        found = self._ids.get(key)
        if found is None:
            found = self._ids[key] = len(self._states)
            self._states.append(key)
            self._moves.append({})
            self._ends.append(None)
        return found

    def _closure(self, threads: frozenset[int], before: int, ch: str | None) -> tuple[list[int], bool]:
        """The character instructions reachable without consuming, and whether MATCH is."""
        program, seen, chars, stack = self.program, set(), [], list(threads)
        while stack:
            pc = stack.pop()
            if pc in seen:
                continue
            seen.add(pc)
            op = program.op[pc]
            if op == _CHAR:
                chars.append(pc)
            elif op == _MATCH:
                return chars, True
            elif op == _SPLIT:
                stack += (program.out1[pc], program.out[pc])
            elif op == _JMP or _holds(program.arg[pc], before, ch):
                stack.append(program.out[pc])
        return chars, False

    def _move(self, state: int, ch: str) -> int:
        if len(self._states) > MAX_STATES:
            threads, before = self._states[state]
            self._reset()
            state = self._state(threads, before)
        threads, before = self._states[state]
        chars, found = self._closure(threads, before, ch)
        if found:
            target = _FOUND
        else:
            program = self.program
            following = {program.out[pc] for pc in chars if program.arg[pc](ch)}
            if not self.anchored:
                following.add(self.start)
            target = _DEAD if not following else self._state(frozenset(following), _context(ch))
        self._moves[state][ch] = target
        return target

    def _at_end(self, state: int) -> bool:
        known = self._ends[state]
        if known is None:
            threads, before = self._states[state]
            known = self._ends[state] = self._closure(threads, before, None)[1]
        return known

    def search(self, text: str) -> bool:
        """Whether the pattern matches somewhere in text."""
        state = self.initial
        for ch in text:
            target = self._moves[state].get(ch)
            if target is None:
                target = self._move(state, ch)
            if target < 0:
                return target == _FOUND
            state = target
        return self._at_end(state)


@lru_cache(maxsize=4096)
def compile(pattern: str) -> Pattern:  # noqa: A001 - the name re uses
    """The compiled pattern (cached); Re2Error when RE2 would refuse it."""
    return Pattern(pattern)


def pattern_keyword(validator: Any, pattern: str, instance: Any, schema: Any) -> Iterator[jsonschema.ValidationError]:
    """JSON Schema's `pattern`, matched as RE2 (for CRD schemas)."""
    if not validator.is_type(instance, "string"):
        return
    try:
        matched = compile(pattern).search(instance)
    except Re2Error as error:
        yield jsonschema.ValidationError(f"the schema's pattern {pattern!r} is not valid RE2: {error}")
        return
    if not matched:
        yield jsonschema.ValidationError(f"{instance!r} does not match {pattern!r}")
