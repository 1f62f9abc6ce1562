"""Who a request is: the cookie session (password or personal link), a remember cookie, or a bearer token.

(The CSRF token is renewed at every sign-in by ``core.web.renew_csrf_at_sign_in``.)

The id Flask-Login keeps in the cookies is ``"<user id>:<session version>"``, so moving a person's session
version (``services.end_sign_ins``) ends every cookie issued before. A sign-in through a personal link is marked
in the session: it acts only as an invitee (``User.link_session``), never gets a remember cookie, and a page
that needs a staff role asks for the password instead.
"""

from __future__ import annotations

import secrets

from flask import Request, session
from flask_login import current_user, login_user, logout_user

from ..extensions import db
from .models import User

LINK_SIGN_IN = "_via_link"


def load_user(user_id: str) -> User | None:
    """Flask-Login's user loader (session and remember cookies): the person, if the version still stands."""
    person, _, rest = str(user_id).partition(":")
    version = rest.partition(":")[0]
    try:
        person_id, session_version = int(person), int(version)
    except ValueError:
        return None  # a cookie from before session versions, or forged: signed out
    if not 0 < person_id < 2**31:
        return None
    user = db.session.get(User, person_id)
    if user is None or not user.active or (user.session_version or 0) != session_version:
        return None
    user.link_session = bool(session.get(LINK_SIGN_IN))
    return user


def load_user_from_bearer(request: Request) -> User | None:
    from .services import user_for_api_token

    header = request.headers.get("Authorization", "")
    if header.lower().startswith("bearer "):
        return user_for_api_token(header[7:].strip())
    return None


def sign_in_with_password(user: User, remember: bool = False) -> None:
    """A full sign-in: every role the account holds. A new CSRF token and a new remember cookie."""
    session.pop(LINK_SIGN_IN, None)
    user.link_session = False
    user.sign_in_nonce = secrets.token_urlsafe(6)  # type: ignore[attr-defined]
    login_user(user, remember=remember)
    session.permanent = True


def sign_in_with_link(user: User) -> None:
    """A personal link: the invitee's pages only. Someone already signed in as this person with a password keeps
    that sign-in; anyone else is signed out first."""
    if current_user.is_authenticated and current_user.id == user.id and not current_user.link_session:
        return
    if current_user.is_authenticated:
        logout_user()
    user.link_session = True
    login_user(user, remember=False)
    session[LINK_SIGN_IN] = True
    session.permanent = True


def sign_out() -> None:
    logout_user()
    session.pop(LINK_SIGN_IN, None)


def is_link_sign_in(user) -> bool:
    return bool(getattr(user, "is_authenticated", False) and getattr(user, "link_session", False))
