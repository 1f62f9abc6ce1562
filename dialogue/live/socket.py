"""Socket.IO namespace ``/live``: one room per session; every change of live state is sent there as ``state``.

Authentication happens in ``connect`` (Socket.IO handlers skip ``before_request``): the signed-in cookie session,
``auth={"token": <API token>}``, or ``auth={"projector": <the session's projector secret>}``. Anyone else is
refused. ``join`` ``{"session_id": N}`` checks that the person may see that session and answers with ``state``.
"""

from __future__ import annotations

import logging

from flask import request
from flask_login import current_user
from flask_socketio import ConnectionRefusedError, emit, join_room, leave_room
from sqlalchemy.orm import lazyload

from ..core.errors import DomainError
from ..extensions import db, socketio
from . import services
from .services import NAMESPACE

log = logging.getLogger(__name__)

# Who each connection is: {sid: {"user_id": int | None, "projector": session_id | None}}. Per process, like the
# connections themselves.
_clients: dict[str, dict] = {}


def _identify(auth) -> dict | None:
    auth = auth if isinstance(auth, dict) else {}
    if auth.get("projector"):
        try:
            session = services.projector_session(str(auth["projector"]))
        except DomainError:
            # The page was opened with this link, so the organizer has reset it since: the screen stops trying.
            raise ConnectionRefusedError("revoked") from None
        return {"user_id": None, "projector": session.id, "secret": str(auth["projector"])}
    if auth.get("token"):
        from ..accounts.services import user_id_for_api_token

        user_id = user_id_for_api_token(str(auth["token"]))
        return {"user_id": user_id, "projector": None} if user_id is not None else None
    if current_user.is_authenticated:
        return {"user_id": current_user.id, "projector": None}
    return None


@socketio.on("connect", namespace=NAMESPACE)
def on_connect(auth=None):
    try:
        who = _identify(auth)
    finally:
        db.session.remove()
    if who is None:
        raise ConnectionRefusedError("unauthorized")
    _clients[request.sid] = who


@socketio.on("disconnect", namespace=NAMESPACE)
def on_disconnect(*args):
    _clients.pop(request.sid, None)


@socketio.on("join", namespace=NAMESPACE)
def on_join(data=None):
    who = _clients.get(request.sid)
    if who is None:
        return {"ok": False, "error": "unauthorized"}
    try:
        session_id = int((data or {}).get("session_id"))
    except (TypeError, ValueError):
        return {"ok": False, "error": "bad_session_id"}
    if who["projector"] is not None:
        target = services.projector_room(session_id, who["secret"])
    else:
        target = services.room(session_id)
    # In the room before the check: a projector link reset that commits while this runs is either seen by the
    # check below or sends its `revoked` to a room this connection is already in. Never neither.
    join_room(target)
    try:
        # The session's row and the person's roles, nothing else: a hall of phones joins at once.
        session = db.session.get(services.DialogueSession, session_id, options=[lazyload("*")])
        if session is None:
            allowed, error = False, "not_found"
        elif who["projector"] is not None:
            # Checked again at each join: after the organizer resets the link, the old one stops working.
            allowed = who["projector"] == session_id and session.projector_secret == who["secret"]
            error = "revoked" if who["projector"] == session_id else "forbidden"
        else:
            from ..accounts.models import User

            user = db.session.get(User, who["user_id"], options=[lazyload(User.unit)])
            allowed = user is not None and user.active and services.can_view(user, session)
            error = "forbidden"
        if not allowed:
            if target not in who.get("rooms", ()):
                leave_room(target)
            return {"ok": False, "error": error}
        for joined in [r for r in who.get("rooms", ()) if r != target]:
            leave_room(joined)
        who["rooms"] = {target}
        state = services.snapshot(session)
    finally:
        db.session.remove()
    emit("state", state)
    return {"ok": True, "version": state["version"]}
