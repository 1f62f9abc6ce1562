"""Every action and every field the code writes into the audit log has its words in ``dialogue/audit/words.py``.

Like the i18n test scans the code for messages, this one reads every ``record(`` call of the package (through
Python's own parser): the action (a string, either branch of ``a if c else b``, an f-string, or a parameter of the
function whose callers pass the strings) and the fields of ``before=`` and ``after=`` (a dict, ``snapshot(obj,
FIELDS)``, a helper that builds the dict, or a variable assigned one of those). A call it cannot read fails too:
write it so that it can be read.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field
from pathlib import Path

from dialogue.audit import words
from dialogue.audit.objects import OBJECT_KINDS, RESOLVERS
from dialogue.core.labels import LABELS
from dialogue.extensions import db

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "dialogue"


@dataclass
class Found:
    actions: dict[str, list[str]] = field(default_factory=dict)  # action -> where
    patterns: dict[str, list[str]] = field(default_factory=dict)  # regex of an f-string action -> where
    fields: dict[str, list[str]] = field(default_factory=dict)  # field -> where
    unreadable: list[str] = field(default_factory=list)
    calls: int = 0


class Module:
    """One source file, with what the scan needs to follow names: parents, functions, constants."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.name = str(path.relative_to(ROOT))
        self.tree = ast.parse(path.read_text(encoding="utf-8"))
        self.parents: dict[ast.AST, ast.AST] = {}
        for node in ast.walk(self.tree):
            for child in ast.iter_child_nodes(node):
                self.parents[child] = node
        self.functions = {n.name: n for n in self.tree.body if isinstance(n, ast.FunctionDef)}
        self.constants = {
            t.id: n.value
            for n in self.tree.body
            if isinstance(n, ast.Assign)
            for t in n.targets
            if isinstance(t, ast.Name)
        }
        # Tuples of field names imported from a sibling module (``from .inputs import AUDIT_FIELDS``).
        for node in self.tree.body:
            if isinstance(node, ast.ImportFrom) and node.level == 1 and node.module:
                sibling = path.parent / f"{node.module.replace('.', '/')}.py"
                if sibling.exists():
                    theirs = ast.parse(sibling.read_text(encoding="utf-8"))
                    values = {
                        t.id: n.value
                        for n in theirs.body
                        if isinstance(n, ast.Assign | ast.AnnAssign) and n.value is not None
                        for t in (n.targets if isinstance(n, ast.Assign) else [n.target])
                        if isinstance(t, ast.Name)
                    }
                    for alias in node.names:
                        if alias.name in values and isinstance(values[alias.name], ast.Tuple):
                            self.constants[alias.asname or alias.name] = values[alias.name]
        self.recorders: set[str] = set()  # names bound to audit.services.record
        self.snapshots: set[str] = set()  # names bound to audit.services.snapshot
        self.audit_modules: set[str] = set()  # names bound to the audit.services module
        for node in ast.walk(self.tree):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.endswith("audit.services"):
                for alias in node.names:
                    if alias.name == "record":
                        self.recorders.add(alias.asname or alias.name)
                    if alias.name == "snapshot":
                        self.snapshots.add(alias.asname or alias.name)
            if isinstance(node, ast.ImportFrom) and node.module and node.module.endswith("audit"):
                for alias in node.names:
                    if alias.name == "services":
                        self.audit_modules.add(alias.asname or alias.name)

    def where(self, node: ast.AST) -> str:
        return f"{self.name}:{node.lineno}"

    def function_of(self, node: ast.AST) -> ast.FunctionDef | None:
        while node in self.parents:
            node = self.parents[node]
            if isinstance(node, ast.FunctionDef):
                return node
        return None

    def is_record(self, call: ast.Call) -> bool:
        f = call.func
        if isinstance(f, ast.Name):
            return f.id in self.recorders
        return (
            isinstance(f, ast.Attribute)
            and f.attr == "record"
            and isinstance(f.value, ast.Name)
            and f.value.id in self.audit_modules
        )

    def is_snapshot(self, call: ast.Call) -> bool:
        f = call.func
        if isinstance(f, ast.Name):
            return f.id in self.snapshots
        return isinstance(f, ast.Attribute) and f.attr == "snapshot" and isinstance(f.value, ast.Name)


class Unreadable(Exception):
    pass


def _argument(call: ast.Call, position: int, keyword: str) -> ast.expr | None:
    for kw in call.keywords:
        if kw.arg == keyword:
            return kw.value
    return call.args[position] if len(call.args) > position else None


def _assignments(fn: ast.FunctionDef, name: str) -> list[ast.expr]:
    values = []
    for node in ast.walk(fn):
        if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == name for t in node.targets):
            values.append(node.value)
        if (
            isinstance(node, ast.AnnAssign)
            and isinstance(node.target, ast.Name)
            and node.target.id == name
            and node.value is not None
        ):
            values.append(node.value)
    return values


