"""Who may manage whose account: an admin, for the people of their part of the tree (``units.scope``)."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l

from ..core.access import ADMINS, has_any_role
from ..core.permissions import rule
from ..units import scope


@rule("users.manage", _l("Không tìm thấy người dùng."))
def can_manage_person(user: Any, person: Any) -> bool:
    """See and change ``person``'s account (None: the list of people)."""
    if not has_any_role(user, ADMINS):
        return False
    return person is None or scope.covers(user, person.unit_id)


@rule("users.place", _l("Đơn vị được chọn nằm ngoài phạm vi quản lý của đồng chí."))
def can_place_person(user: Any, unit_id: int | None) -> bool:
    """Put an account in ``unit_id`` (None: in no unit, which only the whole tree's admins may)."""
    if not has_any_role(user, ADMINS):
        return False
    return scope.scope_of(user) is None if unit_id is None else scope.covers(user, unit_id)


@rule("tokens.revoke", _l("Không tìm thấy mã truy cập."))
def can_revoke_token(user: Any, token: Any) -> bool:
    return token.user_id == user.id or (has_any_role(user, ADMINS) and scope.covers(user, token.user.unit_id))
