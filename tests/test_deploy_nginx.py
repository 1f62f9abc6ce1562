"""The shipped deployment under load of a hall: nginx (deploy/nginx) in front of three app processes.

See tests/nginx_hall.py for how nginx and the processes are started. Pages, static files, sign-in, the API and
Socket.IO are used through nginx only, by clients on their own loopback addresses: each gets every live state, each
address stays on one process (the shipped ``hash $remote_addr consistent``), the addresses are spread over the
processes, and the app sees each phone's own address and HTTPS (TRUSTED_PROXIES as shipped). Redis is required:
an unreachable Redis is a failure, not a skip.
"""

from __future__ import annotations

import hashlib
import os
import queue
import re
import time
import uuid
from collections import defaultdict
from collections.abc import Iterator

import pytest
import requests
import socketio

from dialogue.core.assets import UNVERSIONED_MAX_AGE, VERSIONED_MAX_AGE
from dialogue.extensions import db
from dialogue.live import services as live
from dialogue.sessions.models import DialogueSession
from tests.live_fixtures import make_session
from tests.nginx_hall import NGINX, PROCESSES, Hall, nginx_hall
from tests.server_processes import ROOT, redis_reachable, redis_url

pytestmark = pytest.mark.server

TIMEOUT = 20.0
PHONES = 12
PASSWORD = "mat-khau-dai-2025"
YEAR = f"public, max-age={VERSIONED_MAX_AGE}, immutable"
SHORT = f"public, max-age={UNVERSIONED_MAX_AGE}"


@pytest.fixture(scope="module")
def hall(app, database_url) -> Iterator[Hall]:
    problem = redis_reachable()
    if problem:
        pytest.fail(f"{problem}. The nginx test needs Redis (deploy/system-packages.sh starts it).")
    if not os.path.exists(NGINX):
        pytest.fail("The nginx test needs Debian's nginx: run deploy/system-packages.sh")
    with nginx_hall(database_url, redis_url(0)) as started:
        yield started
        for server in started.servers:
            assert "Traceback" not in server.log(tail=200_000), server.log()


def csrf_token(page: str) -> str:
    return re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)


def sign_in_form(hall: Hall, browser: requests.Session, login: str, password: str, **headers) -> requests.Response:
    """The sign-in form as a browser posts it: the page's CSRF token, and the Referer a browser sends."""
    token = csrf_token(browser.get(hall.url + "/login", timeout=TIMEOUT).text)
    return browser.post(
        hall.url + "/login",
        data={"login": login, "password": password, "csrf_token": token},
        headers={"Referer": hall.url + "/login", **headers},
        allow_redirects=False,
        timeout=TIMEOUT,
    )


def test_pages_static_files_and_sign_in_through_nginx(hall, make_user, token_for):
    phone = hall.client()
    # Plain HTTP is only a redirect to HTTPS, on the port the phones use.
    moved = phone.get(hall.http_url + "/login?x=1", allow_redirects=False, timeout=TIMEOUT)
    assert moved.status_code == 301
    assert moved.headers["Location"] == hall.url + "/login?x=1"

    page = phone.get(hall.url + "/login", timeout=TIMEOUT)
    assert page.status_code == 200
    assert "Đăng nhập" in page.text
    assert "Content-Encoding" not in page.headers  # pages carry the CSRF token: not compressed (BREACH)
    # Every static URL of the page is versioned by the file's content, and nginx serves it from static/ itself:
    # compressed, for a year.
    assets = re.findall(r'(?:href|src)="(/static/([^"?]+)\?v=([0-9a-f]{12}))"', page.text)
    assert {name for _, name, _ in assets} >= {"css/app.css", "js/app.js", "favicon.svg"}
    for url, name, version in assets:
        content = (ROOT / "static" / name).read_bytes()
        assert version == hashlib.sha256(content).hexdigest()[:12], name
        answer = phone.get(hall.url + url, timeout=TIMEOUT)
        assert answer.status_code == 200, url
        assert answer.content == content, url
        assert answer.headers["Cache-Control"] == YEAR, url
        assert answer.headers["X-Content-Type-Options"] == "nosniff"
        if len(content) >= 512:
            assert answer.headers["Content-Encoding"] == "gzip", url
            assert "Accept-Encoding" in answer.headers["Vary"]
    plain = phone.get(hall.url + "/static/css/app.css", headers={"Accept-Encoding": "identity"}, timeout=TIMEOUT)
    assert plain.status_code == 200 and "Content-Encoding" not in plain.headers
    assert plain.headers["Cache-Control"] == SHORT  # unversioned: five minutes
    assert phone.get(hall.url + "/static/nothing-here.css", timeout=TIMEOUT).status_code == 404
    static_lines = [line for line in hall.log_lines() if line["path"].startswith("/static/")]
    assert static_lines and {line["upstream"] for line in static_lines} == {"-"}  # never proxied to the app

    # Sign-in with a password. The app knows it is served over HTTPS behind nginx (X-Forwarded-Proto): Flask-WTF
    # checks the Referer of a form only on HTTPS requests, against the host and port the phone used (which nginx
    # passes on in Host).
    user = make_user("organizer", name="Văn phòng Huyện ủy", password=PASSWORD, email="vanphong@nginx.test")
    db.session.commit()
    browser = hall.client()
    signed = sign_in_form(hall, browser, user.email, PASSWORD)
    assert signed.status_code == 302, signed.text[:500]
    cookie = next(c for c in browser.cookies if c.name == "session")
    assert cookie.secure
    home = browser.get(hall.url + "/", timeout=TIMEOUT)
    assert home.status_code == 200 and user.name in home.text
    no_referer = browser.post(
        hall.url + "/logout", data={"csrf_token": csrf_token(home.text)}, allow_redirects=False, timeout=TIMEOUT
    )
    assert no_referer.status_code == 400
    assert "Phiên làm việc của biểu mẫu" in no_referer.text  # the app's own refusal, in Vietnamese
    assert browser.get(hall.url + "/", timeout=TIMEOUT).status_code == 200  # still signed in

    # The API, and a body larger than nginx's default 1 MiB reaches the app (which answers it, in JSON).
    token = token_for(user)
    me = phone.get(hall.url + "/api/v1/me", headers=token, timeout=TIMEOUT)
    assert me.status_code == 200 and me.json()["email"] == user.email
    big = phone.post(
        hall.url + "/api/v1/sessions", json={"title": "x" * (3 * 1024 * 1024)}, headers=token, timeout=TIMEOUT
    )
    assert big.status_code == 422, big.text[:300]
    assert big.json()["error"]["fields"]


