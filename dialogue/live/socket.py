"""Socket.IO namespace ``/live``: one room per session; every change of live state is sent there as ``state``.

Authentication happens in ``connect`` (Socket.IO handlers skip ``before_request``): the signed-in cookie session,
``auth={"token": <API token>}``, or ``auth={"projector": <the session's projector secret>}``. Anyone else is
refused. ``join`` ``{"session_id": N}`` checks that the person may see that session and answers with ``state``.
"""

from __future__ import annotations

import functools
import logging
from dataclasses import dataclass

from flask import request
from flask_login import current_user
from flask_socketio import ConnectionRefusedError, emit, join_room, leave_room
from sqlalchemy.orm import lazyload

from ..core.errors import DomainError
from ..core.inputs import DB_INT_MAX
from ..core.uow import transaction
from ..extensions import db, socketio
from . import services
from .services import NAMESPACE

log = logging.getLogger(__name__)


@dataclass(slots=True)
class Client:
    """Who one connection is, and the one room it is in. Slotted: a hall keeps 2,000 of these for hours."""

    user_id: int | None = None
    projector: int | None = None  # the session whose projector link this screen was opened with
    secret: str | None = None  # that link's secret, checked again at every join
    room: str | None = None


# Per process, like the connections themselves.
_clients: dict[str, Client] = {}


def _identify(auth) -> Client | None:
    auth = auth if isinstance(auth, dict) else {}
    if auth.get("projector"):
        try:
            session = services.projector_session(str(auth["projector"]))
        except DomainError:
            # The page was opened with this link, so the organizer has reset it since: the screen stops trying.
            raise ConnectionRefusedError("revoked") from None
        return Client(projector=session.id, secret=str(auth["projector"]))
    if auth.get("token"):
        from ..accounts.services import user_id_for_api_token

        user_id = user_id_for_api_token(str(auth["token"]))
        return Client(user_id=user_id) if user_id is not None else None
    if current_user.is_authenticated:
        return Client(user_id=current_user.id)
    return None


def _live_event(handler):
    """What every ``/live`` handler needs: one unit of work (committed if the handler succeeds, rolled back
    otherwise, and the database session given back at once), and its request context freed as soon as the event
    ends.

    Flask-SocketIO runs each event in a request context for ``/socket.io/``, which matches no route: Flask keeps the
    ``NotFound`` on the request, and its traceback holds the context's own frame, a reference cycle. Our handlers
    wait on the database, so the cycle outlives the young generation and stays (with the request and its frames)
    until a full collection. Dropping the unused 404 lets reference counting free it all when the event ends.
    """

    @functools.wraps(handler)
    def handle(*args, **kwargs):
        request.routing_exception = None
        try:
            with transaction():
                return handler(*args, **kwargs)
        finally:
            db.session.remove()

    return handle


def _session_id(data) -> int | None:
    """The session a ``join`` names: ``{"session_id": N}`` with N an id the database can hold, else None (answered
    ``bad_session_id``: a list, a string or 10**30 must get an answer, not a failed query and silence)."""
    if not isinstance(data, dict):
        return None
    value = data.get("session_id")
    if isinstance(value, bool):
        return None
    try:
        session_id = int(value)
    except (TypeError, ValueError, OverflowError):
        return None
    return session_id if 0 < session_id <= DB_INT_MAX else None


@socketio.on("connect", namespace=NAMESPACE)
@_live_event
def on_connect(auth=None):
    who = _identify(auth)
    if who is None:
        raise ConnectionRefusedError("unauthorized")
    _clients[request.sid] = who


@socketio.on("disconnect", namespace=NAMESPACE)
@_live_event
def on_disconnect(*args):
    _clients.pop(request.sid, None)


@socketio.on("join", namespace=NAMESPACE)
@_live_event
def on_join(data=None):
    who = _clients.get(request.sid)
    if who is None:
        return {"ok": False, "error": "unauthorized"}
    session_id = _session_id(data)
    if session_id is None:
        return {"ok": False, "error": "bad_session_id"}
    target = services.room(session_id) if who.projector is None else services.projector_room(session_id, who.secret)
    if who.projector is not None:
        # A projector is in its room before the check: a link reset that commits while this runs is either seen
        # by the check below or sends its `revoked` to a room this screen is already in. Never neither. (Its room
        # is named after its own secret, so a wrong link is in a room nothing is sent to.) A person is let in only
        # after the check: nobody receives a state they may not see, even for a moment.
        join_room(target)
    try:
        # The session's row and the person's roles, nothing else: a hall of phones joins at once.
        session = db.session.get(services.DialogueSession, session_id, options=[lazyload("*")])
        if session is None:
            allowed, error = False, "not_found"
        elif who.projector is not None:
            # Checked again at each join: after the organizer resets the link, the old one stops working.
            allowed = who.projector == session_id and session.projector_secret == who.secret
            error = "revoked" if who.projector == session_id else "forbidden"
        else:
            from ..accounts.models import User

            user = db.session.get(User, who.user_id, options=[lazyload(User.unit)])
            allowed = user is not None and user.active and services.can_view(user, session)
            error = "forbidden"
        if not allowed:
            if who.projector is not None and who.room != target:
                leave_room(target)
            return {"ok": False, "error": error}
        if who.room not in (None, target):
            leave_room(who.room)
        join_room(target)
        who.room = target
        state = services.snapshot(session)
    finally:
        db.session.remove()
    emit("state", state)
    return {"ok": True, "version": state["version"]}
