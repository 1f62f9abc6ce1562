"""The header's menu: each area adds its entries here with the roles that see them."""

from __future__ import annotations

from flask import current_app, url_for
from flask_babel import lazy_gettext as _l

from .access import has_any_role

# (endpoint, label, roles or None for everyone signed in)
NAV_ITEMS: list[tuple[str, object, tuple[str, ...] | None]] = [
    ("home.index", _l("Trang chủ"), None),
    ("units.index", _l("Đơn vị"), ("admin",)),
    ("accounts.users", _l("Người dùng"), ("admin",)),
    ("audit.index", _l("Nhật ký"), ("admin",)),
]


def add_nav_item(endpoint: str, text: object, roles: tuple[str, ...] | None, position: int | None = None) -> None:
    if any(item[0] == endpoint for item in NAV_ITEMS):
        return
    item = (endpoint, text, roles)
    NAV_ITEMS.insert(position if position is not None else len(NAV_ITEMS), item)


def nav_for(user) -> list[tuple[str, str]]:
    endpoints = current_app.view_functions
    return [
        (url_for(endpoint), str(text))
        for endpoint, text, roles in NAV_ITEMS
        if endpoint in endpoints and (roles is None or has_any_role(user, roles))
    ]