def test_the_app_sees_each_phone_address_not_nginx_nor_a_forged_header(hall):
    """TRUSTED_PROXIES as shipped: the sign-in limit per address (60 a minute: a hall shares one Wi-Fi, so it is
    loose) counts per phone. With 0, every phone would be nginx's 127.0.0.1 and share one count; trusting more hops
    would let a phone pick its address by writing X-Forwarded-For. Wrong passwords for one account count for that
    account wherever they come from."""
    run = uuid.uuid4().hex[:8]  # this run's own counters in the shared Redis
    first = hall.client()
    account = f"khong-ton-tai-{run}@nginx.test"
    assert [sign_in_form(hall, first, account, "sai").status_code for _ in range(10)] == [200] * 10
    refused = sign_in_form(hall, first, account, "sai")
    assert refused.status_code == 429 and account in refused.text  # the form keeps what was typed
    assert sign_in_form(hall, hall.client(), account, "sai").status_code == 429  # the account's own count
    # The first phone uses up its address's share (60 a minute, these included) with other logins...
    codes: list[int] = []
    while len(codes) < 60 and 429 not in codes:
        codes.append(sign_in_form(hall, first, f"p{len(codes)}-{run}@nginx.test", "sai").status_code)
    assert codes[-1] == 429 and set(codes[:-1]) == {200} and len(codes) >= 48, codes
    # ...writing another address into X-Forwarded-For does not give it a fresh count...
    forged = sign_in_form(hall, first, f"forged-{run}@nginx.test", "sai", **{"X-Forwarded-For": "10.9.8.7"})
    assert forged.status_code == 429
    # ...and another phone in the same hall has its own.
    assert sign_in_form(hall, hall.client(), f"other-{run}@nginx.test", "sai").status_code == 200


class Phone:
    """A secretary's phone on the /live namespace through nginx, from its own address. ``transports`` None is
    the client's default: long-polling first, then the upgrade to a websocket."""

    def __init__(self, hall: Hall, token: str, session_id: int, transports: list[str] | None) -> None:
        self.hall, self.token, self.session_id, self.transports = hall, token, session_id, transports
        self.address = hall.next_address()
        self.http = hall.client(self.address)
        self.states: queue.Queue = queue.Queue()
        self.versions: list[int] = []
        self.latest: dict = {}
        self.sio = socketio.Client(reconnection=False, http_session=self.http, websocket_extra_options={})
        self.sio.on("state", self.states.put, namespace="/live")

    def connect(self) -> dict:
        if self.transports != ["polling"]:
            # websocket-client cannot bind a source address itself: it is handed a connection made from ours.
            self.sio.eio.websocket_extra_options["socket"] = self.hall.tls_socket(self.address)
        self.sio.connect(
            self.hall.url,
            namespaces=["/live"],
            transports=self.transports,
            auth={"token": self.token},
            wait_timeout=15,
        )
        answer = self.sio.call("join", {"session_id": self.session_id}, namespace="/live", timeout=TIMEOUT)
        assert answer["ok"], answer
        return self.next_state()

    def next_state(self) -> dict:
        state = self.states.get(timeout=TIMEOUT)
        assert state["session_id"] == self.session_id
        self.versions.append(state["version"])
        self.latest = state
        return state

    def api(self, method: str, path: str, body: dict | None = None) -> requests.Response:
        return self.http.request(
            method,
            self.hall.url + path,
            json=body,
            headers={"Authorization": f"Bearer {self.token}"},
            timeout=TIMEOUT,
        )