def _subscript_keys(fn: ast.FunctionDef, name: str) -> set[str]:
    """``name["key"] = ...`` in ``fn``."""
    keys = set()
    for node in ast.walk(fn):
        if isinstance(node, ast.Assign | ast.AugAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for t in targets:
                if (
                    isinstance(t, ast.Subscript)
                    and isinstance(t.value, ast.Name)
                    and t.value.id == name
                    and isinstance(t.slice, ast.Constant)
                    and isinstance(t.slice.value, str)
                ):
                    keys.add(t.slice.value)
    return keys


def _parameter_index(fn: ast.FunctionDef, name: str) -> int | None:
    names = [a.arg for a in fn.args.posonlyargs + fn.args.args]
    if name in names:
        return names.index(name)
    if name in [a.arg for a in fn.args.kwonlyargs]:
        return -1
    return None


def _calls_of(module: Module, fn: ast.FunctionDef) -> list[ast.Call]:
    return [
        n
        for n in ast.walk(module.tree)
        if isinstance(n, ast.Call) and isinstance(n.func, ast.Name) and n.func.id == fn.name
    ]


def actions_of(module: Module, expr: ast.expr, fn: ast.FunctionDef | None) -> tuple[set[str], set[str]]:
    """(actions, regex patterns) ``expr`` can be."""
    if isinstance(expr, ast.Constant) and isinstance(expr.value, str):
        return {expr.value}, set()
    if isinstance(expr, ast.IfExp):
        a1, p1 = actions_of(module, expr.body, fn)
        a2, p2 = actions_of(module, expr.orelse, fn)
        return a1 | a2, p1 | p2
    if isinstance(expr, ast.JoinedStr):
        parts = []
        for value in expr.values:
            if isinstance(value, ast.Constant):
                parts.append(re.escape(value.value))
            else:
                parts.append("[a-z_]+")
        return set(), {"".join(parts)}
    if isinstance(expr, ast.Name) and fn is not None:
        index = _parameter_index(fn, expr.id)
        if index is not None:
            actions, patterns = set(), set()
            callers = _calls_of(module, fn)
            if not callers:
                raise Unreadable(f"{expr.id}: a parameter of {fn.name}, which no call in the module passes")
            for call in callers:
                given = _argument(call, index if index >= 0 else 10**6, expr.id)
                if given is None:
                    raise Unreadable(f"{module.where(call)}: {fn.name} called without {expr.id}")
                a, p = actions_of(module, given, module.function_of(call))
                actions |= a
                patterns |= p
            return actions, patterns
        values = _assignments(fn, expr.id)
        if values:
            actions, patterns = set(), set()
            for value in values:
                a, p = actions_of(module, value, fn)
                actions |= a
                patterns |= p
            return actions, patterns
    raise Unreadable(ast.unparse(expr))


def strings_of(module: Module, expr: ast.expr) -> set[str]:
    """The field names of a tuple or list of strings, or of a module constant holding one."""
    if isinstance(expr, ast.Name) and expr.id in module.constants:
        expr = module.constants[expr.id]
    if isinstance(expr, ast.Tuple | ast.List) and all(
        isinstance(e, ast.Constant) and isinstance(e.value, str) for e in expr.elts
    ):
        return {e.value for e in expr.elts}
    raise Unreadable(ast.unparse(expr))


def fields_of(module: Module, expr: ast.expr, fn: ast.FunctionDef | None, depth: int = 0) -> set[str]:
    """The keys the dict ``expr`` evaluates to can have."""
    if depth > 6:
        raise Unreadable(ast.unparse(expr))
    if isinstance(expr, ast.Constant) and expr.value is None:
        return set()
    if isinstance(expr, ast.Dict):
        keys = set()
        for key, value in zip(expr.keys, expr.values, strict=True):
            if key is None:  # {**other}
                keys |= fields_of(module, value, fn, depth + 1)
            elif isinstance(key, ast.Constant) and isinstance(key.value, str):
                keys.add(key.value)
            else:
                raise Unreadable(ast.unparse(expr))
        return keys
    if isinstance(expr, ast.Call) and module.is_snapshot(expr) and len(expr.args) >= 2:
        return strings_of(module, expr.args[1])
    if isinstance(expr, ast.Call) and isinstance(expr.func, ast.Name) and expr.func.id in module.functions:
        helper = module.functions[expr.func.id]
        keys = set()
        returns = [n for n in ast.walk(helper) if isinstance(n, ast.Return) and n.value is not None]
        if not returns:
            raise Unreadable(ast.unparse(expr))
        for ret in returns:
            keys |= fields_of(module, ret.value, helper, depth + 1)
            if isinstance(ret.value, ast.Name):
                keys |= _subscript_keys(helper, ret.value.id)
        return keys
    if isinstance(expr, ast.Name) and fn is not None:
        values = _assignments(fn, expr.id)
        if values:
            keys = _subscript_keys(fn, expr.id)
            for value in values:
                keys |= fields_of(module, value, fn, depth + 1)
            return keys
    raise Unreadable(ast.unparse(expr))


def scan() -> Found:
    found = Found()
    for path in sorted(PACKAGE.rglob("*.py")):
        if path.parent.name == "audit" and path.name == "services.py":
            continue  # the definition itself
        module = Module(path)
        if not (module.recorders or module.audit_modules):
            continue
        for call in (n for n in ast.walk(module.tree) if isinstance(n, ast.Call) and module.is_record(n)):
            found.calls += 1
            where = module.where(call)
            fn = module.function_of(call)
            action = _argument(call, 1, "action")
            try:
                if action is None:
                    raise Unreadable("no action")
                actions, patterns = actions_of(module, action, fn)
                for a in actions:
                    found.actions.setdefault(a, []).append(where)
                for p in patterns:
                    found.patterns.setdefault(p, []).append(where)
                for side in ("before", "after"):
                    value = _argument(call, 99, side)
                    if value is not None:
                        for name in fields_of(module, value, fn):
                            found.fields.setdefault(name, []).append(where)
            except Unreadable as exc:
                found.unreadable.append(f"{where}: {exc}")
    return found


def test_the_scan_reads_every_call_of_the_package():
    found = scan()
    assert found.unreadable == []
    assert found.calls >= 60
    # The actions the issue names, and the ones written through a parameter (followups' _move, units' activate)
    for action in (
        "calendar.add",
        "commitment.create",
        "commitment.verify",
        "invitation.rsvp",
        "question.merge",
        "session.check_in",
        "speaker.start",
        "user.sign_out",
        "unit.move",
        "unit.deactivate",
    ):
        assert action in found.actions, action
    assert r"document\.[a-z_]+\.publish" in found.patterns
    for name in ("host_unit_id", "invited_unit_ids", "host_ids", "duplicate_of_id", "verified_at", "cells_created"):
        assert name in found.fields, name


def test_every_action_written_has_its_words():
    found = scan()
    missing = sorted(f"{a} ({', '.join(where)})" for a, where in found.actions.items() if a not in words.ACTIONS)
    assert missing == [], f"actions without words in dialogue/audit/words.py: {missing}"
    for pattern, where in found.patterns.items():
        assert any(re.fullmatch(pattern, a) for a in words.ACTIONS), f"{pattern} ({where}) has no words"


def test_every_document_kind_has_words_for_saving_and_publishing():
    from dialogue.reports.models import DOCUMENT_KINDS
    from dialogue.reports.services import TEXT_FIELDS

    for kind in DOCUMENT_KINDS:
        assert f"document.{kind}.save" in words.ACTIONS and f"document.{kind}.publish" in words.ACTIONS
        for section in TEXT_FIELDS[kind]:
            assert section in words.SECTIONS, section
    assert "summaries" in words.SECTIONS


def test_every_field_written_has_its_words():
    found = scan()
    named = set(words.FIELDS) | {name for _type, name in words.OBJECT_FIELDS}
    missing = sorted(f"{name} ({', '.join(where[:3])})" for name, where in found.fields.items() if name not in named)
    assert missing == [], f"fields without words in dialogue/audit/words.py: {missing}"


def test_the_words_say_values_the_page_can_show():
    for spec in [*words.FIELDS.values(), *words.OBJECT_FIELDS.values()]:
        assert spec.kind in words.KINDS, spec
        if spec.kind == "labels":
            assert spec.labels in LABELS, spec
        if spec.kind == "choice":
            assert spec.choices, spec
    # a status and a kind are said by the labels of their own object
    for object_type, group in (
        ("dialogue_sessions", "session_status"),
        ("questions", "question_status"),
        ("speakers", "speaker_status"),
        ("commitments", "commitment_status"),
    ):
        assert words.field_words(object_type, "status").labels == group
    assert words.field_words("questions", "kind").labels == "question_kind"
    assert words.field_words("responses", "kind").labels == "response_kind"
    assert words.field_words("units", "kind").labels == "unit_kind"
    assert set(words.field_words("calendar_exceptions", "kind").choices) == {"day_off", "working_day"}


def test_every_kind_of_object_is_named_and_exists(app):
    for object_type, kind in OBJECT_KINDS.items():
        assert object_type in words.OBJECT_TYPES, object_type
        assert object_type in db.metadata.tables, object_type
        assert kind in RESOLVERS
    assert set(words.REFERENCE_KINDS) <= set(RESOLVERS)
    assert set(words.LIST_KINDS.values()) <= set(RESOLVERS)


def test_an_action_without_words_still_shows_its_code():
    assert words.action_words("area.new_thing") == "area.new_thing"
    assert str(words.action_words("unit.move")) == "Chuyển đơn vị sang đơn vị cấp trên khác"
