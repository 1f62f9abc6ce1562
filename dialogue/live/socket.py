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
from flask_socketio import ConnectionRefusedError, disconnect, emit, join_room, leave_room
from sqlalchemy.orm import lazyload

from ..accounts.models import User
from ..accounts.services import token_holder
from ..accounts.signals import sign_ins_ended
from ..core.errors import DomainError
from ..core.inputs import DB_INT_MAX
from ..core.uow import transaction
from ..extensions import db, socketio
from . import services
from .services import NAMESPACE
from .socket_manager import person_room

log = logging.getLogger(__name__)


@dataclass(slots=True)
class Client:
    """Who one connection is, and the one room it is in. Slotted: a hall keeps 2,000 of these for hours."""

    user_id: int | None = None
    session_version: int = 0  # the person's, when they connected: a move ends this connection
    link_only: bool = False  # signed in through a personal link: acts as an invitee only
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
        holder = token_holder(str(auth["token"]))
        if holder is None:
            return None
        user_id, version, link_only = holder
        return Client(user_id=user_id, session_version=version, link_only=link_only)
    if current_user.is_authenticated:
        return Client(
            user_id=current_user.id,
            session_version=current_user.session_version or 0,
            link_only=bool(current_user.link_session),
        )
    return None


def _live_event(handler=None, *, database: bool = True):
    """What every ``/live`` handler needs: one unit of work (committed if the handler succeeds, rolled back
    otherwise, and the database session given back at once), and its request context freed as soon as the event
    ends. ``database=False`` for a handler that reads no table (``disconnect``): the server also runs it inside
    whatever ends a connection, such as the commit that ended a person's sign-ins, whose session it must leave
    alone.

    Flask-SocketIO runs each event in a request context for ``/socket.io/``, which matches no route: Flask keeps the
    ``NotFound`` on the request, and its traceback holds the context's own frame, a reference cycle. Our handlers
    wait on the database, so the cycle outlives the young generation and stays (with the request and its frames)
    until a full collection. Dropping the unused 404 lets reference counting free it all when the event ends.
    """

    def decorate(handler):
        @functools.wraps(handler)
        def handle(*args, **kwargs):
            request.routing_exception = None
            if not database:
                return handler(*args, **kwargs)
            try:
                with transaction():
                    return handler(*args, **kwargs)
            finally:
                db.session.remove()

        return handle

    return decorate(handler) if handler is not None else decorate


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
    if who.user_id is not None:
        join_room(person_room(who.user_id))  # so that ending the person's sign-ins ends this connection


@socketio.on("disconnect", namespace=NAMESPACE)
@_live_event(database=False)
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
            user = db.session.get(User, who.user_id, options=[lazyload(User.unit)])
            if user is None or not user.active or (user.session_version or 0) != who.session_version:
                disconnect()
                return {"ok": False, "error": "signed_out"}
            user.link_session = who.link_only
            allowed = services.can_view(user, session)
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


@sign_ins_ended.connect
def end_connections(_sender, user_id: int, **_kw) -> None:
    """A person's sign-ins ended: their open connections end too, in every process."""
    try:
        socketio.close_room(person_room(user_id), namespace=NAMESPACE)
    except Exception:  # the message queue being down must not fail the request that signed them out
        log.warning("could not end the live connections of user %s", user_id, exc_info=True)
