"""A service down is not a 500: a ``make serve`` process whose Redis (the live events' queue and the sign-in
limit's store) is an address where nothing listens still signs people in with their password, still limits
wrong passwords (counting in its own memory, and saying so in its log), commits every write to PostgreSQL, and
still sends live events to its own phones (the other processes miss them, with a warning in the log).

Before ``RATELIMIT_IN_MEMORY_FALLBACK_ENABLED`` every password sign-in answered 500 there."""

from __future__ import annotations

import re
import time
import uuid

import pytest
import requests
import socketio
from sqlalchemy import select

from dialogue.extensions import db
from dialogue.sessions.models import Invitation
from tests.server_processes import call_api, free_port, open_live_session, running_servers, server_env

pytestmark = pytest.mark.server

PASSWORD = "mat-khau-dai-du"
TIMEOUT = 20.0


@pytest.fixture
def server_without_redis(database_url, tmp_path):
    nowhere = f"redis://127.0.0.1:{free_port()}/0"  # a port that was just free: nothing listens there
    env = server_env(database_url, message_queue=nowhere, extra={"SOCKETIO_CHANNEL": f"dialogue-{uuid.uuid4().hex}"})
    with running_servers([env], log_dir=tmp_path) as servers:
        yield servers[0]


def _sign_in_page(browser: requests.Session, url: str) -> str:
    page = browser.get(f"{url}/login", timeout=TIMEOUT)
    assert page.status_code == 200
    return re.search(r'name="csrf-token" content="([^"]+)"', page.text).group(1)


def _log_has(server, text: str, timeout: float = 10.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if text in server.log(tail=200_000):
            return True
        time.sleep(0.2)
    return False


def test_with_redis_gone_people_sign_in_and_nothing_written_is_lost(server_without_redis, tree, make_user, token_for):
    server = server_without_redis
    make_user("organizer", email="vanphong-redis@test.vn", password=PASSWORD, unit=tree.district)
    organizer_token = token_for(tree.organizer)["Authorization"].split()[1]
    phone_token = token_for(tree.secretaries[0])["Authorization"].split()[1]
    db.session.commit()

    browser = requests.Session()
    csrf = _sign_in_page(browser, server.url)
    answer = browser.post(
        f"{server.url}/login",
        data={"login": "vanphong-redis@test.vn", "password": PASSWORD, "csrf_token": csrf},
        allow_redirects=False,
        timeout=TIMEOUT,
    )
    assert answer.status_code == 302, server.log()
    assert browser.get(f"{server.url}/account", timeout=TIMEOUT).status_code == 200
    assert _log_has(server, "falling back to in-memory storage"), server.log()

    # The limit still holds, in this process's memory: 10 wrong passwords a minute for one account and address.
    stranger = requests.Session()
    csrf = _sign_in_page(stranger, server.url)
    codes = [
        stranger.post(
            f"{server.url}/login",
            data={"login": "khong-co@test.vn", "password": "sai", "csrf_token": csrf},
            timeout=TIMEOUT,
        ).status_code
        for _ in range(11)
    ]
    assert codes == [200] * 10 + [429]

    # Writes commit; the live events reach this process's own phones; the publish to Redis fails with a warning.
    session_id = open_live_session(
        server.url,
        organizer_token,
        host_unit_id=tree.district.id,
        invited_unit_ids=[c.id for c in tree.communes],
        host_ids=[tree.host.id],
    )
    phone = socketio.SimpleClient()
    phone.connect(server.url, auth={"token": phone_token}, namespace="/live", transports=["websocket"])
    try:
        joined = phone.call("join", {"session_id": session_id}, timeout=TIMEOUT)
        assert joined["ok"] is True
        event, first = phone.receive(timeout=TIMEOUT)
        assert event == "state"
        status, checked = call_api(
            server.url,
            organizer_token,
            "POST",
            f"/api/v1/sessions/{session_id}/checkins",
            {"user_id": tree.secretaries[0].id},
        )
        assert status == 200 and checked["present"] is True, checked
        event, state = phone.receive(timeout=TIMEOUT)
        assert event == "state" and state["version"] > first["version"]
        assert state["attendance"]["present"] == 1
    finally:
        phone.disconnect()
    db.session.expire_all()
    invitation = db.session.scalar(
        select(Invitation).where(Invitation.session_id == session_id, Invitation.user_id == tree.secretaries[0].id)
    )
    assert invitation.checked_in_at is not None
    assert _log_has(server, "Cannot publish to redis"), server.log()
    assert " 500 " not in server.log(tail=200_000) and "unhandled error" not in server.log(tail=200_000)
