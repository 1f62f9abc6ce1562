"""The organisation tree: creating, renaming, moving, deactivating units, and walking beneath a unit."""

from __future__ import annotations

from collections.abc import Iterable

from flask_babel import lazy_gettext as _l
from sqlalchemy import exists, func, select

from ..accounts.models import User
from ..audit.models import AuditEntry
from ..audit.services import record, snapshot
from ..core.errors import Conflict, Invalid, NotFound
from ..core.permissions import can, require
from ..core.text import nfc, search_blob
from ..extensions import db
from . import permissions as _permissions  # noqa: F401  (registers the area's rules)
from . import scope
from .models import UNIT_KINDS, Unit
from .signals import unit_in_use

UNIT_FIELDS = ("name", "kind", "parent_id", "active")
KIND_LABELS = {
    "province": _l("Tỉnh ủy / Đảng bộ tỉnh"),
    "district": _l("Huyện ủy / Đảng bộ huyện"),
    "grassroots": _l("Đảng ủy cơ sở"),
    "cell": _l("Chi bộ"),
    "group": _l("Tổ đảng"),
}


def get_unit(unit_id: int, viewer: User | None = None) -> Unit:
    """The unit; for a ``viewer``, only if it is in their part of the tree (else, as if it did not exist)."""
    unit = db.session.get(Unit, unit_id)
    if unit is None or (viewer is not None and not can(viewer, "units.see", unit.id)):
        raise NotFound(_l("Không tìm thấy đơn vị."))
    return unit


def _check_name(name: str | None, parent_id: int | None, exclude_id: int | None = None) -> str:
    name = nfc(name) or ""
    if not name:
        raise Invalid(_l("Tên đơn vị không được để trống."), fields={"name": [str(_l("Bắt buộc."))]})
    stmt = select(Unit.id).where(
        Unit.name == name, Unit.parent_id.is_(parent_id) if parent_id is None else Unit.parent_id == parent_id
    )
    if exclude_id is not None:
        stmt = stmt.where(Unit.id != exclude_id)
    if db.session.scalar(stmt):
        raise Conflict(_l("Đã có đơn vị tên “%(name)s” ở cùng cấp trên.", name=name), fields={"name": ["trùng"]})
    return name


def create_unit(actor: User | None, *, name: str, kind: str, parent_id: int | None = None) -> Unit:
    require(actor, "units.manage", parent_id)
    if kind not in UNIT_KINDS:
        raise Invalid(_l("Loại đơn vị không hợp lệ."), fields={"kind": ["?"]})
    if parent_id is not None:
        get_unit(parent_id)
    name = _check_name(name, parent_id)
    unit = Unit(name=name, kind=kind, parent_id=parent_id, active=True, search_text=search_blob(name))
    db.session.add(unit)
    db.session.flush()
    scope.forget()
    record(actor, "unit.create", unit, after=snapshot(unit, UNIT_FIELDS))
    return unit


def rename_unit(actor: User | None, unit: Unit, name: str, kind: str | None = None) -> Unit:
    require(actor, "units.manage", unit.id)
    before = snapshot(unit, UNIT_FIELDS)
    unit.name = _check_name(name, unit.parent_id, exclude_id=unit.id)
    if kind is not None:
        if kind not in UNIT_KINDS:
            raise Invalid(_l("Loại đơn vị không hợp lệ."), fields={"kind": ["?"]})
        unit.kind = kind
    unit.search_text = search_blob(unit.name)
    record(actor, "unit.update", unit, before=before, after=snapshot(unit, UNIT_FIELDS))
    return unit


def move_unit(actor: User | None, unit: Unit, new_parent_id: int | None) -> Unit:
    """Puts ``unit`` (and everything beneath it) under another parent; a unit cannot go beneath itself."""
    require(actor, "units.manage", unit.id)
    require(actor, "units.manage", new_parent_id)
    if new_parent_id is not None:
        get_unit(new_parent_id)
        if new_parent_id in descendant_ids([unit.id]):
            raise Conflict(_l("Không thể chuyển một đơn vị vào bên dưới chính nó."))
    before = snapshot(unit, UNIT_FIELDS)
    _check_name(unit.name, new_parent_id, exclude_id=unit.id)
    unit.parent_id = new_parent_id
    scope.forget()
    record(actor, "unit.move", unit, before=before, after=snapshot(unit, UNIT_FIELDS))
    return unit


