"""Every view declares who may use it. The route-permission test walks ``app.url_map`` and fails for any
view without a declaration, so a new page cannot be left open by forgetting.

Object-level rules (is this person invited to this session? is this their question?) live in services.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import wraps

from flask import abort, redirect, request, url_for
from flask_login import current_user

ROLES: tuple[str, ...] = ("admin", "organizer", "host", "secretary", "secretariat", "unit")

# The role groups: every role list of the package is one of these. Who may do what to which object is then
# decided by each area's ``permissions.py``, which starts from these groups.
ADMINS: tuple[str, ...] = ("admin",)
STAFF: tuple[str, ...] = ("admin", "organizer", "host", "secretariat")  # see every session and its record
MANAGERS: tuple[str, ...] = ("organizer", "admin")  # the office: schedule, invite, moderate, run the queue
CONSOLE: tuple[str, ...] = ("organizer", "host", "admin")  # the live console
RESPONDERS: tuple[str, ...] = ("organizer", "host", "admin")  # record a response in the hall
WRITERS: tuple[str, ...] = ("organizer", "host", "secretariat", "admin")  # answer in writing after the session
ASSIGNERS: tuple[str, ...] = ("organizer", "host", "secretariat")  # give a commitment to a unit
VERIFIERS: tuple[str, ...] = ("secretariat",)  # verify, reopen, cancel, extend commitments
DOCUMENT_READERS: tuple[str, ...] = ("organizer", "host", "secretariat")  # drafts of the minutes and notice
DOCUMENT_EDITORS: tuple[str, ...] = ("organizer", "host")  # edit and publish them
HOSTS: tuple[str, ...] = ("host", "organizer", "admin")  # may chair a session
ANSWERERS: tuple[str, ...] = ("host", "organizer", "secretariat", "unit", "admin")  # may be named to answer
UNITS: tuple[str, ...] = ("unit",)  # a responsible unit's account
INVITEES: tuple[str, ...] = ("secretary",)  # a cell secretary
# What a sign-in through a personal link may act as, whatever the account holds: an invitee.
LINK_SESSION_ROLES: tuple[str, ...] = INVITEES


@dataclass(frozen=True)
class Access:
    """``kind`` is ``public``, ``signed_in`` or ``roles``; ``roles`` lists who passes for ``roles``."""

    kind: str
    roles: tuple[str, ...] = ()


def _declare(view: Callable, access: Access) -> Callable:
    view.access = access  # type: ignore[attr-defined]
    return view


def public(view: Callable) -> Callable:
    """Open to anyone, signed in or not (sign-in page, personal links, the projector by secret link)."""
    return _declare(view, Access("public"))


def signed_in(view: Callable) -> Callable:
    """Any signed-in person; what they see is narrowed by the service."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        if not current_user.is_authenticated:
            return _refuse_anonymous()
        return view(*args, **kwargs)

    return _declare(wrapper, Access("signed_in"))


def roles_required(*roles: str) -> Callable[[Callable], Callable]:
    """Only people holding at least one of ``roles``."""
    unknown = set(roles) - set(ROLES)
    if unknown or not roles:
        raise ValueError(f"unknown roles {unknown}")

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapper(*args, **kwargs):
            if not current_user.is_authenticated:
                return _refuse_anonymous()
            if not has_any_role(current_user, roles):
                if holds_any_role(current_user, roles):
                    return _ask_for_password()
                abort(403)
            return view(*args, **kwargs)

        return _declare(wrapper, Access("roles", tuple(roles)))

    return decorator


def has_any_role(user, roles: Iterable[str]) -> bool:
    """Whether this sign-in may act in one of ``roles`` (a personal-link sign-in acts only as an invitee)."""
    return bool(getattr(user, "is_authenticated", False)) and bool(set(user.role_names) & set(roles))


def holds_any_role(user, roles: Iterable[str]) -> bool:
    """Whether the account holds one of ``roles``, whatever this sign-in may do with them."""
    held = getattr(user, "held_role_names", None)
    return bool(getattr(user, "is_authenticated", False)) and held is not None and bool(set(held) & set(roles))


def _ask_for_password():
    """The page needs a staff role the account holds, but this sign-in came through a personal link: the
    sign-in page asks for the password, then comes back here."""
    return redirect(url_for("accounts.login", next=request.full_path.rstrip("?")))


def _refuse_anonymous():
    from ..extensions import login_manager

    if request.blueprint == "api":
        abort(401)
    return login_manager.unauthorized()
