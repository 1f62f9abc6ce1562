"""Where a person acts: the subtree of the unit their account belongs to (API.md, Scope).

A staff or unit account acts within the subtree of its ``unit_id``; an account at the root of the tree, or with no
unit, acts on the whole tree. One installation thus serves a province's office and each commune's office side by
side. The areas' permissions ask ``covers(user, unit_id)``; lists filter with ``within(user, column)``.

The subtree of a person's unit is read once per request (one recursive query), so a list of two thousand rows
asks nothing more per row.
"""

from __future__ import annotations

from typing import Any

from flask import g, has_app_context
from sqlalchemy import ColumnElement, select, true

from ..extensions import db
from .models import Unit

_CACHE_KEY = "units_scope_subtrees"


def root_of(user: Any) -> int | None:
    """The unit whose subtree the person acts on, or None for the whole tree."""
    unit_id = getattr(user, "unit_id", None)
    if unit_id is None:
        return None
    if _is_tree_root(unit_id):
        return None
    return unit_id


def _is_tree_root(unit_id: int) -> bool:
    parent = _parents().get(unit_id, 0)
    return parent is None


def _parents() -> dict[int, int | None]:
    """Every unit's parent, read once per request (the tree is thousands of rows at a province's size)."""
    cache = _request_cache()
    parents = cache.get("parents")
    if parents is None:
        parents = dict(db.session.execute(select(Unit.id, Unit.parent_id)).tuples().all())
        cache["parents"] = parents
    return parents


def _request_cache() -> dict:
    if not has_app_context():
        return {}
    cache = g.get(_CACHE_KEY)
    if cache is None:
        cache = {}
        setattr(g, _CACHE_KEY, cache)
    return cache


def subtree(unit_id: int) -> frozenset[int]:
    """``unit_id`` and every unit beneath it."""
    cache = _request_cache()
    key = ("subtree", unit_id)
    found = cache.get(key)
    if found is None:
        children: dict[int | None, list[int]] = {}
        for child, parent in _parents().items():
            children.setdefault(parent, []).append(child)
        seen = {unit_id}
        stack = [unit_id]
        while stack:
            for child in children.get(stack.pop(), ()):
                if child not in seen:
                    seen.add(child)
                    stack.append(child)
        found = frozenset(seen)
        cache[key] = found
    return found


def scope_of(user: Any) -> frozenset[int] | None:
    """The ids the person acts on, or None for the whole tree."""
    root = root_of(user)
    return None if root is None else subtree(root)


def covers(user: Any, unit_id: int | None) -> bool:
    """Whether ``unit_id`` is in the person's part of the tree (a unit-less object is the whole tree's)."""
    ids = scope_of(user)
    if ids is None:
        return True
    return unit_id is not None and unit_id in ids


def within(user: Any, column: Any) -> ColumnElement[bool]:
    """A WHERE condition keeping the rows whose ``column`` (a unit id) is in the person's part of the tree."""
    ids = scope_of(user)
    if ids is None:
        return true()
    return column.in_(sorted(ids))


def forget() -> None:
    """The tree changed in this request (a unit created or moved): the next question reads it again."""
    if has_app_context():
        g.pop(_CACHE_KEY, None)
