"""Who may read and who may change the office's calendar.

The calendar is one for the whole installation: every deadline of every committee counts on it, so only an
administrator who acts on the whole tree (an account at its root, or with no unit) may change it. A commune's
administrator reads it like everyone else.
"""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l

from ..core.errors import Forbidden

CALENDAR_EDITOR_ROLES: tuple[str, ...] = ("admin",)


def can_read_calendar(user: Any) -> bool:
    """Everyone signed in: the clocks of their own submissions and tasks count on it."""
    return bool(getattr(user, "is_authenticated", False))


def acts_on_whole_tree(user: Any) -> bool:
    """An account at the root of the organisation tree, or with no unit (API.md, Scope)."""
    unit = getattr(user, "unit", None)
    return unit is None or unit.parent_id is None


def can_change_calendar(user: Any) -> bool:
    return (
        bool(getattr(user, "is_authenticated", False))
        and user.has_role(*CALENDAR_EDITOR_ROLES)
        and acts_on_whole_tree(user)
    )


def check_can_change_calendar(user: Any) -> None:
    if not can_change_calendar(user):
        raise Forbidden(
            _l(
                "Chỉ quản trị hệ thống cấp cao nhất mới được thay đổi lịch làm việc, "
                "vì mọi thời hạn của mọi đơn vị đều tính theo lịch này."
            )
        )
