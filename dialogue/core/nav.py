"""The header's menu: each area adds its entries here with the roles that see them.

Entries of the ``admin`` group (the tree, people, the log, the calendar, the document format...) are not in the
header one by one: they are listed on the administration page, which the header reaches through one entry, so
the menu of an admin who is also organizer still fits one line.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app, url_for
from flask_babel import lazy_gettext as _l

from .access import ADMINS, has_any_role

ADMIN_GROUP = "admin"
ADMIN_PAGE = "home.admin"


@dataclass(frozen=True)
class NavItem:
    endpoint: str
    text: object
    roles: tuple[str, ...] | None  # None: everyone signed in
    group: str | None = None


NAV_ITEMS: list[NavItem] = [
    NavItem("home.index", _l("Trang chủ"), None),
    NavItem("units.index", _l("Cây tổ chức"), ADMINS, ADMIN_GROUP),
    NavItem("units.import_members", _l("Nhập danh sách đảng viên"), ADMINS, ADMIN_GROUP),
    NavItem("accounts.users", _l("Người dùng"), ADMINS, ADMIN_GROUP),
    NavItem("audit.index", _l("Nhật ký thay đổi"), ADMINS, ADMIN_GROUP),
]


def add_nav_item(
    endpoint: str,
    text: object,
    roles: tuple[str, ...] | None,
    position: int | None = None,
    group: str | None = None,
) -> None:
    if any(item.endpoint == endpoint for item in NAV_ITEMS):
        return
    NAV_ITEMS.insert(position if position is not None else len(NAV_ITEMS), NavItem(endpoint, text, roles, group))


def _visible(user, group: str | None) -> list[NavItem]:
    endpoints = current_app.view_functions
    return [
        item
        for item in NAV_ITEMS
        if item.group == group and item.endpoint in endpoints and (item.roles is None or has_any_role(user, item.roles))
    ]


def nav_for(user) -> list[tuple[str, str]]:
    """The header's entries: the top-level ones, and one for the administration page if any of its tools is
    this person's."""
    entries = [(url_for(item.endpoint), str(item.text)) for item in _visible(user, None)]
    if _visible(user, ADMIN_GROUP) and ADMIN_PAGE in current_app.view_functions:
        entries.append((url_for(ADMIN_PAGE), str(_l("Quản trị"))))
    return entries


def admin_tools_for(user) -> list[tuple[str, str]]:
    """The administration page's tools this person may open."""
    return [(url_for(item.endpoint), str(item.text)) for item in _visible(user, ADMIN_GROUP)]
