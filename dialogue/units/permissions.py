"""Who may change the organisation tree: an admin, within their part of it (``units.scope``)."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l

from ..core.access import ADMINS, has_any_role
from ..core.permissions import rule
from . import scope


@rule("units.manage", _l("Chỉ quản trị hệ thống của đơn vị cấp trên mới được sửa đơn vị này."))
def can_manage_unit(user: Any, unit_id: int | None) -> bool:
    """Create beneath ``unit_id`` (None: at the top of the tree), rename, move, deactivate or delete it."""
    if not has_any_role(user, ADMINS):
        return False
    if unit_id is None:
        return scope.scope_of(user) is None
    return scope.covers(user, unit_id)


@rule("units.import", _l("Chỉ quản trị hệ thống mới được nhập danh sách đảng viên."))
def can_import_members(user: Any, _obj: Any = None) -> bool:
    return has_any_role(user, ADMINS)


@rule("units.see", _l("Không tìm thấy đơn vị."))
def can_see_unit(user: Any, unit_id: int | None) -> bool:
    """A unit is seen by those whose part of the tree it is in (the tree's top, for everyone: it names the
    installation)."""
    return scope.covers(user, unit_id)
