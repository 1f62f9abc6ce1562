"""The baseline for bench/live_fanout.py: a bare Flask-SocketIO app with nothing but the broadcast.

Served the way the app is (``gunicorn -k gevent -w 1 --worker-connections 5000 bare_server:app`` from this
folder), with the same Socket.IO options as the app (namespace ``/live``, a room per session, ping 25/20 s,
the Redis message queue when ``SOCKETIO_MESSAGE_QUEUE`` is set). Clients connect to ``/live`` and emit ``join``
``{"session_id"}``; the server puts them in the room and answers ``state``. ``POST /poke`` with
``{"session_id", "version", "state"}`` broadcasts that ``state`` (the benchmark passes a copy of the app's
snapshot, so the payload has the same size and the same shape to decode) with its ``version`` set, to the room,
like the app's ``publish_state`` after "next speaker"; with ``{"session_id", "version", "size"}`` instead it
broadcasts ``size`` bytes of padding. No authentication, no database.
"""

from gevent import monkey

monkey.patch_all()

import json  # noqa: E402
import os  # noqa: E402

from flask import Flask, jsonify, request  # noqa: E402
from flask_socketio import SocketIO, join_room  # noqa: E402

app = Flask(__name__)
socketio = SocketIO(
    app,
    async_mode="gevent",
    message_queue=os.environ.get("SOCKETIO_MESSAGE_QUEUE") or None,
    channel=os.environ.get("SOCKETIO_CHANNEL") or "flask-socketio",
    cors_allowed_origins=None,
    ping_interval=25,
    ping_timeout=20,
)
_state: dict = {"version": 0, "size": 64, "state": None}


def payload(session_id: int, version: int, size: int, state: dict | None = None) -> dict:
    """The given state with this version, or ``size`` bytes of JSON as python-socketio encodes it (compact)."""
    if state is not None:
        return {**state, "session_id": session_id, "version": version}
    data = {"session_id": session_id, "version": version, "pad": ""}
    bare = len(json.dumps(data, separators=(",", ":")))
    data["pad"] = "x" * max(0, size - bare)
    return data


@app.get("/ready")
def ready():
    return "ok"


@app.post("/poke")
def poke():
    body = request.get_json(force=True)
    session_id, version = int(body["session_id"]), int(body["version"])
    _state.update(version=version, size=int(body.get("size") or 64), state=body.get("state"))
    data = payload(session_id, version, _state["size"], _state["state"])
    socketio.emit("state", data, to=f"session-{session_id}", namespace="/live")
    return jsonify(ok=True)


@socketio.on("connect", namespace="/live")
def on_connect(auth=None):
    return True


@socketio.on("join", namespace="/live")
def on_join(data):
    session_id = int(data["session_id"])
    join_room(f"session-{session_id}")
    socketio.emit(
        "state",
        payload(session_id, _state["version"], _state["size"], _state["state"]),
        to=request.sid,
        namespace="/live",
    )
