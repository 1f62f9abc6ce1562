"""The home page's sections. An area calls ``register_section`` at import; the home page shows every section
whose role the person holds, in order."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ..accounts.models import User


@dataclass(frozen=True)
class HomeSection:
    role: str
    template: str
    context: Callable[[User], dict[str, Any]]
    order: int


_SECTIONS: list[HomeSection] = []


def register_section(
    role: str, template: str, context: Callable[[User], dict[str, Any]] | None = None, order: int = 100
) -> None:
    if any(s.role == role and s.template == template for s in _SECTIONS):
        return
    _SECTIONS.append(HomeSection(role, template, context or (lambda user: {}), order))


def sections_for(user: User) -> list[tuple[str, dict[str, Any]]]:
    roles = user.role_names
    chosen = sorted((s for s in _SECTIONS if s.role in roles), key=lambda s: (s.order, s.template))
    seen: set[str] = set()
    out = []
    for section in chosen:
        if section.template in seen:
            continue
        seen.add(section.template)
        out.append((section.template, section.context(user)))
    return out
