"""Who a sign-in is, and when it ends.

- A personal link signs in only as an invitee, whatever roles the account holds (the QR code of an admin added as
  an invitee opened /admin/users).
- Signing out, a new password, deactivation and "revoke links" end every sign-in of the person: an old session
  cookie, a remember cookie, an API token made from a link sign-in and an open live connection.
- The sign-in limit counts per account (however the login is typed), a sign-in that succeeds doesn't count, and
  an unknown account takes as long to refuse as a known one.
"""

from __future__ import annotations

import statistics
import time
from http.cookies import SimpleCookie

import pytest
import socketio
from sqlalchemy import select

from dialogue.accounts import services
from dialogue.accounts.models import ApiToken
from dialogue.extensions import db, limiter
from dialogue.sessions import services as sessions
from tests.factories import act, schedule

NS = "/live"


def _link_path(user, next_path: str | None = None) -> str:
    return "/l/" + services.make_login_token(user, next_path)


def _cookies(client, name: str) -> str | None:
    cookie = client.get_cookie(name)
    return cookie.value if cookie is not None else None


def test_a_personal_link_signs_an_admin_in_only_as_an_invitee(app, client, tree):
    session = schedule(tree)
    act(sessions.add_invitee, tree.organizer, session, tree.admin)
    response = client.get(_link_path(tree.admin, f"/sessions/{session.id}"))
    assert response.status_code == 302
    # The invitee's pages open...
    assert client.get(f"/sessions/{session.id}").status_code == 200
    # ...the staff pages ask for the password instead.
    for path in ("/admin/users", "/admin/audit/", f"/sessions/{session.id}/invitees", "/sessions/new"):
        refused = client.get(path)
        assert refused.status_code == 302, path
        assert refused.headers["Location"].startswith("/login?next="), path
    login_page = client.get("/login")
    assert login_page.status_code == 200 and "cần đăng nhập bằng mật khẩu" in login_page.get_data(as_text=True)
    api = client.get(f"/api/v1/sessions/{session.id}/invitations")
    assert api.status_code == 403 and api.get_json()["error"]["code"] == "password_required"
    me = client.get("/api/v1/me").get_json()
    assert me["roles"] == ["secretary"]
    # A password sign-in gives the account its roles again.
    act(services.update_user, None, tree.admin, password="mat-khau-quan-tri")
    signed = client.post("/login?next=/admin/users", data={"login": tree.admin.email, "password": "mat-khau-quan-tri"})
    assert signed.status_code == 302 and signed.headers["Location"] == "/admin/users"
    assert client.get("/admin/users").status_code == 200


def test_a_token_made_from_a_link_sign_in_acts_as_an_invitee_and_ends_with_the_links(app, client, tree):
    session = schedule(tree)
    client.get(_link_path(tree.admin))
    page = client.post("/account/tokens", data={"name": "điện thoại"})
    assert page.status_code == 200
    token = db.session.scalar(select(ApiToken).where(ApiToken.user_id == tree.admin.id))
    assert token.link_only and token.session_version == tree.admin.session_version
    secret = page.get_data(as_text=True).split('id="new-token"', 1)[1].split("dt_", 1)[1].split("<", 1)[0].strip()
    headers = {"Authorization": f"Bearer dt_{secret}"}
    fresh = app.test_client()
    assert fresh.get("/api/v1/me", headers=headers).get_json()["roles"] == ["secretary"]
    staff_only = fresh.get(f"/api/v1/sessions/{session.id}/invitations", headers=headers)
    assert staff_only.status_code == 403 and staff_only.get_json()["error"]["code"] == "password_required"
    act(services.revoke_login_links, tree.admin, tree.admin)
    assert fresh.get("/api/v1/me", headers=headers).status_code == 401


def test_signing_out_ends_the_old_session_cookie(app, client, make_user):
    make_user("organizer", password="mat-khau-dai", email="vp@test.vn")
    client.post("/login", data={"login": "vp@test.vn", "password": "mat-khau-dai"})
    stolen = _cookies(client, "session")
    assert client.get("/account").status_code == 200
    client.post("/logout")
    replay = app.test_client()
    replay.set_cookie("session", stolen)
    assert replay.get("/account").status_code == 302


