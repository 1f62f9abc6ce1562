"""``make serve`` for real: gunicorn, one gevent worker, ``wsgi:app`` with gevent's monkey patching first.

The server is a separate process on the test database (the SQLite file or the PostgreSQL database of this run),
started with the exact production command line (tests/server_processes.py).
"""

from __future__ import annotations

import queue
import re
import subprocess
import sys

import pytest
import requests
import socketio

from tests.server_processes import (
    ROOT,
    ServerProcess,
    call_api,
    create_token,
    open_live_session,
    running_servers,
    server_env,
)

pytestmark = pytest.mark.server


@pytest.fixture(scope="module")
def served(app, database_url, tmp_path_factory):
    """One server as ``make serve`` runs it: no message queue, one process."""
    with running_servers([server_env(database_url)], log_dir=tmp_path_factory.mktemp("served")) as (server,):
        yield server


def test_serves_the_sign_in_page_in_vietnamese_on_a_gevent_worker(served):
    answer = requests.get(served.url + "/login", timeout=10)

    assert answer.status_code == 200
    assert answer.headers["Content-Type"] == "text/html; charset=utf-8"
    page = answer.content.decode("utf-8")
    assert '<html lang="vi">' in page
    assert "Đăng nhập" in page
    assert "Hệ thống tiếp xúc, đối thoại trực tiếp giữa người đứng đầu cấp ủy với bí thư chi bộ." in page
    log = served.log(tail=100_000)
    assert "Using worker: gevent" in log
    assert "Traceback" not in log
    # The production configuration: the session cookie is secure unless the deployment says otherwise.
    assert served.env["DIALOGUE_CONFIG"] == "production"


def test_wsgi_patches_first_and_runs_socketio_on_gevent(app, database_url):
    """gunicorn's gevent worker patches before it loads the app, which would hide a late patch; a plain
    interpreter importing wsgi.py shows it: gevent warns when ssl or threading were imported before patching."""
    probe = (
        "import wsgi\n"
        "from gevent import monkey\n"
        "from dialogue.extensions import socketio\n"
        "print(*[monkey.is_module_patched(m) for m in ('socket', 'ssl', 'threading', 'select')],"
        " socketio.server.eio.async_mode, wsgi.app.config['SOCKETIO_ASYNC_MODE'])\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe],
        cwd=ROOT,
        env=server_env(database_url),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["True", "True", "True", "True", "gevent", "gevent"]
    assert "MonkeyPatchWarning" not in done.stderr


def test_refuses_to_start_without_secret_key(app, database_url, tmp_path):
    server = ServerProcess(server_env(database_url, secret_key=None), name="no-secret", log_dir=tmp_path).start()
    try:
        code = server.process.wait(timeout=60)
    finally:
        server.stop()
    assert code != 0
    assert "SECRET_KEY must be set in the environment for production." in server.log(tail=100_000)
    with pytest.raises(requests.ConnectionError):
        requests.get(server.url + "/login", timeout=2)


def test_accepts_a_websocket_socketio_connection_and_sends_the_live_state(served, tree, token_for):
    organizer_token = token_for(tree.organizer)["Authorization"].split()[1]
    session_id = open_live_session(
        served.url,
        organizer_token,
        host_unit_id=tree.district.id,
        invited_unit_ids=[tree.communes[0].id],
        host_ids=[tree.host.id],
    )
    secretary = tree.secretaries[0]
    # A token made the way an operator makes one: `flask tokens create EMAIL`.
    secretary_token = create_token(served.env, secretary.email)
    states: queue.Queue = queue.Queue()
    client = socketio.Client(reconnection=False)
    client.on("state", states.put, namespace="/live")
    try:
        client.connect(
            served.url,
            namespaces=["/live"],
            transports=["websocket"],
            auth={"token": secretary_token},
            wait_timeout=15,
        )
        assert client.transport() == "websocket"
        client.emit("join", {"session_id": session_id}, namespace="/live")
        state = states.get(timeout=15)
        assert state["session_id"] == session_id
        assert state["status"] == "live"
        status, snapshot = call_api(served.url, secretary_token, "GET", f"/api/v1/sessions/{session_id}/live")
        assert status == 200
        assert state["version"] == snapshot["version"]

        status, _ = call_api(served.url, secretary_token, "POST", f"/api/v1/sessions/{session_id}/speakers", {})
        assert status == 201
        newer = states.get(timeout=15)
        assert newer["version"] == state["version"] + 1
        assert [entry["user_id"] for entry in newer["queue"]] == [secretary.id]
    finally:
        client.disconnect()
    assert "Traceback" not in served.log(tail=100_000)


def test_refuses_a_socket_connection_with_a_wrong_token(served):
    client = socketio.Client(reconnection=False)
    with pytest.raises(socketio.exceptions.ConnectionError):
        client.connect(
            served.url,
            namespaces=["/live"],
            transports=["websocket"],
            auth={"token": "not-a-token"},
            wait_timeout=10,
        )
    client.disconnect()


def test_a_signed_in_browser_session_cookie_opens_the_live_socket(served, make_user):
    make_user("organizer", email="thu.ky@test.vn", password="mat-khau-dai-1")
    browser = requests.Session()
    form = browser.get(served.url + "/login", timeout=10).text
    csrf = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', form) or re.search(
        r'name="csrf_token" value="([^"]+)"', form
    )
    assert csrf, "the sign-in form carries a CSRF token"
    signed_in = browser.post(
        served.url + "/login",
        data={"csrf_token": csrf.group(1), "login": "thu.ky@test.vn", "password": "mat-khau-dai-1"},
        timeout=10,
        allow_redirects=False,
    )
    assert signed_in.status_code == 302
    cookie = "; ".join(f"{c.name}={c.value}" for c in browser.cookies)
    client = socketio.Client(reconnection=False)
    try:
        client.connect(
            served.url, namespaces=["/live"], transports=["websocket"], headers={"Cookie": cookie}, wait_timeout=15
        )
        assert client.transport() == "websocket"
        assert "/live" in client.namespaces
    finally:
        client.disconnect()
