"""The /live Socket.IO namespace with real clients: authentication in `connect`, `join` answers with the
snapshot, every change reaches the room, a client that reconnects gets the current state, and after a restart
of the server mid-turn the clock is still right (it is derived from the stored times)."""

from __future__ import annotations

import queue
import time
from datetime import timedelta

import pytest
import requests
import socketio

from dialogue.core import timeutil
from dialogue.extensions import db
from dialogue.live import services
from dialogue.sessions.models import DialogueSession
from tests.factories import act
from tests.live_fixtures import make_session

NS = "/live"


def _token(user):
    from dialogue.accounts.services import create_api_token

    return act(create_api_token, None, user, "socket-test")[1]


class Watcher:
    """A python-socketio client that re-joins the session on every (re)connection and queues the states."""

    def __init__(self, url: str, session_id: int, auth: dict, reconnection: bool = False):
        self.states: queue.Queue = queue.Queue()
        self.client = socketio.Client(reconnection=reconnection, reconnection_delay=0.3, reconnection_delay_max=1)
        self.session_id = session_id

        @self.client.on("connect", namespace=NS)
        def on_connect():
            self.client.emit("join", {"session_id": session_id}, namespace=NS)

        @self.client.on("state", namespace=NS)
        def on_state(data):
            self.states.put(data)

        self.client.connect(url, auth=auth, namespaces=[NS], transports=["websocket"], wait_timeout=10)

    def next_state(self, timeout: float = 10.0, min_version: int = -1) -> dict:
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError(f"no state with version >= {min_version} within {timeout}s")
            state = self.states.get(timeout=left)
            if state["version"] >= min_version:
                return state

    def close(self):
        self.client.disconnect()


def test_connect_is_refused_without_credentials(live_server, tree):
    make_session(tree)
    client = socketio.Client(reconnection=False)
    with pytest.raises(socketio.exceptions.ConnectionError):
        client.connect(live_server.url, namespaces=[NS], transports=["websocket"], wait_timeout=5)
    with pytest.raises(socketio.exceptions.ConnectionError):
        client.connect(
            live_server.url, auth={"token": "dt_wrong"}, namespaces=[NS], transports=["websocket"], wait_timeout=5
        )


def test_join_is_checked_per_session(live_server, tree, make_user):
    session = make_session(tree)
    outsider = make_user("secretary", name="Người ngoài")
    sio = socketio.SimpleClient()
    sio.connect(live_server.url, auth={"token": _token(outsider)}, namespace=NS, transports=["websocket"])
    try:
        answer = sio.call("join", {"session_id": session.id}, timeout=5)
        assert answer == {"ok": False, "error": "forbidden"}
        act(services.request_to_speak, tree.secretaries[1], session.id)
        with pytest.raises(socketio.exceptions.TimeoutError):
            sio.receive(timeout=1)  # refused, so not in the room: no state reaches them
    finally:
        sio.disconnect()
    secret = act(services.ensure_projector_secret, db.session.get(DialogueSession, session.id))
    other = make_session(tree)
    sio = socketio.SimpleClient()
    sio.connect(live_server.url, auth={"projector": secret}, namespace=NS, transports=["websocket"])
    try:
        assert sio.call("join", {"session_id": other.id}, timeout=5) == {"ok": False, "error": "forbidden"}
        assert sio.call("join", {"session_id": session.id}, timeout=5)["ok"] is True
        event, data = sio.receive(timeout=5)
        assert event == "state" and data["session_id"] == session.id
        new_secret = act(services.reset_projector_secret, tree.organizer, session.id)  # the old link stops at once
        event, data = sio.receive(timeout=5)
        assert event == "revoked" and data == {"session_id": session.id}  # the open screen is told
        fresh = socketio.SimpleClient()
        fresh.connect(live_server.url, auth={"projector": new_secret}, namespace=NS, transports=["websocket"])
        try:
            assert fresh.call("join", {"session_id": session.id}, timeout=5)["ok"] is True
            assert fresh.receive(timeout=5)[0] == "state"
            act(services.request_to_speak, tree.secretaries[0], session.id)
            event, data = fresh.receive(timeout=5)
            assert event == "state" and [q["user_id"] for q in data["queue"]] == [
                tree.secretaries[1].id,
                tree.secretaries[0].id,
            ]
            with pytest.raises(socketio.exceptions.TimeoutError):
                sio.receive(timeout=1)  # ...and the screen on the old link receives nothing more
        finally:
            fresh.disconnect()
        assert sio.call("join", {"session_id": session.id}, timeout=5) == {"ok": False, "error": "revoked"}
    finally:
        sio.disconnect()
    old_link = socketio.Client(reconnection=False)
    refusals = []
    old_link.on("connect_error", refusals.append, namespace=NS)
    with pytest.raises(socketio.exceptions.ConnectionError):
        old_link.connect(
            live_server.url, auth={"projector": secret}, namespaces=[NS], transports=["websocket"], wait_timeout=5
        )
    assert refusals == [{"message": "revoked"}]  # a screen reconnecting on the old link is told why