@pytest.mark.browser
def test_every_phone_gets_every_state_through_nginx_and_stays_on_its_process(hall, tree, make_user, token_for, browser):
    secretaries = list(tree.secretaries)
    for n in range(PHONES - len(secretaries)):
        cell = tree.cells[n % len(tree.cells)]
        secretaries.append(make_user("secretary", name=f"Bí thư chi bộ {n + 5}", unit=cell))
    session = make_session(tree, turn_seconds=300)
    secret = live.ensure_projector_secret(db.session.get(DialogueSession, session.id))
    tokens = [token_for(user)["Authorization"].split()[1] for user in secretaries]
    clerk = token_for(tree.organizer)["Authorization"].split()[1]
    db.session.commit()

    kinds = [None, ["polling"], ["websocket"]]  # upgrade, long-polling only, websocket only
    phones = [Phone(hall, token, session.id, kinds[i % 3]) for i, token in enumerate(tokens)]
    context = browser.new_context(ignore_https_errors=True, locale="vi-VN")
    static_answers: list[tuple[str, int, str]] = []
    errors: list[str] = []
    try:
        initial = [phone.connect() for phone in phones]
        first_version = initial[0]["version"]
        assert {state["version"] for state in initial} == {first_version}
        for phone in phones:
            expected = "polling" if phone.transports == ["polling"] else "websocket"
            assert phone.sio.transport() == expected, phone.transports  # websockets pass through nginx

        # The projector, in Chromium, through nginx (the browser's own Origin check, and the page's assets).
        projector = context.new_page()
        projector.on("pageerror", lambda exc: errors.append(str(exc)))
        projector.on(
            "response",
            lambda r: (
                static_answers.append((r.url, r.status, r.headers.get("cache-control", "")))
                if "/static/" in r.url
                else None
            ),
        )
        projector.goto(f"{hall.url}/projector/{secret}")
        projector.wait_for_selector('[data-live="connection"].online')
        assert projector.evaluate("Number(document.body.dataset.liveVersion)") == first_version

        # Three secretaries ask to speak from their phones, and the clerk calls two turns: all through nginx.
        clerk_phone = hall.client()
        for phone in phones[:3]:
            asked = phone.api("POST", f"/api/v1/sessions/{session.id}/speakers", {})
            assert asked.status_code == 201, asked.text
        for _ in range(2):
            called = clerk_phone.post(
                f"{hall.url}/api/v1/sessions/{session.id}/speakers/next",
                json={},
                headers={"Authorization": f"Bearer {clerk}"},
                timeout=TIMEOUT,
            )
            assert called.status_code == 200, called.text
        snapshot = phones[0].api("GET", f"/api/v1/sessions/{session.id}/live").json()
        last_version = snapshot["version"]
        assert last_version >= first_version + 5

        # Every phone, whichever process it is on, got every state, in order, once.
        for phone in phones:
            while phone.versions[-1] < last_version:
                phone.next_state()
            assert phone.versions == list(range(first_version, last_version + 1)), (phone.address, phone.versions)
            state = phone.latest
            assert state["current"]["user_id"] == snapshot["current"]["user_id"] == secretaries[1].id
            assert [e["user_id"] for e in state["queue"]] == [secretaries[2].id]
        projector.wait_for_function(
            "v => Number(document.body.dataset.liveVersion) === v", arg=last_version, timeout=TIMEOUT * 1000
        )
        assert projector.inner_text('[data-live="current-name"]') == secretaries[1].name
        assert errors == []
        assert static_answers and all(status == 200 for _, status, _ in static_answers), static_answers
        assert all(cache == YEAR for _, _, cache in static_answers), static_answers
    finally:
        context.close()
        for phone in phones:
            phone.sio.disconnect()

    # nginx's log: each phone's Socket.IO requests (each long poll, the handshake, the websocket) all went to one
    # process, none was refused for an unknown session, and the phones were spread over the processes.
    addresses = {phone.address for phone in phones}
    deadline = time.monotonic() + 10
    while True:
        lines = [line for line in hall.log_lines() if line["path"].startswith("/socket.io/")]
        upgraded = {line["addr"] for line in lines if line["status"] == "101"}
        if upgraded >= {p.address for p in phones if p.transports != ["polling"]} or time.monotonic() > deadline:
            break
        time.sleep(0.2)  # a websocket is logged when it closes
    per_address: dict[str, set[str]] = defaultdict(set)
    for line in lines:
        if line["addr"] in addresses:
            per_address[line["addr"]].add(line["upstream"])
            assert line["status"] in ("101", "200"), line
    assert set(per_address) == addresses
    assert all(len(upstreams) == 1 for upstreams in per_address.values()), per_address
    used = set().union(*per_address.values())
    assert 2 <= len(used) <= PROCESSES, used
    assert used <= {f"127.0.0.1:{server.port}" for server in hall.servers}
