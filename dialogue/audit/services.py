"""The one function every state change calls. It adds the entry to the caller's transaction, so the entry
and the change commit (or roll back) together.

Each entry carries the unit its object belongs to (``unit_id``), so that an admin reads the log of their part of
the tree only: ``record`` takes it from ``unit_id=`` when the caller knows it, else from the object's
``scope_unit_id`` (a one-line property of each audited model: a unit is its own, an account its unit, a session
its host unit, a commitment its responsible unit...)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import select

from ..accounts.models import User
from ..core.errors import NotFound
from ..core.pagination import page_of
from ..core.permissions import can
from ..core.text import fold, like_pattern
from ..extensions import db
from .models import AuditEntry
from .permissions import NOT_FOUND, seen_by
from .words import OBJECT_TYPES, action_words


def _jsonable(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, set | tuple):
        return sorted(_jsonable(v) for v in value)
    if isinstance(value, list):
        return [_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    return value


def snapshot(obj: Any, fields: tuple[str, ...] | list[str]) -> dict[str, Any]:
    """The named attributes of ``obj`` as a JSON-safe dict, for the before/after of an entry."""
    return {f: _jsonable(getattr(obj, f)) for f in fields}


class _FromObject:
    """``record``'s default for ``unit_id``: read it from the object (None is a value: "no unit")."""


FROM_OBJECT: Any = _FromObject()


def record(
    actor: Any,
    action: str,
    obj: Any = None,
    *,
    object_type: str | None = None,
    object_id: int | None = None,
    before: dict | None = None,
    after: dict | None = None,
    unit_id: int | None = FROM_OBJECT,
) -> AuditEntry:
    """Adds an audit entry: who (``actor``, a user or None for the system), what (``action`` on ``obj``),
    before → after, and in which unit (``unit_id``, else ``obj.scope_unit_id`` when the object has one). Every
    action and every field needs its words in ``audit.words`` (a test scans the calls). Does not commit."""
    if obj is not None:
        if getattr(obj, "id", None) is None:
            db.session.flush()
        object_type = object_type or obj.__tablename__
        object_id = object_id if object_id is not None else obj.id
    if unit_id is FROM_OBJECT:
        unit_id = getattr(obj, "scope_unit_id", None) if obj is not None else None
    entry = AuditEntry(
        actor_id=getattr(actor, "id", None),
        action=action,
        object_type=object_type or "",
        object_id=object_id,
        unit_id=unit_id,
        before=_jsonable(before) if before is not None else None,
        after=_jsonable(after) if after is not None else None,
    )
    db.session.add(entry)
    return entry


def history(object_type: str, object_id: int) -> list[AuditEntry]:
    stmt = (
        select(AuditEntry)
        .where(AuditEntry.object_type == object_type, AuditEntry.object_id == object_id)
        .order_by(AuditEntry.at, AuditEntry.id)
    )
    return list(db.session.scalars(stmt))


def search(
    viewer: Any,
    *,
    action: str | None = None,
    object_type: str | None = None,
    object_id: int | None = None,
    actor_query: str | None = None,
    page: int = 1,
    per_page: int = 50,
) -> tuple[list[AuditEntry], int]:
    """The admin page's filtered list, newest first: only the entries of ``viewer``'s part of the tree."""
    stmt = select(AuditEntry).where(seen_by(viewer))
    if action:
        stmt = stmt.where(AuditEntry.action == action)
    if object_type:
        stmt = stmt.where(AuditEntry.object_type == object_type)
    if object_id is not None:
        stmt = stmt.where(AuditEntry.object_id == object_id)
    if actor_query:
        stmt = stmt.join(User, AuditEntry.actor_id == User.id).where(
            User.search_text.like(like_pattern(actor_query), escape="\\")
        )
    result = page_of(stmt.order_by(AuditEntry.at.desc(), AuditEntry.id.desc()), page, per_page)
    return result["items"], result["total"]


def actions(viewer: Any) -> list[tuple[str, str]]:
    """The actions of the entries ``viewer`` may read, as (code, words), in the order of the words."""
    codes = db.session.scalars(select(AuditEntry.action).where(seen_by(viewer)).distinct())
    return sorted(((code, action_words(code)) for code in codes), key=lambda pair: fold(pair[1]))


def object_types() -> list[tuple[str, str]]:
    """Every kind of object the log names, as (code, words), in the order of the words."""
    return sorted(((code, str(words)) for code, words in OBJECT_TYPES.items()), key=lambda pair: fold(pair[1]))


def get_entry(viewer: Any, entry_id: int) -> AuditEntry:
    """One entry; outside ``viewer``'s part of the tree it is as if it did not exist (404)."""
    entry = db.session.get(AuditEntry, entry_id)
    if entry is None or not can(viewer, "audit.see", entry):
        raise NotFound(str(NOT_FOUND))
    return entry
