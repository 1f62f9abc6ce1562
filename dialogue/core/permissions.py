"""Who may do what to which object: every rule is a named function, registered by its area's ``permissions.py``.

Services enforce with ``require(actor, "question.moderate", question)``; views, templates (the Jinja global
``can("question.moderate", question)``, for the signed-in person) and the API ask ``can(...)``. The rule itself
lives once, in the area that owns the object, so "who may moderate a submission?" is answered in
``dialogue/questions/permissions.py`` and nowhere else.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask_babel import lazy_gettext as _l

from .errors import Forbidden

Rule = Callable[[Any, Any], bool]
RULES: dict[str, Rule] = {}
MESSAGES: dict[str, Any] = {}
DEFAULT_MESSAGE = _l("Bạn không có quyền thực hiện thao tác này.")


def rule(name: str, message: Any = None) -> Callable[[Rule], Rule]:
    """Registers ``fn(user, obj) -> bool`` as the rule ``name``; ``message`` is what a refusal says."""

    def register(fn: Rule) -> Rule:
        if name in RULES and RULES[name] is not fn:
            raise ValueError(f"permission {name!r} is declared twice")
        RULES[name] = fn
        if message is not None:
            MESSAGES[name] = message
        return fn

    return register


def can(user: Any, name: str, obj: Any = None) -> bool:
    """Whether ``user`` may do ``name`` to ``obj``. ``None`` is the system itself (a CLI command run by the
    operator, a job, the demo data), which may do anything; an anonymous person may do nothing that needs a rule."""
    if user is None:
        return True
    if not getattr(user, "is_authenticated", False):
        return False
    return bool(RULES[name](user, obj))


def require(user: Any, name: str, obj: Any = None, message: Any = None) -> None:
    """Refuses (403) unless ``can(user, name, obj)``, with the rule's own message unless one is given."""
    if not can(user, name, obj):
        raise Forbidden(str(message or MESSAGES.get(name) or DEFAULT_MESSAGE), code="forbidden")
