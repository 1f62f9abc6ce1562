"""Live events across server processes (issue 4, item 5).

Two real server processes (gunicorn, one gevent worker each, as ``make serve`` runs them) share this run's
database (the temporary SQLite file, or the PostgreSQL database of TEST_DATABASE_URL) and one Redis as the
Socket.IO message queue. A real ``python-socketio`` client is connected to process 2; the actions go through
process 1's API. Redis is required: an unreachable Redis is a failure, not a skip (.ci/run starts it).
"""

from __future__ import annotations

import queue
import time
import uuid

import pytest
import socketio

from tests.server_processes import (
    ServerProcess,
    call_api,
    open_live_session,
    redis_reachable,
    redis_url,
    running_servers,
    server_env,
)

pytestmark = pytest.mark.server

TIMEOUT = 20.0


@pytest.fixture
def message_queue(app) -> str:
    problem = redis_reachable()
    if problem:
        pytest.fail(f"{problem}. The multi-process live test needs Redis (.ci/run starts it).")
    return redis_url(0)


@pytest.fixture
def server_envs(database_url, message_queue):
    # A channel of our own on the shared Redis (pub/sub channels ignore the database number), so that no other
    # run's events reach these processes.
    channel = f"dialogue-test-{uuid.uuid4().hex}"
    env = server_env(database_url, message_queue=message_queue, extra={"SOCKETIO_CHANNEL": channel})
    return [env, env]


@pytest.fixture
def two_servers(server_envs, tmp_path):
    with running_servers(server_envs, log_dir=tmp_path) as servers:
        yield servers


class LiveClient:
    """A phone on the /live namespace: joins its session on every (re)connection, keeps the states it receives
    and, like the pages, ignores a state older than the newest one it has."""

    def __init__(self, url: str, token: str, session_id: int, *, reconnection: bool = False) -> None:
        self.url, self.token, self.session_id = url, token, session_id
        self.states: queue.Queue = queue.Queue()
        self.newest: dict | None = None
        self.sio = socketio.Client(reconnection=reconnection, reconnection_delay=0.2, reconnection_delay_max=1)
        self.sio.on("connect", self._join, namespace="/live")
        self.sio.on("state", self.states.put, namespace="/live")

    def _join(self) -> None:
        self.sio.emit("join", {"session_id": self.session_id}, namespace="/live")

    def connect(self) -> LiveClient:
        self.sio.connect(
            self.url, namespaces=["/live"], transports=["websocket"], auth={"token": self.token}, wait_timeout=15
        )
        return self

    def disconnect(self) -> None:
        self.sio.disconnect()

    def next_state(self, timeout: float = TIMEOUT) -> dict:
        """The next state newer than what this client has (older or equal ones are ignored, as the pages do)."""
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError(f"no newer state than {self.newest and self.newest['version']} in {timeout}s")
            try:
                state = self.states.get(timeout=left)
            except queue.Empty:
                continue
            assert state["session_id"] == self.session_id
            if self.newest is None or state["version"] > self.newest["version"]:
                self.newest = state
                return state

    def assert_quiet(self, seconds: float = 0.5) -> None:
        """No further state arrives (each change gives exactly one)."""
        try:
            extra = self.states.get(timeout=seconds)
        except queue.Empty:
            return
        raise AssertionError(f"unexpected extra state: version {extra['version']}")


def bearer(token_for, user) -> str:
    return token_for(user)["Authorization"].split()[1]


def open_session(server: ServerProcess, tree, token_for) -> tuple[int, str]:
    organizer_token = bearer(token_for, tree.organizer)
    session_id = open_live_session(
        server.url,
        organizer_token,
        host_unit_id=tree.district.id,
        invited_unit_ids=[c.id for c in tree.communes],
        host_ids=[tree.host.id],
    )
    return session_id, organizer_token