def test_changes_reach_the_room_and_a_reconnecting_client_gets_the_current_state(live_server, tree):
    session = make_session(tree)
    org = {"Authorization": f"Bearer {_token(tree.organizer)}"}
    watcher = Watcher(live_server.url, session.id, {"token": _token(tree.secretaries[0])})
    try:
        first = watcher.next_state()
        assert first["session_id"] == session.id and first["current"] is None
        v = first["version"]
        base = f"{live_server.url}/api/v1/sessions/{session.id}"
        r = requests.post(f"{base}/speakers", json={"user_id": tree.secretaries[1].id}, headers=org, timeout=10)
        assert r.status_code == 201
        state = watcher.next_state(min_version=v + 1)
        assert state["version"] == v + 1 and [q["user_id"] for q in state["queue"]] == [tree.secretaries[1].id]
        watcher.close()
        # While this phone is away, the clerk calls the speaker.
        r = requests.post(f"{base}/speakers/next", json={"version": v + 1}, headers=org, timeout=10)
        assert r.status_code == 200
    finally:
        watcher.close()
    back = Watcher(live_server.url, session.id, {"token": _token(tree.secretaries[0])})
    try:
        state = back.next_state()
        assert state["version"] == v + 2  # the current snapshot at once, on (re)joining
        assert state["current"]["user_id"] == tree.secretaries[1].id and state["queue"] == []
    finally:
        back.close()


def test_cookie_session_connects(live_server, tree):
    """A page's socket authenticates with the signed-in browser cookie."""
    session = make_session(tree)
    http = requests.Session()
    from dialogue.sessions.services import session_link

    link = session_link(tree.secretaries[0], session)
    path = link.split("localhost", 1)[1]
    assert http.get(live_server.url + path, timeout=10).status_code == 200
    cookie = "; ".join(f"{c.name}={c.value}" for c in http.cookies)
    sio = socketio.SimpleClient()
    sio.connect(live_server.url, headers={"Cookie": cookie}, namespace=NS, transports=["websocket"])
    try:
        assert sio.call("join", {"session_id": session.id}, timeout=5)["ok"] is True
        assert sio.receive(timeout=5)[1]["session_id"] == session.id
    finally:
        sio.disconnect()


def test_restart_mid_turn_keeps_the_clock(tree, database_url):
    """A real server (as `make serve` runs it) is killed mid-turn and started again on the same database and port;
    the phone's client reconnects by itself, re-joins, and the clock shows the right time left. The turn began
    100 s ago (the app's clock moved back while it started)."""
    from tests.server_processes import ServerProcess, server_env

    session = make_session(tree, turn_seconds=180)
    act(services.request_to_speak, tree.secretaries[0], session.id)
    timeutil.set_clock_offset(timedelta(seconds=-100))
    act(services.next_speaker, tree.organizer, session.id)
    began = time.monotonic() - 100  # the turn's begin, on this process's monotonic clock
    timeutil.set_clock_offset(timedelta(0))
    token = _token(tree.secretaries[1])
    env = server_env(database_url)
    first = ServerProcess(env, name="before-restart").start()
    second = None
    watcher = None
    try:
        first.wait_ready()
        watcher = Watcher(first.url, session.id, {"token": token}, reconnection=True)
        state = watcher.next_state()
        expected = 180 - (time.monotonic() - began)
        assert expected - 3 <= state["current"]["seconds_left"] <= expected + 2
        first.kill()  # a crash in the middle of the turn
        time.sleep(1.5)
        second = ServerProcess(env, port=first.port, name="after-restart").start().wait_ready()
        state = watcher.next_state(timeout=30)
        expected = 180 - (time.monotonic() - began)
        assert state["current"]["user_id"] == tree.secretaries[0].id
        assert expected - 3 <= state["current"]["seconds_left"] <= expected + 2, (state["current"], expected)
        assert state["current"]["seconds_left"] < 80  # the time spent restarting counted too
    finally:
        if watcher is not None:
            watcher.close()
        first.stop()
        if second is not None:
            second.stop()


def test_connect_and_join_cost_a_few_small_queries(app, tree, count_queries):
    """A hall of phones connects at once: who it is, may they see it, and the held state, nothing more."""
    from dialogue.extensions import socketio as server

    session_id = make_session(tree).id
    services.snapshot(db.session.get(DialogueSession, session_id))  # the state is held, as after any change
    token = _token(tree.secretaries[0])
    db.session.commit()
    # Flask-SocketIO's test client patches the server it is given for good (packets go to its own queue, handlers
    # run inline); the app is shared by the whole run, so the real server is put back afterwards.
    sio_server = server.server
    handlers = (sio_server.async_handlers, sio_server.eio.async_handlers)
    try:
        with count_queries() as c:
            client = server.test_client(app, namespace=NS, auth={"token": token})
            assert client.is_connected(NS)
            answer = client.emit("join", {"session_id": session_id}, namespace=NS, callback=True)
        try:
            assert answer["ok"] is True
            received = client.get_received(NS)
            assert received[-1]["name"] == "state" and received[-1]["args"][0]["session_id"] == session_id
            # connect: the token's owner; join: the session row, the person and their roles, the invitation.
            assert c.count <= 5, c.statements
        finally:
            client.disconnect(namespace=NS)
    finally:
        for patched in ("_send_packet", "_send_eio_packet"):
            sio_server.__dict__.pop(patched, None)
        sio_server.async_handlers, sio_server.eio.async_handlers = handlers


def test_an_event_leaves_no_reference_cycle(live_server, tree):
    """Flask keeps a 404 (with its traceback) on the request context of each Socket.IO event; the handlers drop it,
    so a hall's joins are freed as they end instead of waiting for a full garbage collection."""
    import gc

    from flask.ctx import RequestContext

    session = make_session(tree)
    token = _token(tree.secretaries[0])
    gc.collect()
    watcher = Watcher(live_server.url, session.id, {"token": token})
    try:
        assert watcher.next_state()["session_id"] == session.id
    finally:
        watcher.close()
    gc.set_debug(gc.DEBUG_SAVEALL)
    try:
        gc.collect()
        contexts = [o for o in gc.garbage if isinstance(o, RequestContext)]
        left = [c.request.path for c in contexts if c.request.path.startswith("/socket.io")]
    finally:
        gc.set_debug(0)
        gc.garbage.clear()
    assert left == []