@pytest.mark.parametrize("ending", ["password", "deactivate", "revoke_links", "sign_out"])
def test_every_ending_ends_the_remember_cookie_and_the_session(app, client, tree, make_user, ending):
    person = make_user("organizer", password="mat-khau-dai", email="vp@test.vn")
    client.post("/login", data={"login": "vp@test.vn", "password": "mat-khau-dai", "remember": "y"})
    remember, cookie = _cookies(client, "remember_token"), _cookies(client, "session")
    assert remember
    again = app.test_client()
    again.set_cookie("remember_token", remember)
    assert again.get("/account").status_code == 200  # the remember cookie works until...
    if ending == "password":
        act(services.update_user, tree.admin, person, password="mat-khau-moi")
    elif ending == "deactivate":
        act(services.update_user, tree.admin, person, active=False)
    elif ending == "revoke_links":
        act(services.revoke_login_links, tree.admin, person)
    else:
        client.post("/logout")
    for name, value in (("remember_token", remember), ("session", cookie)):
        replay = app.test_client()
        replay.set_cookie(name, value)
        assert replay.get("/account").status_code == 302, (ending, name)


def test_the_remember_cookie_is_new_at_each_sign_in_and_safe(app, make_user):
    make_user("organizer", password="mat-khau-dai", email="vp@test.vn")
    values, headers = [], []
    for _ in range(2):
        browser = app.test_client()
        response = browser.post("/login", data={"login": "vp@test.vn", "password": "mat-khau-dai", "remember": "y"})
        headers.append(next(h for h in response.headers.getlist("Set-Cookie") if h.startswith("remember_token=")))
        values.append(SimpleCookie(headers[-1])["remember_token"].value)
    assert values[0] != values[1]
    assert "HttpOnly" in headers[0] and "SameSite=Lax" in headers[0]
    from config import ProductionConfig

    assert ProductionConfig.REMEMBER_COOKIE_SECURE and ProductionConfig.SESSION_COOKIE_SECURE


def test_a_link_sign_in_keeps_no_remember_cookie(client, tree):
    response = client.get(_link_path(tree.secretaries[0]))
    assert not any(h.startswith("remember_token=") for h in response.headers.getlist("Set-Cookie"))


def test_the_current_device_stays_signed_in_after_its_own_new_password(client, make_user):
    make_user("organizer", password="mat-khau-dai", email="vp@test.vn")
    client.post("/login", data={"login": "vp@test.vn", "password": "mat-khau-dai"})
    response = client.post(
        "/account/password", data={"current": "mat-khau-dai", "new": "mat-khau-moi-dai", "confirm": "mat-khau-moi-dai"}
    )
    assert response.status_code == 302
    assert client.get("/account").status_code == 200


def _connected(url: str, auth: dict | None = None, cookie: str | None = None) -> socketio.SimpleClient:
    sio = socketio.SimpleClient()
    headers = {"Cookie": f"session={cookie}"} if cookie else {}
    sio.connect(url, auth=auth, headers=headers, namespace=NS, transports=["websocket"], wait_timeout=10)
    return sio