def set_active(actor: User | None, unit: Unit, active: bool) -> Unit:
    require(actor, "units.manage", unit.id)
    before = snapshot(unit, UNIT_FIELDS)
    if before["active"] == active:
        return unit
    unit.active = active
    record(
        actor, "unit.activate" if active else "unit.deactivate", unit, before=before, after=snapshot(unit, UNIT_FIELDS)
    )
    return unit


def has_history(unit: Unit) -> bool:
    """A unit with children, members, any record in the areas above (sessions, commitments: they answer the
    ``unit_in_use`` signal) or any audit entry beyond its creation."""
    checks = [exists().where(Unit.parent_id == unit.id), exists().where(User.unit_id == unit.id)]
    if any(db.session.scalar(select(check)) for check in checks):
        return True
    if any(in_use for _receiver, in_use in unit_in_use.send(unit)):
        return True
    audit_count = db.session.scalar(
        select(func.count(AuditEntry.id)).where(AuditEntry.object_type == "units", AuditEntry.object_id == unit.id)
    )
    return (audit_count or 0) > 1


def delete_unit(actor: User | None, unit: Unit) -> None:
    """Only a unit created by mistake, with no history at all, may be deleted; others are deactivated."""
    require(actor, "units.manage", unit.id)
    if has_history(unit):
        raise Conflict(_l("Đơn vị đã có dữ liệu liên quan nên không thể xóa; hãy ngừng hoạt động đơn vị."))
    record(actor, "unit.delete", unit, before=snapshot(unit, UNIT_FIELDS))
    db.session.delete(unit)
    db.session.flush()
    scope.forget()


def descendant_ids(unit_ids: Iterable[int], include_self: bool = True) -> set[int]:
    """Ids of every unit beneath the given ones (one recursive query, SQLite and PostgreSQL alike)."""
    unit_ids = list(unit_ids)
    if not unit_ids:
        return set()
    tree = select(Unit.id).where(Unit.id.in_(unit_ids)).cte("tree", recursive=True)
    tree = tree.union_all(select(Unit.id).where(Unit.parent_id == tree.c.id))
    found = set(db.session.scalars(select(tree.c.id)))
    return found if include_self else found - set(unit_ids)


def cell_secretaries_beneath(unit_ids: Iterable[int]) -> list:
    """The people a session invites when these units are chosen: active cell secretaries of every cell beneath,
    as rows of (``id``, ``unit_id``). Rows, not people: a province invites thousands, and the session is made in
    the web worker that then serves the hall."""
    from ..accounts.models import UserRole

    ids = descendant_ids(unit_ids)
    if not ids:
        return []
    stmt = (
        select(User.id, User.unit_id)
        .join(Unit, User.unit_id == Unit.id)
        .where(User.unit_id.in_(ids), User.active.is_(True), Unit.kind.in_(("cell", "group")))
        .where(User.roles.any(UserRole.role == "secretary"))
        .order_by(Unit.name, User.name)
    )
    return list(db.session.execute(stmt))


def all_units(include_inactive: bool = True) -> list[Unit]:
    stmt = select(Unit).order_by(Unit.name)
    if not include_inactive:
        stmt = stmt.where(Unit.active.is_(True))
    return list(db.session.scalars(stmt))


def tree_rows(include_inactive: bool = True, viewer: User | None = None) -> list[tuple[Unit, int]]:
    """Every unit with its depth, parents before children, siblings by name: the admin list and pickers. For a
    ``viewer``, only their part of the tree, its top unit at depth 0."""
    units = all_units(include_inactive)
    ids = scope.scope_of(viewer) if viewer is not None else None
    if ids is not None:
        units = [u for u in units if u.id in ids]
    children: dict[int | None, list[Unit]] = {}
    for unit in units:
        children.setdefault(unit.parent_id, []).append(unit)
    known = {u.id for u in units}
    rows: list[tuple[Unit, int]] = []

    def walk(parent_id: int | None, depth: int) -> None:
        for unit in children.get(parent_id, []):
            rows.append((unit, depth))
            walk(unit.id, depth + 1)

    walk(None, 0)
    # Units whose parent was filtered out (inactive) still show, at the top level.
    for unit in units:
        if unit.parent_id is not None and unit.parent_id not in known:
            rows.append((unit, 0))
            walk(unit.id, 1)
    return rows


def path_of(unit: Unit | None, by_id: dict[int, Unit] | None = None) -> str:
    """“Chi bộ Ấp 1 – Đảng ủy xã Bình An”: the unit and its parent, as people name a cell."""
    if unit is None:
        return ""
    parent = (by_id or {}).get(unit.parent_id) if by_id else unit.parent
    return f"{unit.name} – {parent.name}" if parent is not None and unit.kind in ("cell", "group") else unit.name
