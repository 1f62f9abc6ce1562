"""The rest of issue 11's list: the headers every answer carries, the CSRF token renewed at sign-in, the API's CSRF
check for cookie calls, check-in by POST only, 405 with ``Allow``, ``/lang`` always redirecting, and an OpenAPI
document that says which fields may be null."""

from __future__ import annotations

import re

from sqlalchemy import select

from config import ProductionConfig
from dialogue.accounts import services as accounts
from dialogue.extensions import db
from dialogue.sessions.models import Invitation
from tests.live_fixtures import make_session

PASSWORD = "mat-khau-dai-du"


def _csrf(page: str) -> str:
    return re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)


def test_every_answer_carries_the_policies(app, client, tree, login_as, monkeypatch):
    login_as(tree.organizer)
    for path in ("/", "/sessions/", "/login", "/api/openapi.json", "/nothing-here"):
        answer = client.get(path)
        policy = answer.headers["Content-Security-Policy"]
        assert "connect-src 'self';" in policy and "ws:" not in policy and "wss:" not in policy, path
        assert (
            "camera=()" in answer.headers["Permissions-Policy"]
            and "geolocation=()" in answer.headers["Permissions-Policy"]
        )
        assert "Strict-Transport-Security" not in answer.headers  # not in development or tests: no TLS there
    assert ProductionConfig.HSTS_SECONDS == 365 * 86400
    monkeypatch.setitem(app.config, "HSTS_SECONDS", ProductionConfig.HSTS_SECONDS)
    assert client.get("/").headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"


def test_account_pages_and_api_json_are_not_stored(app, client, tree, login_as, token_for):
    login_as(tree.admin)
    for path in ("/account", "/admin/users", f"/admin/users/{tree.host.id}"):
        assert client.get(path).headers["Cache-Control"] == "no-store", path
    assert app.test_client().get("/login").headers["Cache-Control"] == "no-store"
    headers = token_for(tree.admin)
    for path in ("/api/v1/me", "/api/v1/sessions", "/api/v1/nothing", "/api/v1/sessions/1"):
        assert client.get(path, headers=headers).headers["Cache-Control"] == "no-store", path
    assert "no-store" not in client.get("/static/css/app.css").headers.get("Cache-Control", "")


def test_the_csrf_token_is_renewed_at_sign_in(app, client, make_user, monkeypatch):
    make_user("organizer", email="vp@test.vn", password=PASSWORD)
    db.session.commit()
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    before = _csrf(client.get("/login").get_data(as_text=True))
    answer = client.post("/login", data={"login": "vp@test.vn", "password": PASSWORD, "csrf_token": before})
    assert answer.status_code == 302
    after = _csrf(client.get("/account").get_data(as_text=True))
    assert after != before
    refused = client.post("/logout", data={"csrf_token": before})  # the token from before sign-in is worth nothing
    assert refused.status_code == 400
    assert client.post("/logout", data={"csrf_token": after}).status_code == 302


def test_a_personal_link_sign_in_renews_the_csrf_token_too(app, client, make_user, monkeypatch):
    secretary = make_user("secretary")
    token = accounts.make_login_token(secretary, "/account")
    db.session.commit()
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    before = _csrf(client.get("/login").get_data(as_text=True))
    assert client.get(f"/l/{token}").status_code == 302
    after = _csrf(client.get("/account").get_data(as_text=True))
    assert after != before
    assert client.post("/logout", data={"csrf_token": before}).status_code == 400


def test_a_cookie_api_call_is_csrf_checked_unless_its_bearer_token_is_valid(
    app, client, tree, login_as, token_for, monkeypatch
):
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    own_token = token_for(tree.organizer)
    someone_elses = token_for(tree.host)
    db.session.commit()
    login_as(tree.organizer)
    for headers in ({"Authorization": "Bearer x"}, {"Authorization": "Bearer "}, someone_elses):
        refused = client.post("/api/v1/sessions", json={}, headers=headers)
        assert refused.status_code == 403 and refused.get_json()["error"]["code"] == "csrf", headers
    assert client.post("/api/v1/sessions", json={}, headers=own_token).status_code == 422  # past the check
    anonymous = app.test_client()
    assert anonymous.post("/api/v1/sessions", json={}, headers=own_token).status_code == 422
    answer = anonymous.post("/api/v1/sessions", json={}, headers={"Authorization": "Bearer x"})
    assert answer.status_code == 401 and answer.headers["WWW-Authenticate"].startswith("Bearer")


def test_checking_in_through_here_takes_a_post(client, tree, login_as):
    session = make_session(tree, status="live")
    person = tree.secretaries[0]
    login_as(person)
    answer = client.get(f"/sessions/{session.id}/here")  # a link or an image on another site does this
    assert answer.status_code == 200
    page = answer.get_data(as_text=True)
    assert f'<form method="post" action="/sessions/{session.id}/here">' in page and "csrf_token" in page
    invitation = db.session.scalar(select(Invitation).where(Invitation.user_id == person.id))
    assert invitation.checked_in_at is None
    answer = client.post(f"/sessions/{session.id}/here")
    assert answer.status_code == 302 and answer.headers["Location"].endswith(f"/sessions/{session.id}/phone")
    db.session.expire_all()
    assert db.session.get(Invitation, invitation.id).checked_in_at is not None


def test_method_not_allowed_says_what_is_allowed(client, tree, token_for, login_as):
    login_as(tree.organizer)
    answer = client.put("/sessions/")
    assert answer.status_code == 405 and answer.headers["Allow"] == "GET, HEAD, OPTIONS"
    answer = client.delete("/api/v1/sessions", headers=token_for(tree.organizer))
    assert answer.status_code == 405 and answer.get_json()["error"]["code"] == "method_not_allowed"
    assert answer.headers["Allow"] == "GET, HEAD, OPTIONS, POST"


def test_lang_always_redirects_with_a_location(client):
    for referrer, expected in (
        (None, "/"),
        ("http://localhost", "/"),
        ("http://localhost/", "/"),
        ("http://localhost//ngoai.example/x", "/"),
        ("http://ngoai.example/sessions/", "/"),
        ("http://localhost/sessions/?q=a", "/sessions/?q=a"),
    ):
        headers = {"Referer": referrer} if referrer else {}
        answer = client.get("/lang/en", headers=headers)
        assert answer.status_code == 302 and answer.headers["Location"] == expected, referrer


def test_the_openapi_document_declares_nullable_fields(client):
    schemas = client.get("/api/openapi.json").get_json()["components"]["schemas"]
    assert schemas["Question"]["properties"]["topic"].get("nullable") is True
    assert schemas["Commitment"]["properties"]["done_at"].get("nullable") is True
    assert schemas["DialogueSession"]["properties"]["term"].get("nullable") is True
    assert "submissions_by_unit" in schemas["SessionStats"]["properties"]