def _wait_disconnected(sio: socketio.SimpleClient, timeout: float = 10.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not sio.connected:
            return True
        time.sleep(0.05)
    return False


@pytest.mark.server
@pytest.mark.parametrize("ending", ["deactivate", "revoke_links"])
def test_an_open_live_connection_ends_with_the_sign_ins(app, live_server, tree, ending):
    session = schedule(tree, status="live")
    person = tree.secretaries[0]
    _token, secret = act(services.create_api_token, None, person, "phone")
    by_token = _connected(live_server.url, auth={"token": secret})
    browser = app.test_client()
    browser.get(_link_path(person))
    by_cookie = _connected(live_server.url, cookie=_cookies(browser, "session"))
    try:
        for sio in (by_token, by_cookie):
            assert sio.call("join", {"session_id": session.id}, timeout=5)["ok"] is True
        if ending == "deactivate":
            act(services.update_user, tree.admin, person, active=False)
        else:
            act(services.revoke_login_links, tree.admin, person)
        assert _wait_disconnected(by_token) and _wait_disconnected(by_cookie)
        # Nor can it come back: the cookie and the token are both ended.
        with pytest.raises(socketio.exceptions.ConnectionError):
            _connected(live_server.url, cookie=_cookies(browser, "session"))
        if ending == "deactivate":
            with pytest.raises(socketio.exceptions.ConnectionError):
                _connected(live_server.url, auth={"token": secret})
    finally:
        for sio in (by_token, by_cookie):
            sio.disconnect()


@pytest.mark.server
def test_a_link_sign_in_joins_only_the_sessions_it_is_invited_to(app, live_server, tree):
    """An organizer's account signed in by link is an invitee on the live room too: a session it is not invited
    to is refused, although the organizer could see it with a password."""
    invited = schedule(tree, status="open")
    other = schedule(tree, status="live", title="Buổi khác")
    act(sessions.add_invitee, tree.admin, invited, tree.organizer)
    act(sessions.change_status, tree.admin, invited, "live")
    browser = app.test_client()
    browser.get(_link_path(tree.organizer))
    sio = _connected(live_server.url, cookie=_cookies(browser, "session"))
    try:
        assert sio.call("join", {"session_id": invited.id}, timeout=5)["ok"] is True
        assert sio.call("join", {"session_id": other.id}, timeout=5) == {
            "ok": False,
            "error": "forbidden",
        }
    finally:
        sio.disconnect()


def test_the_limit_counts_per_account_however_the_login_is_typed(app, client, make_user, monkeypatch):
    make_user("secretary", password="mat-khau-dai", email="bt@test.vn", phone="0901000020")
    monkeypatch.setitem(app.config, "LOGIN_RATE_LIMIT", "3 per minute")
    limiter.reset()
    try:
        typed = ["0901000020", "+84901000020", "0901 000 020", "84901000020"]
        codes = [client.post("/login", data={"login": t, "password": "sai"}).status_code for t in typed]
        refused = client.post("/login", data={"login": "bt@test.vn", "password": "mat-khau-dai"})
    finally:
        limiter.reset()
    assert codes == [200, 200, 200, 429]
    assert refused.status_code == 429


def test_text_around_a_phone_names_nobody(client, make_user):
    """ "0901000020@anything" signed in as the owner of 0901000020 with the right password."""
    make_user("secretary", password="mat-khau-dai", email="bt@test.vn", phone="0901000020")
    for typed in ("0901000020@anything", "0901000020x", "abc0901000020"):
        response = client.post("/login", data={"login": typed, "password": "mat-khau-dai"})
        assert response.status_code == 200, typed
        assert "không đúng" in response.get_data(as_text=True)
    assert services.login_key("0901000020@x0") != services.login_key("0901000020")
    assert services.login_key(" +84 901 000 020 ") == services.login_key("0901000020")


def test_a_sign_in_that_succeeds_does_not_count(app, client, make_user, monkeypatch):
    make_user("organizer", password="mat-khau-dai", email="vp@test.vn")
    monkeypatch.setitem(app.config, "LOGIN_RATE_LIMIT", "2 per minute")
    monkeypatch.setitem(app.config, "LOGIN_RATE_LIMIT_PER_ADDRESS", "3 per minute")
    limiter.reset()
    try:
        codes = []
        for _ in range(5):
            codes.append(client.post("/login", data={"login": "vp@test.vn", "password": "mat-khau-dai"}).status_code)
            client.post("/logout")
        codes.append(client.post("/login", data={"login": "vp@test.vn", "password": "sai"}).status_code)
        codes.append(client.post("/login", data={"login": "vp@test.vn", "password": "sai"}).status_code)
        codes.append(client.post("/login", data={"login": "vp@test.vn", "password": "sai"}).status_code)
    finally:
        limiter.reset()
    assert codes == [302] * 5 + [200, 200, 429]


def test_an_unknown_account_takes_as_long_as_a_known_one(make_user):
    make_user("organizer", password="mat-khau-dai", email="vp@test.vn")

    def timed(login: str) -> float:
        samples = []
        for _ in range(5):
            start = time.perf_counter()
            assert services.authenticate(login, "sai") is None
            samples.append(time.perf_counter() - start)
        return statistics.median(samples)

    known, unknown = timed("vp@test.vn"), timed("ai-do@test.vn")
    assert 0.5 < unknown / known < 2.0, (known, unknown)