def test_an_action_through_one_process_reaches_a_client_of_the_other(two_servers, tree, token_for):
    first, second = two_servers
    session_id, organizer_token = open_session(first, tree, token_for)
    speaker = tree.secretaries[0]
    speaker_token = bearer(token_for, speaker)
    on_second = LiveClient(second.url, bearer(token_for, tree.secretaries[1]), session_id).connect()
    on_first = LiveClient(first.url, speaker_token, session_id).connect()
    try:
        initial = on_second.next_state()
        assert on_first.next_state()["version"] == initial["version"]
        assert initial["current"] is None and initial["queue"] == []

        status, _ = call_api(first.url, speaker_token, "POST", f"/api/v1/sessions/{session_id}/speakers", {})
        assert status == 201
        asked = on_second.next_state()
        assert asked["version"] == initial["version"] + 1
        assert [entry["user_id"] for entry in asked["queue"]] == [speaker.id]

        status, turn = call_api(
            first.url,
            organizer_token,
            "POST",
            f"/api/v1/sessions/{session_id}/speakers/next",
            {"version": asked["version"]},
        )
        assert status == 200, turn
        called = on_second.next_state()
        assert called["version"] == asked["version"] + 1
        assert called["current"]["user_id"] == speaker.id
        assert called["queue"] == []
        assert 0 < called["current"]["seconds_left"] <= called["current"]["seconds_allowed"]
        # The client of process 1 got the same states, and each client got exactly one state per change.
        assert on_first.next_state()["version"] == asked["version"]
        assert on_first.next_state() == called
        on_second.assert_quiet()
        on_first.assert_quiet(0.1)
        # And what the socket said is what the API says.
        status, snapshot = call_api(second.url, speaker_token, "GET", f"/api/v1/sessions/{session_id}/live")
        assert status == 200
        assert snapshot["version"] == called["version"]
        assert snapshot["current"]["speaker_id"] == called["current"]["speaker_id"]
    finally:
        on_second.disconnect()
        on_first.disconnect()
    for server in two_servers:
        assert "Traceback" not in server.log(tail=200_000), server.log()


def test_a_client_that_reconnects_gets_the_current_snapshot(two_servers, tree, token_for):
    first, second = two_servers
    session_id, organizer_token = open_session(first, tree, token_for)
    waiting = tree.secretaries[2]
    client = LiveClient(second.url, bearer(token_for, tree.secretaries[0]), session_id).connect()
    try:
        initial = client.next_state()
        client.disconnect()

        # While the phone is away: someone asks to speak and the clerk calls them, through the other process.
        status, _ = call_api(
            first.url, bearer(token_for, waiting), "POST", f"/api/v1/sessions/{session_id}/speakers", {}
        )
        assert status == 201
        status, _ = call_api(first.url, organizer_token, "POST", f"/api/v1/sessions/{session_id}/speakers/next", {})
        assert status == 200

        client.connect()
        current = client.next_state()
        assert current["version"] == initial["version"] + 2
        assert current["current"]["user_id"] == waiting.id
    finally:
        client.disconnect()


def test_a_client_follows_a_restart_of_its_server_process(two_servers, tree, token_for):
    """The phone's server process dies mid-session; the client reconnects by itself to the restarted process,
    re-joins, and is given the current snapshot including what changed while it was down."""
    first, second = two_servers
    session_id, _organizer = open_session(first, tree, token_for)
    speaker = tree.secretaries[3]
    client = LiveClient(second.url, bearer(token_for, tree.secretaries[0]), session_id, reconnection=True).connect()
    restarted = None
    try:
        initial = client.next_state()
        second.kill()
        status, _ = call_api(
            first.url, bearer(token_for, speaker), "POST", f"/api/v1/sessions/{session_id}/speakers", {}
        )
        assert status == 201
        restarted = ServerProcess(
            second.env, port=second.port, name="server2-restarted", log_dir=second.log_path.parent
        )
        restarted.start()
        restarted.wait_ready()
        current = client.next_state(timeout=30)
        assert current["version"] == initial["version"] + 1
        assert [entry["user_id"] for entry in current["queue"]] == [speaker.id]
        assert client.sio.connected
    finally:
        client.disconnect()
        if restarted is not None:
            restarted.stop()


def test_wrong_passwords_are_counted_across_processes(two_servers):
    """With a Redis for the live events, the sign-in limit uses it too: attempts spread over the processes behind
    the proxy add up, so a second process is not a second set of tries."""
    import re

    import requests

    login = f"khong-ton-tai-{uuid.uuid4().hex[:8]}@test.vn"  # this run's own counter in the shared Redis
    browsers = []
    for server in two_servers:
        browser = requests.Session()
        page = browser.get(f"{server.url}/login", timeout=TIMEOUT).text
        token = re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)
        browsers.append((browser, server.url, token))
    codes = []
    for attempt in range(11):
        browser, url, token = browsers[attempt % 2]
        answer = browser.post(
            f"{url}/login", data={"login": login, "password": "sai", "csrf_token": token}, timeout=TIMEOUT
        )
        codes.append(answer.status_code)
    assert codes[:10] == [200] * 10  # the default: 10 a minute for one account from one address
    assert codes[10] == 429
    assert login in answer.text  # the form keeps what was typed
