"""Sign-in by password and by personal link, rate limiting, CSRF, language, tokens and the CLI."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from dialogue.accounts import services
from dialogue.accounts.models import ApiToken, User
from dialogue.audit.models import AuditEntry
from dialogue.extensions import db, limiter
from tests.factories import act


def test_password_is_hashed_with_argon2(make_user):
    user = make_user("organizer", password="mat-khau-dai")
    assert user.password_hash.startswith("$argon2")
    assert services.check_password(user, "mat-khau-dai")
    assert not services.check_password(user, "sai")


def test_sign_in_with_email_or_phone(client, make_user):
    make_user("organizer", password="mat-khau-dai", email="vp@test.vn", phone="0912 345 678")
    for login in ("vp@test.vn", "VP@test.vn", "0912345678", "+84912345678"):
        response = client.post("/login", data={"login": login, "password": "mat-khau-dai"})
        assert response.status_code == 302, login
        client.post("/logout")


def test_wrong_password_keeps_the_login_typed(client, make_user):
    make_user("organizer", password="mat-khau-dai", email="vp@test.vn")
    response = client.post("/login", data={"login": "vp@test.vn", "password": "sai"})
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "không đúng" in body
    assert 'value="vp@test.vn"' in body


def test_sign_in_is_rate_limited(app, client, make_user, monkeypatch):
    make_user("organizer", password="mat-khau-dai", email="vp@test.vn")
    monkeypatch.setitem(app.config, "LOGIN_RATE_LIMIT", "3 per minute")
    limiter.reset()
    try:
        codes = [client.post("/login", data={"login": "vp@test.vn", "password": "sai"}).status_code for _ in range(4)]
    finally:
        limiter.reset()
    assert codes[:3] == [200, 200, 200]
    assert codes[3] == 429


def test_a_form_post_without_csrf_token_is_refused(app, client, make_user, monkeypatch):
    make_user("organizer", password="mat-khau-dai", email="vp@test.vn")
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    response = client.post("/login", data={"login": "vp@test.vn", "password": "mat-khau-dai"})
    assert response.status_code == 400
    assert "mã bảo vệ" in response.get_data(as_text=True)


def test_personal_link_signs_in_without_password_and_opens_its_page(client, make_user):
    secretary = make_user("secretary")
    token = services.make_login_token(secretary, "/account")
    response = client.get(f"/l/{token}")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/account")
    assert client.get("/account").status_code == 200


def test_personal_link_refuses_tampering_revocation_and_outside_redirects(client, make_user):
    secretary = make_user("secretary")
    token = services.make_login_token(secretary)
    assert client.get(f"/l/{token}x").status_code == 400
    evil = services.make_login_token(secretary, "//evil.example/")
    assert client.get(f"/l/{evil}").headers["Location"] == "/"
    client.post("/logout")
    act(services.revoke_login_links, None, secretary)
    response = client.get(f"/l/{token}")
    assert response.status_code == 400
    assert "không còn hiệu lực" in response.get_data(as_text=True)


def test_personal_link_expires(app, client, make_user, monkeypatch):
    secretary = make_user("secretary")
    token = services.make_login_token(secretary)
    monkeypatch.setitem(app.config, "LOGIN_LINK_MAX_AGE_DAYS", -1)
    response = client.get(f"/l/{token}")
    assert response.status_code == 400
    assert "hết hạn" in response.get_data(as_text=True)


def test_language_switch_is_remembered(client, make_user, login_as):
    user = make_user("organizer")
    login_as(user)
    assert "Đăng xuất" in client.get("/account").get_data(as_text=True)
    client.get("/lang/en", headers={"Referer": "http://localhost/account"})
    body = client.get("/account").get_data(as_text=True)
    assert "Sign out" in body
    assert db.session.get(User, user.id).locale == "en"
    client.get("/lang/vi")
    assert "Đăng xuất" in client.get("/account").get_data(as_text=True)


def test_users_and_tokens_cli_and_bearer_call(app, client):
    runner = app.test_cli_runner()
    result = runner.invoke(
        args=[
            "users",
            "create",
            "--email",
            "thuky@test.vn",
            "--name",
            "Thư ký",
            "--role",
            "organizer",
            "--password",
            "mat-khau-dai",
        ]
    )
    assert result.exit_code == 0, result.output
    result = runner.invoke(args=["tokens", "create", "thuky@test.vn"])
    assert result.exit_code == 0, result.output
    secret = result.output.strip()
    assert secret.startswith("dt_") and "\n" not in secret
    stored = db.session.scalar(select(ApiToken))
    assert stored.token_hash != secret and secret not in stored.token_hash
    response = client.get("/api/v1/me", headers={"Authorization": f"Bearer {secret}"})
    assert response.status_code == 200
    me = response.get_json()
    assert me["name"] == "Thư ký" and me["email"] == "thuky@test.vn" and me["roles"] == ["organizer"]
    assert set(me) >= {"id", "name", "email", "roles", "unit_id"}
    result = runner.invoke(args=["tokens", "revoke", str(stored.id)])
    assert result.exit_code == 0
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {secret}"}).status_code == 401


def test_users_create_refuses_a_duplicate_email(app):
    runner = app.test_cli_runner()
    args = ["users", "create", "--email", "a@test.vn", "--name", "A", "--role", "host"]
    assert runner.invoke(args=args).exit_code == 0
    result = runner.invoke(args=args)
    assert result.exit_code != 0
    assert "Đã có người dùng" in result.output


def test_token_on_account_page_is_shown_once_and_revocable(client, make_user, login_as):
    user = make_user("secretariat")
    login_as(user)
    response = client.post("/account/tokens", data={"name": "Báo cáo"})
    body = response.get_data(as_text=True)
    assert 'id="new-token"' in body
    token = db.session.scalar(select(ApiToken).where(ApiToken.user_id == user.id))
    assert 'id="new-token"' not in client.get("/account").get_data(as_text=True)
    client.post(f"/account/tokens/{token.id}/revoke")
    db.session.refresh(token)
    assert token.revoked_at is not None


def test_admin_creates_a_person_and_the_change_is_audited(client, tree, login_as):
    login_as(tree.admin)
    response = client.post(
        "/admin/users/new",
        data={
            "name": "Trần Văn Mới",
            "email": "moi@test.vn",
            "phone": "0987654321",
            "roles": ["secretary"],
            "unit_id": tree.cells[0].id,
            "position": "Bí thư chi bộ",
            "password": "",
        },
    )
    assert response.status_code == 302
    person = services.find_by_login("moi@test.vn")
    assert person.role_names == {"secretary"} and person.unit_id == tree.cells[0].id
    entry = db.session.scalar(
        select(AuditEntry).where(AuditEntry.action == "user.create", AuditEntry.object_id == person.id)
    )
    assert entry.actor_id == tree.admin.id and entry.after["name"] == "Trần Văn Mới"
    # A duplicate e-mail is refused and what was typed stays on the form.
    response = client.post("/admin/users/new", data={"name": "Người khác", "email": "moi@test.vn", "roles": []})
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert "Đã có người dùng" in body and 'value="Người khác"' in body
    assert db.session.scalar(select(func.count(User.id)).where(User.email == "moi@test.vn")) == 1


@pytest.mark.parametrize("role", ["admin", "organizer", "host", "secretary", "secretariat", "unit"])
def test_every_role_lands_on_a_home_page(client, make_user, login_as, role):
    login_as(make_user(role, name=f"Người {role}"))
    response = client.get("/")
    assert response.status_code == 200
    assert f"Người {role}" in response.get_data(as_text=True)


def test_the_sign_in_limit_counts_per_account_and_per_address(app, client, make_user, monkeypatch):
    make_user("organizer", password="mat-khau-dai", email="vp@test.vn")
    monkeypatch.setitem(app.config, "LOGIN_RATE_LIMIT", "2 per minute")
    monkeypatch.setitem(app.config, "LOGIN_RATE_LIMIT_PER_ADDRESS", "5 per minute")
    limiter.reset()
    try:
        # One account, typed three ways: the third wrong password is refused, and the form keeps what was typed.
        codes = [
            client.post("/login", data={"login": typed, "password": "sai"}).status_code
            for typed in ("vp@test.vn", " VP@test.vn", "vp@TEST.vn")
        ]
        refused = client.post("/login", data={"login": "vp@test.vn", "password": "mat-khau-dai"})
        # Another person at the same address (the hall's Wi-Fi) still has their own tries...
        other = client.post("/login", data={"login": "0912345678", "password": "sai"})
        # ...until the address as a whole has had its share.
        last = client.post("/login", data={"login": "+84912345678", "password": "sai"})
    finally:
        limiter.reset()
    assert codes == [200, 200, 429]
    body = refused.get_data(as_text=True)
    assert refused.status_code == 429 and "Quá nhiều lần thử" in body and 'value="vp@test.vn"' in body
    assert "mat-khau-dai" not in body
    assert other.status_code == 200
    assert last.status_code == 429


def test_behind_a_trusted_proxy_each_phone_has_its_own_address(app, client, monkeypatch):
    from dialogue import trust_proxies

    monkeypatch.setitem(app.config, "LOGIN_RATE_LIMIT_PER_ADDRESS", "2 per minute")
    limiter.reset()

    def attempts(addresses):
        return [
            client.post(
                "/login", data={"login": f"a{i}@test.vn", "password": "sai"}, headers={"X-Forwarded-For": address}
            ).status_code
            for i, address in enumerate(addresses)
        ]

    try:
        # Not told of a proxy: the header is anyone's to write, so it is ignored and all share one address.
        assert attempts(["10.0.0.1", "10.0.0.2", "10.0.0.3"]) == [200, 200, 429]
        limiter.reset()
        monkeypatch.setitem(app.config, "TRUSTED_PROXIES", 1)
        monkeypatch.setattr(app, "wsgi_app", app.wsgi_app)  # put back after the test
        trust_proxies(app)
        assert attempts(["10.0.0.1", "10.0.0.1", "10.0.0.2", "10.0.0.1"]) == [200, 200, 200, 429]
    finally:
        limiter.reset()


def test_several_processes_count_sign_ins_in_the_live_events_redis(monkeypatch):
    import importlib

    import config

    monkeypatch.delenv("RATELIMIT_STORAGE_URI", raising=False)
    monkeypatch.setenv("SOCKETIO_MESSAGE_QUEUE", "redis://127.0.0.1:6379/0")
    try:
        assert importlib.reload(config).ProductionConfig.RATELIMIT_STORAGE_URI == "redis://127.0.0.1:6379/0"
        monkeypatch.setenv("RATELIMIT_STORAGE_URI", "redis://10.0.0.5:6379/2")
        assert importlib.reload(config).ProductionConfig.RATELIMIT_STORAGE_URI == "redis://10.0.0.5:6379/2"
        monkeypatch.delenv("RATELIMIT_STORAGE_URI")
        monkeypatch.delenv("SOCKETIO_MESSAGE_QUEUE")
        assert importlib.reload(config).ProductionConfig.RATELIMIT_STORAGE_URI == "memory://"
    finally:
        monkeypatch.undo()
        importlib.reload(config)
