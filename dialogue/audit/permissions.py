"""Who reads the audit log: an admin, within their part of the tree (API.md, Scope).

An entry is in an admin's part of the tree when the unit it belongs to is (``AuditEntry.unit_id``), or when the
person who acted is: a commune's admin reads what happened to the commune's units, accounts, sessions and
commitments, and what the commune's people did; not the district's entries, nor another commune's. The admin of the
tree's top (or one with no unit) reads everything. The rule has two faces, side by side so they cannot drift
apart: ``can_see_entry`` for one entry (a direct link outside is 404) and ``seen_by`` for a list (a WHERE clause).
"""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import ColumnElement, false, or_, select, true

from ..accounts.models import User
from ..core.access import ADMINS, has_any_role
from ..core.permissions import rule
from ..units import scope
from .models import AuditEntry

NOT_FOUND = _l("Không tìm thấy mục nhật ký này.")


@rule("audit.see", NOT_FOUND)
def can_see_entry(user: Any, entry: AuditEntry) -> bool:
    if not has_any_role(user, ADMINS):
        return False
    ids = scope.scope_of(user)
    if ids is None:
        return True
    if entry.unit_id is not None and entry.unit_id in ids:
        return True
    actor_unit = entry.actor.unit_id if entry.actor is not None else None
    return actor_unit is not None and actor_unit in ids


def seen_by(user: Any) -> ColumnElement[bool]:
    """The entries ``user`` may read, as a condition on ``AuditEntry`` (the list's face of ``audit.see``)."""
    if not has_any_role(user, ADMINS):
        return false()
    ids = scope.scope_of(user)
    if ids is None:
        return true()
    wanted = sorted(ids)
    actors_inside = select(User.id).where(User.unit_id.in_(wanted))
    return or_(AuditEntry.unit_id.in_(wanted), AuditEntry.actor_id.in_(actors_inside))
